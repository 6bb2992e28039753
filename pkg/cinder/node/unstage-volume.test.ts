import { Code } from '../../csi/errors';
import { CommandFailedError } from '../../mounter';
import { VOL, STAGING, ctx, stageRequest, expectCode, setup } from './testing/node-fixture';

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
