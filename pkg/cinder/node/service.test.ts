import { Code } from '../../csi/errors';
import {
  VOL, STAGING, ctx, type Handlers, mountCapability,
  stageRequest, publishRequest, expandRequest, statsRequest, expectCode, setup,
} from './testing/node-fixture';

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
    [
      'stage with an access mode the controller would refuse too',
      (h) => h.NodeStageVolume(stageRequest({ volume_capability: mountCapability('ext4', [], '99') }), ctx),
      /volume_capability: access mode 99 is not supported; supported: SINGLE_NODE_WRITER/,
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
