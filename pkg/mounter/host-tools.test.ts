import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CommandNotFoundError } from './errors';
import { findExecutable, missingFilesystemToolsReason, missingToolsReason, TOOL_PACKAGES, FILESYSTEM_TOOLS } from './host-tools';
import { createCommandExecutor } from './exec';

describe('host tools', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'host-tools-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds an executable on PATH, and not a file that is not executable or not there', () => {
    const tool = `tool-${path.basename(dir)}`;
    writeFileSync(path.join(dir, tool), '#!/bin/sh\nexit 0\n');
    expect(findExecutable(tool, '/nonexistent')).toBeUndefined();
    expect(findExecutable(tool, dir)).toBeUndefined(); // not executable yet
    chmodSync(path.join(dir, tool), 0o755);
    expect(findExecutable(tool, `/nonexistent${path.delimiter}${dir}`)).toBe(path.join(dir, tool));
  });

  it('names the missing programs and the Debian packages to install', () => {
    // A host with e2fsprogs only: found = the tools on this fake PATH.
    const installed = new Set(['mkfs.ext4', 'resize2fs']);
    const find = (name: string) => (installed.has(name) ? `/usr/sbin/${name}` : undefined);
    expect(missingFilesystemToolsReason('ext4', { find })).toBeUndefined();
    expect(missingFilesystemToolsReason('xfs', { find })).toBe('xfs needs mkfs.xfs, xfs_growfs (not installed: apt-get install xfsprogs)');
    expect(missingFilesystemToolsReason('btrfs', { find })).toBe('btrfs needs mkfs.btrfs, btrfs (not installed: apt-get install btrfs-progs)');
    expect(missingToolsReason(['udevadm', 'mkfs.xfs', 'xfs_growfs', 'frobnicate'], { find })).toBe(
      'needs udevadm, mkfs.xfs, xfs_growfs, frobnicate (not installed: apt-get install udev xfsprogs)',
    );
  });

  it('knows the package of every program a filesystem needs', () => {
    for (const tools of Object.values(FILESYSTEM_TOOLS)) {
      for (const tool of tools) expect(TOOL_PACKAGES[tool]).toBeDefined();
    }
  });

  it('says which package ships a program that is not installed', async () => {
    expect(new CommandNotFoundError('mkfs.xfs').message).toBe('mkfs.xfs: command not found on this host (Debian/Ubuntu package xfsprogs)');
    expect(new CommandNotFoundError('frobnicate').message).toBe('frobnicate: command not found on this host');
    // The real executor, with a PATH where the program is not.
    const error = await createCommandExecutor().run(`missing-${path.basename(dir)}`, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandNotFoundError);
  });
});
