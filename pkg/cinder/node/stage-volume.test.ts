import { Code } from '../../csi/errors';
import { createLogger } from '../../log/logger';
import { CommandFailedError } from '../../mounter';
import { CONTEXT_RESIZE_REQUIRED } from '../constants';
import {
  GiB, VOL, OTHER_VOL, STAGING, ctx,
  mountCapability, blockCapability, stageRequest, expectCode, setup,
} from './testing/node-fixture';

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
