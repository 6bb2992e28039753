/**
 * Finds the block device of an attached Cinder volume on this host. First the udev `by-id` links in the
 * order cloud-provider-openstack uses, each checked against the serial the kernel reports for its target
 * (a link left behind by a previous attachment points at another volume's disk); then a scan of every
 * block device's serial in sysfs, for hosts where udev did not create the link. Between checks it asks
 * the SCSI hosts to rescan and udev to replay events, and waits a little longer each time, but looks
 * again at once when the by-id directory changes or udev reports a block device added (device-events.ts).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import { CommandNotFoundError, createCommandExecutor, type CommandExecutor } from '../../mounter';
import { DEFAULT_WAIT_SCHEDULES, type WaitSchedule } from '../../openstack/wait-schedules';
import { watchDeviceEvents } from './device-events';

export type { WaitSchedule };

/** cloud-provider-openstack's node device-path wait, from the one wait table. */
export const DEFAULT_DEVICE_WAIT: WaitSchedule = DEFAULT_WAIT_SCHEDULES.nodeDevicePath;

export interface DeviceFinderOptions {
  /** Directory of udev's by-id links. Default `/dev/disk/by-id`. */
  byIdDir?: string;
  /** sysfs mount point. Default `/sys`. */
  sysfsRoot?: string;
  /** Where device nodes live, for devices found by serial. Default `/dev`. */
  devRoot?: string;
  wait?: Partial<WaitSchedule>;
  /** Write `- - -` to every `<sysfsRoot>/class/scsi_host/*\/scan` between checks. Default true. */
  scsiRescan?: boolean;
  /** Run `udevadm trigger` between checks when udevadm is installed. Default true. */
  udevTrigger?: boolean;
  /**
   * Look again as soon as the by-id directory changes or `udevadm monitor` reports a block device added,
   * instead of only when the schedule says (default true; the schedule stays the fallback).
   */
  watchEvents?: boolean;
  executor?: CommandExecutor;
  logger?: Logger;
  /** Replaceable so tests need not wait for real. */
  sleep?: (ms: number) => Promise<void>;
}

export interface FoundDevice {
  /** The device node (symlinks resolved), e.g. `/dev/vdb`. */
  devicePath: string;
  /** How it was found: the by-id link, or the sysfs serial file. */
  foundVia: string;
}

export interface DeviceFinder {
  /** Resolves the device of `volumeId`, waiting per the schedule; throws `DeviceNotFoundError`. */
  find(volumeId: string): Promise<FoundDevice>;
}

export class DeviceNotFoundError extends Error {
  constructor(
    readonly volumeId: string,
    readonly checks: number,
    /** Every place looked at in the last check, with what was found there. */
    readonly lookedAt: string[],
  ) {
    super(
      `no block device found for volume ${volumeId} after ${checks} check${checks === 1 ? '' : 's'}; ` +
        `looked at: ${lookedAt.join('; ')}. Is the volume attached to this server (ControllerPublishVolume)?`,
    );
    this.name = 'DeviceNotFoundError';
  }
}

/** by-id link names, in the order cloud-provider-openstack tries them. */
export function candidateLinkNames(volumeId: string): string[] {
  const short = volumeId.slice(0, 20);
  return [
    `virtio-${short}`,
    `virtio-${volumeId}`,
    `scsi-0QEMU_QEMU_HARDDISK_${short}`,
    `scsi-0QEMU_QEMU_HARDDISK_${volumeId}`,
    `wwn-0x${volumeId.replace(/-/g, '')}`,
  ].filter((name, index, all) => all.indexOf(name) === index);
}

/** Serial forms hypervisors give a Cinder volume's disk: the first 20 chars (virtio), the full ID, or the ID without dashes. */
export function serialMatchesVolume(serial: string, volumeId: string): boolean {
  const normalized = serial.trim().toLowerCase();
  if (!normalized) return false;
  const id = volumeId.toLowerCase();
  return normalized === id || normalized === id.slice(0, 20) || normalized === id.replace(/-/g, '');
}

async function readSerial(sysfsBlockDir: string): Promise<string | undefined> {
  for (const candidate of ['serial', path.join('device', 'serial')]) {
    try {
      const text = (await fsp.readFile(path.join(sysfsBlockDir, candidate), 'utf8')).trim();
      if (text) return text;
    } catch {
      // not readable: try the next location
    }
  }
  return undefined;
}

async function exists(target: string): Promise<boolean> {
  try {
    await fsp.stat(target);
    return true;
  } catch {
    return false;
  }
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Checks an event may trigger per find beyond the schedule's (udev's own replays also change the links). */
const MAX_EVENT_CHECKS = 30;

export function createDeviceFinder(options: DeviceFinderOptions = {}): DeviceFinder {
  const byIdDir = options.byIdDir ?? '/dev/disk/by-id';
  const sysfsRoot = options.sysfsRoot ?? '/sys';
  const devRoot = options.devRoot ?? '/dev';
  const wait: WaitSchedule = { ...DEFAULT_DEVICE_WAIT, ...options.wait };
  const executor = options.executor ?? createCommandExecutor();
  const logger = options.logger ?? silentLogger;
  const sleep = options.sleep ?? defaultSleep;
  const injectedSleep = options.sleep;
  let udevadmAvailable = options.udevTrigger ?? true;

  async function checkLinks(volumeId: string, lookedAt: string[]): Promise<FoundDevice | undefined> {
    for (const name of candidateLinkNames(volumeId)) {
      const link = path.join(byIdDir, name);
      try {
        await fsp.lstat(link);
      } catch {
        lookedAt.push(`${link} (missing)`);
        continue;
      }
      let target: string;
      try {
        target = await fsp.realpath(link);
      } catch {
        lookedAt.push(`${link} (dangling link)`);
        continue;
      }
      const serial = await readSerial(path.join(sysfsRoot, 'block', path.basename(target)));
      if (serial !== undefined && !serialMatchesVolume(serial, volumeId)) {
        lookedAt.push(`${link} (stale: points to ${target}, whose serial is "${serial}")`);
        continue;
      }
      return { devicePath: target, foundVia: link };
    }
    return undefined;
  }

  async function scanSerials(volumeId: string, lookedAt: string[]): Promise<FoundDevice | undefined> {
    const blockDir = path.join(sysfsRoot, 'block');
    let names: string[];
    try {
      names = await fsp.readdir(blockDir);
    } catch {
      lookedAt.push(`${blockDir}/*/serial (cannot read ${blockDir})`);
      return undefined;
    }
    let withSerial = 0;
    for (const name of names.sort()) {
      const serial = await readSerial(path.join(blockDir, name));
      if (serial === undefined) continue;
      withSerial++;
      if (!serialMatchesVolume(serial, volumeId)) continue;
      const devicePath = path.join(devRoot, name);
      if (await exists(devicePath)) {
        return { devicePath, foundVia: path.join(blockDir, name, 'serial') };
      }
      lookedAt.push(`${path.join(blockDir, name, 'serial')} (matches, but ${devicePath} does not exist)`);
      return undefined;
    }
    lookedAt.push(`${blockDir}/*/serial (${names.length} devices, ${withSerial} with a serial, none is ${volumeId.slice(0, 20)}…)`);
    return undefined;
  }

  async function nudgeKernelAndUdev(): Promise<void> {
    if (options.scsiRescan ?? true) {
      const hostsDir = path.join(sysfsRoot, 'class', 'scsi_host');
      const hosts = await fsp.readdir(hostsDir).catch(() => [] as string[]);
      for (const host of hosts) {
        // "- - -" = all channels, targets and LUNs.
        await fsp.writeFile(path.join(hostsDir, host, 'scan'), '- - -').catch((error: unknown) => {
          logger.debug(4, 'SCSI host rescan failed', { host, error });
        });
      }
    }
    if (udevadmAvailable) {
      try {
        const result = await executor.run('udevadm', ['trigger', '--subsystem-match=block'], { timeoutMs: 30_000 });
        if (result.exitCode !== 0) logger.debug(4, 'udevadm trigger failed', { exitCode: result.exitCode, stderr: result.stderr });
      } catch (error) {
        if (error instanceof CommandNotFoundError) udevadmAvailable = false;
        else logger.debug(4, 'udevadm trigger failed', { error });
      }
    }
  }

  return {
    async find(volumeId) {
      let delay = wait.initialDelayMs;
      let lookedAt: string[] = [];
      const look = async (): Promise<FoundDevice | undefined> => {
        lookedAt = [];
        return (await checkLinks(volumeId, lookedAt)) ?? (await scanSerials(volumeId, lookedAt));
      };
      const checks = Math.max(1, Math.floor(wait.checks));
      const events = (options.watchEvents ?? true) ? watchDeviceEvents({ byIdDir, logger, udevMonitor: udevadmAvailable }) : undefined;
      let eventChecks = 0;
      try {
        for (let check = 1; check <= checks; check++) {
          const found = await look();
          if (found) {
            logger.debug(3, 'found volume device', { volumeId, ...found, check });
            return found;
          }
          if (check === checks) break;
          logger.debug(4, 'volume device not found yet', { volumeId, check, lookedAt });
          await nudgeKernelAndUdev();
          // Until this check's delay is over, every change wakes an extra look that does not use up a check.
          let remaining = delay;
          while (events && eventChecks < MAX_EVENT_CHECKS && remaining > 0) {
            const began = Date.now();
            if (!(await events.wait(remaining, injectedSleep))) {
              remaining = 0;
              break;
            }
            eventChecks++;
            const woken = await look();
            if (woken) {
              logger.debug(3, 'found volume device after a device event', { volumeId, ...woken, check });
              return woken;
            }
            remaining -= Date.now() - began;
          }
          if (remaining > 0) await sleep(remaining);
          delay = Math.min(delay * wait.factor, wait.maxDelayMs ?? Number.POSITIVE_INFINITY);
        }
      } finally {
        events?.close();
      }
      throw new DeviceNotFoundError(volumeId, checks, lookedAt);
    },
  };
}
