import { Code } from '../../csi/errors';
import {
  VOL, STAGING, TARGET, BLOCK_TARGET, ctx,
  blockCapability, stageRequest, publishRequest, expectCode, setup,
} from './testing/node-fixture';

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

  it('refuses a foreign mount at the target, unmounting nothing', async () => {
    const { handlers, mounter } = setup();
    mounter.device('/dev/vdc')!.fsType = 'ext4';
    mounter.addDirectory(TARGET);
    await mounter.mount('/dev/vdc', TARGET, 'ext4', []);
    await expectCode(handlers.NodeUnpublishVolume({ volume_id: VOL, target_path: TARGET }, ctx), Code.FAILED_PRECONDITION, /not volume .*'s: \/dev\/vdc/);
    expect(mounter.callsOf('unmount')).toEqual([]);
    expect(await mounter.isMountPoint(TARGET)).toBe(true);
  });

  it('refuses a regular file with content but removes the empty file it made', async () => {
    const { handlers, mounter } = setup();
    mounter.addFile(BLOCK_TARGET, 42);
    await expectCode(handlers.NodeUnpublishVolume({ volume_id: VOL, target_path: BLOCK_TARGET }, ctx), Code.FAILED_PRECONDITION, 'not an empty file');
    expect(await mounter.statPath(BLOCK_TARGET)).toEqual({ kind: 'file', sizeBytes: 42 });
    mounter.addFile(BLOCK_TARGET, 0);
    mounter.fileSizes.delete(BLOCK_TARGET);
    await handlers.NodeUnpublishVolume({ volume_id: VOL, target_path: BLOCK_TARGET }, ctx);
    expect(await mounter.statPath(BLOCK_TARGET)).toBeUndefined();
  });

  it('removes a block target file', async () => {
    const { handlers, mounter } = setup();
    await handlers.NodePublishVolume(publishRequest({ target_path: BLOCK_TARGET, volume_capability: blockCapability() }), ctx);
    await handlers.NodeUnpublishVolume({ volume_id: VOL, target_path: BLOCK_TARGET }, ctx);
    expect(await mounter.statPath(BLOCK_TARGET)).toBeUndefined();
    expect(await mounter.statPath('/dev/vdb')).toMatchObject({ kind: 'blockDevice' });
  });
});
