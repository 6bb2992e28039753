/**
 * Parsers for the machine-readable output of util-linux tools (`findmnt -J`, `lsblk -J`, `blkid -o export`).
 * Kept apart from the command running so they are tested on recorded output without root.
 */
import { UnexpectedOutputError } from './errors';
import type { MountInfo, ProbeResult } from './mounter';

/** Columns requested from findmnt; `parseFindmntJson` expects these keys. */
export const FINDMNT_COLUMNS = 'TARGET,SOURCE,FSTYPE,FSROOT,VFS-OPTIONS,FS-OPTIONS,MAJ:MIN';

interface FindmntEntry {
  target?: unknown;
  source?: unknown;
  fstype?: unknown;
  fsroot?: unknown;
  'vfs-options'?: unknown;
  'fs-options'?: unknown;
  options?: unknown;
  'maj:min'?: unknown;
  children?: unknown;
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
}

function splitOptions(value: unknown): string[] {
  const text = asString(value);
  return text ? text.split(',').filter(Boolean) : [];
}

/**
 * Strips a `[/fsroot]` suffix some findmnt versions keep in SOURCE even with `--nofsroot` absent,
 * e.g. `/dev/vdb[/data]` or `udev[/vdb]`.
 */
function stripFsroot(source: string): string {
  const match = /^(.*)\[[^\]]*\]$/.exec(source);
  return match ? match[1] : source;
}

/** A tool's `-J` output as JSON; output that is not JSON is the tool's fault, named as such. */
function parseToolJson(tool: string, stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch (error) {
    throw new UnexpectedOutputError(tool, (error as Error).message);
  }
}

/** Parses `findmnt -J` (list or tree form) into a flat list in output order. */
export function parseFindmntJson(stdout: string): MountInfo[] {
  if (!stdout.trim()) return [];
  const parsed = parseToolJson('findmnt', stdout);
  const filesystems = (parsed as { filesystems?: unknown }).filesystems;
  if (!Array.isArray(filesystems)) throw new UnexpectedOutputError('findmnt', 'no "filesystems" array');
  const out: MountInfo[] = [];
  const visit = (entries: unknown[]): void => {
    for (const raw of entries) {
      if (!raw || typeof raw !== 'object') continue;
      const entry = raw as FindmntEntry;
      const vfsOptions = splitOptions(entry['vfs-options'] ?? entry.options);
      out.push({
        target: asString(entry.target),
        source: stripFsroot(asString(entry.source)),
        fstype: asString(entry.fstype),
        fsroot: asString(entry.fsroot) || '/',
        vfsOptions,
        fsOptions: splitOptions(entry['fs-options']),
        majMin: entry['maj:min'] === undefined ? undefined : asString(entry['maj:min']),
      });
      if (Array.isArray(entry.children)) visit(entry.children);
    }
  };
  visit(filesystems);
  return out;
}

/** Parses `lsblk -J -b -d -o NAME,SIZE <device>` and returns the size of the first device in bytes. */
export function parseLsblkSize(stdout: string): number {
  const parsed = parseToolJson('lsblk', stdout);
  const devices = (parsed as { blockdevices?: unknown }).blockdevices;
  if (!Array.isArray(devices) || devices.length === 0) {
    throw new UnexpectedOutputError('lsblk', 'no "blockdevices" entries');
  }
  // Older util-linux prints sizes as strings, newer as numbers.
  const size = Number((devices[0] as { size?: unknown }).size);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new UnexpectedOutputError('lsblk', `size ${JSON.stringify((devices[0] as { size?: unknown }).size)}`);
  }
  return size;
}

/** Parses `blkid -p -s TYPE -s PTTYPE -o export` output of a run that exited 0. */
export function parseBlkidExport(stdout: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const index = line.indexOf('=');
    if (index <= 0) continue;
    values[line.slice(0, index).trim()] = line.slice(index + 1).trim();
  }
  return values;
}

/**
 * Interprets a blkid probe. Exit 2 means "no signature found" (blank). Exit 0 with a TYPE or PTTYPE is a
 * known content. Anything else is not a clear answer, and `undefined` is returned so the caller refuses
 * to format.
 */
export function interpretProbe(exitCode: number, stdout: string): ProbeResult | undefined {
  if (exitCode === 2) return { blank: true };
  if (exitCode !== 0) return undefined;
  const values = parseBlkidExport(stdout);
  const fsType = values.TYPE || undefined;
  const partitionTableType = values.PTTYPE || undefined;
  if (!fsType && !partitionTableType) return undefined;
  return { blank: false, fsType, partitionTableType };
}
