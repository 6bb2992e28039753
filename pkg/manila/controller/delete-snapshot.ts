/** DeleteSnapshot: delete the share snapshot; already gone is success. */
import { invalidArgument } from '../../csi/errors';
import type { DeleteSnapshotRequest, DeleteSnapshotResponse } from '../../csi/types';
import { goneIsSuccess, mapErrors } from '../../driver-kit/openstack-errors';
import type { ManilaControllerContext, RequestScope } from './context';

export async function deleteSnapshot(
  ctx: ManilaControllerContext,
  req: DeleteSnapshotRequest,
  scope: RequestScope,
): Promise<DeleteSnapshotResponse> {
  if (!req.snapshot_id) throw invalidArgument('snapshot_id is required');
  const cloud = ctx.clouds.forSecrets(req.secrets);
  await mapErrors({ operation: `delete snapshot ${req.snapshot_id}`, badRequest: 'failed-precondition' }, () =>
    goneIsSuccess(() => cloud.sharedFileSystem.deleteSnapshot(req.snapshot_id)),
  );
  scope.logger.info('share snapshot deleted (or already gone)', { snapshotId: req.snapshot_id });
  return {};
}
