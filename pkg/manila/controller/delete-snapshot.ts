/**
 * DeleteSnapshot: delete the share snapshot; already gone or already `deleting` is success (Manila answers
 * a repeated delete with 400 while the first one runs).
 */
import { invalidArgument } from '../../csi/errors';
import type { DeleteSnapshotRequest, DeleteSnapshotResponse } from '../../csi/types';
import { goneIsSuccess, mapErrors } from '../../driver-kit/openstack-errors';
import { BadRequestError } from '../../openstack/errors';
import type { ManilaControllerContext, RequestScope } from './context';

export async function deleteSnapshot(
  ctx: ManilaControllerContext,
  req: DeleteSnapshotRequest,
  scope: RequestScope,
): Promise<DeleteSnapshotResponse> {
  if (!req.snapshot_id) throw invalidArgument('snapshot_id is required');
  const manila = ctx.clouds.forSecrets(req.secrets).sharedFileSystem;
  const deleting = async () => {
    const snapshot = await goneIsSuccess(() => manila.getSnapshot(req.snapshot_id));
    return !snapshot || snapshot.status === 'deleting';
  };
  await mapErrors({ operation: `delete snapshot ${req.snapshot_id}`, badRequest: 'failed-precondition' }, async () => {
    if (await deleting()) return;
    try {
      await goneIsSuccess(() => manila.deleteSnapshot(req.snapshot_id));
    } catch (error) {
      if (error instanceof BadRequestError && (await deleting())) return;
      throw error;
    }
  });
  scope.logger.info('share snapshot deleted (or already being deleted)', { snapshotId: req.snapshot_id });
  return {};
}
