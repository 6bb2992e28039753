/** The three ways a Cinder volume reaches a pod, and the CSI capability that asks for each. */
import type { VolumeCapability } from '../csi/types';
import { missingFilesystemToolsReason, type ToolLookupOptions } from '../mounter';

export const VOLUME_KINDS = ['ext4', 'xfs', 'block'] as const;
export type VolumeKind = (typeof VOLUME_KINDS)[number];

export function isVolumeKind(value: string): value is VolumeKind {
  return (VOLUME_KINDS as readonly string[]).includes(value);
}

export function volumeCapability(kind: VolumeKind): VolumeCapability {
  const accessMode = { mode: 'SINGLE_NODE_WRITER' as const };
  return kind === 'block'
    ? { block: {}, access_mode: accessMode }
    : { mount: { fs_type: kind, mount_flags: [] }, access_mode: accessMode };
}

export { GiB } from '../units/bytes';

/**
 * Why this host cannot bring a `kind` volume up on the node — a program its filesystem needs is missing,
 * named with the package to install — or undefined. Raw block needs only util-linux.
 */
export function volumeKindUnsupportedReason(kind: VolumeKind, lookup?: ToolLookupOptions): string | undefined {
  return kind === 'block' ? undefined : missingFilesystemToolsReason(kind, lookup);
}
