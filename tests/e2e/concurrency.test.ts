/**
 * Several volumes brought to the node at once, as when a pod with many PVCs starts: every call runs
 * concurrently through the plugin processes, and each volume must end up on its own device (the one
 * whose serial is its ID) with its own data.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMounter } from '../../pkg/mounter';
import {
  describeLeftovers,
  GiB,
  NodeVolume,
  verifyData,
  volumeCapability,
  volumeKindUnsupportedReason,
  writeData,
  type VolumeKind,
  type WrittenData,
} from '../../pkg/stack';
import { describeWithStack } from './stack-suite';

/** Two of each kind this host can format (a kind whose programs are missing is left out and named). */
const KINDS: VolumeKind[] = (['ext4', 'xfs', 'block', 'ext4', 'xfs', 'block'] as VolumeKind[]).filter((kind) => {
  const reason = volumeKindUnsupportedReason(kind);
  if (reason) console.warn(`e2e many volumes at once: no ${kind} volumes, ${reason}`);
  return reason === undefined;
});

describeWithStack('e2e: many volumes at once', 'concurrency', ({ stack: current, logFile }) => {
  const mounter = createMounter();

  /** The serial the simulator gave the loop device behind `devicePath` (virtio: the volume ID's first 20 characters). */
  const serialOf = (devicePath: string): string =>
    fs.readFileSync(path.join(current().simulator.sysfsRoot, 'block', path.basename(fs.realpathSync(devicePath)), 'serial'), 'utf8').trim();

  it(`attaches, stages and publishes ${KINDS.length} volumes concurrently, each on its own device`, async () => {
    const stack = current();
    const volumes = await Promise.all(
      KINDS.map(async (kind, index) => {
        const response = await stack.controller.controller.CreateVolume({
          name: `many-${index}-${kind}-${randomUUID().slice(0, 8)}`,
          capacity_range: { required_bytes: String(GiB) },
          volume_capabilities: [volumeCapability(kind)],
        });
        const volume = response.volume!;
        return new NodeVolume(stack, { volumeId: volume.volume_id, kind, volumeContext: volume.volume_context });
      }),
    );

    await Promise.all(volumes.map((volume) => volume.attachAndMount()));

    const written = new Map<string, WrittenData>();
    for (const volume of volumes) {
      // The device behind each target must carry this volume's serial: no two volumes swapped.
      const blockDevice =
        volume.kind === 'block'
          ? await blockDeviceOfTarget(volume.targetPath)
          : (await mounter.findMount(volume.stagingPath))?.source;
      expect(blockDevice).toBeDefined();
      expect({ volume: volume.volumeId, serial: serialOf(blockDevice as string) }).toEqual({
        volume: volume.volumeId,
        serial: volume.volumeId.slice(0, 20),
      });
      written.set(volume.volumeId, writeData(volume.kind, volume.targetPath));
    }
    for (const volume of volumes) verifyData(volume.kind, volume.targetPath, written.get(volume.volumeId)!);

    await Promise.all(volumes.map((volume) => volume.unmountAndDetach()));
    await Promise.all(volumes.map((volume) => stack.controller.controller.DeleteVolume({ volume_id: volume.volumeId })));
    expect({ leftovers: describeLeftovers(await stack.leftovers()), logFile }).toEqual({ leftovers: [], logFile });
  }, 240_000);

  /** A published raw block target is a file with the device bind-mounted on it: find the /dev node by device number. */
  async function blockDeviceOfTarget(target: string): Promise<string> {
    const info = await mounter.statPath(target);
    expect(info?.kind).toBe('blockDevice');
    const sysfsLink = path.join('/sys/dev/block', info?.deviceNumber ?? 'missing');
    expect(fs.existsSync(sysfsLink)).toBe(true);
    return path.join('/dev', path.basename(fs.realpathSync(sysfsLink)));
  }
});
