import { InFlight } from './inflight';
import { inFlightKey } from './inflight-keys';
import { redactRequest } from './redact-request';

describe('InFlight', () => {
  it('refuses a held key until it is released, and release is idempotent', () => {
    const inFlight = new InFlight();
    const release = inFlight.tryAcquire('volume v1');
    expect(release).toBeDefined();
    expect(inFlight.tryAcquire('volume v1')).toBeUndefined();
    const other = inFlight.tryAcquire('volume v2');
    expect(other).toBeDefined();
    release!();
    release!();
    expect(inFlight.has('volume v2')).toBe(true);
    const again = inFlight.tryAcquire('volume v1');
    expect(again).toBeDefined();
    again!();
    other!();
    expect(inFlight.size).toBe(0);
  });
});

describe('inFlightKey', () => {
  it.each([
    ['CreateVolume', { name: 'pvc-1' }, 'volume name pvc-1'],
    ['DeleteVolume', { volume_id: 'v' }, 'volume v'],
    ['ControllerPublishVolume', { volume_id: 'v', node_id: 'n' }, 'volume v on node n'],
    ['ControllerUnpublishVolume', { volume_id: 'v', node_id: 'n' }, 'volume v on node n'],
    ['ControllerExpandVolume', { volume_id: 'v' }, 'volume v'],
    ['ControllerModifyVolume', { volume_id: 'v' }, 'volume v'],
    ['CreateSnapshot', { name: 's', source_volume_id: 'v' }, 'snapshot name s'],
    ['DeleteSnapshot', { snapshot_id: 's' }, 'snapshot s'],
    ['NodeStageVolume', { volume_id: 'v' }, 'volume v'],
    ['NodeUnstageVolume', { volume_id: 'v' }, 'volume v'],
    ['NodePublishVolume', { volume_id: 'v' }, 'volume v'],
    ['NodeUnpublishVolume', { volume_id: 'v' }, 'volume v'],
    ['NodeExpandVolume', { volume_id: 'v' }, 'volume v'],
    ['CreateVolumeGroupSnapshot', { name: 'g' }, 'group snapshot name g'],
    ['DeleteVolumeGroupSnapshot', { group_snapshot_id: 'g' }, 'group snapshot g'],
  ])('%s keys on the resource', (method, request, key) => {
    expect(inFlightKey(method, request)).toBe(key);
  });

  it('does not guard read-only calls or requests without an identifier', () => {
    expect(inFlightKey('ListVolumes', {})).toBeUndefined();
    expect(inFlightKey('NodeGetVolumeStats', { volume_id: 'v' })).toBeUndefined();
    expect(inFlightKey('CreateVolume', { name: '' })).toBeUndefined();
    expect(inFlightKey('ControllerPublishVolume', { volume_id: 'v', node_id: '' })).toBeUndefined();
    expect(inFlightKey('CreateVolume', null)).toBeUndefined();
  });
});

describe('redactRequest', () => {
  it('masks secrets maps, credential-like context keys and every mount flag value, keeping flag names and the rest', () => {
    const redacted = redactRequest({
      volume_id: 'v',
      secrets: { 'os-password': 'p1', cloud: 'c1' },
      controller_publish_secrets: { key: 'k1' },
      volume_context: { 'csi.storage.k8s.io/pvc/name': 'data', userKey: 'k2' },
      volume_capability: { mount: { mount_flags: ['ro', 'token=abc', 'uid=1000'] } },
    });
    expect(redacted).toEqual({
      volume_id: 'v',
      secrets: { 'os-password': '***redacted***', cloud: '***redacted***' },
      controller_publish_secrets: { key: '***redacted***' },
      volume_context: { 'csi.storage.k8s.io/pvc/name': 'data', userKey: '***redacted***' },
      // Any mount flag value may be a secret (CSI: mount_flags MAY contain sensitive information).
      volume_capability: { mount: { mount_flags: ['ro', 'token=***redacted***', 'uid=***redacted***'] } },
    });
  });
});
