import { Code } from '../../csi/errors';
import {
  VOL, OTHER_VOL, GiB, STAGING, TARGET, BLOCK_TARGET, ctx, blockCapability,
  stageRequest, publishRequest, statsRequest, expectCode, type Setup, setup,
} from './testing/node-fixture';

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

  // Issue #13: stats describe the volume only where it is mounted; a plain directory used to report the
  // filesystem that held it (e.g. the host's).
  it('answers NOT_FOUND for a target that is no longer a mount point', async () => {
    const { handlers, mounter } = await published();
    await mounter.unmount(TARGET);
    await expectCode(handlers.NodeGetVolumeStats(statsRequest(), ctx), Code.NOT_FOUND, `volume ${VOL} is not mounted at ${TARGET}`);
  });

  it('answers NOT_FOUND where another volume is mounted', async () => {
    const { handlers } = setup();
    await handlers.NodeStageVolume(stageRequest({ volume_id: OTHER_VOL }), ctx);
    await expectCode(
      handlers.NodeGetVolumeStats(statsRequest({ volume_path: STAGING, staging_target_path: '' }), ctx),
      Code.NOT_FOUND,
      `${STAGING} is mounted from /dev/vdc (ext4), not from the device of volume ${VOL}`,
    );
  });

  it('refuses a path outside the kubelet directory', async () => {
    const { handlers } = setup();
    await expectCode(handlers.NodeGetVolumeStats(statsRequest({ volume_path: '/etc' }), ctx), Code.INVALID_ARGUMENT, /not inside the kubelet directory/);
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
