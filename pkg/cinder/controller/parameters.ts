/**
 * StorageClass, VolumeSnapshotClass, VolumeAttributesClass and VolumeGroupSnapshotClass parameters:
 * parsed once, with errors that list what is accepted. Unknown keys are rejected (a typo must not
 * silently fall back to a default), except in StorageClass and VolumeSnapshotClass parameters under the
 * `warn` policy: CPO ignores unknown keys there and classes cannot be edited, so a cluster switching from
 * CPO keeps working and the plugin logs the keys it does not use instead (`--unknown-parameters`).
 */
import { invalidArgument } from '../../csi/errors';
import type { Logger } from '../../log/logger';
import {
  CSI_K8S_PARAMETER_PREFIX,
  DEFAULT_BACKUP_MAX_DURATION_SECONDS_PER_GB,
  METADATA_PVC_NAME,
  METADATA_PVC_NAMESPACE,
  METADATA_PV_NAME,
  METADATA_VOLUMESNAPSHOTCONTENT_NAME,
  METADATA_VOLUMESNAPSHOT_NAME,
  METADATA_VOLUMESNAPSHOT_NAMESPACE,
  PARAM_AVAILABILITY,
  PARAM_BACKUP_MAX_DURATION_PER_GB,
  PARAM_FORCE_CREATE,
  PARAM_GROUP_TYPE,
  PARAM_LEGACY_FS_TYPE,
  PARAM_SNAPSHOT_TYPE,
  PARAM_VOLUME_TYPE,
} from '../constants';

type Parameters = Record<string, string> | null | undefined;

/** `--unknown-parameters`: `warn` (CPO-compatible default of the binary) or `reject`. */
export type UnknownParameterPolicy = 'warn' | 'reject';

/** How a parse call treats unknown keys: reject them, or log them on `logger` and go on. */
export type UnknownKeys = { policy: 'reject' } | { policy: 'warn'; logger: Logger };

export const REJECT_UNKNOWN_KEYS: UnknownKeys = { policy: 'reject' };

function checkUnknownKeys(
  kind: string,
  parameters: Record<string, string>,
  accepted: readonly string[],
  allowK8sPrefix: boolean,
  unknownKeys: UnknownKeys,
): void {
  const unknown = Object.keys(parameters).filter(
    (key) => !accepted.includes(key) && !(allowK8sPrefix && key.startsWith(CSI_K8S_PARAMETER_PREFIX)),
  );
  if (unknown.length === 0) return;
  const acceptedList = [...accepted, ...(allowK8sPrefix ? [`${CSI_K8S_PARAMETER_PREFIX}*`] : [])]
    .map((key) => `"${key}"`)
    .join(', ');
  const problem = `unknown ${kind} parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${key}"`).join(', ')}`;
  if (unknownKeys.policy === 'warn') {
    unknownKeys.logger.warn(`${problem} ignored (--unknown-parameters=reject refuses them)`, {
      unknown,
      accepted: acceptedList,
    });
    return;
  }
  throw invalidArgument(`${problem}; accepted: ${acceptedList}`);
}

function pickMetadata(parameters: Record<string, string>, keys: readonly string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const key of keys) {
    const value = parameters[key];
    if (value !== undefined && value !== '') metadata[key] = value;
  }
  return metadata;
}

// ---------- volumes ----------

const VOLUME_PARAMETER_KEYS = [PARAM_VOLUME_TYPE, PARAM_AVAILABILITY, PARAM_LEGACY_FS_TYPE] as const;

export interface VolumeParameters {
  volumeType?: string;
  availability?: string;
  /** Metadata the external-provisioner passes with `--extra-create-metadata`. */
  metadata: Record<string, string>;
  /** PVC coordinates for reading PVC annotations (when the provisioner passed them). */
  pvc?: { name: string; namespace: string };
}

export function parseVolumeParameters(parameters: Parameters, unknownKeys: UnknownKeys = REJECT_UNKNOWN_KEYS): VolumeParameters {
  const params = parameters ?? {};
  checkUnknownKeys('StorageClass', params, VOLUME_PARAMETER_KEYS, true, unknownKeys);
  const volumeType = params[PARAM_VOLUME_TYPE] || undefined;
  const availability = params[PARAM_AVAILABILITY] || undefined;
  const pvcName = params[METADATA_PVC_NAME];
  const pvcNamespace = params[METADATA_PVC_NAMESPACE];
  return {
    volumeType,
    availability,
    metadata: pickMetadata(params, [METADATA_PVC_NAME, METADATA_PVC_NAMESPACE, METADATA_PV_NAME]),
    pvc: pvcName && pvcNamespace ? { name: pvcName, namespace: pvcNamespace } : undefined,
  };
}

// ---------- snapshots ----------

const SNAPSHOT_PARAMETER_KEYS = [
  PARAM_SNAPSHOT_TYPE,
  PARAM_FORCE_CREATE,
  PARAM_BACKUP_MAX_DURATION_PER_GB,
  PARAM_AVAILABILITY,
] as const;

export type SnapshotKind = 'snapshot' | 'backup';

export interface SnapshotParameters {
  kind: SnapshotKind;
  force: boolean;
  backupMaxDurationSecondsPerGiB: number;
  availability?: string;
  metadata: Record<string, string>;
}

export function parseBoolean(key: string, value: string): boolean {
  const normalised = value.trim().toLowerCase();
  if (normalised === 'true') return true;
  if (normalised === 'false' || normalised === '') return false;
  throw invalidArgument(`parameter "${key}" must be "true" or "false", got "${value}"`);
}

export function parseSnapshotParameters(parameters: Parameters, unknownKeys: UnknownKeys = REJECT_UNKNOWN_KEYS): SnapshotParameters {
  const params = parameters ?? {};
  checkUnknownKeys('VolumeSnapshotClass', params, SNAPSHOT_PARAMETER_KEYS, true, unknownKeys);
  const rawKind = params[PARAM_SNAPSHOT_TYPE] ?? '';
  if (rawKind !== '' && rawKind !== 'snapshot' && rawKind !== 'backup') {
    throw invalidArgument(`parameter "${PARAM_SNAPSHOT_TYPE}" must be "snapshot" or "backup", got "${rawKind}"`);
  }
  const kind: SnapshotKind = rawKind === 'backup' ? 'backup' : 'snapshot';
  const force = params[PARAM_FORCE_CREATE] === undefined ? false : parseBoolean(PARAM_FORCE_CREATE, params[PARAM_FORCE_CREATE]);
  let perGiB = DEFAULT_BACKUP_MAX_DURATION_SECONDS_PER_GB;
  const rawDuration = params[PARAM_BACKUP_MAX_DURATION_PER_GB];
  if (rawDuration !== undefined && rawDuration !== '') {
    if (!/^\d+$/.test(rawDuration.trim()) || Number(rawDuration) <= 0) {
      throw invalidArgument(
        `parameter "${PARAM_BACKUP_MAX_DURATION_PER_GB}" must be a positive whole number of seconds, got "${rawDuration}"`,
      );
    }
    perGiB = Number(rawDuration);
  }
  return {
    kind,
    force,
    backupMaxDurationSecondsPerGiB: perGiB,
    availability: params[PARAM_AVAILABILITY] || undefined,
    metadata: pickMetadata(params, [
      METADATA_VOLUMESNAPSHOT_NAME,
      METADATA_VOLUMESNAPSHOT_NAMESPACE,
      METADATA_VOLUMESNAPSHOTCONTENT_NAME,
    ]),
  };
}

// ---------- ControllerModifyVolume ----------

const MUTABLE_PARAMETER_KEYS = [PARAM_VOLUME_TYPE] as const;

export interface MutableParameters {
  volumeType: string;
}

export function parseMutableParameters(parameters: Parameters): MutableParameters {
  const params = parameters ?? {};
  if (Object.keys(params).length === 0) {
    throw invalidArgument(`mutable_parameters is required; accepted: "${PARAM_VOLUME_TYPE}"`);
  }
  // VolumeAttributesClasses are new with this driver (CPO has no ControllerModifyVolume): always strict.
  checkUnknownKeys('mutable (VolumeAttributesClass)', params, MUTABLE_PARAMETER_KEYS, false, REJECT_UNKNOWN_KEYS);
  const volumeType = params[PARAM_VOLUME_TYPE];
  if (!volumeType) throw invalidArgument(`mutable parameter "${PARAM_VOLUME_TYPE}" must not be empty`);
  return { volumeType };
}

// ---------- group snapshots ----------

const GROUP_SNAPSHOT_PARAMETER_KEYS = [PARAM_GROUP_TYPE] as const;

export interface GroupSnapshotParameters {
  groupType?: string;
}

export function parseGroupSnapshotParameters(parameters: Parameters): GroupSnapshotParameters {
  const params = parameters ?? {};
  checkUnknownKeys('VolumeGroupSnapshotClass', params, GROUP_SNAPSHOT_PARAMETER_KEYS, true, REJECT_UNKNOWN_KEYS);
  return { groupType: params[PARAM_GROUP_TYPE] || undefined };
}
