/**
 * One volume per name, and no name blocked forever: a volume the plugin gave up on (`error`,
 * `error_deleting`) or that is going (`deleting`) does not stand for its name; and when two controllers
 * (a leader-election failover) created a volume for the same name at once, every call settles on the
 * oldest one and the call that created another deletes its own.
 */
import type { Volume } from '../../openstack/api';
import { goneIsSuccess } from '../../driver-kit/openstack-errors';
import { METADATA_CLUSTER } from '../constants';
import type { CinderCloud } from './clouds';
import type { ControllerContext, RequestScope } from './context';

/** Statuses of a same-named volume that no longer stands for its name: going, or given up on. */
const ABANDONED_STATUSES = ['deleting', 'error_deleting', 'error'];

/** The volume that stands for the name, if any; same-named volumes given up on are cleaned up or reported. */
export async function findByName(ctx: ControllerContext, cloud: CinderCloud, name: string, scope: RequestScope): Promise<Volume | undefined> {
  const { live, abandoned } = await volumesNamed(cloud, name);
  for (const volume of abandoned) await dropAbandoned(ctx, cloud, volume, scope);
  if (live.length > 1) {
    scope.logger.warn('several volumes carry the same name; using the oldest', { name, volumeIds: live.map((v) => v.id) });
  }
  return oldest(live);
}

async function volumesNamed(cloud: CinderCloud, name: string): Promise<{ live: Volume[]; abandoned: Volume[] }> {
  const named = await cloud.blockStorage.listVolumesNamed(name);
  return {
    live: named.filter((volume) => !ABANDONED_STATUSES.includes(volume.status)),
    abandoned: named.filter((volume) => ABANDONED_STATUSES.includes(volume.status)),
  };
}

/**
 * `deleting` is on its way; a failed volume of this cluster's plugin is deleted again, and what cannot be
 * deleted is abandoned (reported once, deleted by the janitor later). A failed volume without this
 * cluster's metadata is a user's: it does not stand for the name either, but it is never touched.
 */
async function dropAbandoned(ctx: ControllerContext, cloud: CinderCloud, volume: Volume, scope: RequestScope): Promise<void> {
  if (volume.status === 'deleting') return;
  if (volume.metadata?.[METADATA_CLUSTER] !== ctx.clusterId) {
    scope.logger.warn('a failed volume of this name was not created by this cluster\'s plugin; leaving it alone and creating a new one', {
      volumeId: volume.id,
      name: volume.name,
      status: volume.status,
    });
    return;
  }
  if (volume.status === 'error') {
    const failure = await tryDelete(cloud, volume.id, scope);
    if (failure === undefined) {
      scope.logger.info('deleting a failed volume left by an earlier attempt', { volumeId: volume.id, name: volume.name });
      return;
    }
  }
  const why = `a failed volume of this name that could not be deleted (status "${volume.status}"); a new volume is created`;
  await ctx.abandoned.abandon(cloud, volume, 'failed-same-name', why, scope.logger);
}

/** The deterministic choice among same-named volumes: the oldest, then the lowest ID. */
function oldest(volumes: readonly Volume[]): Volume | undefined {
  const time = (volume: Volume): number => {
    const parsed = Date.parse(volume.created_at);
    return Number.isNaN(parsed) ? Number.POSITIVE_INFINITY : parsed;
  };
  return [...volumes].sort((a, b) => time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0];
}

/**
 * After creating: did another controller create a volume of this name at the same time? Looked at once
 * ours is available, so the other create has long reached Cinder. Every call settles on the oldest; this
 * call deletes its own volume when it is not that one. Answers the volume to keep.
 */
export async function settleOnOneVolume(
  ctx: ControllerContext,
  cloud: CinderCloud,
  name: string,
  ours: Volume,
  scope: RequestScope,
): Promise<Volume> {
  const { live } = await volumesNamed(cloud, name);
  const keep = oldest(live.some((volume) => volume.id === ours.id) ? live : [...live, ours]);
  if (!keep || keep.id === ours.id) return ours;
  scope.logger.warn('another controller created a volume of the same name at the same time; keeping the oldest and deleting ours', {
    name,
    kept: keep.id,
    deleted: ours.id,
  });
  const failure = await tryDelete(cloud, ours.id, scope);
  if (failure !== undefined) await ctx.abandoned.abandon(cloud, ours, 'duplicate', `duplicate of ${keep.id} for the same name; its delete failed`, scope.logger);
  return keep;
}

/** Requests the delete; returns why it failed, or undefined when Cinder took it (or the volume is gone). */
export async function tryDelete(cloud: CinderCloud, volumeId: string, scope: RequestScope): Promise<unknown> {
  try {
    await goneIsSuccess(() => cloud.blockStorage.deleteVolume(volumeId));
    return undefined;
  } catch (error) {
    scope.logger.warn('could not delete volume', { volumeId, error });
    return error;
  }
}
