import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommandExecutor } from '../../mounter';
import { CommandNotFoundError } from '../../mounter';
import {
  candidateLinkNames,
  createDeviceFinder,
  DeviceNotFoundError,
  serialMatchesVolume,
  type DeviceFinderOptions,
} from './device-finder';

const VOLUME = '5f1c9c52-3a7d-4bb1-9d8e-0c6f2c7a1b90';
const OTHER = '0a2b4c6d-1111-2222-3333-444455556666';

describe('candidate names and serial matching', () => {
  it('follows the CPO by-id order', () => {
    expect(candidateLinkNames(VOLUME)).toEqual([
      'virtio-5f1c9c52-3a7d-4bb1-9',
      `virtio-${VOLUME}`,
      'scsi-0QEMU_QEMU_HARDDISK_5f1c9c52-3a7d-4bb1-9',
      `scsi-0QEMU_QEMU_HARDDISK_${VOLUME}`,
      'wwn-0x5f1c9c523a7d4bb19d8e0c6f2c7a1b90',
    ]);
  });
  it('accepts the serial forms of this volume only', () => {
    expect(serialMatchesVolume('5f1c9c52-3a7d-4bb1-9\n', VOLUME)).toBe(true);
    expect(serialMatchesVolume(VOLUME.toUpperCase(), VOLUME)).toBe(true);
    expect(serialMatchesVolume('5f1c9c523a7d4bb19d8e0c6f2c7a1b90', VOLUME)).toBe(true);
    expect(serialMatchesVolume('5f1c9c52', VOLUME)).toBe(false);
    expect(serialMatchesVolume('', VOLUME)).toBe(false);
    expect(serialMatchesVolume(OTHER.slice(0, 20), VOLUME)).toBe(false);
  });
});

describe('device finder', () => {
  let root: string;
  let byIdDir: string;
  let sysfsRoot: string;
  let devRoot: string;
  let sleeps: number[];
  let udevCalls: number;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'device-finder-'));
    byIdDir = path.join(root, 'dev', 'disk', 'by-id');
    sysfsRoot = path.join(root, 'sys');
    devRoot = path.join(root, 'dev');
    mkdirSync(byIdDir, { recursive: true });
    mkdirSync(path.join(sysfsRoot, 'block'), { recursive: true });
    sleeps = [];
    udevCalls = 0;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function addDisk(name: string, serial?: string): string {
    const node = path.join(devRoot, name);
    writeFileSync(node, '');
    mkdirSync(path.join(sysfsRoot, 'block', name), { recursive: true });
    if (serial !== undefined) writeFileSync(path.join(sysfsRoot, 'block', name, 'serial'), `${serial}\n`);
    return node;
  }

  function link(name: string, target: string): string {
    const linkPath = path.join(byIdDir, name);
    symlinkSync(target, linkPath);
    return linkPath;
  }

  function finder(extra: Partial<DeviceFinderOptions> = {}, onUdev?: () => void) {
    const executor: CommandExecutor = {
      async run(command, args) {
        expect(command).toBe('udevadm');
        expect(args[0]).toBe('trigger');
        udevCalls++;
        onUdev?.();
        return { exitCode: 0, stdout: '', stderr: '' };
      },
    };
    return createDeviceFinder({
      byIdDir,
      sysfsRoot,
      devRoot,
      executor,
      wait: { initialDelayMs: 10, factor: 2, checks: 4 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...extra,
    });
  }

  it('resolves the first matching link to the device node', async () => {
    const node = addDisk('vdb', VOLUME.slice(0, 20));
    const viaLink = link(`virtio-${VOLUME.slice(0, 20)}`, '../../vdb');
    expect(await finder().find(VOLUME)).toEqual({ devicePath: node, foundVia: viaLink });
    expect(sleeps).toEqual([]);
  });

  it('accepts a link whose target has no readable serial (e.g. SCSI)', async () => {
    const node = addDisk('sdc');
    const viaLink = link(`scsi-0QEMU_QEMU_HARDDISK_${VOLUME}`, node);
    expect(await finder().find(VOLUME)).toEqual({ devicePath: node, foundVia: viaLink });
  });

  it('rejects a stale link and finds the right disk by its serial', async () => {
    const staleTarget = addDisk('vdb', OTHER.slice(0, 20));
    link(`virtio-${VOLUME.slice(0, 20)}`, staleTarget);
    const right = addDisk('vdc', VOLUME.slice(0, 20));
    const found = await finder().find(VOLUME);
    expect(found).toEqual({ devicePath: right, foundVia: path.join(sysfsRoot, 'block', 'vdc', 'serial') });
  });

  it('falls back to the serial scan when no link exists', async () => {
    addDisk('vda', 'root-disk-serial');
    const node = addDisk('vdd', VOLUME.slice(0, 20));
    expect((await finder().find(VOLUME)).devicePath).toBe(node);
  });

  it('keeps looking, nudging udev between checks, until the link appears', async () => {
    const node = addDisk('vde', VOLUME.slice(0, 20));
    rmSync(path.join(sysfsRoot, 'block', 'vde', 'serial'));
    const f = finder({}, () => {
      if (udevCalls === 2) link(`virtio-${VOLUME}`, node);
    });
    expect((await f.find(VOLUME)).devicePath).toBe(node);
    expect(udevCalls).toBe(2);
    expect(sleeps).toEqual([10, 20]);
  });

  it('rescans every SCSI host between checks', async () => {
    const hosts = ['host0', 'host1'].map((host) => {
      mkdirSync(path.join(sysfsRoot, 'class', 'scsi_host', host), { recursive: true });
      const scan = path.join(sysfsRoot, 'class', 'scsi_host', host, 'scan');
      writeFileSync(scan, '');
      return scan;
    });
    await expect(finder({ wait: { checks: 2, initialDelayMs: 1 } }).find(VOLUME)).rejects.toBeInstanceOf(DeviceNotFoundError);
    for (const scan of hosts) expect(readFileSync(scan, 'utf8')).toBe('- - -');
  });

  it('stops calling udevadm once it is known to be missing', async () => {
    let calls = 0;
    const executor: CommandExecutor = {
      async run() {
        calls++;
        throw new CommandNotFoundError('udevadm');
      },
    };
    await expect(finder({ executor }).find(VOLUME)).rejects.toBeInstanceOf(DeviceNotFoundError);
    expect(calls).toBe(1);
  });

  it('fails with every place it looked at, after the configured number of checks', async () => {
    addDisk('vdb', OTHER.slice(0, 20));
    link(`virtio-${VOLUME.slice(0, 20)}`, path.join(devRoot, 'vdb'));
    link(`virtio-${VOLUME}`, path.join(devRoot, 'gone'));
    const error = (await finder().find(VOLUME).catch((e: unknown) => e)) as DeviceNotFoundError;
    expect(error).toBeInstanceOf(DeviceNotFoundError);
    expect(error.checks).toBe(4);
    expect(sleeps).toEqual([10, 20, 40]);
    expect(udevCalls).toBe(3);
    expect(error.lookedAt).toEqual([
      `${path.join(byIdDir, `virtio-${VOLUME.slice(0, 20)}`)} (stale: points to ${path.join(devRoot, 'vdb')}, whose serial is "${OTHER.slice(0, 20)}")`,
      `${path.join(byIdDir, `virtio-${VOLUME}`)} (dangling link)`,
      `${path.join(byIdDir, `scsi-0QEMU_QEMU_HARDDISK_${VOLUME.slice(0, 20)}`)} (missing)`,
      `${path.join(byIdDir, `scsi-0QEMU_QEMU_HARDDISK_${VOLUME}`)} (missing)`,
      `${path.join(byIdDir, 'wwn-0x5f1c9c523a7d4bb19d8e0c6f2c7a1b90')} (missing)`,
      `${path.join(sysfsRoot, 'block')}/*/serial (1 devices, 1 with a serial, none is ${VOLUME.slice(0, 20)}…)`,
    ]);
    expect(error.message).toContain(VOLUME);
    expect(error.message).toContain('dangling link');
  });

  it('reports a serial match whose device node is missing', async () => {
    mkdirSync(path.join(sysfsRoot, 'block', 'vdz'), { recursive: true });
    writeFileSync(path.join(sysfsRoot, 'block', 'vdz', 'serial'), VOLUME.slice(0, 20));
    const error = (await finder({ wait: { checks: 1 } }).find(VOLUME).catch((e: unknown) => e)) as DeviceNotFoundError;
    expect(error.lookedAt[error.lookedAt.length - 1]).toContain(`${path.join(devRoot, 'vdz')} does not exist`);
    expect(sleeps).toEqual([]);
  });

  it('looks again as soon as the link appears instead of sleeping out the schedule (real directory watch)', async () => {
    const node = addDisk('vdd'); // no serial in sysfs: only the link can identify it
    // A first delay far beyond the test timeout: only the by-id directory event can make this find succeed.
    const events = createDeviceFinder({ byIdDir, sysfsRoot, devRoot, udevTrigger: false, scsiRescan: false, wait: { initialDelayMs: 600_000, factor: 1, checks: 2 } });
    const found = events.find(VOLUME);
    setTimeout(() => link(`virtio-${VOLUME.slice(0, 20)}`, node), 100);
    await expect(found).resolves.toEqual({ devicePath: node, foundVia: path.join(byIdDir, `virtio-${VOLUME.slice(0, 20)}`) });
  });
});
