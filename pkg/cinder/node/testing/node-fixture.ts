/**
 * The node service on a `FakeMounter` and a map-backed device finder: what the per-RPC unit tests
 * share (request builders, a setup with two devices, a gRPC-code assertion).
 */
import { Code, CsiError } from '../../../csi/errors';
import type { CallContext, NodeHandlers } from '../../../csi/handlers';
import type {
  NodeExpandVolumeRequest,
  NodeGetVolumeStatsRequest,
  NodePublishVolumeRequest,
  NodeStageVolumeRequest,
  VolumeCapability__Output,
} from '../../../csi/types';
import { createLogger, silentLogger } from '../../../log/logger';
import { FakeMounter } from '../../../mounter/testing/fake-mounter';
import { DeviceNotFoundError, type DeviceFinder } from '../device-finder';
import type { NodeIdentity, NodeIdentityResolver } from '../../../driver-kit/instance-identity/node-identity';
import { createCinderNodeService, type CinderNodeServiceOptions } from '../service';

export const GiB = 1024 ** 3;
export const VOL = 'c0ffee00-1111-2222-3333-444455556666';
export const OTHER_VOL = 'deadbeef-1111-2222-3333-444455556666';
export const INSTANCE = '0b7a6c43-7f1e-4c57-9c1c-2b5e3c0f9e11';
export const STAGING = '/var/lib/kubelet/plugins/kubernetes.io/csi/cinder.csi.openstack.org/abc/globalmount';
export const TARGET = '/var/lib/kubelet/pods/p1/volumes/kubernetes.io~csi/pv1/mount';
export const BLOCK_TARGET = '/var/lib/kubelet/plugins/kubernetes.io/csi/volumeDevices/publish/pv1/p1';

export const ctx: CallContext = { requestId: 'test', method: 'test', logger: silentLogger };

export type Handlers = Required<NodeHandlers>;

export function mountCapability(fsType = 'ext4', mountFlags: string[] = [], mode = 'SINGLE_NODE_WRITER'): VolumeCapability__Output {
  return {
    mount: { fs_type: fsType, mount_flags: mountFlags, volume_mount_group: '' },
    access_mode: { mode: mode as 'SINGLE_NODE_WRITER' },
    access_type: 'mount',
  };
}

export function blockCapability(mode = 'SINGLE_NODE_WRITER'): VolumeCapability__Output {
  return { block: {}, access_mode: { mode: mode as 'SINGLE_NODE_WRITER' }, access_type: 'block' };
}

export function stageRequest(over: Partial<NodeStageVolumeRequest> = {}): NodeStageVolumeRequest {
  return {
    volume_id: VOL,
    publish_context: {},
    staging_target_path: STAGING,
    volume_capability: mountCapability(),
    secrets: {},
    volume_context: {},
    ...over,
  };
}

export function publishRequest(over: Partial<NodePublishVolumeRequest> = {}): NodePublishVolumeRequest {
  return {
    volume_id: VOL,
    publish_context: {},
    staging_target_path: STAGING,
    target_path: TARGET,
    volume_capability: mountCapability(),
    readonly: false,
    secrets: {},
    volume_context: {},
    ...over,
  };
}

export function expandRequest(over: Partial<NodeExpandVolumeRequest> = {}): NodeExpandVolumeRequest {
  return {
    volume_id: VOL,
    volume_path: TARGET,
    capacity_range: { required_bytes: String(20 * GiB), limit_bytes: '0' },
    staging_target_path: STAGING,
    volume_capability: mountCapability(),
    secrets: {},
    ...over,
  };
}

export function statsRequest(over: Partial<NodeGetVolumeStatsRequest> = {}): NodeGetVolumeStatsRequest {
  return { volume_id: VOL, volume_path: TARGET, staging_target_path: STAGING, ...over };
}

export async function expectCode(promise: Promise<unknown>, code: Code, message?: RegExp | string): Promise<CsiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CsiError);
  const csiError = error as CsiError;
  expect({ code: Code[csiError.code], message: csiError.message }).toEqual({
    code: Code[code],
    message: message instanceof RegExp ? expect.stringMatching(message) : expect.stringContaining(message ?? ''),
  });
  return csiError;
}

export interface Setup {
  mounter: FakeMounter;
  handlers: Handlers;
  devices: Map<string, string>;
  ready: () => Promise<boolean>;
  logs: string[];
}

export function setup(
  over: Partial<CinderNodeServiceOptions> = {},
  identityResult: NodeIdentity | Error = { instanceId: INSTANCE, availabilityZone: 'nova', source: 'configDrive' },
): Setup {
  const mounter = new FakeMounter();
  mounter.addDevice('/dev/vdb', 10 * GiB);
  mounter.addDevice('/dev/vdc', 5 * GiB);
  mounter.addDirectory('/var/lib/kubelet/pods/p1/volumes/kubernetes.io~csi/pv1');
  const devices = new Map([[VOL, '/dev/vdb'], [OTHER_VOL, '/dev/vdc']]);
  const deviceFinder: DeviceFinder = {
    async find(volumeId) {
      const devicePath = devices.get(volumeId);
      if (!devicePath) throw new DeviceNotFoundError(volumeId, 1, [`/dev/disk/by-id/virtio-${volumeId.slice(0, 20)} (missing)`]);
      return { devicePath, foundVia: 'test' };
    },
  };
  const identity: NodeIdentityResolver = {
    async resolve() {
      if (identityResult instanceof Error) throw identityResult;
      return identityResult;
    },
  };
  const logs: string[] = [];
  const service = createCinderNodeService({
    mounter,
    deviceFinder,
    identity,
    logger: createLogger({ sink: (line) => logs.push(line) }),
    ...over,
  });
  return { mounter, handlers: service.handlers as Handlers, devices, ready: service.ready, logs };
}

