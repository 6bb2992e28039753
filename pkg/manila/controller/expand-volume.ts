/**
 * ControllerExpandVolume: nothing to do when the share is already big enough, else extend and wait for
 * `available`. Failures keep their codes (CPO answers UNKNOWN when the extend call fails); an
 * `extending_error` is explained by Manila's user message.
 */
import { invalidArgument, outOfRange } from '../../csi/errors';
import type { ControllerExpandVolumeRequest, ControllerExpandVolumeResponse } from '../../csi/types';
import { gibToBytes, limitBytes, sizeGiBFromRange } from '../../driver-kit/gib';
import { mapErrors } from '../../driver-kit/openstack-errors';
import { ResourceErrorStateError } from '../../openstack/errors';
import type { ManilaControllerContext, RequestScope } from './context';
import { explainFailure } from './share-failure';
import { getShareOrNotFound } from './share-lookup';

export async function controllerExpandVolume(
  ctx: ManilaControllerContext,
  req: ControllerExpandVolumeRequest,
  scope: RequestScope,
): Promise<ControllerExpandVolumeResponse> {
  if (!req.volume_id) throw invalidArgument('volume_id is required');
  if (!req.capacity_range) throw invalidArgument('capacity_range is required');
  const sizeGiB = sizeGiBFromRange(req.capacity_range);
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const operation = `expand volume ${req.volume_id}`;
  return mapErrors({ operation, badRequest: 'failed-precondition', waitingFor: 'the share to finish extending' }, async () => {
    let share = await getShareOrNotFound(cloud, req.volume_id);
    const limit = limitBytes(req.capacity_range);
    if (limit > 0n && BigInt(gibToBytes(share.size)) > limit) {
      throw outOfRange(`share ${share.id} is already ${share.size} GiB, above limit_bytes=${limit}; shares cannot shrink here`);
    }
    if (share.size < sizeGiB) {
      const sinceMs = Date.now();
      if (share.status !== 'extending') await cloud.sharedFileSystem.extendShare(share.id, sizeGiB);
      try {
        share = await cloud.sharedFileSystem.waitForShare(share.id, ['available'], {
          until: (seen) => seen.size >= sizeGiB,
        });
      } catch (error) {
        if (!(error instanceof ResourceErrorStateError)) throw error;
        throw await explainFailure(cloud, share.id, `extending share ${share.id} to ${sizeGiB} GiB failed (status "${error.resourceStatus}")`, sinceMs);
      }
      scope.logger.info('share extended', { shareId: share.id, sizeGiB: share.size });
    }
    return { capacity_bytes: gibToBytes(share.size), node_expansion_required: false };
  });
}
