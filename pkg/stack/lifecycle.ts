/**
 * The whole life of a Cinder volume as Kubernetes drives it, with the data checked at every turn:
 * create → attach → stage → publish → write → stats → take down → snapshot → restore (same bytes) →
 * restore into a bigger volume (filesystem grown at stage) → clone (same bytes) → online expand (df
 * shows it) → delete → nothing left on the host.
 * Shared by the e2e suite (which asserts on the outcome) and the demo (which prints the steps).
 */
import { randomBytes } from 'node:crypto';
import { createMounter, type Mounter } from '../mounter';
import { canResizeExt4Online } from '../mounter/host-capabilities';
import { verifyData, visibleSizeBytes, writeData, type WrittenData } from './data';
import { NodeVolume } from './node-volume';
import type { Stack, StackLeftovers } from './stack';
import { describeError, StepRunner, StepSkipped } from './steps';
import { GiB, volumeCapability, type VolumeKind } from './volume-kind';

export interface LifecycleOptions {
  /** Default 1 GiB (sparse: costs nothing until written). */
  sizeBytes?: number;
  /** Default 2 GiB. */
  expandedBytes?: number;
  /**
   * Run only the controller side (attach/detach still happen in the cloud) and record every node step
   * as skipped for this reason; for machines without root or loop devices.
   */
  skipNodeSteps?: string;
}

/** How long to keep asking for a snapshot to become ready (the simulator takes tens of ms). */
const SNAPSHOT_READY_TIMEOUT_MS = 60_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const formatGiB = (bytes: number): string => `${(bytes / GiB).toFixed(2)} GiB`;
const short = (id: string): string => id.slice(0, 8);

export function describeLeftovers(leftovers: StackLeftovers): string[] {
  const problems: string[] = [];
  if (leftovers.mounts.length) problems.push(`mounts: ${leftovers.mounts.join(', ')}`);
  if (leftovers.loopDevices.length) problems.push(`loop devices: ${leftovers.loopDevices.join(', ')}`);
  if (leftovers.deviceLinks.length) problems.push(`by-id links: ${leftovers.deviceLinks.join(', ')}`);
  if (leftovers.kubeletFiles.length) problems.push(`files under staging/target dirs: ${leftovers.kubeletFiles.join(', ')}`);
  if (leftovers.simulatorFiles.length) problems.push(`simulator files: ${leftovers.simulatorFiles.join(', ')}`);
  return problems;
}

/**
 * Runs the lifecycle for one kind; every step lands in `runner.records`. Throws StepFailed at the first
 * failing step, after a best-effort cleanup of what it made (recorded as a "cleanup" step).
 */
export async function runLifecycle(
  stack: Stack,
  kind: VolumeKind,
  runner: StepRunner,
  options: LifecycleOptions = {},
): Promise<void> {
  const sizeBytes = options.sizeBytes ?? GiB;
  const expandedBytes = options.expandedBytes ?? 2 * GiB;
  const mounter = createMounter();
  const suffix = randomBytes(3).toString('hex');
  const created: { volumes: string[]; snapshots: string[]; onNode: NodeVolume[] } = {
    volumes: [],
    snapshots: [],
    onNode: [],
  };
  const skipNode = options.skipNodeSteps;
  const step = <T>(name: string, action: () => Promise<{ detail: string; value: T }>) => runner.run(kind, name, action);
  /** A step that needs the node (devices, mounts): recorded as skipped when the node side is off. */
  const nodeStep = async <T>(name: string, action: () => Promise<{ detail: string; value: T }>): Promise<T | undefined> => {
    if (skipNode !== undefined) {
      runner.skip(kind, name, skipNode);
      return undefined;
    }
    return step(name, action);
  };
  const controller = stack.controller.controller;

  const createVolume = async (name: string, source?: { snapshot?: string; volume?: string }, requiredBytes = sizeBytes) => {
    const response = await controller.CreateVolume({
      name: `${name}-${kind}-${suffix}`,
      capacity_range: { required_bytes: String(requiredBytes) },
      volume_capabilities: [volumeCapability(kind)],
      parameters: {},
      ...(source?.snapshot ? { volume_content_source: { snapshot: { snapshot_id: source.snapshot } } } : {}),
      ...(source?.volume ? { volume_content_source: { volume: { volume_id: source.volume } } } : {}),
    });
    const volume = response.volume;
    if (!volume?.volume_id) throw new Error('CreateVolume returned no volume ID');
    created.volumes.push(volume.volume_id);
    if (Number(volume.capacity_bytes) < requiredBytes) {
      throw new Error(`capacity ${volume.capacity_bytes} is below the requested ${requiredBytes}`);
    }
    const zone = volume.accessible_topology[0]?.segments ?? {};
    return {
      detail: `volume ${short(volume.volume_id)}, ${formatGiB(Number(volume.capacity_bytes))}` +
        (Object.keys(zone).length ? `, topology ${Object.values(zone).join('/')}` : ''),
      value: volume,
    };
  };

  const bringUp = async (nodeVolume: NodeVolume, label: string): Promise<void> => {
    created.onNode.push(nodeVolume);
    await step(`ControllerPublishVolume (${label})`, async () => {
      const context = await nodeVolume.controllerPublish();
      const devicePath = context.DevicePath ?? Object.values(context)[0];
      return { detail: `attached to ${short(stack.nodeId)}${devicePath ? `, cloud says ${devicePath}` : ''}`, value: undefined };
    });
    await nodeStep(`NodeStageVolume (${label})`, async () => {
      await nodeVolume.stage();
      return { detail: await describeStaging(mounter, nodeVolume), value: undefined };
    });
    await nodeStep(`NodePublishVolume (${label})`, async () => {
      await nodeVolume.publish();
      const mount = await mounter.findMount(nodeVolume.targetPath);
      if (!mount) throw new Error(`nothing is mounted at ${nodeVolume.targetPath}`);
      return {
        detail: kind === 'block' ? 'device bound onto a file at target' : `staging bind-mounted at target (${mount.source})`,
        value: undefined,
      };
    });
  };

  const takeDown = async (nodeVolume: NodeVolume, label: string): Promise<void> => {
    await nodeStep(`NodeUnpublishVolume (${label})`, async () => {
      await nodeVolume.unpublish();
      if (await mounter.findMount(nodeVolume.targetPath)) throw new Error('target is still mounted');
      if (await mounter.statPath(nodeVolume.targetPath)) throw new Error('target path still exists');
      return { detail: 'target unmounted and removed', value: undefined };
    });
    await nodeStep(`NodeUnstageVolume (${label})`, async () => {
      await nodeVolume.unstage();
      if (await mounter.findMount(nodeVolume.stagingPath)) throw new Error('staging path is still mounted');
      return { detail: kind === 'block' ? 'released' : 'staging unmounted', value: undefined };
    });
    await step(`ControllerUnpublishVolume (${label})`, async () => {
      await nodeVolume.controllerUnpublish();
      return { detail: 'detached from the server', value: undefined };
    });
    created.onNode.splice(created.onNode.indexOf(nodeVolume), 1);
  };

  const checkData = (nodeVolume: NodeVolume, written: WrittenData | undefined, label: string) =>
    nodeStep(`verify data (${label})`, async () => {
      if (!written) throw new Error('no data was written');
      verifyData(kind, nodeVolume.targetPath, written);
      return { detail: `same ${written.length / 1024 / 1024} MiB (sha256 ${written.sha256.slice(0, 12)}…)`, value: undefined };
    });

  try {
    const source = (await step('CreateVolume', () => createVolume('source')))!;
    const sourceOnNode = new NodeVolume(stack, { volumeId: source.volume_id, kind, volumeContext: source.volume_context });
    await bringUp(sourceOnNode, 'source');

    const written = await nodeStep(kind === 'block' ? 'write bytes to the device' : 'write a file', async () => {
      const data = writeData(kind, sourceOnNode.targetPath);
      return { detail: `${data.length / 1024 / 1024} MiB random, sha256 ${data.sha256.slice(0, 12)}…`, value: data };
    });

    await nodeStep('NodeGetVolumeStats', async () => {
      const stats = await sourceOnNode.stats();
      const bytes = stats.usage.find((usage) => usage.unit === 'BYTES');
      if (!bytes || Number(bytes.total) <= 0) throw new Error(`no byte usage reported: ${JSON.stringify(stats.usage)}`);
      if (kind !== 'block' && written && Number(bytes.used) < written.length) {
        throw new Error(`used ${bytes.used} bytes is less than the ${written.length} just written`);
      }
      if (stats.volume_condition?.abnormal) throw new Error(`volume condition abnormal: ${stats.volume_condition.message}`);
      const inodes = stats.usage.find((usage) => usage.unit === 'INODES');
      return {
        detail: `total ${formatGiB(Number(bytes.total))}` +
          (kind === 'block' ? '' : `, used ${(Number(bytes.used) / 1024 / 1024).toFixed(1)} MiB`) +
          (inodes ? `, inodes ${inodes.used}/${inodes.total}` : '') +
          (stats.volume_condition ? `, condition ${stats.volume_condition.abnormal ? 'abnormal' : 'normal'}` : ''),
        value: undefined,
      };
    });
    await takeDown(sourceOnNode, 'source');

    const snapshot = (await step('CreateSnapshot', async () => {
      // As the external-snapshotter does: repeat the (idempotent) call until the snapshot is ready.
      const deadline = Date.now() + SNAPSHOT_READY_TIMEOUT_MS;
      for (let calls = 1; ; calls += 1) {
        const response = await controller.CreateSnapshot({
          name: `snap-${kind}-${suffix}`,
          source_volume_id: source.volume_id,
          parameters: {},
        });
        const snap = response.snapshot;
        if (!snap?.snapshot_id) throw new Error('CreateSnapshot returned no snapshot ID');
        if (!created.snapshots.includes(snap.snapshot_id)) created.snapshots.push(snap.snapshot_id);
        if (snap.ready_to_use) {
          return {
            detail: `snapshot ${short(snap.snapshot_id)} of ${short(source.volume_id)}, ready_to_use after ${calls} call${calls === 1 ? '' : 's'}`,
            value: snap,
          };
        }
        if (Date.now() > deadline) throw new Error(`snapshot ${snap.snapshot_id} not ready_to_use after ${calls} calls`);
        await sleep(100);
      }
    }))!;

    const restored = (await step('CreateVolume from snapshot', () => createVolume('restored', { snapshot: snapshot.snapshot_id })))!;
    const restoredOnNode = new NodeVolume(stack, { volumeId: restored.volume_id, kind, volumeContext: restored.volume_context });
    await bringUp(restoredOnNode, 'restored');
    await checkData(restoredOnNode, written, 'restored');

    // A restore into a bigger volume: NodeStage must grow the filesystem (resizeRequired), which also
    // covers ext4 where growing a mounted filesystem is not allowed.
    const bigger = (await step(`CreateVolume from snapshot, ${formatGiB(expandedBytes)}`, () =>
      createVolume('bigger', { snapshot: snapshot.snapshot_id }, expandedBytes),
    ))!;
    const biggerOnNode = new NodeVolume(stack, { volumeId: bigger.volume_id, kind, volumeContext: bigger.volume_context });
    await bringUp(biggerOnNode, 'bigger restore');
    await checkData(biggerOnNode, written, 'bigger restore');
    await nodeStep('size after stage (bigger restore)', async () => {
      const size = await visibleSizeBytes(kind, biggerOnNode.targetPath);
      const minimum = kind === 'block' ? expandedBytes : expandedBytes * 0.9;
      if (size < minimum) throw new Error(`${kind === 'block' ? 'device' : 'df'} shows ${formatGiB(size)}, expected ≥ ${formatGiB(minimum)}`);
      return { detail: `${kind === 'block' ? 'device' : 'df'} shows ${formatGiB(size)}`, value: undefined };
    });
    await takeDown(biggerOnNode, 'bigger restore');

    const clone = (await step('CreateVolume clone', () => createVolume('clone', { volume: source.volume_id })))!;
    const cloneOnNode = new NodeVolume(stack, { volumeId: clone.volume_id, kind, volumeContext: clone.volume_context });
    await bringUp(cloneOnNode, 'clone');
    await checkData(cloneOnNode, written, 'clone');

    const sizeBefore = skipNode === undefined ? await visibleSizeBytes(kind, cloneOnNode.targetPath) : 0;
    await step(`ControllerExpandVolume → ${formatGiB(expandedBytes)}`, async () => {
      const response = await controller.ControllerExpandVolume({
        volume_id: clone.volume_id,
        capacity_range: { required_bytes: String(expandedBytes) },
        volume_capability: volumeCapability(kind),
      });
      if (Number(response.capacity_bytes) < expandedBytes) throw new Error(`capacity ${response.capacity_bytes} < ${expandedBytes}`);
      return {
        detail: `${formatGiB(Number(response.capacity_bytes))} in use, node expansion ${response.node_expansion_required ? 'required' : 'not required'}`,
        value: undefined,
      };
    });
    await nodeStep('NodeExpandVolume (online)', async () => {
      if (kind === 'ext4' && !canResizeExt4Online) {
        throw new StepSkipped('growing a mounted ext4 needs CAP_SYS_RESOURCE, which this process lacks (ext4 growth is still checked at stage by the bigger restore)');
      }
      const response = await cloneOnNode.nodeExpand(expandedBytes);
      const sizeAfter = await visibleSizeBytes(kind, cloneOnNode.targetPath);
      // Filesystem metadata takes a few percent; the device itself must show every byte.
      const minimum = kind === 'block' ? expandedBytes : expandedBytes * 0.9;
      if (sizeAfter < minimum || sizeAfter <= sizeBefore) {
        throw new Error(`${kind === 'block' ? 'device' : 'df'} shows ${formatGiB(sizeAfter)} (was ${formatGiB(sizeBefore)}), expected ≥ ${formatGiB(minimum)}`);
      }
      return {
        detail: `${kind === 'block' ? 'device' : 'df'}: ${formatGiB(sizeBefore)} → ${formatGiB(sizeAfter)}` +
          (response.capacity_bytes && response.capacity_bytes !== '0' ? ` (plugin reports ${formatGiB(Number(response.capacity_bytes))})` : ''),
        value: undefined,
      };
    });
    await checkData(cloneOnNode, written, 'clone after expand');

    await takeDown(restoredOnNode, 'restored');
    await takeDown(cloneOnNode, 'clone');

    await step('DeleteSnapshot', async () => {
      await controller.DeleteSnapshot({ snapshot_id: snapshot.snapshot_id });
      created.snapshots.splice(created.snapshots.indexOf(snapshot.snapshot_id), 1);
      return { detail: `snapshot ${short(snapshot.snapshot_id)} deleted`, value: undefined };
    });
    await step('DeleteVolume ×4', async () => {
      for (const volumeId of [restored.volume_id, bigger.volume_id, clone.volume_id, source.volume_id]) {
        await controller.DeleteVolume({ volume_id: volumeId });
        created.volumes.splice(created.volumes.indexOf(volumeId), 1);
      }
      return { detail: 'restored, bigger restore, clone and source deleted', value: undefined };
    });
    await step('nothing left on the host', async () => {
      const problems = describeLeftovers(await stack.leftovers());
      if (problems.length > 0) throw new Error(problems.join('; '));
      return { detail: 'no mounts, loop devices, by-id links or files left', value: undefined };
    });
  } catch (error) {
    await cleanUp(stack, runner, kind, created);
    throw error;
  }
}

async function describeStaging(mounter: Mounter, nodeVolume: NodeVolume): Promise<string> {
  const mount = await mounter.findMount(nodeVolume.stagingPath);
  if (nodeVolume.kind === 'block') {
    if (mount) throw new Error(`a raw block volume must not be mounted at staging, found ${mount.fstype} from ${mount.source}`);
    return 'raw block: device found, nothing to mount';
  }
  if (!mount) throw new Error(`nothing is mounted at ${nodeVolume.stagingPath}`);
  if (mount.fstype !== nodeVolume.kind) throw new Error(`staging holds ${mount.fstype}, expected ${nodeVolume.kind}`);
  return `${mount.source} (${mount.fstype}) mounted at staging`;
}

async function cleanUp(
  stack: Stack,
  runner: StepRunner,
  kind: VolumeKind,
  created: { volumes: string[]; snapshots: string[]; onNode: NodeVolume[] },
): Promise<void> {
  const problems: string[] = [];
  // Resources may still be transitioning (a snapshot still `creating`): retry for a while before giving up.
  const attempt = async (what: string, action: () => Promise<unknown>): Promise<void> => {
    let lastError: unknown;
    for (let tries = 0; tries < 20; tries += 1) {
      try {
        await action();
        return;
      } catch (error) {
        lastError = error;
        await sleep(250);
      }
    }
    problems.push(`${what}: ${describeError(lastError)}`);
  };
  for (const nodeVolume of created.onNode) {
    await attempt(`unpublish ${short(nodeVolume.volumeId)}`, () => nodeVolume.unpublish());
    await attempt(`unstage ${short(nodeVolume.volumeId)}`, () => nodeVolume.unstage());
    await attempt(`detach ${short(nodeVolume.volumeId)}`, () => nodeVolume.controllerUnpublish());
  }
  for (const snapshotId of created.snapshots) {
    await attempt(`delete snapshot ${short(snapshotId)}`, () => stack.controller.controller.DeleteSnapshot({ snapshot_id: snapshotId }));
  }
  for (const volumeId of [...created.volumes].reverse()) {
    await attempt(`delete volume ${short(volumeId)}`, () => stack.controller.controller.DeleteVolume({ volume_id: volumeId }));
  }
  try {
    await runner.run(kind, 'cleanup after failure', async () => {
      if (problems.length > 0) throw new Error(problems.join('; '));
      return { detail: 'everything this run made was removed', value: undefined };
    });
  } catch {
    // Already recorded; the original failure is what the caller reports.
  }
}
