/**
 * GetCapacity (CPO lacks it): what the project's share gigabytes quota has left (`GET /limits`). An
 * unlimited quota (-1) reports the int64 maximum: 0 would tell capacity tracking the pool is full.
 */
import type { GetCapacityRequest, GetCapacityResponse } from '../../csi/types';
import { gibToBytes } from '../../driver-kit/gib';
import { mapErrors } from '../../driver-kit/openstack-errors';
import type { ManilaControllerContext } from './context';

const UNLIMITED_BYTES = '9223372036854775807';

export async function getCapacity(ctx: ManilaControllerContext, _req: GetCapacityRequest): Promise<GetCapacityResponse> {
  const cloud = ctx.clouds.forSecrets(undefined);
  const limits = await mapErrors({ operation: 'get capacity' }, () => cloud.sharedFileSystem.absoluteLimits());
  if (limits.maxTotalShareGigabytes < 0) return { available_capacity: UNLIMITED_BYTES };
  const leftGiB = Math.max(0, limits.maxTotalShareGigabytes - limits.totalShareGigabytesUsed);
  const sharesLeft = limits.maxTotalShares < 0 || limits.totalSharesUsed < limits.maxTotalShares;
  return { available_capacity: sharesLeft ? gibToBytes(leftGiB) : '0' };
}
