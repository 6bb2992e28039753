import { TOPOLOGY_ZONE_KEY } from '../constants';
import type { AvailabilityZone } from '../../openstack/api';
import { accessibleTopologyFor, cinderZoneForTopology, zoneFromTopology, zoneMeetsRequisite, zoneTopology } from './topology';

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
  it('reports the zone sanitised as the node reports its own, so a zone with a space still matches', () => {
    expect(accessibleTopologyFor('az 1', {}, { withTopology: true, ignoreVolumeAZ: false })).toEqual([zone('az-1')]);
    expect(zoneTopology('rack:7 / east')).toEqual(zone('rack-7-east'));
  });
  it('reports no zone when the name sanitises to nothing', () => {
    expect(accessibleTopologyFor('***', {}, { withTopology: true, ignoreVolumeAZ: false })).toEqual([]);
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
  it('compares a Cinder zone by its sanitised name too', () => {
    expect(zoneMeetsRequisite('az 1', { requisite: [zone('az-1')] })).toBe(true);
    expect(zoneMeetsRequisite('az 2', { requisite: [zone('az-1')] })).toBe(false);
  });
});

describe('cinderZoneForTopology', () => {
  const listing = (...names: string[]) => {
    const calls = { count: 0 };
    const list = async (): Promise<AvailabilityZone[]> => {
      calls.count += 1;
      return names.map((zoneName) => ({ zoneName, zoneState: { available: !zoneName.startsWith('down') } }));
    };
    return { list, calls };
  };

  it('maps a sanitised topology zone back to the real Cinder zone', async () => {
    const { list, calls } = listing('nova', 'az 1');
    await expect(cinderZoneForTopology('az-1', list, { onlyKnown: false })).resolves.toBe('az 1');
    await expect(cinderZoneForTopology('nova', list, { onlyKnown: true })).resolves.toBe('nova');
    expect(calls.count).toBe(2);
  });

  it('passes an unknown zone through unless only known zones may be used', async () => {
    const { list } = listing('nova', 'down zone');
    await expect(cinderZoneForTopology('elsewhere', list, { onlyKnown: false })).resolves.toBe('elsewhere');
    await expect(cinderZoneForTopology('elsewhere', list, { onlyKnown: true })).resolves.toBeUndefined();
    // An unavailable zone is not a match.
    await expect(cinderZoneForTopology('down-zone', list, { onlyKnown: true })).resolves.toBeUndefined();
  });

  it('does not guess between zones that sanitise alike', async () => {
    const { list } = listing('rack 2', 'rack/2');
    await expect(cinderZoneForTopology('rack-2', list, { onlyKnown: true })).resolves.toBeUndefined();
  });
});
