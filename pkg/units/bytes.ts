/**
 * Byte units shared by the drivers, the simulator and the run harness. OpenStack block volumes and
 * file shares are both sized in whole GiB.
 */

/** 1 GiB in bytes, as a number (exact: well under Number.MAX_SAFE_INTEGER). */
export const GiB = 1024 ** 3;

/** 1 GiB in bytes, for arithmetic on CSI's int64 byte counts. */
export const GIB_BIGINT = BigInt(GiB);
