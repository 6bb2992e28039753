/**
 * The CSI size limits at the edge, checked on the request shapes read from csi.proto: the general
 * 128-byte / 4 KiB limits, and each field whose spec text overrides them.
 */
import { findLimitViolation, MAP_LIMIT_BYTES, PATH_LIMIT_BYTES, STRING_LIMIT_BYTES } from './field-limits';
import { messageShape } from './message-shape';

const shape = (name: string) => messageShape(`csi.v1.${name}`);
const HEX64 = 'a3f1'.repeat(16);
const UUID = '5f1c2b7e-8d4a-4c1e-9b3f-2a6d7e8f9a0b';
// What kubelet passes today (~110-150 bytes), over the general 128-byte string limit.
const KUBELET_STAGING = `/var/lib/kubelet/plugins/kubernetes.io/csi/cinder.csi.openstack.org/${HEX64}/globalmount`;
const KUBELET_TARGET = `/var/lib/kubelet/pods/${UUID}/volumes/kubernetes.io~csi/pvc-${UUID}/mount`;
const KUBELET_BLOCK_TARGET = `/var/lib/kubelet/plugins/kubernetes.io/csi/volumeDevices/publish/pvc-${UUID}/${UUID}`;
const MOUNT = { access_mode: { mode: 'SINGLE_NODE_WRITER' }, mount: { fs_type: 'ext4', mount_flags: [] } };

describe('kubelet-shaped paths of today', () => {
  it('are longer than the general string limit', () => {
    for (const p of [KUBELET_STAGING, KUBELET_TARGET, KUBELET_BLOCK_TARGET]) expect(Buffer.byteLength(p)).toBeGreaterThan(STRING_LIMIT_BYTES);
  });

  it.each([
    ['NodeStageVolumeRequest', { volume_id: UUID, staging_target_path: KUBELET_STAGING, volume_capability: MOUNT }],
    ['NodeUnstageVolumeRequest', { volume_id: UUID, staging_target_path: KUBELET_STAGING }],
    ['NodePublishVolumeRequest', { volume_id: UUID, staging_target_path: KUBELET_STAGING, target_path: KUBELET_TARGET, volume_capability: MOUNT }],
    ['NodePublishVolumeRequest', { volume_id: UUID, staging_target_path: KUBELET_STAGING, target_path: KUBELET_BLOCK_TARGET }],
    ['NodeUnpublishVolumeRequest', { volume_id: UUID, target_path: KUBELET_TARGET }],
    ['NodeGetVolumeStatsRequest', { volume_id: UUID, volume_path: KUBELET_TARGET, staging_target_path: KUBELET_STAGING }],
    ['NodeExpandVolumeRequest', { volume_id: UUID, volume_path: KUBELET_TARGET, staging_target_path: KUBELET_STAGING }],
  ])('pass in %s', (message, request) => {
    expect(findLimitViolation(shape(message), request)).toBeUndefined();
  });

  it('paths up to the OS path maximum pass, one byte more does not', () => {
    const at = (length: number) => '/' + 'p'.repeat(length - 1);
    expect(findLimitViolation(shape('NodeUnstageVolumeRequest'), { volume_id: UUID, staging_target_path: at(PATH_LIMIT_BYTES) })).toBeUndefined();
    expect(findLimitViolation(shape('NodeUnstageVolumeRequest'), { volume_id: UUID, staging_target_path: at(PATH_LIMIT_BYTES + 1) })).toBe(
      `staging_target_path is ${PATH_LIMIT_BYTES + 1} bytes, more than ${PATH_LIMIT_BYTES} bytes (the OS path maximum); shorten it`,
    );
  });
});

describe('general limits', () => {
  it('a volume ID (no override in the spec) may be 128 bytes, not 129', () => {
    expect(findLimitViolation(shape('DeleteVolumeRequest'), { volume_id: 'v'.repeat(128) })).toBeUndefined();
    expect(findLimitViolation(shape('DeleteVolumeRequest'), { volume_id: 'v'.repeat(129) })).toMatch(/^volume_id is 129 bytes, more than 128 bytes/);
  });

  it('counts bytes, not characters', () => {
    // 43 three-byte characters = 129 bytes.
    expect(findLimitViolation(shape('DeleteSnapshotRequest'), { snapshot_id: '€'.repeat(43) })).toMatch(/^snapshot_id is 129 bytes/);
  });

  it('a node ID may be 256 bytes (its override), not 257', () => {
    const request = (nodeId: string) => ({ volume_id: UUID, node_id: nodeId, volume_capability: MOUNT });
    expect(findLimitViolation(shape('ControllerPublishVolumeRequest'), request('n'.repeat(256)))).toBeUndefined();
    expect(findLimitViolation(shape('ControllerPublishVolumeRequest'), request('n'.repeat(257)))).toMatch(/^node_id is 257 bytes, more than 256 bytes/);
  });

  it('maps count keys and values together, up to 4 KiB', () => {
    const parameters = (valueBytes: number) => ({ type: 'v'.repeat(valueBytes) });
    const request = (valueBytes: number) => ({ name: 'pvc-1', parameters: parameters(valueBytes) });
    expect(findLimitViolation(shape('CreateVolumeRequest'), request(MAP_LIMIT_BYTES - 4))).toBeUndefined();
    expect(findLimitViolation(shape('CreateVolumeRequest'), request(MAP_LIMIT_BYTES - 3))).toMatch(/^parameters is 4097 bytes in keys and values/);
  });

  it('finds a field in nested and repeated messages, naming where it is', () => {
    const capability = { ...MOUNT, mount: { fs_type: 'x'.repeat(200), mount_flags: [] } };
    expect(findLimitViolation(shape('CreateVolumeRequest'), { name: 'n', volume_capabilities: [MOUNT, capability] })).toMatch(
      /^volume_capabilities\[1\]\.mount\.fs_type is 200 bytes/,
    );
    const segments = { segments: { 'topology.cinder.csi.openstack.org/zone': 'z'.repeat(5000) } };
    expect(findLimitViolation(shape('CreateVolumeRequest'), { name: 'n', accessibility_requirements: { requisite: [segments] } })).toMatch(
      /^accessibility_requirements\.requisite\[0\]\.segments is \d+ bytes/,
    );
  });

  it('mount_flags are limited together (4 KiB), so one long flag over 128 bytes is fine', () => {
    const withFlags = (flags: string[]) => ({ name: 'n', volume_capabilities: [{ ...MOUNT, mount: { fs_type: 'ext4', mount_flags: flags } }] });
    expect(findLimitViolation(shape('CreateVolumeRequest'), withFlags(['context="' + 'c'.repeat(300) + '"']))).toBeUndefined();
    expect(findLimitViolation(shape('CreateVolumeRequest'), withFlags(Array.from({ length: 50 }, () => 'o'.repeat(100))))).toMatch(
      /^volume_capabilities\[0\]\.mount\.mount_flags is 5000 bytes together/,
    );
  });

  it('refuses control characters in suggested names, allows other Unicode', () => {
    expect(findLimitViolation(shape('CreateVolumeRequest'), { name: 'pvc-\u0000x' })).toMatch(/control character/);
    expect(findLimitViolation(shape('CreateSnapshotRequest'), { name: 'snap\u007f', source_volume_id: UUID })).toMatch(/control character/);
    expect(findLimitViolation(shape('CreateVolumeRequest'), { name: 'pvc-ünï\tcode 卷' })).toBeUndefined();
  });

  it('never echoes the content of the field', () => {
    const message = findLimitViolation(shape('CreateVolumeRequest'), { name: 'SECRETISH'.repeat(100) });
    expect(message).not.toContain('SECRETISH');
  });
});
