/**
 * What NodeGetInfo reports besides the node ID: the zone segment (sanitised the way
 * cloud-provider-openstack does, so existing PV node affinities keep matching) and the attach limit.
 * `--additional-topology` segments are validated as labels when the flags are parsed (`options.ts`).
 */
import type { Logger } from '../../log/logger';

/** Shared with the controller, which must report Cinder's zones exactly as nodes report theirs. */
export { sanitizeZone } from '../../driver-kit/zone';

/** Nova's practical limit of volumes per server (virtio-blk PCI slots); CPO's upper bound. */
export const MAX_VOLUMES_PER_NODE = 256;

/**
 * `[BlockStorage] node-volume-attach-limit`: unset means 256 (CPO passes 0, which tells the scheduler
 * "no limit" and lets it overcommit a node); values below 1 or above 256 are clamped to 256.
 */
export function resolveAttachLimit(configured: number | undefined, logger?: Logger): number {
  if (configured === undefined || configured === null) return MAX_VOLUMES_PER_NODE;
  if (!Number.isInteger(configured) || configured < 1 || configured > MAX_VOLUMES_PER_NODE) {
    logger?.warn('node-volume-attach-limit out of range, using the maximum', {
      configured,
      using: MAX_VOLUMES_PER_NODE,
      allowed: `1..${MAX_VOLUMES_PER_NODE}`,
    });
    return MAX_VOLUMES_PER_NODE;
  }
  return configured;
}
