/** CreateVolume's answer when the zone the accessibility requirements ask for is not a Cinder zone. */
import { Code, CsiError } from '../../csi/errors';
import type { ControllerHandlers } from '../../csi/handlers';
import { silentLogger } from '../../log/logger';
import type { Cloud } from '../../openstack/api';
import { BadRequestError } from '../../openstack/errors';
import { TOPOLOGY_ZONE_KEY } from '../constants';
import { createCinderControllerService } from './service';
import { createFakeCloud } from './testing/fake-cloud';

const fast = { initialDelayMs: 1, factor: 1, checks: 10 };
const scope = { requestId: 'r', method: 'test', logger: silentLogger };
const mountRWO = {
  access_mode: { mode: 'SINGLE_NODE_WRITER' as const },
  access_type: 'mount' as const,
  mount: { fs_type: 'ext4', mount_flags: [], volume_mount_group: '' },
};

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
  const service = createCinderControllerService({
    clouds: new Map<string, Cloud>([['', cloud]]),
    clusterId: 'test-cluster',
    withTopology: true,
    ignoreVolumeAZ: false,
    pvcAnnotations: false,
    logger: silentLogger,
    waitSchedules: { volumeCreate: fast, volumeStatus: fast, diskAttached: fast, diskDetached: fast, snapshotReady: fast, groupStatus: fast },
  });
  return { controller: service.controller as Required<ControllerHandlers>, state };
}

function request(name: string, zone: string, parameters: Record<string, string> = {}) {
  const requisite = [{ segments: { [TOPOLOGY_ZONE_KEY]: zone } }];
  return {
    name,
    capacity_range: { required_bytes: String(1024 ** 3), limit_bytes: '0' },
    volume_capabilities: [mountRWO],
    parameters,
    secrets: {},
    volume_content_source: null,
    accessibility_requirements: { requisite, preferred: requisite },
    mutable_parameters: {},
  };
}

async function codeOf(promise: Promise<unknown>): Promise<Code | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) return undefined;
  expect(error).toBeInstanceOf(CsiError);
  return (error as CsiError).code;
}

describe('CreateVolume in a zone Cinder does not have', () => {
  it('answers RESOURCE_EXHAUSTED ("unable to provision in accessible_topology") when the zone comes from the topology', async () => {
    const { controller, state } = setup();
    expect(await codeOf(controller.CreateVolume(request('pvc-nowhere', 'no-such-zone'), scope))).toBe(Code.RESOURCE_EXHAUSTED);
    expect(state.volumes.size).toBe(0);
  });

  it('keeps INVALID_ARGUMENT when the StorageClass names the zone', async () => {
    const { controller } = setup();
    const call = controller.CreateVolume(request('pvc-param-zone', 'nova', { availability: 'no-such-zone' }), scope);
    expect(await codeOf(call)).toBe(Code.INVALID_ARGUMENT);
  });

  it('creates the volume in a zone Cinder has', async () => {
    const { controller } = setup();
    const response = await controller.CreateVolume(request('pvc-nova', 'nova'), scope);
    expect(response.volume?.accessible_topology).toEqual([{ segments: { [TOPOLOGY_ZONE_KEY]: 'nova' } }]);
  });
});
