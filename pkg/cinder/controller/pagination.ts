/**
 * Pagination tokens. ListVolumes walks every configured cloud in name order with CPO's token
 * `<marker>:<cloudName>` (an empty marker starts that cloud from its beginning). Marker IDs are UUIDs,
 * so the first colon separates them from a cloud name that may itself contain colons.
 */
import { aborted } from '../../csi/errors';

export interface VolumeListPosition {
  cloudName: string;
  marker?: string;
}

export function encodeVolumeToken(position: VolumeListPosition): string {
  return `${position.marker ?? ''}:${position.cloudName}`;
}

export function decodeVolumeToken(token: string, cloudNames: readonly string[]): VolumeListPosition {
  const separator = token.indexOf(':');
  if (separator < 0) throw aborted(`starting_token "${token}" is not a token this plugin returned`);
  const marker = token.slice(0, separator);
  const cloudName = token.slice(separator + 1);
  if (!cloudNames.includes(cloudName)) {
    throw aborted(`starting_token "${token}" names cloud "${cloudName}", which is not configured`);
  }
  if (marker !== '' && !/^[0-9A-Za-z-]+$/.test(marker)) {
    throw aborted(`starting_token "${token}" has an invalid marker`);
  }
  return { cloudName, marker: marker === '' ? undefined : marker };
}

/** Snapshot listings page through Cinder snapshots, then backups (both are CSI snapshots). */
export type SnapshotListPhase = 'snapshots' | 'backups';

export interface SnapshotListPosition {
  phase: SnapshotListPhase;
  marker?: string;
}

const PHASE_PREFIX: Record<SnapshotListPhase, string> = { snapshots: 'snapshot', backups: 'backup' };

export function encodeSnapshotToken(position: SnapshotListPosition): string {
  return `${PHASE_PREFIX[position.phase]}:${position.marker ?? ''}`;
}

export function decodeSnapshotToken(token: string): SnapshotListPosition {
  const match = /^(snapshot|backup):([0-9A-Za-z-]*)$/.exec(token);
  if (!match) throw aborted(`starting_token "${token}" is not a token this plugin returned`);
  return { phase: match[1] === 'backup' ? 'backups' : 'snapshots', marker: match[2] || undefined };
}
