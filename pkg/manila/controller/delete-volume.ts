/** DeleteVolume: delete the share; a share that is already gone is success (CPO). */
import { invalidArgument } from '../../csi/errors';
import type { DeleteVolumeRequest, DeleteVolumeResponse } from '../../csi/types';
import { goneIsSuccess, mapErrors } from '../../driver-kit/openstack-errors';
import type { ManilaControllerContext, RequestScope } from './context';

export async function deleteVolume(
  ctx: ManilaControllerContext,
  req: DeleteVolumeRequest,
  scope: RequestScope,
): Promise<DeleteVolumeResponse> {
  if (!req.volume_id) throw invalidArgument('volume_id is required');
  const cloud = ctx.clouds.forSecrets(req.secrets);
  await mapErrors({ operation: `delete volume ${req.volume_id}`, badRequest: 'failed-precondition' }, async () => {
    const gone = (await goneIsSuccess(() => cloud.sharedFileSystem.deleteShare(req.volume_id).then(() => true))) === undefined;
    scope.logger.info(gone ? 'share already gone' : 'share deleted', { shareId: req.volume_id });
  });
  return {};
}
