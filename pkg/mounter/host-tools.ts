/**
 * The host programs the node service runs, the Debian package that ships each one, and lookups that say
 * which are missing: so an error, a skipped test or the demo can name what to install
 * (`apt-get install xfsprogs`) instead of only "mkfs.xfs: command not found".
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { FilesystemType } from './mounter';

/** Debian/Ubuntu package of each program (the image installs all of them). */
export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  'mkfs.ext2': 'e2fsprogs',
  'mkfs.ext3': 'e2fsprogs',
  'mkfs.ext4': 'e2fsprogs',
  resize2fs: 'e2fsprogs',
  'fsck.ext2': 'e2fsprogs',
  'fsck.ext3': 'e2fsprogs',
  'fsck.ext4': 'e2fsprogs',
  'mkfs.xfs': 'xfsprogs',
  xfs_growfs: 'xfsprogs',
  'fsck.xfs': 'xfsprogs',
  'mkfs.btrfs': 'btrfs-progs',
  btrfs: 'btrfs-progs',
  'fsck.btrfs': 'btrfs-progs',
  blkid: 'util-linux',
  findmnt: 'util-linux',
  lsblk: 'util-linux',
  losetup: 'util-linux',
  blockdev: 'util-linux',
  fsck: 'util-linux',
  mount: 'mount',
  umount: 'mount',
  udevadm: 'udev',
};

/** What formatting and growing each filesystem runs (fsck goes through util-linux's `fsck`). */
export const FILESYSTEM_TOOLS: Readonly<Record<FilesystemType, readonly string[]>> = {
  ext2: ['mkfs.ext2', 'resize2fs'],
  ext3: ['mkfs.ext3', 'resize2fs'],
  ext4: ['mkfs.ext4', 'resize2fs'],
  xfs: ['mkfs.xfs', 'xfs_growfs'],
  btrfs: ['mkfs.btrfs', 'btrfs'],
};

/** sbin directories, which a non-login PATH often lacks, are searched too. */
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of an executable found on PATH or in the usual system directories, or undefined. */
export function findExecutable(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  const dirs = [...searchPath.split(path.delimiter).filter((dir) => dir !== ''), ...SYSTEM_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** " (Debian/Ubuntu package xfsprogs)" for a known program, "" otherwise. */
export function packageHint(tool: string): string {
  const pkg = TOOL_PACKAGES[tool];
  return pkg ? ` (Debian/Ubuntu package ${pkg})` : '';
}

export interface ToolLookupOptions {
  /** Default: $PATH (plus the system directories). */
  searchPath?: string;
  /** Replaceable for tests; default `findExecutable`. */
  find?: (name: string, searchPath?: string) => string | undefined;
}

/**
 * Why the programs cannot all run here, naming what to install — e.g. "needs mkfs.xfs, xfs_growfs (not
 * installed: apt-get install xfsprogs)" — or undefined when every one is found.
 */
export function missingToolsReason(tools: readonly string[], options: ToolLookupOptions = {}): string | undefined {
  const find = options.find ?? findExecutable;
  const missing = tools.filter((tool) => find(tool, options.searchPath) === undefined);
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((tool) => TOOL_PACKAGES[tool]).filter((pkg): pkg is string => pkg !== undefined))];
  const install = packages.length > 0 ? `apt-get install ${packages.join(' ')}` : 'install them';
  return `needs ${missing.join(', ')} (not installed: ${install})`;
}

/** `missingToolsReason` for formatting and growing `fsType`. */
export function missingFilesystemToolsReason(fsType: FilesystemType, options: ToolLookupOptions = {}): string | undefined {
  const reason = missingToolsReason(FILESYSTEM_TOOLS[fsType], options);
  return reason && `${fsType} ${reason}`;
}
