/**
 * ListVolumes (CPO lacks it): the shares of this plugin's protocol, paginated with Manila's offsets.
 * Listing carries no secrets, so it uses the default credentials (`--cloud-config`).
 */
import type { ListVolumesRequest, ListVolumesResponse } from '../../csi/types';
import { gibToBytes } from '../../driver-kit/gib';
import { mapErrors } from '../../driver-kit/openstack-errors';
import type { ManilaControllerContext } from './context';
import { decodeOffsetToken, pageLimit } from './list-token';
import { volumeCondition } from './volume-condition';

export async function listVolumes(ctx: ManilaControllerContext, req: ListVolumesRequest): Promise<ListVolumesResponse> {
  const limit = pageLimit(req.max_entries);
  const marker = decodeOffsetToken(req.starting_token);
  const cloud = ctx.clouds.forSecrets(undefined);
  const page = await mapErrors({ operation: 'list volumes' }, () =>
    cloud.sharedFileSystem.listShares({ limit, marker, allPages: limit === undefined }),
  );
  return {
    entries: page.items
      .filter((share) => share.share_proto.toUpperCase() === ctx.protocol)
      .map((share) => ({
        volume: { volume_id: share.id, capacity_bytes: gibToBytes(share.size) },
        status: { volume_condition: volumeCondition(share) },
      })),
    next_token: page.nextMarker ?? '',
  };
}
