import { TOPOLOGY_ZONE_KEY } from '../constants';
import { accessibleTopologyFor, zoneFromTopology, zoneMeetsRequisite } from './topology';

const zone = (name: string) => ({ segments: { [TOPOLOGY_ZONE_KEY]: name } });

describe('zoneFromTopology', () => {
  it('prefers preferred over requisite and skips foreign segments', () => {
    expect(zoneFromTopology({ requisite: [zone('r')], preferred: [{ segments: { other: 'x' } }, zone('p')] })).toEqual({
      zone: 'p',
      source: 'preferred',
    });
    expect(zoneFromTopology({ requisite: [zone('r')], preferred: [] })).toEqual({ zone: 'r', source: 'requisite' });
    expect(zoneFromTopology(undefined)).toBeUndefined();
  });
});

describe('accessibleTopologyFor', () => {
  it('reports the zone Cinder chose', () => {
    expect(accessibleTopologyFor('nova', { preferred: [zone('az1')] }, { withTopology: true, ignoreVolumeAZ: false })).toEqual([
      zone('nova'),
    ]);
  });
  it('echoes the requested zones with ignore-volume-az', () => {
    expect(
      accessibleTopologyFor('nova', { preferred: [zone('az1'), zone('az2')], requisite: [zone('az3')] }, {
        withTopology: true,
        ignoreVolumeAZ: true,
      }),
    ).toEqual([zone('az1'), zone('az2')]);
    expect(accessibleTopologyFor('nova', { requisite: [zone('az3')] }, { withTopology: true, ignoreVolumeAZ: true })).toEqual([
      zone('az3'),
    ]);
  });
  it('reports nothing without topology', () => {
    expect(accessibleTopologyFor('nova', { preferred: [zone('az1')] }, { withTopology: false, ignoreVolumeAZ: false })).toEqual([]);
  });
});

describe('zoneMeetsRequisite', () => {
  it('checks membership, empty requisite allows anything', () => {
    expect(zoneMeetsRequisite('a', { requisite: [zone('a'), zone('b')] })).toBe(true);
    expect(zoneMeetsRequisite('c', { requisite: [zone('a')] })).toBe(false);
    expect(zoneMeetsRequisite('c', {})).toBe(true);
  });
});
