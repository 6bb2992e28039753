import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger } from '../../log/logger';
import type { AttachResult, BlockBackend, BlockBackendOptions } from './block-backend';
import { findExecutable, runCommand as defaultRunCommand, type CommandRunner } from './command';
import {
  BackendClosedError,
  BlockBackendError,
  ImageExistsError,
  ImageNotFoundError,
  InvalidSizeError,
  LinkConflictError,
} from './errors';
import { imageFileName } from './image-names';
import { KeyedLock } from './keyed-lock';
import { LoopDevices, loopDeviceName, type LoopToolPaths } from './loop-devices';

/** virtio-blk exposes at most 20 bytes of serial (VIRTIO_BLK_ID_BYTES); udev's by-id name uses the same. */
const SERIAL_LENGTH = 20;
const COPY_TIMEOUT_MS = 10 * 60_000;
const SAFE_VOLUME_ID = /^[A-Za-z0-9._-]+$/;

export type LoopSupport = { supported: true; tools: LoopToolPaths } | { supported: false; reason: string };

/** Whether this process can make loop devices, and if not, why. */
export function detectLoopSupport(): LoopSupport {
  if (process.platform !== 'linux') return { supported: false, reason: `loop devices need Linux, not ${process.platform}` };
  if (process.getuid?.() !== 0) return { supported: false, reason: 'not root (loop devices need root)' };
  if (!existsSync('/dev/loop-control')) return { supported: false, reason: '/dev/loop-control is missing (no loop driver)' };
  const losetup = findExecutable('losetup');
  if (!losetup) return { supported: false, reason: 'losetup not found (install util-linux)' };
  return { supported: true, tools: { losetup, blockdev: findExecutable('blockdev') } };
}

export async function createBlockBackend(options: BlockBackendOptions = {}): Promise<BlockBackend> {
  const logger = (options.logger ?? silentLogger).child({ component: 'block-backend' });
  let tools: LoopToolPaths | undefined;
  let disabledReason: string | undefined;
  if (options.enabled === false) {
    disabledReason = 'block devices disabled by configuration';
  } else {
    const support = detectLoopSupport();
    if (support.supported) tools = support.tools;
    else if (options.enabled === true) throw new BlockBackendError(`block devices requested but unavailable: ${support.reason}`);
    else disabledReason = support.reason;
  }

  const createdDirs: CreatedDir[] = [];
  let ownsWorkDir = false;
  let workDir: string;
  if (options.workDir === undefined) {
    workDir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'openstack-sim-devices-')));
    ownsWorkDir = true;
  } else {
    const requested = path.resolve(options.workDir);
    createdDirs.push({ path: requested, firstCreated: await fs.mkdir(requested, { recursive: true }) });
    // Compare against the kernel's view of backing files, which is always a real path.
    workDir = await fs.realpath(requested);
  }
  const byIdDir = path.resolve(options.byIdDir ?? path.join(workDir, 'dev', 'disk', 'by-id'));
  const sysfsRoot = path.join(workDir, 'sys');
  const imageDir = path.join(workDir, 'images');
  for (const dir of [imageDir, path.join(sysfsRoot, 'block'), byIdDir]) {
    createdDirs.push({ path: dir, firstCreated: await fs.mkdir(dir, { recursive: true }) });
  }

  const runCommand = options.runCommand ?? defaultRunCommand;
  const loop = tools ? new LoopDevices(tools, runCommand, logger) : undefined;
  const backend = new LoopBlockBackend({
    loop,
    disabledReason,
    workDir,
    ownsWorkDir,
    createdDirs,
    byIdDir,
    sysfsRoot,
    imageDir,
    scsiLinks: options.scsiLinks ?? false,
    runCommand,
    logger,
  });
  if (loop) logger.info('block devices enabled', { workDir, byIdDir, sysfsRoot });
  else logger.warn('block devices disabled: attachments get no device', { reason: disabledReason, workDir });
  return backend;
}

interface CreatedDir {
  path: string;
  /** What fs.mkdir(recursive) returned: the top-most directory it created, or undefined if all existed. */
  firstCreated: string | undefined;
}

interface Image {
  file: string;
  sizeBytes: number;
}

interface Attachment {
  device: string;
  links: string[];
  serialDir: string;
}

interface BackendParts {
  loop: LoopDevices | undefined;
  disabledReason: string | undefined;
  workDir: string;
  ownsWorkDir: boolean;
  createdDirs: CreatedDir[];
  byIdDir: string;
  sysfsRoot: string;
  imageDir: string;
  scsiLinks: boolean;
  runCommand: CommandRunner;
  logger: Logger;
}

class LoopBlockBackend implements BlockBackend {
  readonly enabled: boolean;
  readonly disabledReason?: string;
  readonly workDir: string;
  readonly byIdDir: string;
  readonly sysfsRoot: string;

  private readonly images = new Map<string, Image>();
  private readonly attachments = new Map<string, Attachment>();
  /** Link path → key of the attachment that made it, to refuse a second volume claiming the same name. */
  private readonly linkOwners = new Map<string, string>();
  private readonly lock = new KeyedLock();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;
  private readonly cp = findExecutable('cp');

  constructor(private readonly parts: BackendParts) {
    this.enabled = parts.loop !== undefined;
    if (parts.disabledReason !== undefined) this.disabledReason = parts.disabledReason;
    this.workDir = parts.workDir;
    this.byIdDir = parts.byIdDir;
    this.sysfsRoot = parts.sysfsRoot;
  }

  createImage(key: string, sizeBytes: number): Promise<void> {
    return this.operation([key], async () => {
      validateSize(sizeBytes);
      if (this.images.has(key)) throw new ImageExistsError(key);
      const file = path.join(this.parts.imageDir, imageFileName(key));
      // 'w' rather than 'wx': a file left by a crashed earlier run in the same workDir is ours to reuse.
      const handle = await fs.open(file, 'w');
      try {
        await handle.truncate(sizeBytes);
      } finally {
        await handle.close();
      }
      this.images.set(key, { file, sizeBytes });
      this.parts.logger.debug(4, 'image created', { key, sizeBytes });
    });
  }

  cloneImage(sourceKey: string, targetKey: string, sizeBytes: number): Promise<void> {
    return this.operation([sourceKey, targetKey], async () => {
      validateSize(sizeBytes);
      const source = this.requireImage(sourceKey);
      if (this.images.has(targetKey)) throw new ImageExistsError(targetKey);
      if (sizeBytes < source.sizeBytes) {
        throw new InvalidSizeError(`clone of ${sourceKey} needs at least ${source.sizeBytes} bytes, got ${sizeBytes}`);
      }
      const attached = this.attachments.get(sourceKey);
      if (attached && this.parts.loop) await this.parts.loop.flush(attached.device);

      const file = path.join(this.parts.imageDir, imageFileName(targetKey));
      // Copy beside the target and rename, so a failed copy never leaves a half-written image under the key.
      const partial = `${file}.partial-${randomBytes(4).toString('hex')}`;
      try {
        await this.copySparse(source.file, partial);
        await fs.truncate(partial, sizeBytes);
        await fs.rename(partial, file);
      } catch (error) {
        await fs.rm(partial, { force: true });
        throw error;
      }
      this.images.set(targetKey, { file, sizeBytes });
      this.parts.logger.debug(4, 'image cloned', { sourceKey, targetKey, sizeBytes });
    });
  }

  resizeImage(key: string, sizeBytes: number): Promise<void> {
    return this.operation([key], async () => {
      validateSize(sizeBytes);
      const image = this.requireImage(key);
      if (sizeBytes < image.sizeBytes) {
        throw new InvalidSizeError(`image ${key} is ${image.sizeBytes} bytes; shrinking to ${sizeBytes} is not supported`);
      }
      await fs.truncate(image.file, sizeBytes);
      image.sizeBytes = sizeBytes;
      const attached = this.attachments.get(key);
      if (attached && this.parts.loop) await this.parts.loop.refreshSize(attached.device);
      this.parts.logger.debug(4, 'image resized', { key, sizeBytes, device: attached?.device });
    });
  }

  attach(key: string, volumeId: string): Promise<AttachResult> {
    return this.operation([key], async () => {
      if (!SAFE_VOLUME_ID.test(volumeId)) throw new BlockBackendError(`volume ID ${JSON.stringify(volumeId)} is not usable in a device name`);
      const image = this.requireImage(key);
      const existing = this.attachments.get(key);
      if (existing) return { devicePath: existing.device, links: [...existing.links] };
      const loop = this.parts.loop;
      if (!loop) return { devicePath: '', links: [] };

      const serial = volumeId.slice(0, SERIAL_LENGTH);
      const linkPaths = [path.join(this.byIdDir, `virtio-${serial}`)];
      if (this.parts.scsiLinks) linkPaths.push(path.join(this.byIdDir, `scsi-0QEMU_QEMU_HARDDISK_${serial}`));
      for (const link of linkPaths) {
        const owner = this.linkOwners.get(link);
        if (owner !== undefined) throw new LinkConflictError(`${link} is already in use by ${owner}`);
      }

      const device = await loop.attach(image.file);
      const attachment: Attachment = {
        device,
        links: [],
        serialDir: path.join(this.sysfsRoot, 'block', loopDeviceName(device)),
      };
      try {
        for (const link of linkPaths) {
          try {
            await fs.symlink(device, link);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
              throw new LinkConflictError(`${link} already exists and was not made by this simulator`);
            }
            throw error;
          }
          attachment.links.push(link);
          this.linkOwners.set(link, key);
        }
        await fs.mkdir(attachment.serialDir, { recursive: true });
        await fs.writeFile(path.join(attachment.serialDir, 'serial'), serial);
      } catch (error) {
        await this.release(image, attachment).catch((cleanupError: unknown) =>
          this.parts.logger.error('cleanup after failed attach failed', { key, device, error: cleanupError }),
        );
        throw error;
      }
      this.attachments.set(key, attachment);
      this.parts.logger.debug(2, 'image attached', { key, volumeId, device, links: attachment.links });
      return { devicePath: device, links: [...attachment.links] };
    });
  }

  detach(key: string): Promise<void> {
    return this.operation([key], () => this.detachLocked(key));
  }

  deleteImage(key: string): Promise<void> {
    return this.operation([key], () => this.deleteLocked(key));
  }

  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    const failures: unknown[] = [];
    for (const key of [...this.images.keys()]) {
      await this.deleteLocked(key).catch((error: unknown) => {
        failures.push(error);
        this.parts.logger.error('releasing image on close failed', { key, error });
      });
    }
    if (this.parts.ownsWorkDir) {
      // Never remove the work directory while a loop device may still be bound to a file in it.
      if (failures.length === 0) await fs.rm(this.workDir, { recursive: true, force: true });
    } else {
      await removeCreatedDirs(this.parts.createdDirs);
    }
    if (failures.length > 0) throw new AggregateError(failures, 'block backend could not release everything');
    this.parts.logger.debug(2, 'block backend closed', { workDir: this.workDir });
  }

  private async detachLocked(key: string): Promise<void> {
    const attachment = this.attachments.get(key);
    if (!attachment) return;
    await this.release(this.requireImage(key), attachment);
    this.attachments.delete(key);
    this.parts.logger.debug(2, 'image detached', { key, device: attachment.device });
  }

  private async deleteLocked(key: string): Promise<void> {
    const image = this.images.get(key);
    if (!image) return;
    await this.detachLocked(key);
    await fs.rm(image.file, { force: true });
    this.images.delete(key);
    this.parts.logger.debug(4, 'image deleted', { key });
  }

  /** Undoes an attachment in reverse order: links, serial, then the loop device. */
  private async release(image: Image, attachment: Attachment): Promise<void> {
    for (const link of [...attachment.links]) {
      await removeLinkIfOurs(link, attachment.device);
      attachment.links.splice(attachment.links.indexOf(link), 1);
      this.linkOwners.delete(link);
    }
    await fs.rm(attachment.serialDir, { recursive: true, force: true });
    await this.parts.loop?.detach(attachment.device, image.file);
  }

  private requireImage(key: string): Image {
    const image = this.images.get(key);
    if (!image) throw new ImageNotFoundError(key);
    return image;
  }

  private async copySparse(from: string, to: string): Promise<void> {
    if (this.cp) {
      // cp skips holes (SEEK_DATA) and keeps them, so cloning a mostly empty 100 GiB image is instant.
      await this.parts.runCommand(this.cp, ['--sparse=always', '--', from, to], COPY_TIMEOUT_MS);
    } else {
      await fs.copyFile(from, to);
    }
  }

  /** Runs `work` under the keys' lock, refusing new work once close() started and letting close() wait for it. */
  private operation<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new BackendClosedError());
    const running = this.lock.run(keys, work);
    this.inFlight.add(running);
    const forget = (): void => {
      this.inFlight.delete(running);
    };
    running.then(forget, forget);
    return running;
  }
}

function validateSize(sizeBytes: number): void {
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % 512 !== 0) {
    throw new InvalidSizeError(`image size must be a positive multiple of 512 bytes, got ${sizeBytes}`);
  }
}

async function removeLinkIfOurs(link: string, device: string): Promise<void> {
  let target: string;
  try {
    target = await fs.readlink(link);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  // Someone replaced the link after we made it; it is theirs now.
  if (target === device) await fs.unlink(link);
}

/** Removes, deepest first, the directories mkdir created for us, stopping at any that are not empty. */
async function removeCreatedDirs(dirs: readonly CreatedDir[]): Promise<void> {
  for (const { path: dir, firstCreated } of [...dirs].reverse()) {
    if (firstCreated === undefined) continue;
    for (let current = dir; ; current = path.dirname(current)) {
      try {
        await fs.rmdir(current);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') break;
      }
      if (current === firstCreated || current === path.dirname(current)) break;
    }
  }
}
