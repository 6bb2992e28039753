/**
 * DeleteVolume: delete the share; a share already gone or already `deleting` is success (Manila answers a
 * repeated delete with 403 while the first one runs). A share Manila refuses to delete for its state (it
 * still has snapshots, or is busy) is FAILED_PRECONDITION saying why, not PERMISSION_DENIED.
 */
import { failedPrecondition, invalidArgument } from '../../csi/errors';
import type { DeleteVolumeRequest, DeleteVolumeResponse } from '../../csi/types';
import { goneIsSuccess, mapErrors } from '../../driver-kit/openstack-errors';
import { ForbiddenError } from '../../openstack/errors';
import type { ManilaControllerContext, RequestScope } from './context';

export async function deleteVolume(
  ctx: ManilaControllerContext,
  req: DeleteVolumeRequest,
  scope: RequestScope,
): Promise<DeleteVolumeResponse> {
  if (!req.volume_id) throw invalidArgument('volume_id is required');
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const manila = cloud.sharedFileSystem;
  await mapErrors({ operation: `delete volume ${req.volume_id}`, badRequest: 'failed-precondition' }, async () => {
    const share = await goneIsSuccess(() => manila.getShare(req.volume_id));
    if (!share || share.status === 'deleting') {
      scope.logger.info('share already gone or being deleted', { shareId: req.volume_id });
      return;
    }
    try {
      await goneIsSuccess(() => manila.deleteShare(share.id));
    } catch (error) {
      if (!(error instanceof ForbiddenError)) throw error;
      const now = await goneIsSuccess(() => manila.getShare(share.id));
      if (!now || now.status === 'deleting') return;
      throw failedPrecondition(`share ${share.id} cannot be deleted now (status "${now.status}"): ${error.message}`, error);
    }
    scope.logger.info('share deleted', { shareId: share.id });
  });
  return {};
}
