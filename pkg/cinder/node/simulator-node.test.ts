/**
 * The node service on the simulator's block devices: volumes created and attached through the real
 * OpenStack client appear as loop devices with by-id links and serials, and the node plugin finds,
 * formats, mounts and grows them. Identity comes from the simulator's metadata service and config drive.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CallContext, NodeHandlers } from '../../csi/handlers';
import { silentLogger } from '../../log/logger';
import { canUseLoopDevices, loopDevicesSkipReason } from '../../mounter/testing/loop-device';
import { itWithFilesystemTools } from '../../mounter/testing/host-tools';
import { startSimulatedCloud, type SimulatedCloud } from '../../simulator/testing/cloud';
import { TOPOLOGY_ZONE_KEY } from '../constants';
import { createCinderNodePlugin, type CinderNodePluginSettings } from './index';
import { GiB } from '../../units/bytes';

const ctx: CallContext = { requestId: 'sim', method: 'test', logger: silentLogger };

(canUseLoopDevices ? describe : describe.skip)(`node service on simulator devices (${loopDevicesSkipReason})`, () => {
  let simulated: SimulatedCloud;
  let root: string;

  function mountsUnderRoot(): string[] {
    const out = execFileSync('findmnt', ['-J', '-l', '-o', 'TARGET'], { encoding: 'utf8' });
    return (JSON.parse(out).filesystems as { target: string }[]).map((f) => f.target).filter((t) => t.startsWith(root));
  }

  function nodePlugin(over: Partial<CinderNodePluginSettings> = {}) {
    const { sim } = simulated;
    return createCinderNodePlugin({
      byIdDir: sim.byIdDir,
      sysfsRoot: sim.sysfsRoot,
      kubeletDir: root,
      udevTrigger: false,
      deviceWait: { initialDelayMs: 20, factor: 1.2, checks: 25 },
      metadata: { searchOrder: ['metadataService'], metadataUrl: sim.metadataUrlFor(sim.defaultServer.id) },
      kubernetesFallback: false,
      ...over,
    });
  }

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'node-sim-'));
    simulated = await startSimulatedCloud({ devices: { enabled: true } });
    expect(simulated.sim.devicesEnabled).toBe(true);
  });

  afterAll(async () => {
    for (const target of root ? mountsUnderRoot().reverse() : []) {
      try {
        execFileSync('umount', [target], { stdio: 'ignore' });
      } catch {
        // release what we can
      }
    }
    await simulated?.sim.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('identifies the node from the metadata service and from the config drive', async () => {
    const { sim } = simulated;
    const expected = {
      node_id: sim.defaultServer.id,
      max_volumes_per_node: 256,
      accessible_topology: { segments: { [TOPOLOGY_ZONE_KEY]: sim.defaultServer.availabilityZone } },
    };
    expect(await nodePlugin().handlers.NodeGetInfo!({}, ctx)).toEqual(expected);
    await sim.whenIdle();
    const fromDrive = nodePlugin({ metadata: { searchOrder: ['configDrive'], configDriveDir: sim.configDriveDir(sim.defaultServer.id) } });
    expect(await fromDrive.handlers.NodeGetInfo!({}, ctx)).toEqual(expected);
  });

  itWithFilesystemTools('xfs')('stages, publishes, grows online and cleans up an attached volume', async () => {
    const { sim, cloud } = simulated;
    const handlers = nodePlugin().handlers as Required<NodeHandlers>;
    const volume = await cloud.blockStorage.createVolume({ size: 1, name: 'node-sim' });
    await cloud.blockStorage.waitForVolume(volume.id, ['available']);
    await cloud.compute.attachVolume(sim.defaultServer.id, volume.id, false);
    await cloud.blockStorage.waitForVolume(volume.id, ['in-use']);

    const staging = path.join(root, 'staging');
    const target = path.join(root, 'pod', 'mount');
    const capability = { mount: { fs_type: 'xfs', mount_flags: [], volume_mount_group: '' }, access_mode: { mode: 'SINGLE_NODE_WRITER' as const }, access_type: 'mount' as const };
    await handlers.NodeStageVolume(
      { volume_id: volume.id, staging_target_path: staging, volume_capability: capability, publish_context: {}, secrets: {}, volume_context: {} },
      ctx,
    );
    await handlers.NodePublishVolume(
      {
        volume_id: volume.id,
        staging_target_path: staging,
        target_path: target,
        volume_capability: capability,
        readonly: false,
        publish_context: {},
        secrets: {},
        volume_context: {},
      },
      ctx,
    );
    await fsp.writeFile(path.join(target, 'data'), 'kept');

    await cloud.blockStorage.extendVolume(volume.id, 2, true);
    await cloud.blockStorage.waitForVolume(volume.id, ['in-use']);
    const expanded = await handlers.NodeExpandVolume(
      {
        volume_id: volume.id,
        volume_path: target,
        staging_target_path: staging,
        capacity_range: { required_bytes: String(2 * GiB), limit_bytes: '0' },
        volume_capability: capability,
        secrets: {},
      },
      ctx,
    );
    expect(expanded).toEqual({ capacity_bytes: 2 * GiB });
    const stats = await handlers.NodeGetVolumeStats({ volume_id: volume.id, volume_path: target, staging_target_path: staging }, ctx);
    expect(Number(stats.usage?.[0].total)).toBeGreaterThan(1.5 * GiB);
    expect(stats.volume_condition).toEqual({ abnormal: false, message: 'volume is healthy' });
    expect(readFileSync(path.join(target, 'data'), 'utf8')).toBe('kept');

    await handlers.NodeUnpublishVolume({ volume_id: volume.id, target_path: target }, ctx);
    await handlers.NodeUnstageVolume({ volume_id: volume.id, staging_target_path: staging }, ctx);
    expect(mountsUnderRoot()).toEqual([]);
    expect(existsSync(staging)).toBe(false);
    await cloud.compute.detachVolume(sim.defaultServer.id, volume.id);
    await cloud.blockStorage.waitForVolume(volume.id, ['available']);
    await cloud.blockStorage.deleteVolume(volume.id);
  });
});
