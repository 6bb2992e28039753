/**
 * The node service end to end on one host: real loop devices, real filesystems and mounts, found
 * through a by-id directory and fake sysfs like the simulator's, served over a real gRPC unix socket.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { Code } from '../../csi/errors';
import type { CsiClient } from '../../csi/client';
import { createMounter } from '../../mounter';
import { canResizeExt4Online, canUseLoopDevices, loopDevicesSkipReason } from '../../mounter/testing/loop-device';
import { CONTEXT_RESIZE_REQUIRED, TOPOLOGY_ZONE_KEY } from '../constants';
import { startLoopNode, type LoopNode } from './testing/loop-node';
import type { FilesystemType } from '../../mounter';
import { itWithFilesystemTools } from '../../mounter/testing/host-tools';

const MiB = 1024 * 1024;

(canUseLoopDevices ? describe : describe.skip)(`node service on loop devices over gRPC (${loopDevicesSkipReason})`, () => {
  let loopNode: LoopNode;
  let root: string;
  let byIdDir: string;
  let client: CsiClient;
  const attach = (sizeBytes: number) => loopNode.attach(sizeBytes);
  const mountsUnderRoot = (): string[] => loopNode.mountsUnderRoot();

  const mountCapability = (fsType: string) => ({
    mount: { fs_type: fsType, mount_flags: [] as string[] },
    access_mode: { mode: 'SINGLE_NODE_WRITER' as const },
  });
  const blockCapability = { block: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' as const } };

  async function grpcError(promise: Promise<unknown>): Promise<{ code?: number; details?: string }> {
    return promise.then(
      () => ({}),
      (error: { code?: number; details?: string }) => ({ code: error.code, details: error.details }),
    );
  }

  beforeAll(async () => {
    // Staging and target paths of these tests live in this run's directory, its --kubelet-dir.
    loopNode = await startLoopNode('node-loop-', (dir) => ({ kubeletDir: dir, blockStorage: { nodeVolumeAttachLimit: 26 } }));
    ({ root, client } = loopNode);
    byIdDir = path.join(root, 'dev', 'disk', 'by-id');
  });

  // A failed test must not leave mounts that make the next one fail.
  afterEach(() => loopNode.unmountAllUnderRoot());

  afterAll(async () => {
    await loopNode?.stop();
  });

  it('reports the node from the config drive', async () => {
    expect(await client.identity.Probe({})).toMatchObject({ ready: { value: true } });
    expect(await client.node.NodeGetInfo({})).toEqual({
      node_id: loopNode.instanceId,
      max_volumes_per_node: '26',
      accessible_topology: { segments: { [TOPOLOGY_ZONE_KEY]: 'nova' } },
    });
  });

  const stageToUnstage = async (fsType: FilesystemType) => {
    const { volumeId, loop } = attach(320 * MiB);
    const staging = path.join(root, `staging-${fsType}`);
    const target = path.join(root, 'pods', fsType, 'mount');
    const stage = { volume_id: volumeId, staging_target_path: staging, volume_capability: mountCapability(fsType) };
    await client.node.NodeStageVolume(stage);
    await client.node.NodeStageVolume(stage);
    expect(execFileSync('blkid', ['-p', '-s', 'TYPE', '-o', 'value', loop.device], { encoding: 'utf8' }).trim()).toBe(fsType);

    const publish = { ...stage, target_path: target, readonly: false };
    await client.node.NodePublishVolume(publish);
    await client.node.NodePublishVolume(publish);
    await fsp.writeFile(path.join(target, 'hello.txt'), `bytes on ${fsType}`);
    expect(readFileSync(path.join(staging, 'hello.txt'), 'utf8')).toBe(`bytes on ${fsType}`);

    const stats = await client.node.NodeGetVolumeStats({ volume_id: volumeId, volume_path: target, staging_target_path: staging });
    const bytes = stats.usage.find((u) => u.unit === 'BYTES')!;
    expect(Number(bytes.total)).toBeGreaterThan(200 * MiB);
    expect(Number(bytes.used)).toBeGreaterThan(0);
    expect(stats.usage.find((u) => u.unit === 'INODES')).toBeDefined();
    expect(stats.volume_condition).toEqual({ abnormal: false, message: 'volume is healthy' });

    loop.grow(640 * MiB);
    const expand = {
      volume_id: volumeId,
      volume_path: target,
      staging_target_path: staging,
      capacity_range: { required_bytes: String(640 * MiB) },
      volume_capability: mountCapability(fsType),
    };
    if (fsType === 'ext4' && !canResizeExt4Online) {
      const failure = await grpcError(client.node.NodeExpandVolume(expand));
      expect(failure.code).toBe(Code.INTERNAL);
      expect(failure.details).toMatch(/CAP_SYS_RESOURCE/);
    } else {
      expect(await client.node.NodeExpandVolume(expand)).toEqual({ capacity_bytes: String(640 * MiB) });
      const grown = (await fsp.statfs(target)).blocks * (await fsp.statfs(target)).bsize;
      expect(grown).toBeGreaterThan(Number(bytes.total) + 250 * MiB);
    }

    await client.node.NodeUnpublishVolume({ volume_id: volumeId, target_path: target });
    await client.node.NodeUnpublishVolume({ volume_id: volumeId, target_path: target });
    expect(existsSync(target)).toBe(false);
    await client.node.NodeUnstageVolume({ volume_id: volumeId, staging_target_path: staging });
    await client.node.NodeUnstageVolume({ volume_id: volumeId, staging_target_path: staging });
    expect(existsSync(staging)).toBe(false);
    expect(mountsUnderRoot()).toEqual([]);

    // Staged again (e.g. a restored snapshot on a bigger volume): the data is kept, and with
    // resizeRequired the filesystem fills the device.
    await client.node.NodeStageVolume({ ...stage, volume_context: { [CONTEXT_RESIZE_REQUIRED]: 'true' } });
    expect(readFileSync(path.join(staging, 'hello.txt'), 'utf8')).toBe(`bytes on ${fsType}`);
    const restaged = await fsp.statfs(staging);
    expect(restaged.blocks * restaged.bsize).toBeGreaterThan(Number(bytes.total) + 250 * MiB);
    await client.node.NodeUnstageVolume({ volume_id: volumeId, staging_target_path: staging });
    expect(mountsUnderRoot()).toEqual([]);
  };
  for (const fsType of ['ext4', 'xfs', 'btrfs'] as const) {
    itWithFilesystemTools(fsType)(`stages, publishes, writes, reports, grows and cleans up ${fsType}`, () => stageToUnstage(fsType));
  }

  it('publishes a raw block volume onto a file and reports its size', async () => {
    const { volumeId, loop } = attach(64 * MiB);
    const staging = path.join(root, 'staging-block');
    const target = path.join(root, 'block', 'publish', 'dev');
    mkdirSync(staging, { recursive: true });
    await client.node.NodeStageVolume({ volume_id: volumeId, staging_target_path: staging, volume_capability: blockCapability });
    const publish = { volume_id: volumeId, staging_target_path: staging, target_path: target, volume_capability: blockCapability };
    await client.node.NodePublishVolume(publish);
    await client.node.NodePublishVolume(publish);
    const handle = await fsp.open(target, 'r+');
    await handle.write(Buffer.from('raw block bytes'), 0, 15, 4096);
    await handle.close();
    expect(readFileSync(loop.device).subarray(4096, 4096 + 15).toString()).toBe('raw block bytes');

    const stats = await client.node.NodeGetVolumeStats({ volume_id: volumeId, volume_path: target });
    expect(stats.usage).toEqual([{ unit: 'BYTES', total: String(64 * MiB), available: '0', used: '0' }]);
    loop.grow(128 * MiB);
    expect(
      await client.node.NodeExpandVolume({ volume_id: volumeId, volume_path: target, volume_capability: blockCapability }),
    ).toEqual({ capacity_bytes: String(128 * MiB) });

    await client.node.NodeUnpublishVolume({ volume_id: volumeId, target_path: target });
    expect(existsSync(target)).toBe(false);
    await client.node.NodeUnstageVolume({ volume_id: volumeId, staging_target_path: staging });
    expect(existsSync(staging)).toBe(false);
    expect(mountsUnderRoot()).toEqual([]);
  });

  it('refuses a stale link and explains a missing device over the wire', async () => {
    const { volumeId: otherVolume, loop } = attach(64 * MiB);
    const missingVolume = randomUUID();
    // A link for missingVolume left pointing at another volume's disk.
    symlinkSync(loop.device, path.join(byIdDir, `virtio-${missingVolume}`));
    const failure = await grpcError(
      client.node.NodeStageVolume({
        volume_id: missingVolume,
        staging_target_path: path.join(root, 'staging-missing'),
        volume_capability: mountCapability('ext4'),
      }),
    );
    expect(failure.code).toBe(Code.NOT_FOUND);
    expect(failure.details).toContain(`virtio-${missingVolume} (stale: points to ${loop.device}, whose serial is "${otherVolume.slice(0, 20)}")`);
    expect(failure.details).toContain(`virtio-${missingVolume.slice(0, 20)} (missing)`);
    // Nothing was written to the other volume's disk.
    expect(await createMounter().probe(loop.device)).toEqual({ blank: true });
  });

  it('rejects a target that holds another device', async () => {
    const a = attach(64 * MiB);
    const b = attach(64 * MiB);
    const target = path.join(root, 'block', 'conflict');
    const publish = (volumeId: string) =>
      client.node.NodePublishVolume({
        volume_id: volumeId,
        staging_target_path: path.join(root, 'staging-conflict'),
        target_path: target,
        volume_capability: blockCapability,
      });
    await publish(a.volumeId);
    const failure = await grpcError(publish(b.volumeId));
    expect(failure.code).toBe(Code.FAILED_PRECONDITION);
    expect(failure.details).toContain(`not ${b.loop.device}`);
    await client.node.NodeUnpublishVolume({ volume_id: a.volumeId, target_path: target });
    expect(mountsUnderRoot()).toEqual([]);
  });
});
