/**
 * CSI capacity ranges (decimal int64 strings) to whole GiB, the only unit Cinder volumes and Manila
 * shares are sized in.
 */
import { invalidArgument, outOfRange } from '../csi/errors';
import { GIB_BIGINT as GIB } from '../units/bytes';

export interface CapacityRangeInput {
  required_bytes?: string | number | null;
  limit_bytes?: string | number | null;
}

const DEFAULT_VOLUME_SIZE_GIB = 1;

export function gibToBytes(sizeGiB: number): string {
  return (BigInt(sizeGiB) * GIB).toString();
}

function parseBytes(field: string, value: string | number | null | undefined): bigint {
  if (value === undefined || value === null || value === '') return 0n;
  let parsed: bigint;
  try {
    parsed = BigInt(value);
  } catch {
    throw invalidArgument(`capacity_range.${field} is not an integer: ${String(value)}`);
  }
  if (parsed < 0n) throw invalidArgument(`capacity_range.${field} must not be negative (got ${parsed})`);
  return parsed;
}

function describe(required: bigint, limit: bigint): string {
  const parts: string[] = [];
  if (required > 0n) parts.push(`required_bytes=${required}`);
  if (limit > 0n) parts.push(`limit_bytes=${limit}`);
  return parts.join(', ');
}

/**
 * The smallest whole number of GiB inside the range, or `minimumGiB` (default 1 GiB, or a content
 * source's size) when that is larger and still under the limit. No whole GiB in range → OUT_OF_RANGE.
 */
export function sizeGiBFromRange(
  range: CapacityRangeInput | null | undefined,
  minimumGiB: number = DEFAULT_VOLUME_SIZE_GIB,
): number {
  const required = parseBytes('required_bytes', range?.required_bytes);
  const limit = parseBytes('limit_bytes', range?.limit_bytes);
  if (limit > 0n && required > limit) {
    throw outOfRange(`capacity_range is empty: ${describe(required, limit)}`);
  }
  let sizeGiB = (required + GIB - 1n) / GIB;
  if (sizeGiB < BigInt(minimumGiB)) sizeGiB = BigInt(minimumGiB);
  if (limit > 0n && sizeGiB * GIB > limit) {
    throw outOfRange(
      `no size of whole GiB (at least ${minimumGiB} GiB) satisfies ${describe(required, limit)}; ` +
        `OpenStack sizes volumes and shares in whole GiB`,
    );
  }
  if (sizeGiB > BigInt(Number.MAX_SAFE_INTEGER)) throw outOfRange(`requested size is too large: ${describe(required, limit)}`);
  return Number(sizeGiB);
}

/** Parses `limit_bytes` alone (0 = no limit). */
export function limitBytes(range: CapacityRangeInput | null | undefined): bigint {
  return parseBytes('limit_bytes', range?.limit_bytes);
}
