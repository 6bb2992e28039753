/** A Manila share snapshot as a CSI snapshot. */
import type { Snapshot } from '../../csi/types';
import { gibToBytes } from '../../driver-kit/gib';
import type { ShareSnapshot } from '../../openstack/api';

export function csiSnapshot(snapshot: ShareSnapshot): Snapshot {
  const createdMs = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(snapshot.created_at) ? snapshot.created_at : `${snapshot.created_at}Z`);
  const seconds = Number.isNaN(createdMs) ? Math.floor(Date.now() / 1000) : Math.floor(createdMs / 1000);
  return {
    snapshot_id: snapshot.id,
    source_volume_id: snapshot.share_id,
    size_bytes: gibToBytes(snapshot.share_size ?? snapshot.size),
    creation_time: { seconds: String(seconds), nanos: 0 },
    // The snapshotter polls until ready: CPO's `readyToUse` follows the status, so does ours.
    ready_to_use: snapshot.status === 'available',
  };
}
