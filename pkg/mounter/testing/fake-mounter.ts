/**
 * An in-memory `Mounter` for unit tests of driver logic: devices, paths and a mount table that behave
 * like the kernel's where the driver can observe it (a busy mount point cannot be removed, a device can
 * only be mounted with its own filesystem type, a grown device needs a rescan, ...). Every call is
 * recorded in `calls`, and any operation can be made to fail with `failNext`.
 */
import * as path from 'node:path';
import { CommandFailedError, FilesystemCorruptError, MounterError, UncertainProbeError } from '../errors';
import type {
  FilesystemStats,
  FilesystemType,
  FsckResult,
  MountInfo,
  Mounter,
  PathInfo,
  ProbeResult,
} from '../mounter';

export interface FakeDevice {
  path: string;
  deviceNumber: string;
  sizeBytes: number;
  /** Size the device will report after the next `rescan` (a cloud-side extend the kernel has not seen yet). */
  pendingSizeBytes?: number;
  fsType?: string;
  partitionTableType?: string;
  /** Size of the filesystem on it (grows with `resize`). */
  fsSizeBytes?: number;
  usedBytes: number;
  /** When set, `probe` throws `UncertainProbeError` with this detail. */
  uncertainProbe?: string;
  /** Exit code `fsck` returns for this device (default 0). */
  fsckExitCode: number;
}

/** The Mounter method a call or injected failure is about. */
type Operation = keyof Mounter;

export interface FakeCall {
  op: Operation;
  args: unknown[];
}

const BLOCK_MAJOR = 253;

export class FakeMounter implements Mounter {
  readonly calls: FakeCall[] = [];
  readonly devices = new Map<string, FakeDevice>();
  /** Paths that exist: directories and files (devices are in `devices`). */
  readonly paths = new Map<string, 'directory' | 'file'>([['/', 'directory']]);
  readonly mounts: MountInfo[] = [];
  /** Sizes of regular files with content (files not listed are empty). */
  readonly fileSizes = new Map<string, number>();
  private readonly failures = new Map<Operation, Error[]>();
  private nextMinor = 0;

  /** Adds a block device node at `devicePath` (its parent directories are created). */
  addDevice(devicePath: string, sizeBytes: number, init: Partial<Omit<FakeDevice, 'path' | 'deviceNumber'>> = {}): FakeDevice {
    const normalized = path.resolve(devicePath);
    this.ensureDirs(path.dirname(normalized));
    const device: FakeDevice = {
      path: normalized,
      deviceNumber: `${BLOCK_MAJOR}:${this.nextMinor++}`,
      sizeBytes,
      usedBytes: 0,
      fsckExitCode: 0,
      ...init,
    };
    if (device.fsType && device.fsSizeBytes === undefined) device.fsSizeBytes = sizeBytes;
    this.devices.set(normalized, device);
    return device;
  }

  /** The device node disappears (detached behind our back); mounts of it stay, as in the kernel. */
  removeDevice(devicePath: string): void {
    this.devices.delete(path.resolve(devicePath));
  }

  /** Makes the next call(s) of `op` throw `error` (queued, one per call). */
  failNext(op: Operation, error: Error = new MounterError(`injected ${op} failure`)): void {
    const queue = this.failures.get(op) ?? [];
    queue.push(error);
    this.failures.set(op, queue);
  }

  /** Simulates the kernel making a filesystem read-only after errors (superblock `ro`, mount still `rw`). */
  setSuperblockReadOnly(target: string): void {
    for (const mount of this.mounts) {
      if (mount.target === path.resolve(target)) {
        mount.fsOptions = ['ro', ...mount.fsOptions.filter((o) => o !== 'rw' && o !== 'ro')];
      }
    }
  }

  /** Adds a directory (and its parents). */
  addDirectory(dirPath: string): void {
    this.ensureDirs(path.resolve(dirPath));
  }

  /** Adds a regular file of `sizeBytes` (and its parent directories). */
  addFile(filePath: string, sizeBytes = 0): void {
    const resolved = path.resolve(filePath);
    this.ensureDirs(path.dirname(resolved));
    this.paths.set(resolved, 'file');
    if (sizeBytes > 0) this.fileSizes.set(resolved, sizeBytes);
  }

  callsOf(op: Operation): unknown[][] {
    return this.calls.filter((call) => call.op === op).map((call) => call.args);
  }

  device(devicePath: string): FakeDevice | undefined {
    return this.devices.get(path.resolve(devicePath));
  }

  // ---- Mounter ----

  async listMounts(): Promise<MountInfo[]> {
    this.record('listMounts', []);
    return this.mounts.map((mount) => ({ ...mount }));
  }

  async findMount(target: string): Promise<MountInfo | undefined> {
    this.record('findMount', [target]);
    const found = this.topMount(target);
    return found ? { ...found, vfsOptions: [...found.vfsOptions], fsOptions: [...found.fsOptions] } : undefined;
  }

  async isMountPoint(target: string): Promise<boolean> {
    this.record('isMountPoint', [target]);
    return this.topMount(target) !== undefined;
  }

  async mount(source: string, target: string, fstype: string, options: readonly string[] = []): Promise<void> {
    this.record('mount', [source, target, fstype, [...options]]);
    const device = this.devices.get(path.resolve(source));
    if (!device) throw this.commandFailure('mount', [source, target], 32, `special device ${source} does not exist`);
    if (this.paths.get(path.resolve(target)) !== 'directory') {
      throw this.commandFailure('mount', [source, target], 32, `mount point ${target} does not exist`);
    }
    if (device.fsType !== fstype) {
      throw this.commandFailure('mount', [source, target], 32, `wrong fs type, bad option, bad superblock on ${source}`);
    }
    const readOnly = options.includes('ro');
    this.mounts.push({
      target: path.resolve(target),
      source: device.path,
      fstype,
      fsroot: '/',
      vfsOptions: [readOnly ? 'ro' : 'rw', ...options.filter((o) => o !== 'ro' && o !== 'rw')],
      fsOptions: [readOnly ? 'ro' : 'rw'],
      majMin: device.deviceNumber,
    });
  }

  async bindMount(
    source: string,
    target: string,
    bindOptions: { readOnly?: boolean; options?: readonly string[] } = {},
  ): Promise<void> {
    this.record('bindMount', [source, target, { readOnly: bindOptions.readOnly ?? false, options: [...(bindOptions.options ?? [])] }]);
    const resolvedSource = path.resolve(source);
    const resolvedTarget = path.resolve(target);
    const targetKind = this.paths.get(resolvedTarget);
    if (!targetKind) throw this.commandFailure('mount', ['--bind', source, target], 32, `mount point ${target} does not exist`);
    const vfsOptions = [bindOptions.readOnly ? 'ro' : 'rw', ...(bindOptions.options ?? [])];
    const device = this.devices.get(resolvedSource);
    if (device) {
      if (targetKind !== 'file') throw this.commandFailure('mount', ['--bind', source, target], 32, 'not a file');
      this.mounts.push({
        target: resolvedTarget,
        source: 'udev',
        fstype: 'devtmpfs',
        fsroot: `/${path.basename(resolvedSource)}`,
        vfsOptions,
        fsOptions: ['rw'],
        majMin: '0:5',
      });
      return;
    }
    if (this.paths.get(resolvedSource) !== 'directory') {
      throw this.commandFailure('mount', ['--bind', source, target], 32, `special device ${source} does not exist`);
    }
    const containing = this.containingMount(resolvedSource);
    this.mounts.push({
      target: resolvedTarget,
      source: containing?.source ?? 'rootfs',
      fstype: containing?.fstype ?? 'ext4',
      fsroot: containing ? path.join(containing.fsroot, path.relative(containing.target, resolvedSource)) || '/' : resolvedSource,
      vfsOptions,
      fsOptions: containing ? [...containing.fsOptions] : ['rw'],
      majMin: containing?.majMin,
    });
  }

  async unmount(target: string): Promise<void> {
    this.record('unmount', [target]);
    const resolved = path.resolve(target);
    for (let index = this.mounts.length - 1; index >= 0; index--) {
      if (this.mounts[index].target === resolved) {
        this.mounts.splice(index, 1);
        return;
      }
    }
    throw this.commandFailure('umount', [target], 32, `${target}: not mounted`);
  }

  async probe(device: string): Promise<ProbeResult> {
    this.record('probe', [device]);
    const found = this.devices.get(path.resolve(device));
    if (!found) throw new UncertainProbeError(device, 'it does not exist');
    if (found.uncertainProbe) throw new UncertainProbeError(device, found.uncertainProbe);
    if (!found.fsType && !found.partitionTableType) return { blank: true };
    return { blank: false, fsType: found.fsType, partitionTableType: found.partitionTableType };
  }

  async format(device: string, fsType: FilesystemType): Promise<void> {
    this.record('format', [device, fsType]);
    const found = this.devices.get(path.resolve(device));
    if (!found) throw this.commandFailure(`mkfs.${fsType}`, [device], 1, `${device}: No such file or directory`);
    found.fsType = fsType;
    found.partitionTableType = undefined;
    found.fsSizeBytes = found.sizeBytes;
    found.usedBytes = 0;
  }

  async fsck(device: string, options: { force?: boolean } = {}): Promise<FsckResult> {
    this.record('fsck', [device, { force: options.force ?? false }]);
    const found = this.devices.get(path.resolve(device));
    if (!found) throw this.commandFailure('fsck', ['-a', device], 8, 'No such file or directory');
    const exitCode = found.fsckExitCode;
    if (exitCode & 4) throw new FilesystemCorruptError(device, exitCode, 'UNEXPECTED INCONSISTENCY');
    if (exitCode === 0) return { status: 'clean', exitCode, output: '' };
    if (exitCode <= 3) return { status: 'corrected', exitCode, output: 'errors corrected' };
    return { status: 'warning', exitCode, output: 'fsck could not run' };
  }

  async resize(device: string, mountPoint: string, fsType: string): Promise<void> {
    this.record('resize', [device, mountPoint, fsType]);
    const found = this.devices.get(path.resolve(device));
    if (!found) throw this.commandFailure('resize', [device], 1, `${device}: No such file or directory`);
    if (found.fsType !== fsType) throw this.commandFailure('resize', [device], 1, `${device} does not hold ${fsType}`);
    found.fsSizeBytes = found.sizeBytes;
  }

  async deviceSize(device: string): Promise<number> {
    this.record('deviceSize', [device]);
    const found = this.resolveDevice(device);
    if (!found) throw this.commandFailure('lsblk', [device], 32, `${device}: not a block device`);
    return found.sizeBytes;
  }

  async rescan(device: string): Promise<boolean> {
    this.record('rescan', [device]);
    const found = this.devices.get(path.resolve(device));
    if (!found) return false;
    if (found.pendingSizeBytes !== undefined) {
      found.sizeBytes = found.pendingSizeBytes;
      found.pendingSizeBytes = undefined;
    }
    return true;
  }

  async statfs(target: string): Promise<FilesystemStats> {
    this.record('statfs', [target]);
    const resolved = path.resolve(target);
    if (!this.paths.has(resolved) && !this.devices.has(resolved)) {
      throw new MounterError(`ENOENT: no such file or directory, statfs '${target}'`);
    }
    const mount = this.containingMount(resolved);
    const device = mount ? this.devices.get(mount.source) : undefined;
    const totalBytes = device?.fsSizeBytes ?? 100 * 1024 ** 3;
    const usedBytes = device?.usedBytes ?? 0;
    const totalInodes = Math.floor(totalBytes / 16384);
    const usedInodes = device ? 11 : 0;
    return {
      totalBytes,
      usedBytes,
      availableBytes: totalBytes - usedBytes,
      totalInodes,
      usedInodes,
      freeInodes: totalInodes - usedInodes,
    };
  }

  async statPath(target: string): Promise<PathInfo | undefined> {
    this.record('statPath', [target]);
    const found = this.resolveDevice(target);
    if (found) return { kind: 'blockDevice', deviceNumber: found.deviceNumber };
    const resolved = path.resolve(target);
    const kind = this.paths.get(resolved);
    if (kind === 'file') return { kind, sizeBytes: this.fileSizes.get(resolved) ?? 0 };
    return kind ? { kind } : undefined;
  }

  /** The fake has no symlinks. */
  async realPath(target: string): Promise<string> {
    this.record('realPath', [target]);
    return path.resolve(target);
  }

  async makeDir(target: string): Promise<void> {
    this.record('makeDir', [target]);
    const resolved = path.resolve(target);
    const existing = this.paths.get(resolved);
    if (existing === 'file' || this.devices.has(resolved)) {
      throw new MounterError(`EEXIST: file already exists, mkdir '${target}'`);
    }
    this.ensureDirs(resolved);
  }

  async makeFile(target: string): Promise<void> {
    this.record('makeFile', [target]);
    const resolved = path.resolve(target);
    if (this.paths.get(resolved) === 'directory') throw new MounterError(`EISDIR: illegal operation on a directory, open '${target}'`);
    this.ensureDirs(path.dirname(resolved));
    if (!this.devices.has(resolved)) this.paths.set(resolved, 'file');
  }

  async removePath(target: string): Promise<void> {
    this.record('removePath', [target]);
    const resolved = path.resolve(target);
    const kind = this.paths.get(resolved);
    if (!kind) return;
    if (this.topMount(resolved)) throw new MounterError(`EBUSY: resource busy or locked, rmdir '${target}'`);
    if (kind === 'directory') {
      const prefix = resolved === '/' ? '/' : `${resolved}/`;
      const hasChildren =
        [...this.paths.keys()].some((p) => p !== resolved && p.startsWith(prefix)) ||
        [...this.devices.keys()].some((p) => p.startsWith(prefix));
      if (hasChildren) {
        throw Object.assign(new MounterError(`ENOTEMPTY: directory not empty, rmdir '${target}'`), { code: 'ENOTEMPTY' });
      }
    }
    this.paths.delete(resolved);
    this.fileSizes.delete(resolved);
  }

  // ---- internals ----

  private record(op: Operation, args: unknown[]): void {
    this.calls.push({ op, args });
    const queue = this.failures.get(op);
    const failure = queue?.shift();
    if (failure) throw failure;
  }

  private ensureDirs(dirPath: string): void {
    let current = dirPath;
    while (!this.paths.has(current)) {
      this.paths.set(current, 'directory');
      const parent = path.dirname(current);
      if (parent === current) break;
      current = parent;
    }
  }

  private topMount(target: string): MountInfo | undefined {
    const resolved = path.resolve(target);
    for (let index = this.mounts.length - 1; index >= 0; index--) {
      if (this.mounts[index].target === resolved) return this.mounts[index];
    }
    return undefined;
  }

  private containingMount(target: string): MountInfo | undefined {
    let best: MountInfo | undefined;
    for (const mount of this.mounts) {
      const inside = target === mount.target || target.startsWith(mount.target === '/' ? '/' : `${mount.target}/`);
      if (inside && (!best || mount.target.length >= best.target.length)) best = mount;
    }
    return best;
  }

  /** A device node, or a file a device node is bind-mounted onto. */
  private resolveDevice(target: string): FakeDevice | undefined {
    const resolved = path.resolve(target);
    const direct = this.devices.get(resolved);
    if (direct) return direct;
    const mount = this.topMount(resolved);
    if (mount?.fstype === 'devtmpfs') {
      for (const device of this.devices.values()) {
        if (`/${path.basename(device.path)}` === mount.fsroot) return device;
      }
    }
    return undefined;
  }

  private commandFailure(command: string, args: string[], exitCode: number, output: string): CommandFailedError {
    return new CommandFailedError(command, args, exitCode, output);
  }
}
