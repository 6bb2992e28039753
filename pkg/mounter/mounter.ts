/**
 * The host-side operations a block-storage node plugin needs, behind one interface so driver logic can
 * be tested against an in-memory fake (`FakeMounter`) and the real implementation (`createMounter`)
 * can be tested on loop devices. Knows nothing of CSI or OpenStack.
 */

export const SUPPORTED_FILESYSTEMS = ['ext2', 'ext3', 'ext4', 'xfs', 'btrfs'] as const;
export type FilesystemType = (typeof SUPPORTED_FILESYSTEMS)[number];

export function isSupportedFilesystem(value: string): value is FilesystemType {
  return (SUPPORTED_FILESYSTEMS as readonly string[]).includes(value);
}

export function isExtFilesystem(value: string): boolean {
  return value === 'ext2' || value === 'ext3' || value === 'ext4';
}

/** One entry of the mount table (as `findmnt -J` reports it). */
export interface MountInfo {
  /** Mount point. */
  target: string;
  /** Mounted device or pseudo source, without the `[/fsroot]` suffix. */
  source: string;
  fstype: string;
  /** Directory of the source filesystem that is mounted here (`/` unless a bind of a subdirectory/file). */
  fsroot: string;
  /** Per-mount-point options (`ro`/`rw`, `nosuid`, ...). */
  vfsOptions: string[];
  /** Superblock options; `ro` here while `vfsOptions` says `rw` means the kernel made it read-only. */
  fsOptions: string[];
  /** Device number of the mounted filesystem, `major:minor`. */
  majMin?: string;
}

export type PathKind = 'directory' | 'file' | 'blockDevice' | 'other';

export interface PathInfo {
  kind: PathKind;
  /** For block devices (also a file a block device is bind-mounted onto): its `major:minor`. */
  deviceNumber?: string;
  /** For regular files: their size in bytes (an empty file is what a block publish target starts as). */
  sizeBytes?: number;
}

/** Result of probing a device for signatures. */
export type ProbeResult =
  | { blank: true }
  | { blank: false; fsType?: string; partitionTableType?: string };

export interface FsckResult {
  /** `clean` = nothing to do, `corrected` = errors fixed, `warning` = fsck could not run properly (e.g. no checker). */
  status: 'clean' | 'corrected' | 'warning';
  exitCode: number;
  output: string;
}

export interface FilesystemStats {
  totalBytes: number;
  availableBytes: number;
  usedBytes: number;
  totalInodes: number;
  freeInodes: number;
  usedInodes: number;
}

export interface Mounter {
  /** Every entry of the mount table, flat, in mount order. */
  listMounts(): Promise<MountInfo[]>;
  /** The top-most mount whose mount point is exactly `target` (after resolving symlinks), if any. */
  findMount(target: string): Promise<MountInfo | undefined>;
  /** True when `target` itself is a mount point (a path inside a mounted filesystem is not). */
  isMountPoint(target: string): Promise<boolean>;
  /** `mount -t <fstype> -o <options> <source> <target>`. */
  mount(source: string, target: string, fstype: string, options?: readonly string[]): Promise<void>;
  /**
   * Bind-mounts `source` (a directory, or a device node onto a file) at `target`. `readOnly` and the
   * per-mount-point `options` (nosuid, noexec, ...) are applied by a remount of the bind, as the kernel requires.
   */
  bindMount(source: string, target: string, options?: { readOnly?: boolean; options?: readonly string[] }): Promise<void>;
  /** Unmounts the top-most mount at exactly `target`. */
  unmount(target: string): Promise<void>;

  /** Looks for filesystem and partition-table signatures; throws `UncertainProbeError` when unsure. */
  probe(device: string): Promise<ProbeResult>;
  /** Creates a filesystem; no timeout. */
  format(device: string, fsType: FilesystemType): Promise<void>;
  /**
   * `fsck -a` (with `force`, also `-f`: check even a clean filesystem, which offline resize2fs requires);
   * throws `FilesystemCorruptError` on uncorrectable errors.
   */
  fsck(device: string, options?: { force?: boolean }): Promise<FsckResult>;
  /** Grows the filesystem on `device`, mounted at `mountPoint`, to fill the device. */
  resize(device: string, mountPoint: string, fsType: string): Promise<void>;
  /** Size of a block device in bytes. */
  deviceSize(device: string): Promise<number>;
  /** Asks the kernel to re-read the device's size (`/sys/block/<dev>/device/rescan`); false when not possible. */
  rescan(device: string): Promise<boolean>;
  /** `statfs` of the filesystem containing `path`. */
  statfs(path: string): Promise<FilesystemStats>;

  /**
   * `path` with every symlink resolved; the part that does not exist yet is appended as given, so a
   * path can be checked before it is created.
   */
  realPath(path: string): Promise<string>;
  /** What is at `path` (following symlinks), or undefined when nothing is. */
  statPath(path: string): Promise<PathInfo | undefined>;
  /** `mkdir -p`. */
  makeDir(path: string): Promise<void>;
  /** Creates an empty file (and its parent directories) if it does not exist. */
  makeFile(path: string): Promise<void>;
  /** Removes a file or an EMPTY directory (never recursive); missing is fine. */
  removePath(path: string): Promise<void>;
}
