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
