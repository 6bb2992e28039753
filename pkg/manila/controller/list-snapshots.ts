/** ListSnapshots (CPO lacks it): by snapshot ID (missing → empty), by source share, else all, paginated by offset. */
import type { ListSnapshotsRequest, ListSnapshotsResponse } from '../../csi/types';
import { goneIsSuccess, mapErrors } from '../../driver-kit/openstack-errors';
import type { ManilaControllerContext } from './context';
import { decodeOffsetToken, pageLimit } from './list-token';
import { csiSnapshot } from './snapshot-view';

export async function listSnapshots(ctx: ManilaControllerContext, req: ListSnapshotsRequest): Promise<ListSnapshotsResponse> {
  const limit = pageLimit(req.max_entries);
  const marker = decodeOffsetToken(req.starting_token);
  const cloud = ctx.clouds.forSecrets(req.secrets);
  return mapErrors({ operation: 'list snapshots' }, async () => {
    if (req.snapshot_id) {
      const snapshot = await goneIsSuccess(() => cloud.sharedFileSystem.getSnapshot(req.snapshot_id));
      const matches = snapshot && (!req.source_volume_id || snapshot.share_id === req.source_volume_id);
      return { entries: matches ? [{ snapshot: csiSnapshot(snapshot) }] : [], next_token: '' };
    }
    const page = await cloud.sharedFileSystem.listSnapshots({
      shareId: req.source_volume_id || undefined,
      limit,
      marker,
      allPages: limit === undefined,
    });
    return { entries: page.items.map((snapshot) => ({ snapshot: csiSnapshot(snapshot) })), next_token: page.nextMarker ?? '' };
  });
}
