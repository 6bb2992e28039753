/**
 * Host directories behind simulated NFS shares, under the simulator's state directory: a share's directory is the
 * path of its export locations, so a bind mount of it shows what a real NFS mount would. A snapshot copies the
 * share's contents, a share created from it starts with them, delete removes the directory.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';

export class ShareBackingStore {
  constructor(readonly root: string) {}

  shareDir(shareId: string): string {
    return path.join(this.root, 'shares', `share-${shareId}`);
  }

  snapshotDir(snapshotId: string): string {
    return path.join(this.root, 'snapshots', `snapshot-${snapshotId}`);
  }

  /** An empty directory anyone may write, as an NFS export with no root squash looks to its clients. */
  async createShare(shareId: string, fromSnapshotId?: string): Promise<string> {
    const dir = this.shareDir(shareId);
    await fsp.mkdir(dir, { recursive: true });
    await fsp.chmod(dir, 0o777);
    if (fromSnapshotId !== undefined) await copyContents(this.snapshotDir(fromSnapshotId), dir);
    return dir;
  }

  async snapshot(shareId: string, snapshotId: string): Promise<void> {
    const dir = this.snapshotDir(snapshotId);
    await fsp.mkdir(dir, { recursive: true });
    await copyContents(this.shareDir(shareId), dir);
  }

  async removeShare(shareId: string): Promise<void> {
    await fsp.rm(this.shareDir(shareId), { recursive: true, force: true });
  }

  async removeSnapshot(snapshotId: string): Promise<void> {
    await fsp.rm(this.snapshotDir(snapshotId), { recursive: true, force: true });
  }
}

/** Copies what `from` holds into `to` (both directories); a missing `from` copies nothing. */
async function copyContents(from: string, to: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fsp.readdir(from);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const entry of entries) {
    await fsp.cp(path.join(from, entry), path.join(to, entry), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  }
}
