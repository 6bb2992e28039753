/**
 * What the conformance suite shares: one stack (simulator + the real plugin serving identity,
 * controller and node on ONE unix socket, in-process for speed), a gRPC-code assertion, unique names,
 * and a ledger of what a test created so every test cleans up after itself even when it fails.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import type { CsiClient } from '../../pkg/csi/client';
import type { VolumeCapability } from '../../pkg/csi/types';
import { GiB, startStack, type Stack } from '../../pkg/stack';
import { codeName } from '../../pkg/csi/errors';
import { cinderStackDriver } from '../../pkg/cinder/stack-driver';
import { canUseLoopDevices } from '../../pkg/mounter/host-capabilities';

export { GiB };

export const canUseLoop = canUseLoopDevices;
export const DEVICE_SKIP_REASON = 'needs root and /dev/loop-control for loop devices and mounts';

export const SINGLE_WRITER_MOUNT: VolumeCapability = {
  mount: { fs_type: 'ext4', mount_flags: [] },
  access_mode: { mode: 'SINGLE_NODE_WRITER' },
};
export const SINGLE_WRITER_BLOCK: VolumeCapability = { block: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' } };

/** Syntactically valid Cinder IDs that name nothing. */
export const missingId = (): string => randomUUID();

/**
 * IDs that name nothing, in the shapes clients send: UUIDs (what Cinder and Nova issue) and csi-sanity's
 * own generated IDs (`fake-vol-id-<uuid>`), which are not UUIDs but must still be "not found", not malformed.
 */
export const MISSING_ID_SHAPES: [string, () => string][] = [
  ['UUID IDs', missingId],
  ['csi-sanity style IDs', () => `fake-vol-id-${randomUUID()}`],
];

export const uniqueName = (prefix: string): string => `sanity-${prefix}-${randomUUID().slice(0, 8)}`;

/** Awaits `call` and asserts it failed with exactly `expected`, naming both codes on mismatch. */
export async function expectCode(call: Promise<unknown>, expected: status): Promise<ServiceError> {
  let outcome: unknown;
  try {
    outcome = await call;
  } catch (error) {
    const serviceError = error as ServiceError;
    if (serviceError.code !== expected) {
      throw new Error(
        `expected ${codeName(expected)}, got ${codeName(serviceError.code)}: ${serviceError.details ?? serviceError.message}`,
        { cause: error },
      );
    }
    return serviceError;
  }
  throw new Error(`expected ${codeName(expected)}, but the call succeeded with ${JSON.stringify(outcome)}`);
}

interface Published {
  volumeId: string;
  nodeId: string;
}
interface NodePath {
  volumeId: string;
  path: string;
}

/** What a test created; `release()` undoes it in reverse dependency order and reports every failure. */
export class Ledger {
  private readonly volumes = new Set<string>();
  private readonly snapshots = new Set<string>();
  private readonly published: Published[] = [];
  private readonly staged: NodePath[] = [];
  private readonly targets: NodePath[] = [];

  constructor(private readonly client: () => CsiClient) {}

  volume(id: string): string {
    this.volumes.add(id);
    return id;
  }
  snapshot(id: string): string {
    this.snapshots.add(id);
    return id;
  }
  controllerPublished(volumeId: string, nodeId: string): void {
    this.published.push({ volumeId, nodeId });
  }
  stagedAt(volumeId: string, stagingPath: string): void {
    this.staged.push({ volumeId, path: stagingPath });
  }
  publishedAt(volumeId: string, targetPath: string): void {
    this.targets.push({ volumeId, path: targetPath });
  }
  forgetSnapshot(id: string): void {
    this.snapshots.delete(id);
  }
  forgetVolume(id: string): void {
    this.volumes.delete(id);
  }

  async release(): Promise<void> {
    const client = this.client();
    const problems: string[] = [];
    const attempt = async (what: string, call: () => Promise<unknown>): Promise<void> => {
      try {
        await call();
      } catch (error) {
        problems.push(`${what}: ${(error as Error).message}`);
      }
    };
    for (const target of this.targets.splice(0)) {
      await attempt(`NodeUnpublish ${target.path}`, () =>
        client.node.NodeUnpublishVolume({ volume_id: target.volumeId, target_path: target.path }),
      );
    }
    for (const staged of this.staged.splice(0)) {
      await attempt(`NodeUnstage ${staged.path}`, () =>
        client.node.NodeUnstageVolume({ volume_id: staged.volumeId, staging_target_path: staged.path }),
      );
    }
    for (const published of this.published.splice(0)) {
      await attempt(`ControllerUnpublish ${published.volumeId}`, () =>
        client.controller.ControllerUnpublishVolume({ volume_id: published.volumeId, node_id: published.nodeId }),
      );
    }
    for (const id of [...this.snapshots]) {
      await attempt(`DeleteSnapshot ${id}`, () => client.controller.DeleteSnapshot({ snapshot_id: id }));
    }
    this.snapshots.clear();
    for (const id of [...this.volumes]) {
      await attempt(`DeleteVolume ${id}`, () => client.controller.DeleteVolume({ volume_id: id }));
    }
    this.volumes.clear();
    if (problems.length > 0) throw new Error(`cleanup failed: ${problems.join('; ')}`);
  }
}

export interface SanitySuite {
  stack(): Stack;
  client(): CsiClient;
  ledger: Ledger;
  logFile: string;
}

/**
 * One stack for the whole suite: the plugin in-process, all services on one socket (as csi-sanity
 * drives a plugin), loop devices when root and none otherwise.
 */
export function setUpSanityStack(): SanitySuite {
  const logFile = path.join(os.tmpdir(), 'openstack-csi-sanity', 'plugin.log');
  let stack: Stack | undefined;
  let socketDir: string | undefined;
  const current = (): Stack => {
    if (!stack) throw new Error(`the stack did not start; see ${logFile}`);
    return stack;
  };
  const client = (): CsiClient => current().controller;
  const ledger = new Ledger(client);

  beforeAll(async () => {
    fs.rmSync(logFile, { force: true });
    socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'csi-sanity-sock-'));
    stack = await startStack({
      driver: cinderStackDriver,
      // In-process by default (fast); SANITY_PLUGIN_MODE=process runs the plugin binary as deployed.
      pluginMode: process.env.SANITY_PLUGIN_MODE === 'process' ? 'process' : 'in-process',
      singleSocket: path.join(socketDir, 'csi.sock'),
      devices: canUseLoop ? 'required' : 'off',
      logFile,
    });
  }, 240_000);
  afterEach(async () => {
    if (stack) await ledger.release();
  }, 120_000);
  afterAll(async () => {
    try {
      await stack?.stop();
    } finally {
      if (socketDir) fs.rmSync(socketDir, { recursive: true, force: true });
    }
  }, 120_000);
  return { stack: current, client, ledger, logFile };
}
