/**
 * Validation of node RPC fields. Every rejection is INVALID_ARGUMENT with a message that names the
 * field and says what a valid value looks like.
 */
import * as path from 'node:path';
import { failedPrecondition, invalidArgument, notFound } from '../../csi/errors';
import type { VolumeCapability__Output } from '../../csi/types';
import { capabilityProblem, filesystemProblem } from '../controller/access-modes';
import type { FilesystemType } from '../../mounter';

/** Cinder IDs are UUIDs; anything that could steer a by-id lookup out of its directory is refused. */
const VOLUME_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

const DEFAULT_FS_TYPE: FilesystemType = 'ext4';

export type ParsedCapability =
  | { kind: 'block'; readOnlyMode: boolean }
  | { kind: 'mount'; fsType: FilesystemType; mountFlags: string[]; readOnlyMode: boolean };

export function requireVolumeId(value: string | undefined): string {
  if (!value) throw invalidArgument('volume_id is required');
  if (!VOLUME_ID.test(value)) {
    throw invalidArgument(`volume_id "${value}" is not a Cinder volume ID (letters, digits, ".", "_" and "-" only)`);
  }
  return value;
}

export function requirePath(value: string | undefined, field: string): string {
  if (!value) throw invalidArgument(`${field} is required`);
  if (!path.isAbsolute(value) || value.includes('\0')) throw invalidArgument(`${field} "${value}" must be an absolute path`);
  // Returned as given: `kubeletPath` judges the ".." segments before resolving it.
  return value;
}

/**
 * `volume_path` of NodeGetVolumeStats / NodeExpandVolume: a path where the volume was staged or published.
 * Those are always absolute, so a relative path names no volume: NOT_FOUND (what csi-sanity expects for
 * its "some/path" probes), not a malformed request.
 */
export function requireVolumePath(value: string | undefined): string {
  if (!value) throw invalidArgument('volume_path is required');
  if (value.includes('\0')) throw invalidArgument('volume_path must not contain NUL characters');
  if (!path.isAbsolute(value)) {
    throw notFound(`volume_path "${value}" is not an absolute path, so no volume is staged or published there`);
  }
  return value;
}

const READ_ONLY_MODES = new Set(['SINGLE_NODE_READER_ONLY', 'MULTI_NODE_READER_ONLY']);

export function requireCapability(capability: VolumeCapability__Output | null | undefined): ParsedCapability {
  if (!capability) throw invalidArgument('volume_capability is required');
  const mode = capability.access_mode?.mode;
  if (!mode || mode === 'UNKNOWN') throw invalidArgument('volume_capability.access_mode.mode is required');
  const readOnlyMode = READ_ONLY_MODES.has(String(mode));
  const accessType = capability.access_type ?? (capability.block ? 'block' : capability.mount ? 'mount' : undefined);
  if (accessType !== 'block' && accessType !== 'mount') throw invalidArgument('volume_capability needs an access type: mount or block');
  if (accessType === 'mount' && mode === 'MULTI_NODE_MULTI_WRITER') {
    // ext4/xfs/btrfs are not cluster filesystems: writers on two nodes corrupt them.
    // The CSI error tables call a capability the volume cannot serve "Exceeds capabilities": FAILED_PRECONDITION.
    throw failedPrecondition(
      'volume_capability: MULTI_NODE_MULTI_WRITER is only possible for block volumes; a filesystem cannot be written from several nodes',
    );
  }
  // On the node a filesystem it cannot make "exceeds capabilities" (FAILED_PRECONDITION); the controller
  // refuses the same at CreateVolume as INVALID_ARGUMENT.
  const fsProblem = filesystemProblem(capability);
  if (fsProblem) throw failedPrecondition(fsProblem);
  // The same modes the controller accepts (an unknown mode is refused before anything is formatted or mounted).
  const problem = capabilityProblem(capability, undefined);
  if (problem) throw invalidArgument(`volume_capability: ${problem}`);
  if (accessType === 'block') return { kind: 'block', readOnlyMode };
  const fsType = ((capability.mount?.fs_type ?? '').trim().toLowerCase() || DEFAULT_FS_TYPE) as FilesystemType;
  const mountFlags = (capability.mount?.mount_flags ?? []).map((flag) => flag.trim()).filter(Boolean);
  for (const flag of mountFlags) {
    if (flag.includes(',') && flag.split(',').some((part) => !part.trim())) {
      throw invalidArgument(`volume_capability.mount.mount_flags has a malformed entry "${flag}"`);
    }
  }
  return { kind: 'mount', fsType, mountFlags, readOnlyMode };
}

/** `capacity_range.required_bytes` as a number, 0 when not given. */
export function requiredBytes(range: { required_bytes?: string | number } | null | undefined): number {
  const raw = range?.required_bytes;
  if (raw === undefined || raw === null || raw === '') return 0;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(`capacity_range.required_bytes "${raw}" must be a non-negative whole number of bytes`);
  }
  return value;
}

/**
 * Flags that apply per mount point and so can be set on a bind mount (by remounting it). Filesystem
 * options such as `discard` or `data=ordered` belong to the staging mount only.
 */
const PER_MOUNT_POINT_FLAGS = new Set([
  'ro', 'rw', 'nosuid', 'suid', 'nodev', 'dev', 'noexec', 'exec',
  'noatime', 'atime', 'nodiratime', 'diratime', 'relatime', 'norelatime', 'strictatime', 'nostrictatime',
]);

export function bindMountFlags(mountFlags: readonly string[]): string[] {
  return mountFlags.flatMap((flag) => flag.split(',')).map((flag) => flag.trim()).filter((flag) => PER_MOUNT_POINT_FLAGS.has(flag) && flag !== 'ro' && flag !== 'rw');
}
