import { Code } from '../../csi/errors';
import { createLogger } from '../../log/logger';
import { CommandFailedError } from '../../mounter';
import { VOL, OTHER_VOL, STAGING, ctx, stageRequest, expectCode, setup } from './testing/node-fixture';

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
    const outer = '/var/lib/kubelet/plugins/outer';
    mounter.addDirectory(outer);
    mounter.device('/dev/vdc')!.fsType = 'ext4';
    await mounter.mount('/dev/vdc', outer, 'ext4', []);
    mounter.addDirectory(`${outer}/inner`);
    await handlers.NodeUnstageVolume({ volume_id: VOL, staging_target_path: `${outer}/inner` }, ctx);
    expect(mounter.callsOf('unmount')).toEqual([]);
    expect(await mounter.isMountPoint(outer)).toBe(true);
    expect(await mounter.statPath(`${outer}/inner`)).toBeUndefined();
  });

  it('peels off stacked mounts at the path', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest(), ctx);
    await mounter.bindMount(STAGING, STAGING);
    await handlers.NodeUnstageVolume({ volume_id: VOL, staging_target_path: STAGING }, ctx);
    expect(mounter.callsOf('unmount')).toHaveLength(2);
    expect(await mounter.statPath(STAGING)).toBeUndefined();
  });

  // Issue #13: this used to fail with ENOTEMPTY on every retry, although the volume was already off the path.
  it('finishes over a directory holding content the plugin did not create, leaving the content', async () => {
    const { handlers, mounter, logs } = setup();
    await handlers.NodeStageVolume(stageRequest(), ctx);
    mounter.addDirectory(`${STAGING}/leftover`);
    const call = { ...ctx, logger: createLogger({ sink: (line) => logs.push(line) }) };
    await handlers.NodeUnstageVolume({ volume_id: VOL, staging_target_path: STAGING }, call);
    await handlers.NodeUnstageVolume({ volume_id: VOL, staging_target_path: STAGING }, call);
    expect(await mounter.isMountPoint(STAGING)).toBe(false);
    expect(await mounter.statPath(`${STAGING}/leftover`)).toEqual({ kind: 'directory' });
    expect(logs.some((line) => line.includes('holds files the plugin did not create'))).toBe(true);
  });

  it('refuses another volume’s mount at the staging path, unmounting nothing', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest({ volume_id: OTHER_VOL }), ctx);
    await expectCode(
      handlers.NodeUnstageVolume({ volume_id: VOL, staging_target_path: STAGING }, ctx),
      Code.FAILED_PRECONDITION,
      `${STAGING} has a mount that is not volume ${VOL}'s: /dev/vdc (ext4), not from /dev/vdb; nothing was unmounted or removed`,
    );
    expect(mounter.callsOf('unmount')).toEqual([]);
    expect(await mounter.isMountPoint(STAGING)).toBe(true);
  });

  it('takes down a mount whose device was detached behind its back', async () => {
    const { handlers, mounter, devices } = setup();
    await handlers.NodeStageVolume(stageRequest(), ctx);
    mounter.removeDevice('/dev/vdb');
    devices.delete(VOL);
    await handlers.NodeUnstageVolume({ volume_id: VOL, staging_target_path: STAGING }, ctx);
    expect(await mounter.statPath(STAGING)).toBeUndefined();
  });

  it('refuses a regular file with content, removing nothing', async () => {
    const { handlers, mounter } = setup();
    mounter.addFile(STAGING, 1200);
    await expectCode(
      handlers.NodeUnstageVolume({ volume_id: VOL, staging_target_path: STAGING }, ctx),
      Code.FAILED_PRECONDITION,
      `${STAGING} is a regular file of 1200 bytes, not an empty file or directory the plugin made`,
    );
    expect(await mounter.statPath(STAGING)).toEqual({ kind: 'file', sizeBytes: 1200 });
  });

  it('reports a failed unmount', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodeStageVolume(stageRequest(), ctx);
    mounter.failNext('unmount', new CommandFailedError('umount', [STAGING], 32, 'target is busy'));
    await expectCode(handlers.NodeUnstageVolume({ volume_id: VOL, staging_target_path: STAGING }, ctx), Code.INTERNAL, /target is busy/);
    expect(await mounter.isMountPoint(STAGING)).toBe(true);
  });
});
