import { Code, CsiError } from '../../csi/errors';
import type { CallContext, NodeHandlers } from '../../csi/handlers';
import type {
  NodeExpandVolumeRequest,
  NodeGetVolumeStatsRequest,
  NodePublishVolumeRequest,
  NodeStageVolumeRequest,
  VolumeCapability__Output,
} from '../../csi/types';
import { createLogger, silentLogger } from '../../log/logger';
import { CommandFailedError } from '../../mounter';
import { FakeMounter } from '../../mounter/testing/fake-mounter';
import { CONTEXT_RESIZE_REQUIRED, TOPOLOGY_ZONE_KEY } from '../constants';
import { DeviceNotFoundError, type DeviceFinder } from './device-finder';
import { NodeIdentityUnavailableError, type NodeIdentity, type NodeIdentityResolver } from '../../driver-kit/instance-identity/node-identity';
import { createCinderNodeService, type CinderNodeServiceOptions } from './service';

const GiB = 1024 ** 3;
const VOL = 'c0ffee00-1111-2222-3333-444455556666';
const OTHER_VOL = 'deadbeef-1111-2222-3333-444455556666';
const INSTANCE = '0b7a6c43-7f1e-4c57-9c1c-2b5e3c0f9e11';
const STAGING = '/var/lib/kubelet/plugins/kubernetes.io/csi/cinder.csi.openstack.org/abc/globalmount';
const TARGET = '/var/lib/kubelet/pods/p1/volumes/kubernetes.io~csi/pv1/mount';
const BLOCK_TARGET = '/var/lib/kubelet/plugins/kubernetes.io/csi/volumeDevices/publish/pv1/p1';

const ctx: CallContext = { requestId: 'test', method: 'test', logger: silentLogger };

type Handlers = Required<NodeHandlers>;

function mountCapability(fsType = 'ext4', mountFlags: string[] = [], mode = 'SINGLE_NODE_WRITER'): VolumeCapability__Output {
  return {
    mount: { fs_type: fsType, mount_flags: mountFlags, volume_mount_group: '' },
    access_mode: { mode: mode as 'SINGLE_NODE_WRITER' },
    access_type: 'mount',
  };
}

function blockCapability(mode = 'SINGLE_NODE_WRITER'): VolumeCapability__Output {
  return { block: {}, access_mode: { mode: mode as 'SINGLE_NODE_WRITER' }, access_type: 'block' };
}

function stageRequest(over: Partial<NodeStageVolumeRequest> = {}): NodeStageVolumeRequest {
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

function publishRequest(over: Partial<NodePublishVolumeRequest> = {}): NodePublishVolumeRequest {
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

function expandRequest(over: Partial<NodeExpandVolumeRequest> = {}): NodeExpandVolumeRequest {
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

function statsRequest(over: Partial<NodeGetVolumeStatsRequest> = {}): NodeGetVolumeStatsRequest {
  return { volume_id: VOL, volume_path: TARGET, staging_target_path: STAGING, ...over };
}

async function expectCode(promise: Promise<unknown>, code: Code, message?: RegExp | string): Promise<CsiError> {
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

interface Setup {
  mounter: FakeMounter;
  handlers: Handlers;
  devices: Map<string, string>;
  ready: () => Promise<boolean>;
  logs: string[];
}

function setup(
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

describe('NodeGetCapabilities', () => {
  it('advertises stage/unstage, expand, stats, condition and single-node multi-writer', async () => {
    const { handlers } = setup();
    const response = await handlers.NodeGetCapabilities({}, ctx);
    expect(response.capabilities?.map((c) => c.rpc?.type)).toEqual([
      'STAGE_UNSTAGE_VOLUME',
      'EXPAND_VOLUME',
      'GET_VOLUME_STATS',
      'VOLUME_CONDITION',
      'SINGLE_NODE_MULTI_WRITER',
    ]);
  });
});

describe('NodeGetInfo', () => {
  it('reports the instance UUID, the sanitised zone, extra topology and 256 volumes by default', async () => {
    const { handlers } = setup(
      { additionalTopology: { 'topology.kubernetes.io/region': 'RegionOne' } },
      { instanceId: INSTANCE, availabilityZone: ' Zone A/b!', source: 'metadataService' },
    );
    expect(await handlers.NodeGetInfo({}, ctx)).toEqual({
      node_id: INSTANCE,
      max_volumes_per_node: 256,
      accessible_topology: { segments: { [TOPOLOGY_ZONE_KEY]: 'Zone-A-b', 'topology.kubernetes.io/region': 'RegionOne' } },
    });
  });

  it.each([
    [10, 10],
    [256, 256],
    [0, 256],
    [-3, 256],
    [300, 256],
  ])('node-volume-attach-limit %p gives %p', async (configured, expected) => {
    const { handlers, logs } = setup({ nodeVolumeAttachLimit: configured });
    expect((await handlers.NodeGetInfo({}, ctx)).max_volumes_per_node).toBe(expected);
    expect(logs.some((line) => line.includes('node-volume-attach-limit out of range'))).toBe(configured !== expected);
  });

  it('leaves the zone out without topology or without a known zone', async () => {
    expect((await setup({ withTopology: false }).handlers.NodeGetInfo({}, ctx)).accessible_topology).toBeNull();
    const noZone = setup({}, { instanceId: INSTANCE, source: 'Kubernetes Node' });
    expect((await noZone.handlers.NodeGetInfo({}, ctx)).accessible_topology).toBeNull();
  });

  it('answers UNAVAILABLE with every attempt when the instance is unknown', async () => {
    const { handlers, ready } = setup(
      {},
      new NodeIdentityUnavailableError([
        { source: 'configDrive', error: 'no drive' },
        { source: 'metadataService', error: 'ETIMEDOUT' },
      ]),
    );
    await expectCode(handlers.NodeGetInfo({}, ctx), Code.UNAVAILABLE, /configDrive: no drive; metadataService: ETIMEDOUT/);
    expect(await ready()).toBe(false);
  });

  it('is ready once the identity is known', async () => {
    expect(await setup().ready()).toBe(true);
  });
});

describe('request validation', () => {
  const cases: [string, (h: Handlers) => Promise<unknown>, RegExp][] = [
    ['stage without volume_id', (h) => h.NodeStageVolume(stageRequest({ volume_id: '' }), ctx), /volume_id is required/],
    ['stage with a path-like volume_id', (h) => h.NodeStageVolume(stageRequest({ volume_id: '../../etc' }), ctx), /not a Cinder volume ID/],
    ['stage without staging path', (h) => h.NodeStageVolume(stageRequest({ staging_target_path: '' }), ctx), /staging_target_path is required/],
    ['stage with a relative path', (h) => h.NodeStageVolume(stageRequest({ staging_target_path: 'rel/path' }), ctx), /must be an absolute path/],
    ['stage without capability', (h) => h.NodeStageVolume(stageRequest({ volume_capability: null }), ctx), /volume_capability is required/],
    [
      'stage without access mode',
      (h) => h.NodeStageVolume(stageRequest({ volume_capability: { ...mountCapability(), access_mode: null } }), ctx),
      /access_mode.mode is required/,
    ],
    [
      'stage without access type',
      (h) => h.NodeStageVolume(stageRequest({ volume_capability: { access_mode: { mode: 'SINGLE_NODE_WRITER' } } }), ctx),
      /access type: mount or block/,
    ],
    ['unstage without path', (h) => h.NodeUnstageVolume({ volume_id: VOL, staging_target_path: '' }, ctx), /staging_target_path is required/],
    ['unstage without volume_id', (h) => h.NodeUnstageVolume({ volume_id: '', staging_target_path: STAGING }, ctx), /volume_id is required/],
    ['publish without target', (h) => h.NodePublishVolume(publishRequest({ target_path: '' }), ctx), /target_path is required/],
    ['publish without capability', (h) => h.NodePublishVolume(publishRequest({ volume_capability: null }), ctx), /volume_capability is required/],
    [
      'publish of an inline ephemeral volume',
      (h) => h.NodePublishVolume(publishRequest({ volume_context: { 'csi.storage.k8s.io/ephemeral': 'true' } }), ctx),
      /inline ephemeral volumes are not supported.*generic ephemeral volume/,
    ],
    ['unpublish without target', (h) => h.NodeUnpublishVolume({ volume_id: VOL, target_path: '' }, ctx), /target_path is required/],
    ['expand without path', (h) => h.NodeExpandVolume(expandRequest({ volume_path: '' }), ctx), /volume_path is required/],
    [
      'expand with a bad size',
      (h) => h.NodeExpandVolume(expandRequest({ capacity_range: { required_bytes: '-5', limit_bytes: '0' } }), ctx),
      /required_bytes "-5" must be a non-negative whole number/,
    ],
    ['stats without volume_id', (h) => h.NodeGetVolumeStats(statsRequest({ volume_id: '' }), ctx), /volume_id is required/],
    ['stats without path', (h) => h.NodeGetVolumeStats(statsRequest({ volume_path: '' }), ctx), /volume_path is required/],
  ];
  it.each(cases)('%s → INVALID_ARGUMENT', async (_name, call, message) => {
    const { handlers, mounter } = setup();
    await expectCode(call(handlers), Code.INVALID_ARGUMENT, message);
    expect(mounter.callsOf('mount')).toEqual([]);
    expect(mounter.callsOf('format')).toEqual([]);
  });

  // The CSI error tables of NodeStage/NodePublish: "Exceeds capabilities" and "Staging target path not set"
  // are FAILED_PRECONDITION, not malformed requests.
  const preconditions: [string, (h: Handlers) => Promise<unknown>, RegExp][] = [
    [
      'stage with an unsupported filesystem',
      (h) => h.NodeStageVolume(stageRequest({ volume_capability: mountCapability('ntfs') }), ctx),
      /fs_type "ntfs" is not supported; use one of ext2, ext3, ext4, xfs, btrfs/,
    ],
    [
      'stage of a multi-node multi-writer filesystem',
      (h) => h.NodeStageVolume(stageRequest({ volume_capability: mountCapability('ext4', [], 'MULTI_NODE_MULTI_WRITER') }), ctx),
      /MULTI_NODE_MULTI_WRITER is only possible for block volumes/,
    ],
    [
      'publish of a multi-node multi-writer filesystem',
      (h) => h.NodePublishVolume(publishRequest({ volume_capability: mountCapability('ext4', [], 'MULTI_NODE_MULTI_WRITER') }), ctx),
      /MULTI_NODE_MULTI_WRITER is only possible for block volumes/,
    ],
    [
      'publish without staging path',
      (h) => h.NodePublishVolume(publishRequest({ staging_target_path: '' }), ctx),
      /staging_target_path is not set.*STAGE_UNSTAGE_VOLUME/,
    ],
  ];
  it.each(preconditions)('%s → FAILED_PRECONDITION', async (_name, call, message) => {
    const { handlers, mounter } = setup();
    await expectCode(call(handlers), Code.FAILED_PRECONDITION, message);
    expect(mounter.callsOf('mount')).toEqual([]);
    expect(mounter.callsOf('format')).toEqual([]);
  });

  it('checks the capability before the staging path, so a request missing both is INVALID_ARGUMENT', async () => {
    const { handlers } = setup();
    await expectCode(
      handlers.NodePublishVolume(publishRequest({ staging_target_path: '', volume_capability: null }), ctx),
      Code.INVALID_ARGUMENT,
      /volume_capability is required/,
    );
  });
});

describe('NodeStageVolume', () => {
  it('formats a blank device with ext4 by default and mounts it with the capability flags', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest({ volume_capability: mountCapability('', ['noatime']) }), ctx);
    expect(mounter.callsOf('format')).toEqual([['/dev/vdb', 'ext4']]);
    expect(mounter.callsOf('mount')).toEqual([['/dev/vdb', STAGING, 'ext4', ['noatime']]]);
    expect(mounter.mounts.find((m) => m.target === STAGING)).toMatchObject({ source: '/dev/vdb', fstype: 'ext4' });
    expect(mounter.callsOf('resize')).toEqual([]);
  });

  it('mounts xfs with nouuid, once', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest({ volume_capability: mountCapability('xfs') }), ctx);
    expect(mounter.callsOf('mount')).toEqual([['/dev/vdb', STAGING, 'xfs', ['nouuid']]]);
    const again = setup();
    await again.handlers.NodeStageVolume(stageRequest({ volume_capability: mountCapability('XFS', ['nouuid']) }), ctx);
    expect(again.mounter.callsOf('mount')).toEqual([['/dev/vdb', STAGING, 'xfs', ['nouuid']]]);
  });

  it('never formats a device that already has the filesystem, and checks ext with fsck first', async () => {
    const { handlers, mounter } = setup();
    mounter.device('/dev/vdb')!.fsType = 'ext4';
    await handlers.NodeStageVolume(stageRequest(), ctx);
    expect(mounter.callsOf('format')).toEqual([]);
    const ops = mounter.calls.map((c) => c.op).filter((op) => ['probe', 'fsck', 'mount'].includes(op));
    expect(ops).toEqual(['probe', 'fsck', 'mount']);
    expect(mounter.callsOf('fsck')).toEqual([['/dev/vdb', { force: false }]]);
  });

  it('tolerates fsck having corrected errors', async () => {
    const { handlers, mounter } = setup();
    Object.assign(mounter.device('/dev/vdb')!, { fsType: 'ext4', fsckExitCode: 1 });
    const logs: string[] = [];
    await handlers.NodeStageVolume(stageRequest(), { ...ctx, logger: createLogger({ sink: (line) => logs.push(line) }) });
    expect(await mounter.isMountPoint(STAGING)).toBe(true);
    expect(logs.some((line) => line.includes('fsck corrected filesystem errors'))).toBe(true);
  });

  it('refuses to mount a filesystem fsck cannot repair', async () => {
    const { handlers, mounter } = setup();
    Object.assign(mounter.device('/dev/vdb')!, { fsType: 'ext4', fsckExitCode: 4 });
    await expectCode(handlers.NodeStageVolume(stageRequest(), ctx), Code.FAILED_PRECONDITION, /could not correct.*repair the filesystem by hand/);
    expect(mounter.callsOf('mount')).toEqual([]);
    expect(mounter.callsOf('format')).toEqual([]);
  });

  it('never formats when the probe is uncertain', async () => {
    const { handlers, mounter } = setup();
    mounter.device('/dev/vdb')!.uncertainProbe = 'blkid exit code 8: ambivalent result';
    await expectCode(handlers.NodeStageVolume(stageRequest(), ctx), Code.INTERNAL, /ambivalent result\); refusing to format it/);
    expect(mounter.callsOf('format')).toEqual([]);
    expect(mounter.callsOf('mount')).toEqual([]);
  });

  it('refuses to reformat another filesystem type', async () => {
    const { handlers, mounter } = setup();
    mounter.device('/dev/vdb')!.fsType = 'xfs';
    await expectCode(
      handlers.NodeStageVolume(stageRequest(), ctx),
      Code.FAILED_PRECONDITION,
      /already holds a xfs filesystem but ext4 was requested; refusing to reformat/,
    );
    expect(mounter.callsOf('format')).toEqual([]);
    expect(mounter.callsOf('mount')).toEqual([]);
  });

  it('mounts an older ext filesystem as what it is', async () => {
    const { handlers, mounter } = setup();
    mounter.device('/dev/vdb')!.fsType = 'ext3';
    await handlers.NodeStageVolume(stageRequest(), ctx);
    expect(mounter.callsOf('mount')).toEqual([['/dev/vdb', STAGING, 'ext3', []]]);
  });

  it('refuses a device with only a partition table', async () => {
    const { handlers, mounter } = setup();
    mounter.device('/dev/vdb')!.partitionTableType = 'gpt';
    await expectCode(handlers.NodeStageVolume(stageRequest(), ctx), Code.FAILED_PRECONDITION, /gpt partition table and no filesystem/);
    expect(mounter.callsOf('format')).toEqual([]);
  });

  it('is idempotent when the same device is already staged', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest(), ctx);
    await handlers.NodeStageVolume(stageRequest(), ctx);
    expect(mounter.callsOf('mount')).toHaveLength(1);
    expect(mounter.callsOf('format')).toHaveLength(1);
  });

  it('fails when something else is staged at the path', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest({ volume_id: OTHER_VOL }), ctx);
    await expectCode(
      handlers.NodeStageVolume(stageRequest(), ctx),
      Code.FAILED_PRECONDITION,
      `${STAGING} is already mounted from /dev/vdc, not from /dev/vdb`,
    );
    expect(mounter.callsOf('mount')).toHaveLength(1);
  });

  it('answers NOT_FOUND with what was looked at when the device is missing', async () => {
    const { handlers, devices } = setup();
    devices.delete(VOL);
    await expectCode(handlers.NodeStageVolume(stageRequest(), ctx), Code.NOT_FOUND, /virtio-c0ffee00-1111-2222-3 \(missing\)/);
  });

  it('rejects a found path that is not a block device', async () => {
    const { handlers, devices, mounter } = setup();
    mounter.addDirectory('/srv/not-a-disk');
    devices.set(VOL, '/srv/not-a-disk');
    await expectCode(handlers.NodeStageVolume(stageRequest(), ctx), Code.FAILED_PRECONDITION, /is not a block device/);
  });

  it('grows an existing ext filesystem before mounting when resizeRequired', async () => {
    const { handlers, mounter } = setup();
    Object.assign(mounter.device('/dev/vdb')!, { fsType: 'ext4', fsSizeBytes: 1 * GiB });
    await handlers.NodeStageVolume(stageRequest({ volume_context: { [CONTEXT_RESIZE_REQUIRED]: 'true' } }), ctx);
    const ops = mounter.calls.map((c) => c.op).filter((op) => ['fsck', 'resize', 'mount'].includes(op));
    expect(ops).toEqual(['fsck', 'resize', 'mount']);
    expect(mounter.callsOf('fsck')).toEqual([['/dev/vdb', { force: true }]]);
    expect(mounter.device('/dev/vdb')!.fsSizeBytes).toBe(10 * GiB);
  });

  it('grows ext after mounting when the offline grow fails', async () => {
    const { handlers, mounter } = setup();
    Object.assign(mounter.device('/dev/vdb')!, { fsType: 'ext4', fsSizeBytes: 1 * GiB });
    mounter.failNext('resize', new CommandFailedError('resize2fs', ['/dev/vdb'], 1, "Please run 'e2fsck -f /dev/vdb' first."));
    await handlers.NodeStageVolume(stageRequest({ volume_context: { [CONTEXT_RESIZE_REQUIRED]: 'true' } }), ctx);
    expect(mounter.callsOf('resize')).toEqual([
      ['/dev/vdb', '', 'ext4'],
      ['/dev/vdb', STAGING, 'ext4'],
    ]);
    expect(mounter.device('/dev/vdb')!.fsSizeBytes).toBe(10 * GiB);
  });

  it('grows xfs after mounting when resizeRequired', async () => {
    const { handlers, mounter } = setup();
    Object.assign(mounter.device('/dev/vdb')!, { fsType: 'xfs', fsSizeBytes: 1 * GiB });
    await handlers.NodeStageVolume(
      stageRequest({ volume_capability: mountCapability('xfs'), volume_context: { [CONTEXT_RESIZE_REQUIRED]: 'true' } }),
      ctx,
    );
    const ops = mounter.calls.map((c) => c.op).filter((op) => ['resize', 'mount'].includes(op));
    expect(ops).toEqual(['mount', 'resize']);
    expect(mounter.callsOf('resize')).toEqual([['/dev/vdb', STAGING, 'xfs']]);
  });

  it('does not grow without resizeRequired or after a fresh format', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest({ volume_context: { [CONTEXT_RESIZE_REQUIRED]: 'true' } }), ctx);
    expect(mounter.callsOf('resize')).toEqual([]);
  });

  it('grows an already staged volume when resizeRequired', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest(), ctx);
    mounter.device('/dev/vdb')!.fsSizeBytes = 1 * GiB;
    await handlers.NodeStageVolume(stageRequest({ volume_context: { [CONTEXT_RESIZE_REQUIRED]: 'true' } }), ctx);
    expect(mounter.callsOf('resize')).toEqual([['/dev/vdb', STAGING, 'ext4']]);
  });

  it('leaves raw block volumes alone, multi-writer included', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest({ volume_capability: blockCapability('MULTI_NODE_MULTI_WRITER') }), ctx);
    expect(mounter.callsOf('probe')).toEqual([]);
    expect(mounter.callsOf('mount')).toEqual([]);
    expect(mounter.callsOf('makeDir')).toEqual([]);
  });

  it('reports a failed mount with the command output', async () => {
    const { handlers, mounter } = setup();
    mounter.failNext('mount', new CommandFailedError('mount', ['-t', 'ext4', '/dev/vdb', STAGING], 32, 'mount: bad superblock'));
    await expectCode(handlers.NodeStageVolume(stageRequest(), ctx), Code.INTERNAL, /staging volume .* at .*: mount -t ext4 .* exit code 32: mount: bad superblock/);
  });
});

describe('NodeUnstageVolume', () => {
  it('unmounts and removes the staging path, and is idempotent', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest(), ctx);
    await handlers.NodeUnstageVolume({ volume_id: VOL, staging_target_path: STAGING }, ctx);
    expect(await mounter.isMountPoint(STAGING)).toBe(false);
    expect(await mounter.statPath(STAGING)).toBeUndefined();
    await handlers.NodeUnstageVolume({ volume_id: VOL, staging_target_path: STAGING }, ctx);
    expect(mounter.callsOf('unmount')).toHaveLength(1);
  });

  it('never unmounts a parent of the given path', async () => {
    const { handlers, mounter } = setup();
    mounter.addDirectory('/mnt/outer');
    await mounter.mount('/dev/vdc', '/mnt/outer', 'ext4', []).catch(() => undefined);
    mounter.device('/dev/vdc')!.fsType = 'ext4';
    await mounter.mount('/dev/vdc', '/mnt/outer', 'ext4', []);
    mounter.addDirectory('/mnt/outer/inner');
    await handlers.NodeUnstageVolume({ volume_id: VOL, staging_target_path: '/mnt/outer/inner' }, ctx);
    expect(mounter.callsOf('unmount')).toEqual([]);
    expect(await mounter.isMountPoint('/mnt/outer')).toBe(true);
    expect(await mounter.statPath('/mnt/outer/inner')).toBeUndefined();
  });

  it('peels off stacked mounts at the path', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest(), ctx);
    await mounter.bindMount(STAGING, STAGING);
    await handlers.NodeUnstageVolume({ volume_id: VOL, staging_target_path: STAGING }, ctx);
    expect(mounter.callsOf('unmount')).toHaveLength(2);
    expect(await mounter.statPath(STAGING)).toBeUndefined();
  });

  it('refuses to delete content left in the path', async () => {
    const { handlers, mounter } = setup();
    mounter.addDirectory(`${STAGING}/leftover`);
    await expectCode(handlers.NodeUnstageVolume({ volume_id: VOL, staging_target_path: STAGING }, ctx), Code.INTERNAL, /ENOTEMPTY/);
    expect(await mounter.statPath(`${STAGING}/leftover`)).toEqual({ kind: 'directory' });
  });

  it('reports a failed unmount', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest(), ctx);
    mounter.failNext('unmount', new CommandFailedError('umount', [STAGING], 32, 'target is busy'));
    await expectCode(handlers.NodeUnstageVolume({ volume_id: VOL, staging_target_path: STAGING }, ctx), Code.INTERNAL, /target is busy/);
    expect(await mounter.isMountPoint(STAGING)).toBe(true);
  });
});

describe('NodePublishVolume', () => {
  async function staged(fsType = 'ext4'): Promise<Setup> {
    const s = setup();
    await s.handlers.NodeStageVolume(stageRequest({ volume_capability: mountCapability(fsType) }), ctx);
    return s;
  }

  it('bind-mounts the staging mount onto the target', async () => {
    const { handlers, mounter } = await staged();
    await handlers.NodePublishVolume(publishRequest({ volume_capability: mountCapability('ext4', ['noatime', 'discard', 'nosuid']) }), ctx);
    expect(mounter.callsOf('bindMount')).toEqual([[STAGING, TARGET, { readOnly: false, options: ['noatime', 'nosuid'] }]]);
    expect(await mounter.findMount(TARGET)).toMatchObject({ source: '/dev/vdb', fsroot: '/', vfsOptions: expect.arrayContaining(['rw']) });
  });

  it('publishes read-only when asked or when the access mode is reader-only', async () => {
    const a = await staged();
    await a.handlers.NodePublishVolume(publishRequest({ readonly: true }), ctx);
    expect((await a.mounter.findMount(TARGET))?.vfsOptions).toContain('ro');
    const b = await staged();
    await b.handlers.NodePublishVolume(publishRequest({ volume_capability: mountCapability('ext4', [], 'MULTI_NODE_READER_ONLY') }), ctx);
    expect((await b.mounter.findMount(TARGET))?.vfsOptions).toContain('ro');
  });

  it('is idempotent', async () => {
    const { handlers, mounter } = await staged();
    await handlers.NodePublishVolume(publishRequest(), ctx);
    await handlers.NodePublishVolume(publishRequest(), ctx);
    expect(mounter.callsOf('bindMount')).toHaveLength(1);
  });

  it('answers ALREADY_EXISTS when published with the other read-only setting', async () => {
    const { handlers } = await staged();
    await handlers.NodePublishVolume(publishRequest(), ctx);
    await expectCode(handlers.NodePublishVolume(publishRequest({ readonly: true }), ctx), Code.ALREADY_EXISTS, /already published read-write, but read-only was requested/);
  });

  it('fails when another source is mounted at the target', async () => {
    const { handlers, mounter } = await staged();
    mounter.device('/dev/vdc')!.fsType = 'ext4';
    mounter.addDirectory(TARGET);
    await mounter.mount('/dev/vdc', TARGET, 'ext4', []);
    await expectCode(handlers.NodePublishVolume(publishRequest(), ctx), Code.FAILED_PRECONDITION, `${TARGET} is already mounted from /dev/vdc`);
  });

  it('needs the volume to be staged first', async () => {
    const { handlers, mounter } = setup();
    await expectCode(handlers.NodePublishVolume(publishRequest(), ctx), Code.FAILED_PRECONDITION, /is not staged at .*call NodeStageVolume first/);
    expect(mounter.callsOf('bindMount')).toEqual([]);
  });

  it('binds a raw block device onto a file at the target', async () => {
    const { handlers, mounter } = setup();
    const request = publishRequest({ target_path: BLOCK_TARGET, volume_capability: blockCapability() });
    await handlers.NodePublishVolume(request, ctx);
    expect(mounter.callsOf('makeFile')).toEqual([[BLOCK_TARGET]]);
    expect(mounter.callsOf('bindMount')).toEqual([['/dev/vdb', BLOCK_TARGET, { readOnly: false, options: [] }]]);
    expect(await mounter.statPath(BLOCK_TARGET)).toEqual(await mounter.statPath('/dev/vdb'));
    await handlers.NodePublishVolume(request, ctx);
    expect(mounter.callsOf('bindMount')).toHaveLength(1);
  });

  it('fails when another device is bound at a block target', async () => {
    const { handlers, mounter } = setup();
    await mounter.makeFile(BLOCK_TARGET);
    await mounter.bindMount('/dev/vdc', BLOCK_TARGET);
    await expectCode(
      handlers.NodePublishVolume(publishRequest({ target_path: BLOCK_TARGET, volume_capability: blockCapability() }), ctx),
      Code.FAILED_PRECONDITION,
      /already has another device mounted on it, not \/dev\/vdb/,
    );
  });
});

describe('NodeUnpublishVolume', () => {
  it('unmounts and removes the target, leaving the staging mount, and is idempotent', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest(), ctx);
    await handlers.NodePublishVolume(publishRequest(), ctx);
    await handlers.NodeUnpublishVolume({ volume_id: VOL, target_path: TARGET }, ctx);
    expect(await mounter.statPath(TARGET)).toBeUndefined();
    expect(await mounter.isMountPoint(STAGING)).toBe(true);
    await handlers.NodeUnpublishVolume({ volume_id: VOL, target_path: TARGET }, ctx);
    expect(mounter.callsOf('unmount')).toHaveLength(1);
  });

  it('removes a block target file', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodePublishVolume(publishRequest({ target_path: BLOCK_TARGET, volume_capability: blockCapability() }), ctx);
    await handlers.NodeUnpublishVolume({ volume_id: VOL, target_path: BLOCK_TARGET }, ctx);
    expect(await mounter.statPath(BLOCK_TARGET)).toBeUndefined();
    expect(await mounter.statPath('/dev/vdb')).toMatchObject({ kind: 'blockDevice' });
  });
});

describe('NodeExpandVolume', () => {
  async function published(fsType = 'ext4', over: Partial<CinderNodeServiceOptions> = {}): Promise<Setup> {
    const s = setup(over);
    await s.handlers.NodeStageVolume(stageRequest({ volume_capability: mountCapability(fsType) }), ctx);
    await s.handlers.NodePublishVolume(publishRequest({ volume_capability: mountCapability(fsType) }), ctx);
    return s;
  }

  it('grows the filesystem of the mounted device and reports the device size', async () => {
    const { handlers, mounter } = await published('xfs');
    mounter.device('/dev/vdb')!.sizeBytes = 20 * GiB;
    const response = await handlers.NodeExpandVolume(expandRequest(), ctx);
    expect(response).toEqual({ capacity_bytes: 20 * GiB });
    expect(mounter.callsOf('resize')).toEqual([['/dev/vdb', TARGET, 'xfs']]);
    expect(mounter.device('/dev/vdb')!.fsSizeBytes).toBe(20 * GiB);
  });

  it('rescans a device the kernel has not seen grow, with rescan-on-resize', async () => {
    const { handlers, mounter } = await published('ext4', { rescanOnResize: true });
    mounter.device('/dev/vdb')!.pendingSizeBytes = 20 * GiB;
    expect(await handlers.NodeExpandVolume(expandRequest(), ctx)).toEqual({ capacity_bytes: 20 * GiB });
    expect(mounter.callsOf('rescan')).toEqual([['/dev/vdb']]);
    expect(mounter.device('/dev/vdb')!.fsSizeBytes).toBe(20 * GiB);
  });

  it('does not rescan a device that is already large enough', async () => {
    const { handlers, mounter } = await published('ext4', { rescanOnResize: true });
    await handlers.NodeExpandVolume(expandRequest({ capacity_range: { required_bytes: String(10 * GiB), limit_bytes: '0' } }), ctx);
    expect(mounter.callsOf('rescan')).toEqual([]);
    expect(mounter.callsOf('resize')).toHaveLength(1);
  });

  it('fails clearly when the device is still smaller than requested', async () => {
    const { handlers, mounter } = await published('ext4');
    mounter.device('/dev/vdb')!.pendingSizeBytes = 20 * GiB;
    await expectCode(handlers.NodeExpandVolume(expandRequest(), ctx), Code.FAILED_PRECONDITION, /smaller than the requested .*rescan-on-resize/);
    expect(mounter.callsOf('rescan')).toEqual([]);
    expect(mounter.callsOf('resize')).toEqual([]);
  });

  it('has nothing to grow for a raw block volume', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodePublishVolume(publishRequest({ target_path: BLOCK_TARGET, volume_capability: blockCapability() }), ctx);
    mounter.device('/dev/vdb')!.sizeBytes = 20 * GiB;
    const response = await handlers.NodeExpandVolume(expandRequest({ volume_path: BLOCK_TARGET, volume_capability: blockCapability() }), ctx);
    expect(response).toEqual({ capacity_bytes: 20 * GiB });
    expect(mounter.callsOf('resize')).toEqual([]);
  });

  it('answers NOT_FOUND for a missing path and FAILED_PRECONDITION for an unmounted one', async () => {
    const { handlers, mounter } = setup();
    await expectCode(handlers.NodeExpandVolume(expandRequest(), ctx), Code.NOT_FOUND, `volume_path ${TARGET} does not exist`);
    mounter.addDirectory(TARGET);
    await expectCode(handlers.NodeExpandVolume(expandRequest(), ctx), Code.FAILED_PRECONDITION, /is not a mount point/);
    expect(mounter.callsOf('resize')).toEqual([]);
  });

  it('refuses to grow a filesystem on another volume’s device', async () => {
    const { handlers, mounter, devices } = await published('ext4');
    devices.set(VOL, '/dev/vdc');
    await expectCode(handlers.NodeExpandVolume(expandRequest(), ctx), Code.FAILED_PRECONDITION, /mounted from \/dev\/vdb, not from \/dev\/vdc/);
    expect(mounter.callsOf('resize')).toEqual([]);
  });

  it('reports a failed grow', async () => {
    const { handlers, mounter } = await published('btrfs');
    mounter.failNext('resize', new CommandFailedError('btrfs', ['filesystem', 'resize', 'max', TARGET], 1, 'ERROR: unable to resize'));
    await expectCode(handlers.NodeExpandVolume(expandRequest({ capacity_range: null }), ctx), Code.INTERNAL, /ERROR: unable to resize/);
  });
});

describe('NodeGetVolumeStats', () => {
  async function published(): Promise<Setup> {
    const s = setup();
    await s.handlers.NodeStageVolume(stageRequest(), ctx);
    await s.handlers.NodePublishVolume(publishRequest(), ctx);
    s.mounter.device('/dev/vdb')!.usedBytes = 3 * GiB;
    return s;
  }

  it('reports bytes and inodes of a healthy volume', async () => {
    const { handlers } = await published();
    const totalInodes = Math.floor((10 * GiB) / 16384);
    expect(await handlers.NodeGetVolumeStats(statsRequest(), ctx)).toEqual({
      usage: [
        { unit: 'BYTES', total: 10 * GiB, available: 7 * GiB, used: 3 * GiB },
        { unit: 'INODES', total: totalInodes, available: totalInodes - 11, used: 11 },
      ],
      volume_condition: { abnormal: false, message: 'volume is healthy' },
    });
  });

  it('answers NOT_FOUND for a missing path', async () => {
    const { handlers } = setup();
    await expectCode(handlers.NodeGetVolumeStats(statsRequest(), ctx), Code.NOT_FOUND, `volume_path ${TARGET} does not exist`);
  });

  it('flags a vanished staging mount', async () => {
    const { handlers, mounter } = await published();
    await mounter.unmount(STAGING);
    const response = await handlers.NodeGetVolumeStats(statsRequest(), ctx);
    expect(response.volume_condition).toEqual({ abnormal: true, message: `the staging mount at ${STAGING} is gone` });
  });

  it('flags a filesystem the kernel made read-only', async () => {
    const { handlers, mounter } = await published();
    mounter.setSuperblockReadOnly(STAGING);
    const response = await handlers.NodeGetVolumeStats(statsRequest(), ctx);
    expect(response.volume_condition).toEqual({ abnormal: true, message: expect.stringMatching(/\/dev\/vdb was made read-only by the kernel/) });
  });

  it('does not flag a volume published read-only on purpose', async () => {
    const s = setup();
    await s.handlers.NodeStageVolume(stageRequest(), ctx);
    await s.handlers.NodePublishVolume(publishRequest({ readonly: true }), ctx);
    expect((await s.handlers.NodeGetVolumeStats(statsRequest({ staging_target_path: '' }), ctx)).volume_condition).toEqual({
      abnormal: false,
      message: 'volume is healthy',
    });
  });

  it('flags a vanished device', async () => {
    const { handlers, mounter } = await published();
    mounter.removeDevice('/dev/vdb');
    const response = await handlers.NodeGetVolumeStats(statsRequest(), ctx);
    expect(response.volume_condition).toEqual({ abnormal: true, message: 'the device /dev/vdb behind the volume is gone' });
  });

  it('flags a target that is no longer a mount point', async () => {
    const { handlers, mounter } = await published();
    await mounter.unmount(TARGET);
    const response = await handlers.NodeGetVolumeStats(statsRequest(), ctx);
    expect(response.volume_condition).toEqual({ abnormal: true, message: `${TARGET} is not a mount point any more` });
  });

  it('reports the size of a raw block volume, and flags it when the device is gone', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodePublishVolume(publishRequest({ target_path: BLOCK_TARGET, volume_capability: blockCapability() }), ctx);
    expect(await handlers.NodeGetVolumeStats(statsRequest({ volume_path: BLOCK_TARGET }), ctx)).toEqual({
      usage: [{ unit: 'BYTES', total: 10 * GiB }],
      volume_condition: { abnormal: false, message: 'volume is healthy' },
    });
    mounter.removeDevice('/dev/vdb');
    const response = await handlers.NodeGetVolumeStats(statsRequest({ volume_path: BLOCK_TARGET }), ctx);
    expect(response.usage).toEqual([{ unit: 'BYTES', total: 0 }]);
    expect(response.volume_condition).toEqual({ abnormal: true, message: expect.stringContaining(`the block device behind ${BLOCK_TARGET} is gone`) });
  });

  it('reports a path that cannot be stat-ed (dead mount) as a condition', async () => {
    const { handlers, mounter } = await published();
    mounter.failNext('statPath', new Error('cannot stat x: ENOTCONN: socket is not connected'));
    const response = await handlers.NodeGetVolumeStats(statsRequest(), ctx);
    expect(response.volume_condition).toEqual({ abnormal: true, message: expect.stringContaining('ENOTCONN') });
  });

  it('reports an unreadable filesystem as a condition, not a failure', async () => {
    const { handlers, mounter } = await published();
    mounter.failNext('statfs', Object.assign(new Error('EIO: i/o error, statfs'), { code: 'EIO' }));
    const response = await handlers.NodeGetVolumeStats(statsRequest(), ctx);
    expect(response).toEqual({
      usage: [{ unit: 'BYTES', total: 0 }],
      volume_condition: { abnormal: true, message: 'cannot read filesystem statistics: EIO: i/o error, statfs' },
    });
  });
});

describe('NodePublishVolume with SINGLE_NODE_SINGLE_WRITER', () => {
  const OTHER_TARGET = '/var/lib/kubelet/pods/p2/volumes/kubernetes.io~csi/pv1/mount';
  const OTHER_BLOCK_TARGET = '/var/lib/kubelet/plugins/kubernetes.io/csi/volumeDevices/publish/pv1/p2';

  it('refuses a second target path of a filesystem volume, and still allows a repeat at the same target', async () => {
    const capability = mountCapability('ext4', [], 'SINGLE_NODE_SINGLE_WRITER');
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest({ volume_capability: capability }), ctx);
    await handlers.NodePublishVolume(publishRequest({ volume_capability: capability }), ctx);
    await handlers.NodePublishVolume(publishRequest({ volume_capability: capability }), ctx);
    await expectCode(
      handlers.NodePublishVolume(publishRequest({ target_path: OTHER_TARGET, volume_capability: capability }), ctx),
      Code.FAILED_PRECONDITION,
      `already published at ${TARGET}`,
    );
    expect(mounter.callsOf('bindMount')).toHaveLength(1);
  });

  it('refuses a second target path of a raw block volume', async () => {
    const capability = blockCapability('SINGLE_NODE_SINGLE_WRITER');
    const { handlers } = setup();
    await handlers.NodePublishVolume(publishRequest({ target_path: BLOCK_TARGET, volume_capability: capability }), ctx);
    await expectCode(
      handlers.NodePublishVolume(publishRequest({ target_path: OTHER_BLOCK_TARGET, volume_capability: capability }), ctx),
      Code.FAILED_PRECONDITION,
      `already published at ${BLOCK_TARGET}`,
    );
  });

  it('leaves SINGLE_NODE_MULTI_WRITER free to publish at several targets', async () => {
    const capability = mountCapability('ext4', [], 'SINGLE_NODE_MULTI_WRITER');
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest({ volume_capability: capability }), ctx);
    await handlers.NodePublishVolume(publishRequest({ volume_capability: capability }), ctx);
    await handlers.NodePublishVolume(publishRequest({ target_path: OTHER_TARGET, volume_capability: capability }), ctx);
    expect(mounter.callsOf('bindMount')).toHaveLength(2);
  });
});

describe('NodeStageVolume of an already staged volume with another capability', () => {
  it('answers ALREADY_EXISTS for another filesystem type and mounts nothing more', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest({ volume_capability: mountCapability('ext4') }), ctx);
    await expectCode(
      handlers.NodeStageVolume(stageRequest({ volume_capability: mountCapability('xfs') }), ctx),
      Code.ALREADY_EXISTS,
      `already staged at ${STAGING} as ext4, but xfs was requested`,
    );
    expect(mounter.callsOf('mount')).toHaveLength(1);
  });

  it('accepts another ext type, as the first stage would have mounted it', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest({ volume_capability: mountCapability('ext4') }), ctx);
    await handlers.NodeStageVolume(stageRequest({ volume_capability: mountCapability('ext3') }), ctx);
    expect(mounter.callsOf('mount')).toHaveLength(1);
  });
});
