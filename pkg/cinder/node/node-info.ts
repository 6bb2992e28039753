/**
 * What NodeGetInfo reports besides the node ID: the zone segment (sanitised the way
 * cloud-provider-openstack does, so existing PV node affinities keep matching), extra segments from
 * `--additional-topology`, and the attach limit.
 */
import type { Logger } from '../../log/logger';

/** Shared with the controller, which must report Cinder's zones exactly as nodes report theirs. */
export { sanitizeZone } from '../../driver-kit/zone';

/** Kubernetes label values are at most 63 characters. */
const MAX_LABEL_LENGTH = 63;
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

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/**
 * Parses `--additional-topology` values (`key=value`, comma separated, flag repeatable) into segments.
 * Keys and values must be valid Kubernetes label keys and values, since they become node labels.
 */
export function parseAdditionalTopology(values: string | readonly string[] | undefined): Record<string, string> {
  const list = values === undefined ? [] : typeof values === 'string' ? [values] : values;
  const segments: Record<string, string> = {};
  for (const pair of list.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean)) {
    const index = pair.indexOf('=');
    if (index <= 0) throw new Error(`--additional-topology: "${pair}" is not key=value`);
    const key = pair.slice(0, index).trim();
    const value = pair.slice(index + 1).trim();
    if (!LABEL_KEY.test(key) || key.length > 316) throw new Error(`--additional-topology: "${key}" is not a valid label key`);
    if (!LABEL_VALUE.test(value) || value.length > MAX_LABEL_LENGTH) {
      throw new Error(`--additional-topology: "${value}" (for ${key}) is not a valid label value`);
    }
    segments[key] = value;
  }
  return segments;
}
