/**
 * What this host lets the process do with block devices, checked once: loop devices (root and the loop
 * driver's control node) and online ext4 growth (CAP_SYS_RESOURCE). The demo, the run harness and the
 * tests that need real devices all ask here, so "can we use loop devices" has one answer.
 */
import { existsSync, readFileSync } from 'node:fs';

export const canUseLoopDevices = process.getuid?.() === 0 && existsSync('/dev/loop-control');
export const loopDevicesSkipReason = 'needs root and /dev/loop-control to create loop devices';

const CAP_SYS_RESOURCE = 24;

/** True when this process has `capability` in its effective set (read from /proc/self/status). */
export function hasEffectiveCapability(capability: number): boolean {
  try {
    const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match !== null && ((BigInt(`0x${match[1]}`) >> BigInt(capability)) & 1n) === 1n;
  } catch {
    return false;
  }
}

/**
 * Online ext4 growth (resize2fs on a mounted filesystem) needs CAP_SYS_RESOURCE; some sandboxes drop it
 * even for root. xfs and btrfs grow online without it.
 */
export const canResizeExt4Online = hasEffectiveCapability(CAP_SYS_RESOURCE);
