/**
 * Loop devices for tests that need real block devices (root only). Every device is backed by a sparse
 * file in its own temporary directory; `release` detaches it and removes the file, and is safe to call
 * more than once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

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

export interface LoopDevice {
  /** `/dev/loopN`. */
  device: string;
  backingFile: string;
  /** Grows the backing file and tells the kernel (like a cloud-side extend becoming visible). */
  grow(newSizeBytes: number): void;
  release(): void;
}

export function createLoopDevice(sizeBytes: number, prefix = 'loop-test-'): LoopDevice {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const backingFile = path.join(dir, 'disk.img');
  writeFileSync(backingFile, '');
  truncateSync(backingFile, sizeBytes);
  let device: string;
  try {
    device = execFileSync('losetup', ['--find', '--show', backingFile], { encoding: 'utf8' }).trim();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let released = false;
  return {
    device,
    backingFile,
    grow(newSizeBytes) {
      truncateSync(backingFile, newSizeBytes);
      execFileSync('losetup', ['--set-capacity', device]);
    },
    release() {
      if (released) return;
      released = true;
      try {
        execFileSync('losetup', ['--detach', device]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
