import { Code } from '../../csi/errors';
import {
  STAGING, TARGET, BLOCK_TARGET, ctx, mountCapability,
  blockCapability, stageRequest, publishRequest, expectCode, type Setup, setup,
} from './testing/node-fixture';

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

describe('NodePublishVolume paths', () => {
  it.each([
    ['outside the kubelet directory', '/srv/pods/p1/mount', /resolves to \/srv\/pods\/p1\/mount, which is not inside the kubelet directory \/var\/lib\/kubelet/],
    ['climbing out with ..', '/var/lib/kubelet/pods/x/../../../elsewhere', /must not contain "\.\." segments/],
    ['the kubelet directory itself', '/var/lib/kubelet', /not inside the kubelet directory/],
  ])('refuses a target %s', async (_name, target, message) => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest(), ctx);
    await expectCode(handlers.NodePublishVolume(publishRequest({ target_path: target }), ctx), Code.INVALID_ARGUMENT, message);
    expect(mounter.callsOf('bindMount')).toEqual([]);
    expect(mounter.callsOf('makeDir')).toHaveLength(1);
  });

  it('follows --kubelet-dir', async () => {
    const { handlers, mounter } = setup({ kubeletDir: '/data/kubelet' });
    await expectCode(handlers.NodeStageVolume(stageRequest(), ctx), Code.INVALID_ARGUMENT, 'not inside the kubelet directory /data/kubelet');
    await handlers.NodeStageVolume(stageRequest({ staging_target_path: '/data/kubelet/plugins/staging' }), ctx);
    expect(await mounter.isMountPoint('/data/kubelet/plugins/staging')).toBe(true);
  });

  it('refuses to bind a block device over a file with content', async () => {
    const { handlers, mounter } = setup();
    mounter.addFile(BLOCK_TARGET, 2048);
    await expectCode(
      handlers.NodePublishVolume(publishRequest({ target_path: BLOCK_TARGET, volume_capability: blockCapability() }), ctx),
      Code.FAILED_PRECONDITION,
      `target_path ${BLOCK_TARGET} exists and is not an empty file (2048 bytes)`,
    );
    expect(mounter.callsOf('bindMount')).toEqual([]);
  });
});

describe('NodePublishVolume of an inline ephemeral volume', () => {
  it('names the driver as configured with --driver-name, not a fixed name', async () => {
    const { handlers, mounter } = setup({ driverName: 'cinder-b.csi.example.org' });
    await expectCode(
      handlers.NodePublishVolume(publishRequest({ volume_context: { 'csi.storage.k8s.io/ephemeral': 'true' } }), ctx),
      Code.INVALID_ARGUMENT,
      'inline ephemeral volumes are not supported by cinder-b.csi.example.org;',
    );
    expect(mounter.callsOf('bindMount')).toEqual([]);
  });
});
