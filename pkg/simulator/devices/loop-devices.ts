/**
 * Thin, typed wrapper over losetup/blockdev and the loop driver's sysfs attributes. It only ever
 * acts on devices the caller names, and checks the backing file before releasing one, so a device
 * that was re-used by someone else after we let go is never touched.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../log/logger';
import { MounterError } from '../../mounter';
import type { CommandRunner } from './command';
import { KeyedLock } from './keyed-lock';

const LOSETUP_TIMEOUT_MS = 30_000;
const ATTACH_ATTEMPTS = 5;
const RELEASE_WAIT_MS = 5_000;
const POLL_MS = 50;

export interface LoopToolPaths {
  losetup: string;
  /** Optional: without it a flush falls back to fsync on the device. */
  blockdev?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function loopDeviceName(devicePath: string): string {
  return path.basename(devicePath);
}

export class LoopDevices {
  /** One in-process `losetup --find` at a time; other processes can still race, hence the retries. */
  private readonly findLock = new KeyedLock();

  constructor(
    private readonly tools: LoopToolPaths,
    private readonly run: CommandRunner,
    private readonly logger: Logger,
    private readonly sysBlockDir = '/sys/block',
  ) {}

  /** Binds `file` to a free loop device and returns its path (e.g. /dev/loop3). */
  async attach(file: string): Promise<string> {
    return this.findLock.run(['find'], async () => {
      let lastError: unknown;
      for (let attempt = 1; attempt <= ATTACH_ATTEMPTS; attempt++) {
        try {
          const { stdout } = await this.run(this.tools.losetup, ['--find', '--show', file], LOSETUP_TIMEOUT_MS);
          const device = stdout.trim();
          if (!/^\/dev\/loop\d+$/.test(device)) {
            throw new Error(`losetup printed an unexpected device name: ${JSON.stringify(device)}`);
          }
          return device;
        } catch (error) {
          lastError = error;
          // Another process may have taken the device losetup picked between its lookup and bind.
          this.logger.debug(2, 'losetup --find failed, retrying', { file, attempt, error: String(error) });
          await sleep(POLL_MS * attempt);
        }
      }
      throw lastError;
    });
  }

  /** Re-reads the backing file's size so the block device grows after the file did. */
  async refreshSize(device: string): Promise<void> {
    await this.run(this.tools.losetup, ['--set-capacity', device], LOSETUP_TIMEOUT_MS);
  }

  /** Pushes everything written through the device down into the backing file. */
  async flush(device: string): Promise<void> {
    if (this.tools.blockdev) {
      await this.run(this.tools.blockdev, ['--flushbufs', device], LOSETUP_TIMEOUT_MS);
      return;
    }
    const handle = await fs.open(device, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** The file a loop device is bound to (without the kernel's " (deleted)" suffix), or undefined when unbound. */
  async backingFile(device: string): Promise<string | undefined> {
    const attribute = path.join(this.sysBlockDir, loopDeviceName(device), 'loop', 'backing_file');
    try {
      const text = (await fs.readFile(attribute, 'utf8')).trim();
      return text.replace(/ \(deleted\)$/, '');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * Releases `device` if it is still bound to `expectedFile`, then waits for the kernel to let go.
   * A device still held open (e.g. mounted) is left to autoclear and reported, not forced.
   */
  async detach(device: string, expectedFile: string): Promise<void> {
    const bound = await this.backingFile(device);
    if (bound !== expectedFile) {
      this.logger.warn('loop device no longer backed by our image; leaving it alone', {
        device,
        expectedFile,
        boundTo: bound ?? null,
      });
      return;
    }
    try {
      await this.run(this.tools.losetup, ['--detach', device], LOSETUP_TIMEOUT_MS);
    } catch (error) {
      // Already released (e.g. by autoclear) between our check and the call: that is what we wanted.
      if (error instanceof MounterError && (await this.backingFile(device)) !== expectedFile) return;
      throw error;
    }
    const deadline = Date.now() + RELEASE_WAIT_MS;
    while ((await this.backingFile(device)) === expectedFile) {
      if (Date.now() >= deadline) {
        this.logger.warn('loop device is still open elsewhere; the kernel will release it on last close', {
          device,
          file: expectedFile,
        });
        return;
      }
      // udev probes a device briefly after each change; a short wait covers that.
      await sleep(POLL_MS);
    }
  }
}
