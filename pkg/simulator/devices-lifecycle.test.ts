import { execFile } from 'node:child_process';
import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Cloud } from '../openstack';
import type { Simulator } from './simulator';
import { startSimulatedCloud } from './testing/cloud';
import { canUseLoopDevices } from '../mounter/host-capabilities';
import { GiB } from '../units/bytes';

const run = promisify(execFile);
const canUseLoop = canUseLoopDevices;
const describeWithLoop = canUseLoop ? describe : describe.skip;
if (!canUseLoop) {
  console.warn('devices-lifecycle.test.ts skipped: needs root and /dev/loop-control to make loop devices');
}

async function deviceSize(device: string): Promise<number> {
  const { stdout } = await run('blockdev', ['--getsize64', device]);
  return Number(stdout.trim());
}

/** Loop devices whose backing file lives under `dir`. */
async function loopsBackedUnder(dir: string): Promise<string[]> {
  const { stdout } = await run('losetup', ['--list', '--json', '--output', 'NAME,BACK-FILE']);
  const parsed = stdout.trim() ? (JSON.parse(stdout) as { loopdevices?: { name: string; 'back-file': string | null }[] }) : {};
  return (parsed.loopdevices ?? []).filter((l) => (l['back-file'] ?? '').startsWith(dir)).map((l) => l.name);
}

describeWithLoop('simulated volumes backed by real loop devices', () => {
  let sim: Simulator;
  let cloud: Cloud;
  let workDir: string;

  beforeAll(async () => {
    ({ sim, cloud } = await startSimulatedCloud({ devices: { enabled: true, scsiLinks: true } }));
    // The backend keeps images and by-id links under one work directory: <workDir>/dev/disk/by-id.
    workDir = path.resolve(sim.byIdDir, '..', '..', '..');
  });
  afterAll(async () => {
    await sim?.stop();
  });

  const linkOf = (volumeId: string) => path.join(sim.byIdDir, `virtio-${volumeId.slice(0, 20)}`);

  async function attach(volumeId: string): Promise<string> {
    await cloud.compute.attachVolume(sim.defaultServer.id, volumeId, false);
    await cloud.blockStorage.waitForVolume(volumeId, ['in-use']);
    return fsp.realpath(linkOf(volumeId));
  }

  async function detach(volumeId: string): Promise<void> {
    await cloud.compute.detachVolume(sim.defaultServer.id, volumeId);
    await cloud.blockStorage.waitForVolume(volumeId, ['available']);
  }

  it('attach → link to a block device of the right size → write → snapshot → restore → same bytes → extend → detach/delete → nothing left', async () => {
    expect(sim.devicesEnabled).toBe(true);
    const created = await cloud.blockStorage.createVolume({ size: 1, name: 'source' });
    const source = await cloud.blockStorage.waitForVolume(created.id, ['available']);

    const device = await attach(source.id);
    expect(device).toMatch(/^\/dev\/loop\d+$/);
    expect((await fsp.stat(device)).isBlockDevice()).toBe(true);
    expect(await deviceSize(device)).toBe(1 * GiB);
    expect(await fsp.realpath(path.join(sim.byIdDir, `scsi-0QEMU_QEMU_HARDDISK_${source.id.slice(0, 20)}`))).toBe(device);

    const payload = Buffer.from(`simulated data ${source.id}`.padEnd(4096, '#'));
    const handle = await fsp.open(device, 'r+');
    await handle.write(payload, 0, payload.length, 1024 * 1024);
    await handle.sync();
    await handle.close();

    const snap = await cloud.blockStorage.createSnapshot({ volumeId: source.id, force: true });
    await cloud.blockStorage.waitForSnapshot(snap.id, ['available']);
    const restoredCreated = await cloud.blockStorage.createVolume({ size: 2, snapshotId: snap.id, name: 'restored' });
    const restored = await cloud.blockStorage.waitForVolume(restoredCreated.id, ['available']);

    const restoredDevice = await attach(restored.id);
    expect(restoredDevice).not.toBe(device);
    expect(await deviceSize(restoredDevice)).toBe(2 * GiB);
    const readBack = Buffer.alloc(payload.length);
    const reader = await fsp.open(restoredDevice, 'r');
    await reader.read(readBack, 0, readBack.length, 1024 * 1024);
    await reader.close();
    expect(readBack.equals(payload)).toBe(true);

    await cloud.blockStorage.extendVolume(restored.id, 3, true);
    await cloud.blockStorage.waitForVolume(restored.id, ['in-use'], { until: (v) => v.size === 3 });
    expect(await deviceSize(restoredDevice)).toBe(3 * GiB);

    await detach(source.id);
    await detach(restored.id);
    expect(fs.existsSync(linkOf(source.id))).toBe(false);
    expect(fs.existsSync(linkOf(restored.id))).toBe(false);
    expect(await loopsBackedUnder(workDir)).toEqual([]);

    await cloud.blockStorage.deleteSnapshot(snap.id);
    await cloud.blockStorage.waitForSnapshot(snap.id, [], { gone: true });
    for (const id of [source.id, restored.id]) {
      await cloud.blockStorage.deleteVolume(id);
      await cloud.blockStorage.waitForVolume(id, [], { gone: true });
    }
    await sim.whenIdle();
    const leftovers = (await fsp.readdir(path.join(workDir, 'images'))).filter((f) => f.endsWith('.img'));
    expect(leftovers).toEqual([]);
  });

  it('restores a backup with the data of the volume it was taken from', async () => {
    const created = await cloud.blockStorage.createVolume({ size: 1 });
    const volume = await cloud.blockStorage.waitForVolume(created.id, ['available']);
    const device = await attach(volume.id);
    const payload = Buffer.from('backup payload'.padEnd(512, '!'));
    const handle = await fsp.open(device, 'r+');
    await handle.write(payload, 0, payload.length, 0);
    await handle.sync();
    await handle.close();
    await detach(volume.id);

    const backup = await cloud.blockStorage.createBackup({ volumeId: volume.id });
    await cloud.blockStorage.waitForBackup(backup.id, ['available']);
    const fromBackup = await cloud.blockStorage.createVolume({ size: 1, backupId: backup.id });
    await cloud.blockStorage.waitForVolume(fromBackup.id, ['available']);
    const restoredDevice = await attach(fromBackup.id);
    const readBack = Buffer.alloc(payload.length);
    const reader = await fsp.open(restoredDevice, 'r');
    await reader.read(readBack, 0, readBack.length, 0);
    await reader.close();
    expect(readBack.equals(payload)).toBe(true);
    await detach(fromBackup.id);
  });

  it('releases every loop device, link and file when the simulator stops', async () => {
    const created = await cloud.blockStorage.createVolume({ size: 1 });
    await cloud.blockStorage.waitForVolume(created.id, ['available']);
    await attach(created.id);
    expect(await loopsBackedUnder(workDir)).toHaveLength(1);
    await sim.stop();
    expect(await loopsBackedUnder(workDir)).toEqual([]);
    expect(fs.existsSync(workDir)).toBe(false);
  });
});
