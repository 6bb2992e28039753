/**
 * Loop devices for tests that need real block devices (root only). Every device is backed by a sparse
 * file in its own temporary directory; `release` detaches it and removes the file, and is safe to call
 * more than once.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Re-exported for the tests that create loop devices; production code asks ../host-capabilities itself.
export { canUseLoopDevices, loopDevicesSkipReason, canResizeExt4Online } from '../host-capabilities';

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
