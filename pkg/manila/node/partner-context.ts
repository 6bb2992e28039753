/**
 * What the partner plugin needs to mount a share, built from the share itself (never from node memory, so
 * it is the same after a restart): NFS `{server, share}`; CephFS `{monitors, rootPath, mounter,
 * provisionVolume: "false", kernelMountOptions, fuseMountOptions, fsName}` with stage secrets
 * `{userID, userKey}` from the volume's cephx access rule.
 */
import { failedPrecondition, internal, invalidArgument, notFound, unavailable } from '../../csi/errors';
import { goneIsNotFound, mapErrors } from '../../driver-kit/openstack-errors';
import type { Share } from '../../openstack/api';
import type { ManilaCloud } from '../cloud-source';
import { CONTEXT, METADATA_MOUNT_OPTIONS, type ShareProtocol } from '../constants';
import { commaList, parseMounter } from '../parameters';
import { chooseExportLocation, splitExportPath } from './export-location';

export interface PartnerRequestParts {
  volumeContext: Record<string, string>;
  /** Secrets for the partner (CephFS cephx identity); empty for NFS. */
  secrets: Record<string, string>;
}

export interface PartnerContextInput {
  cloud: ManilaCloud;
  protocol: ShareProtocol;
  volumeId: string;
  volumeContext: Record<string, string>;
  /** Runtime config `nfs.matchExportLocationAddress`. */
  matchExportLocationAddress?: string;
}

export async function partnerRequestParts(input: PartnerContextInput): Promise<PartnerRequestParts> {
  const { cloud, protocol, volumeContext } = input;
  return mapErrors({ operation: `read share of volume ${input.volumeId}` }, async () => {
    const share = await findShare(cloud, input.volumeId, volumeContext);
    assertUsable(share, protocol);
    const locations = await cloud.sharedFileSystem.listExportLocations(share.id);
    const chosen = chooseExportLocation(share.id, locations, protocol === 'NFS' ? input.matchExportLocationAddress : undefined);
    const { host, path } = splitExportPath(chosen.path);
    if (protocol === 'NFS') return { volumeContext: { server: host, share: path }, secrets: {} };

    const context: Record<string, string> = {
      monitors: host,
      rootPath: path,
      mounter: parseMounter(volumeContext[CONTEXT.cephfsMounter]),
      provisionVolume: 'false',
    };
    const kernel = volumeContext[CONTEXT.cephfsKernelMountOptions];
    const fuse = volumeContext[CONTEXT.cephfsFuseMountOptions];
    if (kernel) context.kernelMountOptions = kernel;
    if (fuse) context.fuseMountOptions = fuse;
    const fsName = fsNameOf(share.metadata?.[METADATA_MOUNT_OPTIONS]);
    if (fsName) context.fsName = fsName;
    return { volumeContext: context, secrets: await cephxSecrets(cloud, share, volumeContext) };
  });
}

/** `shareID` (dynamic and static PVs), else `shareName` (static), else the volume ID. */
async function findShare(cloud: ManilaCloud, volumeId: string, volumeContext: Record<string, string>): Promise<Share> {
  const shareId = volumeContext[CONTEXT.shareId];
  const shareName = volumeContext[CONTEXT.shareName];
  if (shareId && shareName) throw invalidArgument(`volume attributes ${CONTEXT.shareId} and ${CONTEXT.shareName} are exclusive; set one`);
  if (shareName) {
    const page = await cloud.sharedFileSystem.listShares({ name: shareName, allPages: true });
    const matches = page.items.filter((share) => share.name === shareName);
    if (matches.length === 0) throw notFound(`no share is named "${shareName}" (volume attribute ${CONTEXT.shareName})`);
    if (matches.length > 1) throw internal(`${matches.length} shares are named "${shareName}"; use ${CONTEXT.shareId} instead`);
    return matches[0];
  }
  const id = shareId || volumeId;
  return goneIsNotFound(() => cloud.sharedFileSystem.getShare(id), `share ${id} of volume ${volumeId} does not exist`);
}

function assertUsable(share: Share, protocol: ShareProtocol): void {
  if (share.share_proto.toUpperCase() !== protocol) {
    throw invalidArgument(`share ${share.id} is ${share.share_proto}; this plugin serves ${protocol}`);
  }
  if (share.status === 'creating' || share.status === 'creating_from_snapshot') {
    throw unavailable(`share ${share.id} is still being created`);
  }
  if (share.status !== 'available') throw failedPrecondition(`share ${share.id} is "${share.status}", not available`);
}

/** `fs=cephfs,other=x` → `cephfs`. */
export function fsNameOf(mountOptions: string | undefined): string | undefined {
  for (const option of commaList(mountOptions)) {
    const [key, value] = option.split('=');
    if (key.trim() === 'fs' && value?.trim()) return value.trim();
  }
  return undefined;
}

/**
 * The cephx identity of the first of the volume's `shareAccessIDs` that is an active cephx rule with a
 * key. None → FAILED_PRECONDITION (CPO's node plugin exits here: the whole DaemonSet pod restarts).
 */
async function cephxSecrets(cloud: ManilaCloud, share: Share, volumeContext: Record<string, string>): Promise<Record<string, string>> {
  const ids = commaList(volumeContext[CONTEXT.shareAccessIds] ?? volumeContext[CONTEXT.shareAccessId]);
  if (ids.length === 0) {
    throw failedPrecondition(`volume attribute ${CONTEXT.shareAccessIds} is missing: a CephFS volume needs the ID of its cephx access rule`);
  }
  const rules = await cloud.sharedFileSystem.listAccessRules(share.id);
  const rule = ids
    .map((id) => rules.find((candidate) => candidate.id === id))
    .find((candidate) => candidate?.access_type === 'cephx' && candidate.state === 'active' && candidate.access_key);
  if (!rule?.access_key) {
    throw failedPrecondition(`share ${share.id} has no active cephx access rule among ${ids.join(', ')} (${CONTEXT.shareAccessIds})`);
  }
  return { userID: rule.access_to, userKey: rule.access_key };
}
