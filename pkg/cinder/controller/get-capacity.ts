/**
 * GetCapacity from the project's Cinder quota: what is left of `gigabytes` (and of `gigabytes_<type>`
 * when the StorageClass names a type). An unlimited quota gives no number: the backend's free space
 * is not visible to a project, so nothing is reported rather than a guess.
 */
import type { GetCapacityRequest, GetCapacityResponse } from '../../csi/types';
import type { QuotaUsage, QuotaUsageEntry } from '../../openstack/api';
import { mapErrors } from '../../driver-kit/openstack-errors';
import { gibToBytes } from '../../driver-kit/gib';
import { unknownKeysFor, type ControllerContext } from './context';
import { parseVolumeParameters } from './parameters';

function remainingGiB(entry: QuotaUsageEntry | undefined): number | undefined {
  if (!entry || entry.limit < 0) return undefined;
  return Math.max(0, entry.limit - entry.in_use - (entry.reserved ?? 0));
}

function capacityFromQuota(usage: QuotaUsage, volumeType: string | undefined): GetCapacityResponse {
  const limits = [remainingGiB(usage.gigabytes), volumeType ? remainingGiB(usage[`gigabytes_${volumeType}`]) : undefined].filter(
    (value): value is number => value !== undefined,
  );
  const response: GetCapacityResponse = {};
  if (limits.length > 0) response.available_capacity = gibToBytes(Math.min(...limits));
  const perVolume = usage.per_volume_gigabytes;
  if (perVolume && perVolume.limit > 0) response.maximum_volume_size = { value: gibToBytes(perVolume.limit) };
  return response;
}

export async function getCapacity(ctx: ControllerContext, req: GetCapacityRequest): Promise<GetCapacityResponse> {
  const params = parseVolumeParameters(req.parameters, unknownKeysFor(ctx, ctx.logger));
  const cloud = ctx.clouds.defaultCloud();
  return mapErrors({ operation: 'get capacity' }, async () => {
    const usage = await cloud.blockStorage.getQuotaUsage(await cloud.projectId());
    return capacityFromQuota(usage, params.volumeType);
  });
}
