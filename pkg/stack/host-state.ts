/**
 * What a stack left on the host, and removing it: mounts under the stack's directory and loop devices
 * backed by files under it. Only paths inside the given directory are ever looked at or touched, so
 * nothing another process made is unmounted or detached.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { createMounter, type Mounter } from '../mounter';

const execFileAsync = promisify(execFile);

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function realDir(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/** Mount points at or below `dir`, deepest (most recently stacked) last as the mount table lists them. */
export async function mountsUnder(dir: string, mounter: Mounter = createMounter()): Promise<string[]> {
  const root = realDir(dir);
  const mounts = await mounter.listMounts();
  return mounts.map((mount) => mount.target).filter((target) => isInside(target, root));
}

/** Unmounts everything at or below `dir`, newest first; returns the mount points it unmounted. */
export async function unmountAllUnder(dir: string, mounter: Mounter = createMounter()): Promise<string[]> {
  const unmounted: string[] = [];
  // A path can carry stacked mounts; each pass removes the top-most ones, so repeat until clean.
  for (let pass = 0; pass < 10; pass += 1) {
    const targets = await mountsUnder(dir, mounter);
    if (targets.length === 0) break;
    for (const target of [...targets].reverse()) {
      try {
        await mounter.unmount(target);
        unmounted.push(target);
      } catch {
        // Already gone (a parent was unmounted first) or busy; the next pass will show which.
      }
    }
  }
  return unmounted;
}

export interface LoopDeviceInfo {
  device: string;
  backingFile: string;
}

/** Loop devices whose backing file lies at or below `dir` (`losetup --list -J`). */
export async function loopDevicesUnder(dir: string): Promise<LoopDeviceInfo[]> {
  const root = realDir(dir);
  const { stdout } = await execFileAsync('losetup', ['--list', '--json', '--output', 'NAME,BACK-FILE'], {
    timeout: 30_000,
  });
  if (!stdout.trim()) return [];
  const parsed = JSON.parse(stdout) as { loopdevices?: { name?: string; 'back-file'?: string | null }[] };
  return (parsed.loopdevices ?? [])
    .map((entry) => ({
      device: entry.name ?? '',
      // The kernel appends " (deleted)" when the backing file was removed while attached.
      backingFile: (entry['back-file'] ?? '').replace(/ \(deleted\)$/, ''),
    }))
    .filter((entry) => entry.device !== '' && entry.backingFile !== '' && isInside(entry.backingFile, root));
}

/** Detaches loop devices backed by files under `dir`; returns the devices it detached. */
export async function detachLoopDevicesUnder(dir: string): Promise<string[]> {
  const detached: string[] = [];
  for (const loop of await loopDevicesUnder(dir)) {
    try {
      await execFileAsync('losetup', ['--detach', loop.device], { timeout: 30_000 });
      detached.push(loop.device);
    } catch {
      // Reported by the caller's next loopDevicesUnder().
    }
  }
  return detached;
}

/** Regular files and links (not directories) at or below `dir`, relative to it. */
export function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else found.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return found.sort();
}
