/**
 * Cinder resources → CSI messages.
 */
import type { Backup, Snapshot as CinderSnapshot, Volume as CinderVolume } from '../../openstack/api';
import type { Snapshot, Timestamp, VolumeCondition } from '../../csi/types';
import { gibToBytes } from '../../driver-kit/gib';

export function timestampOf(isoTime: string | null | undefined): Timestamp | undefined {
  if (!isoTime) return undefined;
  // Cinder omits the zone designator; its times are UTC.
  const normalised = /[zZ]|[+-]\d\d:?\d\d$/.test(isoTime) ? isoTime : `${isoTime}Z`;
  const millis = Date.parse(normalised);
  if (Number.isNaN(millis)) return undefined;
  const seconds = Math.floor(millis / 1000);
  const fraction = /\.(\d+)/.exec(isoTime)?.[1];
  const nanos = fraction ? Number(fraction.slice(0, 9).padEnd(9, '0')) : 0;
  return { seconds: String(seconds), nanos };
}

export function publishedNodeIds(volume: CinderVolume): string[] {
  return [...new Set((volume.attachments ?? []).map((attachment) => attachment.server_id).filter(Boolean))];
}

export function isErrorStatus(status: string): boolean {
  return status.startsWith('error');
}

/** A condition from the volume's own status (cheap: no extra calls). */
export function statusCondition(volume: CinderVolume): VolumeCondition {
  if (isErrorStatus(volume.status)) {
    return { abnormal: true, message: `Cinder reports volume status "${volume.status}"` };
  }
  return { abnormal: false, message: `volume is ${volume.status}` };
}

export function snapshotFromCinder(snapshot: CinderSnapshot): Snapshot {
  return {
    snapshot_id: snapshot.id,
    source_volume_id: snapshot.volume_id,
    size_bytes: gibToBytes(snapshot.size),
    creation_time: timestampOf(snapshot.created_at),
    ready_to_use: snapshot.status === 'available',
    group_snapshot_id: snapshot.group_snapshot_id ?? '',
  };
}

export function snapshotFromBackup(backup: Backup): Snapshot {
  return {
    snapshot_id: backup.id,
    source_volume_id: backup.volume_id,
    size_bytes: gibToBytes(backup.size),
    creation_time: timestampOf(backup.created_at),
    ready_to_use: backup.status === 'available',
  };
}
