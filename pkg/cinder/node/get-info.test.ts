import { Code } from '../../csi/errors';
import { TOPOLOGY_ZONE_KEY } from '../constants';
import { NodeIdentityUnavailableError } from '../../driver-kit/instance-identity/node-identity';
import { INSTANCE, ctx, expectCode, setup } from './testing/node-fixture';

describe('NodeGetInfo', () => {
  it('reports the instance UUID, the sanitised zone, extra topology and 256 volumes by default', async () => {
    const { handlers } = setup(
      { additionalTopology: { 'topology.kubernetes.io/region': 'RegionOne' } },
      { instanceId: INSTANCE, availabilityZone: ' Zone A/b!', source: 'metadataService' },
    );
    expect(await handlers.NodeGetInfo({}, ctx)).toEqual({
      node_id: INSTANCE,
      max_volumes_per_node: 256,
      accessible_topology: { segments: { [TOPOLOGY_ZONE_KEY]: 'Zone-A-b', 'topology.kubernetes.io/region': 'RegionOne' } },
    });
  });

  it.each([
    [10, 10],
    [256, 256],
    [0, 256],
    [-3, 256],
    [300, 256],
  ])('node-volume-attach-limit %p gives %p', async (configured, expected) => {
    const { handlers, logs } = setup({ nodeVolumeAttachLimit: configured });
    expect((await handlers.NodeGetInfo({}, ctx)).max_volumes_per_node).toBe(expected);
    expect(logs.some((line) => line.includes('node-volume-attach-limit out of range'))).toBe(configured !== expected);
  });

  it('leaves the zone out without topology or without a known zone', async () => {
    expect((await setup({ withTopology: false }).handlers.NodeGetInfo({}, ctx)).accessible_topology).toBeNull();
    const noZone = setup({}, { instanceId: INSTANCE, source: 'Kubernetes Node' });
    expect((await noZone.handlers.NodeGetInfo({}, ctx)).accessible_topology).toBeNull();
  });

  it('answers UNAVAILABLE with every attempt when the instance is unknown', async () => {
    const { handlers, ready } = setup(
      {},
      new NodeIdentityUnavailableError([
        { source: 'configDrive', error: 'no drive' },
        { source: 'metadataService', error: 'ETIMEDOUT' },
      ]),
    );
    await expectCode(handlers.NodeGetInfo({}, ctx), Code.UNAVAILABLE, /configDrive: no drive; metadataService: ETIMEDOUT/);
    expect(await ready()).toBe(false);
  });

  it('is ready once the identity is known', async () => {
    expect(await setup().ready()).toBe(true);
  });
});
