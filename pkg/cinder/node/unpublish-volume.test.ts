import { VOL, STAGING, TARGET, BLOCK_TARGET, ctx, blockCapability, stageRequest, publishRequest, setup } from './testing/node-fixture';

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
