/**
 * The life of an NFS share as Kubernetes drives the Manila plugin, with the data checked through the
 * stand-in partner's bind mounts: create (access rule active) → stage → publish at two targets → write
 * through one, read the same bytes through the other (ReadWriteMany) → snapshot → restore (same bytes) →
 * expand → take everything down → delete → nothing left (mounts, kubelet files, share directories).
 * Shared by the demo (which prints the steps) and the e2e suite (which asserts on the outcome).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { status } from '@grpc/grpc-js';
import type { VolumeCapability } from '../../csi/types';
import { createMounter } from '../../mounter';
import { describeLeftovers, type LifecycleOptions } from '../../stack/lifecycle';
import type { Stack } from '../../stack/stack';
import { describeError, type StepRunner } from '../../stack/steps';

export const MANILA_KINDS = ['nfs'] as const;

const GiB = 1024 ** 3;
const DATA_FILE = 'manila-stack-data.bin';
const DATA_LENGTH = 1024 * 1024;
const SNAPSHOT_READY_TIMEOUT_MS = 60_000;
const RWX: VolumeCapability = { mount: {}, access_mode: { mode: 'MULTI_NODE_MULTI_WRITER' } };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const short = (id: string): string => id.slice(0, 8);
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function removeEmptyDir(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** One share on this node: staged once, published at any number of pod targets. */
class NodeShare {
  readonly stagingPath: string;
  readonly targets: string[];
  staged = false;
  readonly published = new Set<string>();

  constructor(
    private readonly stack: Stack,
    readonly volumeId: string,
    private readonly volumeContext: Record<string, string>,
    pods: readonly string[],
  ) {
    this.stagingPath = stack.stagingPath(volumeId);
    this.targets = pods.map((pod) => stack.targetPath(volumeId, pod));
  }

  async stage(): Promise<void> {
    fs.mkdirSync(this.stagingPath, { recursive: true });
    this.staged = true;
    await this.stack.node.node.NodeStageVolume({
      volume_id: this.volumeId,
      staging_target_path: this.stagingPath,
      volume_capability: RWX,
      volume_context: this.volumeContext,
    });
  }

  async publish(target: string): Promise<void> {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    this.published.add(target);
    await this.stack.node.node.NodePublishVolume({
      volume_id: this.volumeId,
      staging_target_path: this.stagingPath,
      target_path: target,
      volume_capability: RWX,
      readonly: false,
      volume_context: this.volumeContext,
    });
  }

  /** Unpublishes every target and unstages; kubelet's part (removing its directories) included. */
  async takeDown(): Promise<void> {
    for (const target of this.published) {
      await this.stack.node.node.NodeUnpublishVolume({ volume_id: this.volumeId, target_path: target });
      this.published.delete(target);
    }
    // Never recursive: a directory still holding a mount must fail here, not lose the share's files.
    for (const podDir of new Set(this.targets.map((target) => path.dirname(target)))) removeEmptyDir(podDir);
    if (this.staged) {
      await this.stack.node.node.NodeUnstageVolume({ volume_id: this.volumeId, staging_target_path: this.stagingPath });
      removeEmptyDir(this.stagingPath);
      this.staged = false;
    }
  }
}

/** Share and snapshot directories the simulator still keeps on the host. */
function simulatorShareDirs(stack: Stack): string[] {
  const root = path.dirname(path.dirname(stack.simulator.sharedFileSystem.backingDir('probe')));
  return ['shares', 'snapshots'].flatMap((dir) => {
    const full = path.join(root, dir);
    return fs.existsSync(full) ? fs.readdirSync(full).map((entry) => path.join(dir, entry)) : [];
  });
}

export async function runManilaLifecycle(stack: Stack, kind: string, runner: StepRunner, options: LifecycleOptions = {}): Promise<void> {
  if (!(MANILA_KINDS as readonly string[]).includes(kind)) throw new Error(`unknown share kind "${kind}"; choose from ${MANILA_KINDS.join(', ')}`);
  const sizeBytes = options.sizeBytes ?? GiB;
  const expandedBytes = options.expandedBytes ?? 2 * GiB;
  const mounter = createMounter();
  const suffix = randomBytes(3).toString('hex');
  const controller = stack.controller.controller;
  const created = { shares: [] as string[], snapshots: [] as string[], onNode: [] as NodeShare[] };
  const step = <T>(name: string, action: () => Promise<{ detail: string; value: T }>) => runner.run(kind, name, action);
  const nodeStep = async <T>(name: string, action: () => Promise<{ detail: string; value: T }>): Promise<T | undefined> => {
    if (options.skipNodeSteps !== undefined) {
      runner.skip(kind, name, options.skipNodeSteps);
      return undefined;
    }
    return step(name, action);
  };

  const createShare = async (name: string, snapshotId?: string) => {
    const response = await controller.CreateVolume({
      name: `${name}-${kind}-${suffix}`,
      capacity_range: { required_bytes: String(sizeBytes) },
      volume_capabilities: [RWX],
      parameters: {},
      ...(snapshotId ? { volume_content_source: { snapshot: { snapshot_id: snapshotId } } } : {}),
    });
    const volume = response.volume;
    if (!volume?.volume_id) throw new Error('CreateVolume returned no volume ID');
    created.shares.push(volume.volume_id);
    const share = stack.simulator.sharedFileSystem.describeShare(volume.volume_id);
    const rules = (share?.accessRules ?? []) as { accessType: string; accessTo: string; state: string }[];
    if (share?.status !== 'available') throw new Error(`share is ${String(share?.status)}, expected available`);
    if (rules.length === 0 || rules.some((rule) => rule.state !== 'active')) {
      throw new Error(`access rules not all active: ${JSON.stringify(rules)}`);
    }
    return {
      detail: `share ${short(volume.volume_id)}, ${Number(volume.capacity_bytes) / GiB} GiB, ` +
        `rule ${rules.map((rule) => `${rule.accessType} ${rule.accessTo}`).join(', ')} active`,
      value: volume,
    };
  };

  const bringUp = async (nodeShare: NodeShare, label: string): Promise<void> => {
    created.onNode.push(nodeShare);
    await nodeStep(`NodeStageVolume (${label})`, async () => {
      await nodeShare.stage();
      const mount = await mounter.findMount(nodeShare.stagingPath);
      if (!mount) throw new Error(`nothing is mounted at ${nodeShare.stagingPath}`);
      return { detail: `partner bind-mounted the share's export at staging`, value: undefined };
    });
    for (const target of nodeShare.targets) {
      await nodeStep(`NodePublishVolume (${label}, ${path.basename(target)})`, async () => {
        await nodeShare.publish(target);
        if (!(await mounter.findMount(target))) throw new Error(`nothing is mounted at ${target}`);
        return { detail: `share mounted at ${path.relative(stack.kubeletDir, target)}`, value: undefined };
      });
    }
  };

  const takeDown = (nodeShare: NodeShare, label: string) =>
    nodeStep(`NodeUnpublish/UnstageVolume (${label})`, async () => {
      await nodeShare.takeDown();
      for (const target of [...nodeShare.targets, nodeShare.stagingPath]) {
        if (await mounter.findMount(target)) throw new Error(`${target} is still mounted`);
      }
      created.onNode.splice(created.onNode.indexOf(nodeShare), 1);
      return { detail: `${nodeShare.targets.map((target) => path.basename(target)).join(', ')} unpublished, staging unmounted`, value: undefined };
    });

  const readBack = (target: string, expected: string, label: string) =>
    nodeStep(`read the same bytes (${label})`, async () => {
      const actual = sha256(fs.readFileSync(path.join(target, DATA_FILE)));
      if (actual !== expected) throw new Error(`sha256 ${actual} at ${target}, written ${expected}`);
      return { detail: `same 1 MiB through ${path.basename(target)} (sha256 ${expected.slice(0, 12)}…)`, value: undefined };
    });

  try {
    const source = (await step('CreateVolume (NFS share)', () => createShare('source')))!;
    const sourceOnNode = new NodeShare(stack, source.volume_id, source.volume_context, ['pod-a', 'pod-b']);
    await bringUp(sourceOnNode, 'source');
    const [podA, podB] = sourceOnNode.targets;
    const written = await nodeStep('write a file through pod-a', async () => {
      const data = randomBytes(DATA_LENGTH);
      fs.writeFileSync(path.join(podA, DATA_FILE), data);
      return { detail: `1 MiB random, sha256 ${sha256(data).slice(0, 12)}…`, value: sha256(data) };
    });
    if (written !== undefined) await readBack(podB, written, 'ReadWriteMany: pod-b');
    await takeDown(sourceOnNode, 'source');

    const snapshot = (await step('CreateSnapshot', async () => {
      // As the external-snapshotter does: repeat the (idempotent) call until the snapshot is ready.
      const deadline = Date.now() + SNAPSHOT_READY_TIMEOUT_MS;
      for (let calls = 1; ; calls += 1) {
        const snap = (await controller.CreateSnapshot({ name: `snap-${kind}-${suffix}`, source_volume_id: source.volume_id, parameters: {} })).snapshot;
        if (!snap?.snapshot_id) throw new Error('CreateSnapshot returned no snapshot ID');
        if (!created.snapshots.includes(snap.snapshot_id)) created.snapshots.push(snap.snapshot_id);
        if (snap.ready_to_use) {
          return { detail: `snapshot ${short(snap.snapshot_id)} of ${short(source.volume_id)}, ready after ${calls} call(s)`, value: snap };
        }
        if (Date.now() > deadline) throw new Error(`snapshot ${snap.snapshot_id} not ready after ${calls} calls`);
        await sleep(100);
      }
    }))!;

    const restored = (await step('CreateVolume from snapshot', () => createShare('restored', snapshot.snapshot_id)))!;
    const restoredOnNode = new NodeShare(stack, restored.volume_id, restored.volume_context, ['pod-c']);
    await bringUp(restoredOnNode, 'restored');
    if (written !== undefined) await readBack(restoredOnNode.targets[0], written, 'restored');

    await step(`ControllerExpandVolume → ${expandedBytes / GiB} GiB`, async () => {
      const response = await controller.ControllerExpandVolume({
        volume_id: restored.volume_id,
        capacity_range: { required_bytes: String(expandedBytes) },
        volume_capability: RWX,
      });
      if (Number(response.capacity_bytes) < expandedBytes) throw new Error(`capacity ${response.capacity_bytes} < ${expandedBytes}`);
      if (response.node_expansion_required) throw new Error('a share must not ask for node expansion');
      return { detail: `share is ${Number(response.capacity_bytes) / GiB} GiB, no node expansion needed`, value: undefined };
    });
    await takeDown(restoredOnNode, 'restored');

    await step('DeleteSnapshot', async () => {
      await controller.DeleteSnapshot({ snapshot_id: snapshot.snapshot_id });
      created.snapshots.splice(created.snapshots.indexOf(snapshot.snapshot_id), 1);
      return { detail: `snapshot ${short(snapshot.snapshot_id)} deleted`, value: undefined };
    });
    await step('DeleteVolume ×2', async () => {
      let retries = 0;
      for (const volumeId of [restored.volume_id, source.volume_id]) {
        // Manila deletes the snapshot asynchronously; until it is gone the source share answers
        // FAILED_PRECONDITION ("dependent snapshots"), and the external-provisioner retries, as here.
        const deadline = Date.now() + SNAPSHOT_READY_TIMEOUT_MS;
        for (;;) {
          try {
            await controller.DeleteVolume({ volume_id: volumeId });
            break;
          } catch (error) {
            if ((error as { code?: number }).code !== status.FAILED_PRECONDITION || Date.now() > deadline) throw error;
            retries += 1;
            await sleep(100);
          }
        }
        created.shares.splice(created.shares.indexOf(volumeId), 1);
      }
      return {
        detail: `restored and source shares deleted${retries ? ` (${retries} retr${retries === 1 ? 'y' : 'ies'} while the snapshot was still being deleted)` : ''}`,
        value: undefined,
      };
    });
    await step('nothing left on the host', async () => {
      await stack.simulator.whenIdle();
      const problems = describeLeftovers(await stack.leftovers());
      const shareDirs = simulatorShareDirs(stack);
      if (shareDirs.length > 0) problems.push(`simulator share/snapshot directories: ${shareDirs.join(', ')}`);
      if (problems.length > 0) throw new Error(problems.join('; '));
      return { detail: 'no mounts, kubelet files, share or snapshot directories left', value: undefined };
    });
  } catch (error) {
    await cleanUp(stack, runner, kind, created);
    throw error;
  }
}

async function cleanUp(stack: Stack, runner: StepRunner, kind: string, created: { shares: string[]; snapshots: string[]; onNode: NodeShare[] }): Promise<void> {
  const problems: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>): Promise<void> => {
    try {
      await action();
    } catch (error) {
      problems.push(`${what}: ${describeError(error)}`);
    }
  };
  for (const nodeShare of created.onNode) await attempt(`take down ${short(nodeShare.volumeId)}`, () => nodeShare.takeDown());
  for (const snapshotId of created.snapshots) {
    await attempt(`delete snapshot ${short(snapshotId)}`, () => stack.controller.controller.DeleteSnapshot({ snapshot_id: snapshotId }));
  }
  for (const volumeId of [...created.shares].reverse()) {
    await attempt(`delete share ${short(volumeId)}`, () => stack.controller.controller.DeleteVolume({ volume_id: volumeId }));
  }
  await runner
    .run(kind, 'cleanup after failure', async () => {
      if (problems.length > 0) throw new Error(problems.join('; '));
      return { detail: 'everything this run made was removed', value: undefined };
    })
    .catch(() => undefined);
}
