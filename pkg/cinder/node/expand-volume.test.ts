import { Code } from '../../csi/errors';
import { CommandFailedError } from '../../mounter';
import type { CinderNodeServiceOptions } from './service';
import {
  GiB, VOL, TARGET, BLOCK_TARGET, ctx, mountCapability,
  blockCapability, stageRequest, publishRequest, expandRequest, expectCode, type Setup, setup,
} from './testing/node-fixture';

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
