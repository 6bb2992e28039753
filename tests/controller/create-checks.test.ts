/**
 * CreateVolume checks what it used to pass on: `mutable_parameters` (a VolumeAttributesClass given at
 * creation) are parsed as ControllerModifyVolume parses them and applied, and `fs_type` is checked
 * against the filesystems the node can format, so a volume the node cannot use is never created.
 */
import { Code } from '../../pkg/csi/errors';
import type { CreateVolumeRequest } from '../../pkg/csi/generated/csi/v1/CreateVolumeRequest';
import { failure, GiB, harnessForFile, mount, RWO } from './harness';

const h = harnessForFile();

function request(name: string, extra: Partial<CreateVolumeRequest> = {}): CreateVolumeRequest {
  return { name, capacity_range: { required_bytes: String(GiB) }, volume_capabilities: [RWO], ...extra };
}

const volumesNamed = async (name: string) => (await h().cloud.blockStorage.listVolumes({ name, allPages: true })).items;

describe('CreateVolume with mutable_parameters', () => {
  it('creates the volume with the VolumeAttributesClass type, over the StorageClass type', async () => {
    const response = await h().client.controller.CreateVolume(
      request('cc-vac', { parameters: { type: '__DEFAULT__' }, mutable_parameters: { type: 'ssd' } }),
    );
    expect((await h().cloud.blockStorage.getVolume(response.volume!.volume_id)).volume_type).toBe('ssd');
  });

  it('refuses an unknown key, naming the accepted ones, and creates nothing', async () => {
    const error = await failure(h().client.controller.CreateVolume(request('cc-vac-typo', { mutable_parameters: { iops: '3000' } })));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.details).toContain('"iops"');
    expect(error.details).toContain('accepted: "type"');
    expect(await volumesNamed('cc-vac-typo')).toHaveLength(0);
  });

  it('refuses a type Cinder does not have', async () => {
    const error = await failure(h().client.controller.CreateVolume(request('cc-vac-missing', { mutable_parameters: { type: 'no-such-type' } })));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(await volumesNamed('cc-vac-missing')).toHaveLength(0);
  });
});

describe('CreateVolume checks fs_type', () => {
  it.each(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'XFS', ''])('accepts "%s"', async (fsType) => {
    const name = `cc-fs-${fsType.toLowerCase() || 'default'}-${fsType === fsType.toLowerCase() ? 'l' : 'u'}`;
    const response = await h().client.controller.CreateVolume(request(name, { volume_capabilities: [mount('SINGLE_NODE_WRITER', fsType)] }));
    expect(response.volume?.volume_id).toBeTruthy();
  });

  it('refuses ntfs with INVALID_ARGUMENT naming the supported list, and creates nothing', async () => {
    const error = await failure(h().client.controller.CreateVolume(request('cc-fs-ntfs', { volume_capabilities: [mount('SINGLE_NODE_WRITER', 'ntfs')] })));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.details).toBe('volume_capability.mount.fs_type "ntfs" is not supported; use one of ext2, ext3, ext4, xfs, btrfs');
    expect(await volumesNamed('cc-fs-ntfs')).toHaveLength(0);
  });
});
