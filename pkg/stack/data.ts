/**
 * Proof that data survives snapshots and clones: write random bytes where a pod would (a file in the
 * mounted filesystem, or the raw block device), and read them back later by checksum.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { VolumeKind } from './volume-kind';

const execFileAsync = promisify(execFile);

export const DATA_FILE_NAME = 'stack-data.bin';
export const DATA_LENGTH = 1024 * 1024;
/** Block data goes at an offset away from 0 too, so a device that is merely "the same size" cannot pass. */
const BLOCK_OFFSET = 4 * 1024 * 1024;

export interface WrittenData {
  sha256: string;
  length: number;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Writes DATA_LENGTH random bytes at the published target and flushes them to the device. */
export function writeData(kind: VolumeKind, targetPath: string): WrittenData {
  const data = randomBytes(DATA_LENGTH);
  if (kind === 'block') {
    const fd = fs.openSync(targetPath, 'r+');
    try {
      fs.writeSync(fd, data, 0, data.length, BLOCK_OFFSET);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } else {
    const file = path.join(targetPath, DATA_FILE_NAME);
    fs.writeFileSync(file, data);
    const fd = fs.openSync(file, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  return { sha256: sha256(data), length: data.length };
}

/** Reads the bytes back; returns their checksum (compare with WrittenData.sha256). */
export function readDataChecksum(kind: VolumeKind, targetPath: string, length = DATA_LENGTH): string {
  if (kind === 'block') {
    const buffer = Buffer.alloc(length);
    const fd = fs.openSync(targetPath, 'r');
    try {
      const read = fs.readSync(fd, buffer, 0, length, BLOCK_OFFSET);
      if (read !== length) throw new Error(`read ${read} of ${length} bytes from ${targetPath}`);
    } finally {
      fs.closeSync(fd);
    }
    return sha256(buffer);
  }
  return sha256(fs.readFileSync(path.join(targetPath, DATA_FILE_NAME)));
}

export function verifyData(kind: VolumeKind, targetPath: string, expected: WrittenData): void {
  const actual = readDataChecksum(kind, targetPath, expected.length);
  if (actual !== expected.sha256) {
    throw new Error(`data at ${targetPath} differs from what was written (sha256 ${actual} != ${expected.sha256})`);
  }
}

/** What `df` reports for a mount (statfs), or the device size for a published block volume. */
export async function visibleSizeBytes(kind: VolumeKind, targetPath: string): Promise<number> {
  if (kind === 'block') {
    const { stdout } = await execFileAsync('blockdev', ['--getsize64', targetPath], { timeout: 30_000 });
    return Number(stdout.trim());
  }
  const stats = fs.statfsSync(targetPath);
  return stats.blocks * stats.bsize;
}
