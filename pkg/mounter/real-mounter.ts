/**
 * The real `Mounter`: util-linux, e2fsprogs, xfsprogs and btrfs-progs through an injectable executor,
 * plus the few things Node's `fs` does directly (statfs, stat, mkdir, sysfs rescan).
 */
import { promises as fsp, constants as fsConstants } from 'node:fs';
import * as path from 'node:path';
import { createCommandExecutor, runChecked, type CommandExecutor } from './exec';
import {
  CommandFailedError,
  FilesystemCorruptError,
  MounterError,
  UncertainProbeError,
  UnsupportedFilesystemError,
} from './errors';
import {
  isExtFilesystem,
  type FilesystemStats,
  type FilesystemType,
  type FsckResult,
  type MountInfo,
  type Mounter,
  type PathInfo,
  type ProbeResult,
} from './mounter';
import { FINDMNT_COLUMNS, interpretProbe, parseFindmntJson, parseLsblkSize } from './parse';

export interface RealMounterOptions {
  executor?: CommandExecutor;
  /** sysfs mount point; `/sys` unless testing. */
  sysfsRoot?: string;
  /** Timeout for quick commands (findmnt, mount, umount, blkid, lsblk). Default 2 minutes. */
  commandTimeoutMs?: number;
  /** Timeout for growing a filesystem. Default 30 minutes. mkfs and fsck never time out. */
  resizeTimeoutMs?: number;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 2 * 60 * 1000;
const DEFAULT_RESIZE_TIMEOUT_MS = 30 * 60 * 1000;

/** Linux `dev_t` → `major:minor` (glibc's encoding). */
export function deviceNumberString(rdev: bigint): string {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

async function resolveIfExists(target: string): Promise<string | undefined> {
  try {
    return await fsp.realpath(target);
  } catch {
    return undefined;
  }
}

export function createMounter(options: RealMounterOptions = {}): Mounter {
  const executor = options.executor ?? createCommandExecutor();
  const sysfsRoot = options.sysfsRoot ?? '/sys';
  const quick = { timeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS };
  const resizeTimeout = { timeoutMs: options.resizeTimeoutMs ?? DEFAULT_RESIZE_TIMEOUT_MS };

  async function findmnt(extraArgs: string[]): Promise<MountInfo[]> {
    // Exit 1 = nothing matched.
    const result = await runChecked(
      executor,
      'findmnt',
      ['-J', '-l', '--nofsroot', '-o', FINDMNT_COLUMNS, ...extraArgs],
      { ...quick, okExitCodes: [0, 1] },
    );
    return result.exitCode === 1 ? [] : parseFindmntJson(result.stdout);
  }

  async function findMount(target: string): Promise<MountInfo | undefined> {
    const resolved = await resolveIfExists(target);
    if (resolved === undefined) return undefined;
    const mounts = await findmnt(['--mountpoint', resolved]);
    const exact = mounts.filter((mount) => mount.target === resolved);
    return exact[exact.length - 1];
  }

  const mounter: Mounter = {
    listMounts: () => findmnt([]),

    findMount,

    async isMountPoint(target) {
      return (await findMount(target)) !== undefined;
    },

    async mount(source, target, fstype, mountOptions = []) {
      const args = ['-t', fstype];
      if (mountOptions.length > 0) args.push('-o', mountOptions.join(','));
      args.push(source, target);
      await runChecked(executor, 'mount', args, quick);
    },

    async bindMount(source, target, bindOptions = {}) {
      await runChecked(executor, 'mount', ['--bind', source, target], quick);
      const remount = [...(bindOptions.readOnly ? ['ro'] : []), ...(bindOptions.options ?? [])];
      if (remount.length === 0) return;
      try {
        // Per-mount-point flags on a bind only take effect through a remount of that bind.
        await runChecked(executor, 'mount', ['-o', ['remount', 'bind', ...remount].join(','), target], quick);
      } catch (error) {
        // Never leave a writable bind behind when read-only was asked for.
        await runChecked(executor, 'umount', [target], quick).catch(() => undefined);
        throw error;
      }
    },

    async unmount(target) {
      await runChecked(executor, 'umount', [target], quick);
    },

    async probe(device): Promise<ProbeResult> {
      // blkid also exits 2 for a path that does not exist, so "blank" is only believed for a real device.
      const info = await mounter.statPath(device);
      if (info?.kind !== 'blockDevice') {
        throw new UncertainProbeError(device, info ? `it is a ${info.kind}, not a block device` : 'it does not exist');
      }
      const result = await executor.run(
        'blkid',
        ['-p', '-s', 'TYPE', '-s', 'PTTYPE', '-o', 'export', device],
        quick,
      );
      const interpreted = interpretProbe(result.exitCode, result.stdout);
      if (interpreted) return interpreted;
      throw new UncertainProbeError(
        device,
        `blkid exit code ${result.exitCode}${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}${
          result.exitCode === 0 ? ' and no TYPE or PTTYPE in its output' : ''
        }`,
      );
    },

    async format(device, fsType: FilesystemType) {
      let command: string;
      let args: string[];
      if (isExtFilesystem(fsType)) {
        command = `mkfs.${fsType}`;
        args = ['-F', '-m0', device];
      } else if (fsType === 'xfs') {
        command = 'mkfs.xfs';
        args = ['-f', device];
      } else if (fsType === 'btrfs') {
        command = 'mkfs.btrfs';
        args = ['-f', device];
      } else {
        throw new UnsupportedFilesystemError(fsType, 'format');
      }
      await runChecked(executor, command, args);
    },

    async fsck(device, fsckOptions = {}): Promise<FsckResult> {
      const result = await executor.run('fsck', [...(fsckOptions.force ? ['-f'] : []), '-a', device]);
      const output = `${result.stdout}${result.stderr}`.trim();
      // fsck exit codes are bit flags: 1 corrected, 2 corrected (reboot advised), 4 left uncorrected,
      // 8 operational error, 16 usage, 32 cancelled, 128 library error.
      if (result.exitCode & 4) throw new FilesystemCorruptError(device, result.exitCode, output);
      if (result.exitCode === 0) return { status: 'clean', exitCode: 0, output };
      if (result.exitCode === 1 || result.exitCode === 2 || result.exitCode === 3) {
        return { status: 'corrected', exitCode: result.exitCode, output };
      }
      return { status: 'warning', exitCode: result.exitCode, output };
    },

    async resize(device, mountPoint, fsType) {
      if (isExtFilesystem(fsType)) {
        try {
          await runChecked(executor, 'resize2fs', [device], resizeTimeout);
        } catch (error) {
          if (error instanceof CommandFailedError && /Permission denied to resize/i.test(error.output)) {
            throw new MounterError(
              `${error.message} (growing a mounted ext filesystem needs CAP_SYS_RESOURCE: run the node plugin privileged)`,
              { cause: error },
            );
          }
          throw error;
        }
      } else if (fsType === 'xfs') {
        await runChecked(executor, 'xfs_growfs', [mountPoint], resizeTimeout);
      } else if (fsType === 'btrfs') {
        await runChecked(executor, 'btrfs', ['filesystem', 'resize', 'max', mountPoint], resizeTimeout);
      } else {
        throw new UnsupportedFilesystemError(fsType, 'resize');
      }
    },

    async deviceSize(device) {
      const result = await runChecked(executor, 'lsblk', ['-J', '-b', '-d', '-o', 'NAME,SIZE', device], quick);
      return parseLsblkSize(result.stdout);
    },

    async rescan(device) {
      const resolved = (await resolveIfExists(device)) ?? device;
      const rescanFile = path.join(sysfsRoot, 'block', path.basename(resolved), 'device', 'rescan');
      try {
        await fsp.access(rescanFile, fsConstants.W_OK);
      } catch {
        return false;
      }
      await fsp.writeFile(rescanFile, '1');
      return true;
    },

    async statfs(target): Promise<FilesystemStats> {
      const stats = await fsp.statfs(target, { bigint: true });
      const totalBytes = stats.blocks * stats.bsize;
      const usedBytes = (stats.blocks - stats.bfree) * stats.bsize;
      return {
        totalBytes: Number(totalBytes),
        availableBytes: Number(stats.bavail * stats.bsize),
        usedBytes: Number(usedBytes),
        totalInodes: Number(stats.files),
        freeInodes: Number(stats.ffree),
        usedInodes: Number(stats.files - stats.ffree),
      };
    },

    async statPath(target): Promise<PathInfo | undefined> {
      let stats;
      try {
        stats = await fsp.stat(target, { bigint: true });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
        throw new MounterError(`cannot stat ${target}: ${(error as Error).message}`, { cause: error });
      }
      if (stats.isBlockDevice()) return { kind: 'blockDevice', deviceNumber: deviceNumberString(stats.rdev) };
      if (stats.isDirectory()) return { kind: 'directory' };
      if (stats.isFile()) return { kind: 'file', sizeBytes: Number(stats.size) };
      return { kind: 'other' };
    },

    async realPath(target) {
      let existing = path.resolve(target);
      const missing: string[] = [];
      for (;;) {
        try {
          return path.join(await fsp.realpath(existing), ...missing);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          const parent = path.dirname(existing);
          if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === existing) throw error;
          missing.unshift(path.basename(existing));
          existing = parent;
        }
      }
    },

    async makeDir(target) {
      await fsp.mkdir(target, { recursive: true, mode: 0o750 });
    },

    async makeFile(target) {
      await fsp.mkdir(path.dirname(target), { recursive: true, mode: 0o750 });
      const handle = await fsp.open(target, fsConstants.O_CREAT | fsConstants.O_WRONLY, 0o640);
      await handle.close();
    },

    async removePath(target) {
      let stats;
      try {
        stats = await fsp.lstat(target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      if (stats.isDirectory()) await fsp.rmdir(target);
      else await fsp.unlink(target);
    },
  };
  return mounter;
}
