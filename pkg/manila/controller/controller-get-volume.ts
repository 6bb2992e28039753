/** ControllerGetVolume (CPO lacks it): size and a volume condition from the share's status. */
import { invalidArgument } from '../../csi/errors';
import type { ControllerGetVolumeRequest, ControllerGetVolumeResponse } from '../../csi/types';
import { gibToBytes } from '../../driver-kit/gib';
import { mapErrors } from '../../driver-kit/openstack-errors';
import type { ManilaControllerContext } from './context';
import { getShareOrNotFound } from './share-lookup';
import { volumeCondition } from './volume-condition';

export async function controllerGetVolume(
  ctx: ManilaControllerContext,
  req: ControllerGetVolumeRequest,
): Promise<ControllerGetVolumeResponse> {
  if (!req.volume_id) throw invalidArgument('volume_id is required');
  const cloud = ctx.clouds.forSecrets(undefined);
  const share = await mapErrors({ operation: `get volume ${req.volume_id}` }, () => getShareOrNotFound(cloud, req.volume_id));
  return {
    volume: { volume_id: share.id, capacity_bytes: gibToBytes(share.size) },
    status: { volume_condition: volumeCondition(share) },
  };
}
