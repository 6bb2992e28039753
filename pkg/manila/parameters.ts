/**
 * StorageClass parameters and PV volume attributes of CPO's manila-csi-plugin, parsed and checked once so
 * a bad value is INVALID_ARGUMENT naming the key. Comma lists are trimmed (CPO keeps the spaces, which
 * Manila then rejects), and every `cephfs-clientID` entry gets a rule (CPO grants the first only).
 */
import { invalidArgument } from '../csi/errors';
import { CONTEXT, RESERVED_METADATA_KEYS } from './constants';

export type CephfsMounter = 'fuse' | 'kernel';

export interface ShareParameters {
  shareType: string;
  shareNetworkId?: string;
  availability?: string;
  autoTopology: boolean;
  appendShareMetadata: Record<string, string>;
  groupId?: string;
  cephfsMounter: CephfsMounter;
  cephfsClientIds: string[];
  cephfsKernelMountOptions?: string;
  cephfsFuseMountOptions?: string;
  nfsShareClients: string[];
  /** `nfs-nodeAccess`: grant NFS access per publishing node (ControllerPublishVolume) instead of `nfsShareClients`. */
  nfsNodeAccess: boolean;
  affinity?: string;
  antiAffinity?: string;
  /** The `csi.storage.k8s.io/pvc|pv` keys of the provisioner's `--extra-create-metadata`. */
  pvcMetadata: Record<string, string>;
}

const DEFAULT_SHARE_TYPE = 'default';
const DEFAULT_NFS_CLIENT = '0.0.0.0/0';
const CSI_K8S_PREFIX = 'csi.storage.k8s.io/';
const EXTRA_CREATE_METADATA: Record<string, string> = {
  'csi.storage.k8s.io/pvc/name': 'csi.storage.k8s.io/pvc/name',
  'csi.storage.k8s.io/pvc/namespace': 'csi.storage.k8s.io/pvc/namespace',
  'csi.storage.k8s.io/pv/name': 'csi.storage.k8s.io/pv/name',
};

const KNOWN_KEYS = new Set([
  'type',
  'shareNetworkID',
  'availability',
  'autoTopology',
  'appendShareMetadata',
  'groupID',
  'cephfs-mounter',
  'cephfs-clientID',
  'cephfs-kernelMountOptions',
  'cephfs-fuseMountOptions',
  'nfs-shareClient',
  'nfs-nodeAccess',
  'affinity',
  'antiAffinity',
]);

/** A trimmed comma list without empty entries. */
export function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function parseBool(key: string, value: string | undefined): boolean {
  if (value === undefined || value.trim() === '') return false;
  if (/^(true|1|t|yes)$/i.test(value.trim())) return true;
  if (/^(false|0|f|no)$/i.test(value.trim())) return false;
  throw invalidArgument(`parameter "${key}": "${value}" is not a boolean (true or false)`);
}

export function parseMounter(value: string | undefined): CephfsMounter {
  const mounter = (value ?? '').trim().toLowerCase();
  if (mounter === '' || mounter === 'fuse') return 'fuse';
  if (mounter === 'kernel') return 'kernel';
  throw invalidArgument(`parameter "${CONTEXT.cephfsMounter}": "${value}" must be kernel or fuse`);
}

function parseAppendMetadata(value: string | undefined): Record<string, string> {
  if (value === undefined || value.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw invalidArgument(`parameter "appendShareMetadata" is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidArgument('parameter "appendShareMetadata" must be a JSON object of strings, e.g. {"team":"a"}');
  }
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(parsed)) {
    if (typeof entry !== 'string') throw invalidArgument(`parameter "appendShareMetadata": value of "${key}" must be a string`);
    if ((RESERVED_METADATA_KEYS as readonly string[]).includes(key)) {
      throw invalidArgument(`parameter "appendShareMetadata" may not set "${key}": the driver sets it`);
    }
    out[key] = entry;
  }
  return out;
}

export function parseShareParameters(parameters: Record<string, string> | null | undefined): ShareParameters {
  const p = parameters ?? {};
  for (const key of Object.keys(p)) {
    if (!KNOWN_KEYS.has(key) && !key.startsWith(CSI_K8S_PREFIX)) {
      throw invalidArgument(`unknown StorageClass parameter "${key}"; known: ${[...KNOWN_KEYS].join(', ')}`);
    }
  }
  const pvcMetadata: Record<string, string> = {};
  for (const [key, metadataKey] of Object.entries(EXTRA_CREATE_METADATA)) {
    if (p[key]) pvcMetadata[metadataKey] = p[key];
  }
  const nfsShareClients = commaList(p['nfs-shareClient']);
  const nfsNodeAccess = parseBool('nfs-nodeAccess', p['nfs-nodeAccess']);
  if (nfsNodeAccess && nfsShareClients.length > 0) {
    throw invalidArgument('parameters "nfs-nodeAccess" and "nfs-shareClient" exclude each other: per-node access grants each node its own addresses');
  }
  return {
    shareType: nonEmpty(p.type) ?? DEFAULT_SHARE_TYPE,
    shareNetworkId: nonEmpty(p.shareNetworkID),
    availability: nonEmpty(p.availability),
    autoTopology: parseBool('autoTopology', p.autoTopology),
    appendShareMetadata: parseAppendMetadata(p.appendShareMetadata),
    groupId: nonEmpty(p.groupID),
    cephfsMounter: parseMounter(p[CONTEXT.cephfsMounter]),
    cephfsClientIds: commaList(p['cephfs-clientID']),
    cephfsKernelMountOptions: nonEmpty(p[CONTEXT.cephfsKernelMountOptions]),
    cephfsFuseMountOptions: nonEmpty(p[CONTEXT.cephfsFuseMountOptions]),
    nfsShareClients: nfsShareClients.length > 0 ? nfsShareClients : [DEFAULT_NFS_CLIENT],
    nfsNodeAccess,
    affinity: nonEmpty(p.affinity),
    antiAffinity: nonEmpty(p.antiAffinity),
    pvcMetadata,
  };
}
