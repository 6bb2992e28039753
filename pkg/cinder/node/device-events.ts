/**
 * Wakes the device finder when a disk may have appeared, instead of letting it sleep out CPO's 1 s × 1.1
 * schedule: a watch on udev's by-id directory (a new link is a rename event there) and, where `udevadm` is
 * installed, `udevadm monitor` reporting block devices being added. Both are best effort: the finder keeps
 * its polling schedule as the fallback and only checks sooner when woken.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { Logger } from '../../log/logger';

export interface DeviceEvents {
  /** Resolves true on a change since the last call (or during this one), false after `ms` (or `sleep(ms)`). */
  wait(ms: number, sleep?: (ms: number) => Promise<void>): Promise<boolean>;
  close(): void;
}

export interface DeviceEventsOptions {
  byIdDir: string;
  /** Run `udevadm monitor --udev --subsystem-match=block` while waiting (default true; skipped if absent). */
  udevMonitor?: boolean;
  logger: Logger;
}

/** `udevadm monitor` lines look like `UDEV  [1234.5678] add      /devices/... (block)`. */
const UDEV_ADD = /\]\s+add\s+\S+\s+\(block\)/;

export function watchDeviceEvents(options: DeviceEventsOptions): DeviceEvents {
  let changed = false;
  let wake: (() => void) | undefined;
  const signal = () => {
    changed = true;
    wake?.();
  };
  let watcher: fs.FSWatcher | undefined;
  try {
    watcher = fs.watch(options.byIdDir, { persistent: false }, signal);
    watcher.on('error', () => watcher?.close());
  } catch (error) {
    options.logger.debug(4, 'cannot watch the by-id directory; polling only', { dir: options.byIdDir, error });
  }
  let monitor: ChildProcess | undefined;
  if (options.udevMonitor ?? true) {
    monitor = spawn('udevadm', ['monitor', '--udev', '--subsystem-match=block'], { stdio: ['ignore', 'pipe', 'ignore'] });
    monitor.on('error', () => {
      monitor = undefined; // not installed: the directory watch and polling remain
    });
    monitor.stdout?.setEncoding('utf8');
    monitor.stdout?.on('data', (text: string) => {
      if (UDEV_ADD.test(text)) signal();
    });
    monitor.unref();
  }
  return {
    async wait(ms, sleep) {
      if (changed) {
        changed = false;
        return true;
      }
      let timer: NodeJS.Timeout | undefined;
      const woken = new Promise<boolean>((resolve) => (wake = () => resolve(true)));
      // Without an injected sleep, a timer of our own that a wake clears (a long delay must not outlive the find).
      const slept = sleep ? sleep(ms).then(() => false) : new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
      const result = await Promise.race([woken, slept]);
      clearTimeout(timer);
      wake = undefined;
      changed = false;
      return result;
    },
    close() {
      watcher?.close();
      monitor?.kill();
    },
  };
}
