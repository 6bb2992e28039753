/**
 * The node service touches only what belongs to the volume (issue #13), proved on the real host: loop
 * devices, real filesystems, tmpfs mounts standing for somebody else's, and decoy files (a copy of
 * /etc/passwd in this run's temporary directory; the real one is never touched). Everything lives
 * under one temporary root, which is also the plugin's --kubelet-dir.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Code } from '../../csi/errors';
import type { CsiClient } from '../../csi/client';
import type { VolumeCapability } from '../../csi/types';
import { createMounter } from '../../mounter';
import { canUseLoopDevices, loopDevicesSkipReason } from '../../mounter/testing/loop-device';
import { startLoopNode, type LoopNode } from './testing/loop-node';

const MiB = 1024 * 1024;

(canUseLoopDevices ? describe : describe.skip)(`node service touches only the volume's own paths and mounts (${loopDevicesSkipReason})`, () => {
  let loopNode: LoopNode;
  let root: string;
  let kubelet: string;
  let outside: string;
  let client: CsiClient;
  const passwd = readFileSync('/etc/passwd', 'utf8');

  const mountCapability: VolumeCapability = { mount: { fs_type: 'ext4', mount_flags: [] }, access_mode: { mode: 'SINGLE_NODE_WRITER' } };
  const blockCapability: VolumeCapability = { block: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' } };
  const attach = (sizeBytes = 64 * MiB) => loopNode.attach(sizeBytes);
  const mountsUnderRoot = (): string[] => loopNode.mountsUnderRoot();

  function mountsAt(target: string): number {
    const out = execFileSync('findmnt', ['-J', '-l', '-o', 'TARGET'], { encoding: 'utf8' });
    return (JSON.parse(out).filesystems as { target: string }[]).filter((f) => f.target === target).length;
  }

  function mountTmpfs(target: string): void {
    mkdirSync(target, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'own-paths-foreign', target]);
  }

  /** A copy of /etc/passwd standing for a host file a request must never damage. */
  function decoyPasswd(file: string): string {
    mkdirSync(path.dirname(file), { recursive: true });
    copyFileSync('/etc/passwd', file);
    return file;
  }

  async function failure(call: Promise<unknown>): Promise<{ code?: number; details?: string }> {
    return call.then(
      (response) => ({ details: `succeeded with ${JSON.stringify(response)}` }),
      (error: { code?: number; details?: string }) => ({ code: error.code, details: error.details }),
    );
  }

  const stagingOf = (name: string): string => path.join(kubelet, 'plugins', 'kubernetes.io', 'csi', 'staging', name);
  const targetOf = (name: string): string => path.join(kubelet, 'pods', name, 'volumes', 'mount');

  beforeAll(async () => {
    loopNode = await startLoopNode('own-paths-', (dir) => ({ kubeletDir: path.join(dir, 'kubelet') }));
    ({ root, client } = loopNode);
    kubelet = path.join(root, 'kubelet');
    outside = path.join(root, 'elsewhere');
    for (const dir of [kubelet, outside]) mkdirSync(dir, { recursive: true });
  });

  afterEach(() => loopNode.unmountAllUnderRoot());

  afterAll(async () => {
    await loopNode?.stop();
  });

  describe('paths resolve inside --kubelet-dir', () => {
    it('refuses a target outside it, through "..", and through a symlink, mounting nothing', async () => {
      const { volumeId } = attach();
      const staging = stagingOf('inside');
      await client.node.NodeStageVolume({ volume_id: volumeId, staging_target_path: staging, volume_capability: mountCapability });
      const symlinkOut = path.join(kubelet, 'pods', 'sneaky');
      mkdirSync(path.dirname(symlinkOut), { recursive: true });
      symlinkSync(outside, symlinkOut);
      for (const target of [
        path.join(outside, 'mount'),
        `${kubelet}/pods/x/../../../elsewhere/mount`,
        path.join(symlinkOut, 'mount'),
      ]) {
        const result = await failure(
          client.node.NodePublishVolume({ volume_id: volumeId, staging_target_path: staging, target_path: target, volume_capability: mountCapability }),
        );
        expect(result).toEqual({ code: Code.INVALID_ARGUMENT, details: expect.stringMatching(/kubelet directory|"\.\." segments/) });
      }
      expect(existsSync(path.join(outside, 'mount'))).toBe(false);
      expect(mountsUnderRoot()).toEqual([staging]);
      await client.node.NodeUnstageVolume({ volume_id: volumeId, staging_target_path: staging });
    });

    it('refuses staging outside it, formatting nothing', async () => {
      const { volumeId, loop } = attach();
      const result = await failure(
        client.node.NodeStageVolume({ volume_id: volumeId, staging_target_path: path.join(outside, 'staging'), volume_capability: mountCapability }),
      );
      expect(result).toEqual({ code: Code.INVALID_ARGUMENT, details: expect.stringContaining(`not inside the kubelet directory ${kubelet}`) });
      expect(await createMounter().probe(loop.device)).toEqual({ blank: true });
      expect(existsSync(path.join(outside, 'staging'))).toBe(false);
    });

    it('refuses to unpublish, unstage or report stats on a path outside it, deleting nothing', async () => {
      const decoy = decoyPasswd(path.join(outside, 'etc', 'passwd'));
      const volumeId = randomUUID();
      // One after the other: calls for one volume in flight together are ABORTED.
      for (const call of [
        () => client.node.NodeUnpublishVolume({ volume_id: volumeId, target_path: decoy }),
        () => client.node.NodeUnstageVolume({ volume_id: volumeId, staging_target_path: decoy }),
        () => client.node.NodeGetVolumeStats({ volume_id: volumeId, volume_path: path.dirname(decoy) }),
      ]) {
        expect((await failure(call())).code).toBe(Code.INVALID_ARGUMENT);
      }
      expect(readFileSync(decoy, 'utf8')).toBe(passwd);
    });
  });

  describe('unpublish and unstage remove only what the plugin made', () => {
    it.each(['NodeUnpublishVolume', 'NodeUnstageVolume'] as const)('%s on a regular file with content: FAILED_PRECONDITION, file kept', async (rpc) => {
      const decoy = decoyPasswd(path.join(kubelet, 'pods', `decoy-${rpc}`, 'passwd'));
      const volumeId = randomUUID();
      const call =
        rpc === 'NodeUnpublishVolume'
          ? client.node.NodeUnpublishVolume({ volume_id: volumeId, target_path: decoy })
          : client.node.NodeUnstageVolume({ volume_id: volumeId, staging_target_path: decoy });
      expect(await failure(call)).toEqual({ code: Code.FAILED_PRECONDITION, details: expect.stringContaining('not an empty file') });
      expect(readFileSync(decoy, 'utf8')).toBe(passwd);
    });

    it.each(['NodeUnpublishVolume', 'NodeUnstageVolume'] as const)('%s over three foreign tmpfs mounts: FAILED_PRECONDITION, all kept', async (rpc) => {
      const { volumeId } = attach();
      const target = targetOf(`foreign-${rpc}`);
      for (let i = 0; i < 3; i++) mountTmpfs(target);
      writeFileSync(path.join(target, 'theirs'), 'somebody else’s data');
      const call =
        rpc === 'NodeUnpublishVolume'
          ? client.node.NodeUnpublishVolume({ volume_id: volumeId, target_path: target })
          : client.node.NodeUnstageVolume({ volume_id: volumeId, staging_target_path: target });
      expect(await failure(call)).toEqual({ code: Code.FAILED_PRECONDITION, details: expect.stringContaining('tmpfs') });
      expect(mountsAt(target)).toBe(3);
      expect(readFileSync(path.join(target, 'theirs'), 'utf8')).toBe('somebody else’s data');
    });

    it('unmounts its own bind but not a foreign mount stacked on top of it', async () => {
      const { volumeId } = attach();
      const staging = stagingOf('stacked');
      const target = targetOf('stacked');
      await client.node.NodeStageVolume({ volume_id: volumeId, staging_target_path: staging, volume_capability: mountCapability });
      await client.node.NodePublishVolume({ volume_id: volumeId, staging_target_path: staging, target_path: target, volume_capability: mountCapability });
      mountTmpfs(target);
      expect((await failure(client.node.NodeUnpublishVolume({ volume_id: volumeId, target_path: target }))).code).toBe(Code.FAILED_PRECONDITION);
      expect(mountsAt(target)).toBe(2);
      execFileSync('umount', [target]);
      await client.node.NodeUnpublishVolume({ volume_id: volumeId, target_path: target });
      expect(existsSync(target)).toBe(false);
      await client.node.NodeUnstageVolume({ volume_id: volumeId, staging_target_path: staging });
      expect(mountsUnderRoot()).toEqual([]);
    });

    it('NodeUnstageVolume over a directory with content below the mount finishes once unmounted, keeping the content', async () => {
      const { volumeId } = attach();
      const staging = stagingOf('leftover');
      mkdirSync(staging, { recursive: true });
      writeFileSync(path.join(staging, 'written-while-unmounted'), 'not the plugin’s');
      await client.node.NodeStageVolume({ volume_id: volumeId, staging_target_path: staging, volume_capability: mountCapability });
      expect(existsSync(path.join(staging, 'written-while-unmounted'))).toBe(false);
      await client.node.NodeUnstageVolume({ volume_id: volumeId, staging_target_path: staging });
      await client.node.NodeUnstageVolume({ volume_id: volumeId, staging_target_path: staging });
      expect(mountsAt(staging)).toBe(0);
      expect(readFileSync(path.join(staging, 'written-while-unmounted'), 'utf8')).toBe('not the plugin’s');
    });
  });

  it('block NodePublishVolume onto an existing file with content (a passwd copy) is refused, the file untouched', async () => {
    const { volumeId } = attach();
    const decoy = decoyPasswd(path.join(kubelet, 'plugins', 'kubernetes.io', 'csi', 'volumeDevices', 'publish', 'pv', 'passwd'));
    const result = await failure(
      client.node.NodePublishVolume({ volume_id: volumeId, staging_target_path: stagingOf('block'), target_path: decoy, volume_capability: blockCapability }),
    );
    expect(result).toEqual({ code: Code.FAILED_PRECONDITION, details: expect.stringContaining('not an empty file') });
    expect(mountsAt(decoy)).toBe(0);
    expect(readFileSync(decoy, 'utf8')).toBe(passwd);
  });

  describe('NodeGetVolumeStats only where this volume is mounted', () => {
    it('answers NOT_FOUND for a plain directory, a foreign mount and another volume’s mount', async () => {
      const mine = attach();
      const other = attach();
      const plain = path.join(kubelet, 'pods', 'plain');
      mkdirSync(plain, { recursive: true });
      const foreign = targetOf('stats-foreign');
      mountTmpfs(foreign);
      const othersStaging = stagingOf('stats-other');
      await client.node.NodeStageVolume({ volume_id: other.volumeId, staging_target_path: othersStaging, volume_capability: mountCapability });
      for (const volumePath of [plain, foreign, othersStaging]) {
        const result = await failure(client.node.NodeGetVolumeStats({ volume_id: mine.volumeId, volume_path: volumePath }));
        expect({ volumePath, code: result.code }).toEqual({ volumePath, code: Code.NOT_FOUND });
      }
      await client.node.NodeUnstageVolume({ volume_id: other.volumeId, staging_target_path: othersStaging });
    });
  });

  describe('access modes are checked as on the controller', () => {
    it.each(['NodeStageVolume', 'NodePublishVolume'] as const)('%s with access mode 99: INVALID_ARGUMENT, nothing formatted or mounted', async (rpc) => {
      const { volumeId, loop } = attach();
      const capability = { mount: { fs_type: 'ext4', mount_flags: [] }, access_mode: { mode: 99 } } as unknown as VolumeCapability;
      const staging = stagingOf(`mode99-${rpc}`);
      const call =
        rpc === 'NodeStageVolume'
          ? client.node.NodeStageVolume({ volume_id: volumeId, staging_target_path: staging, volume_capability: capability })
          : client.node.NodePublishVolume({ volume_id: volumeId, staging_target_path: staging, target_path: targetOf('mode99'), volume_capability: capability });
      expect(await failure(call)).toEqual({ code: Code.INVALID_ARGUMENT, details: expect.stringContaining('access mode 99 is not supported') });
      expect(await createMounter().probe(loop.device)).toEqual({ blank: true });
      expect(mountsUnderRoot()).toEqual([]);
    });
  });
});
