/** CreateVolume's answer when the zone the accessibility requirements ask for is not a Cinder zone. */
import { Code } from '../../csi/errors';
import { BadRequestError } from '../../openstack/errors';
import { TOPOLOGY_ZONE_KEY } from '../constants';
import { codeOf, controllerOn, createVolumeRequest, TEST_SCOPE } from './testing/controller-under-test';
import { createFakeCloud } from './testing/fake-cloud';

function setup() {
  const { cloud, state } = createFakeCloud('');
  // Like Cinder: a zone it does not have is a 400.
  const createVolume = cloud.blockStorage.createVolume.bind(cloud.blockStorage);
  cloud.blockStorage.createVolume = async (options) => {
    if (options.availabilityZone && options.availabilityZone !== 'nova') {
      throw new BadRequestError(`Invalid input received: Availability zone '${options.availabilityZone}' is invalid.`);
    }
    return createVolume(options);
  };
  const { controller } = controllerOn(cloud);
  return { controller, state };
}

function request(name: string, zone: string, parameters: Record<string, string> = {}) {
  const requisite = [{ segments: { [TOPOLOGY_ZONE_KEY]: zone } }];
  return createVolumeRequest(name, { parameters, accessibility_requirements: { requisite, preferred: requisite } });
}

describe('CreateVolume in a zone Cinder does not have', () => {
  it('answers RESOURCE_EXHAUSTED ("unable to provision in accessible_topology") when the zone comes from the topology', async () => {
    const { controller, state } = setup();
    expect(await codeOf(controller.CreateVolume(request('pvc-nowhere', 'no-such-zone'), TEST_SCOPE))).toBe(Code.RESOURCE_EXHAUSTED);
    expect(state.volumes.size).toBe(0);
  });

  it('keeps INVALID_ARGUMENT when the StorageClass names the zone', async () => {
    const { controller } = setup();
    const call = controller.CreateVolume(request('pvc-param-zone', 'nova', { availability: 'no-such-zone' }), TEST_SCOPE);
    expect(await codeOf(call)).toBe(Code.INVALID_ARGUMENT);
  });

  it('creates the volume in a zone Cinder has', async () => {
    const { controller } = setup();
    const response = await controller.CreateVolume(request('pvc-nova', 'nova'), TEST_SCOPE);
    expect(response.volume?.accessible_topology).toEqual([{ segments: { [TOPOLOGY_ZONE_KEY]: 'nova' } }]);
  });
});

// Issue #13: ntfs was accepted here and failed only at the node, after the volume was created and attached.
describe('CreateVolume with a filesystem the node cannot make', () => {
  it('answers INVALID_ARGUMENT naming the supported types and creates nothing', async () => {
    const { controller, state } = setup();
    const capability = { access_mode: { mode: 'SINGLE_NODE_WRITER' as const }, access_type: 'mount' as const, mount: { fs_type: 'ntfs', mount_flags: [], volume_mount_group: '' } };
    const call = controller.CreateVolume(createVolumeRequest('pvc-ntfs', { volume_capabilities: [capability] }), TEST_SCOPE);
    await expect(call).rejects.toMatchObject({ code: Code.INVALID_ARGUMENT, message: expect.stringContaining('fs_type "ntfs" is not supported; use one of ext2, ext3, ext4, xfs, btrfs') });
    expect(state.volumes.size).toBe(0);
  });

  it('accepts an upper-case supported type and an empty one (ext4 by default)', async () => {
    const { controller } = setup();
    for (const [name, fsType] of [['pvc-xfs', 'XFS'], ['pvc-default', '']]) {
      const capability = { access_mode: { mode: 'SINGLE_NODE_WRITER' as const }, access_type: 'mount' as const, mount: { fs_type: fsType, mount_flags: [], volume_mount_group: '' } };
      await controller.CreateVolume(createVolumeRequest(name, { volume_capabilities: [capability] }), TEST_SCOPE);
    }
  });
});
