/**
 * What kubelet does in real life besides the happy path: repeats calls after timeouts, cleans up volumes
 * it never staged, and restarts the node plugin (a DaemonSet rollout) between stage and publish.
 * Plugin processes on unix sockets, real loop devices and mounts.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { createMounter } from '../../pkg/mounter';
import { itUnless } from '../../pkg/mounter/testing/host-tools';
import {
  describeLeftovers,
  GiB,
  mountsUnder,
  NodeVolume,
  verifyData,
  volumeCapability,
  volumeKindUnsupportedReason,
  writeData,
  type VolumeKind,
} from '../../pkg/stack';
import { describeWithStack } from './stack-suite';

describeWithStack('e2e: node plugin idempotency and restarts', 'node-idempotency', ({ stack: current }) => {
  const mounter = createMounter();

  const createVolume = async (kind: VolumeKind): Promise<NodeVolume> => {
    const response = await current().controller.controller.CreateVolume({
      name: `idem-${kind}-${randomUUID().slice(0, 8)}`,
      capacity_range: { required_bytes: String(GiB) },
      volume_capabilities: [volumeCapability(kind)],
    });
    const volume = response.volume!;
    return new NodeVolume(current(), { volumeId: volume.volume_id, kind, volumeContext: volume.volume_context });
  };

  const mountsAt = async (target: string): Promise<number> =>
    (await mounter.listMounts()).filter((mount) => mount.target === fs.realpathSync(target)).length;

  const deleteVolume = async (volume: NodeVolume): Promise<void> => {
    await current().controller.controller.DeleteVolume({ volume_id: volume.volumeId });
  };

  it.each<VolumeKind>(['ext4', 'block'])(
    '%s: staging twice and publishing twice succeed and mount once',
    async (kind) => {
      const volume = await createVolume(kind);
      await volume.controllerPublish();
      await volume.stage();
      await volume.stage();
      if (kind !== 'block') expect(await mountsAt(volume.stagingPath)).toBe(1);
      await volume.publish();
      await volume.publish();
      expect(await mountsAt(volume.targetPath)).toBe(1);

      await volume.unpublish();
      await volume.unpublish();
      expect(fs.existsSync(volume.targetPath)).toBe(false);
      await volume.unstage();
      await volume.unstage();
      await volume.controllerUnpublish();
      await volume.controllerUnpublish();
      await deleteVolume(volume);
      expect(describeLeftovers(await current().leftovers())).toEqual([]);
    },
    180_000,
  );

  it('unstaging and unpublishing a volume that was never staged succeed and touch nothing', async () => {
    const volumeId = randomUUID();
    const stagingPath = current().stagingPath(volumeId);
    const targetPath = current().targetPath(volumeId);
    await expect(
      current().node.node.NodeUnpublishVolume({ volume_id: volumeId, target_path: targetPath }),
    ).resolves.toBeDefined();
    await expect(
      current().node.node.NodeUnstageVolume({ volume_id: volumeId, staging_target_path: stagingPath }),
    ).resolves.toBeDefined();
    // An existing empty staging directory that was never mounted: also fine, and no mount appears.
    fs.mkdirSync(stagingPath, { recursive: true });
    await current().node.node.NodeUnstageVolume({ volume_id: volumeId, staging_target_path: stagingPath });
    expect(await mountsUnder(stagingPath)).toEqual([]);
    fs.rmSync(stagingPath, { recursive: true, force: true });
  });

  itUnless(volumeKindUnsupportedReason('xfs'))('a node plugin restarted between stage and publish picks up where it left off', async () => {
    const volume = await createVolume('xfs');
    await volume.controllerPublish();
    await volume.stage();

    const exitCode = await current().restartNode();
    expect(exitCode).toBe(0);
    expect(fs.existsSync(current().nodeProcess().socketPath)).toBe(true);

    // kubelet retries stage after a restart; the new process must see the existing mount as done.
    await volume.stage();
    expect(await mountsAt(volume.stagingPath)).toBe(1);
    await volume.publish();
    const written = writeData('xfs', volume.targetPath);
    verifyData('xfs', volume.targetPath, written);
    const stats = await volume.stats();
    expect(stats.volume_condition?.abnormal ?? false).toBe(false);

    await volume.unmountAndDetach();
    await deleteVolume(volume);
    expect(describeLeftovers(await current().leftovers())).toEqual([]);
  }, 240_000);
});
