/**
 * Availability zones ⇄ CSI topology under `topology.cinder.csi.openstack.org/zone`. Topology values are
 * sanitised zone names (what the node reports), so Cinder zones are sanitised on the way out and mapped
 * back to the real Cinder zone on the way in.
 */
import type { AvailabilityZone } from '../../openstack/api';
import { TOPOLOGY_ZONE_KEY } from '../constants';
import { sanitizeZone, zoneForLabel } from '../../driver-kit/zone';
import {
  zoneFromTopology as kitZoneFromTopology,
  zoneTopology as kitZoneTopology,
  type AccessibilityRequirementsLike,
  type ZoneSource,
} from '../../driver-kit/topology';

export type { AccessibilityRequirementsLike, TopologyLike, ZoneSource } from '../../driver-kit/topology';

/** The first zone segment of preferred, then requisite topology (CPO's order). */
export function zoneFromTopology(
  requirements: AccessibilityRequirementsLike | null | undefined,
): { zone: string; source: ZoneSource } | undefined {
  return kitZoneFromTopology(requirements, TOPOLOGY_ZONE_KEY);
}

/** The topology of a Cinder zone, as a node in a Nova zone of the same name advertises it. */
export function zoneTopology(zone: string): { segments: Record<string, string> } {
  return kitZoneTopology(TOPOLOGY_ZONE_KEY, zone);
}

/**
 * The Cinder zone to create in for a zone taken from requested topology (a sanitised name: `az-1` for
 * Cinder's `az 1`). Matches the label against Cinder's zones; with `onlyKnown` (ignore-volume-az: node
 * zones are Nova's and may not exist in Cinder) a label no available Cinder zone matches gives undefined
 * (let Cinder choose), otherwise it is passed through unchanged so Cinder reports the invalid zone.
 */
export async function cinderZoneForTopology(
  label: string,
  listZones: () => Promise<AvailabilityZone[]>,
  options: { onlyKnown: boolean },
): Promise<string | undefined> {
  const zones = (await listZones()).filter((zone) => zone.zoneState.available).map((zone) => zone.zoneName);
  const real = zoneForLabel(label, zones);
  if (real !== undefined) return real;
  return options.onlyKnown ? undefined : label;
}

/**
 * Topology to report for a new volume. Normally the zone Cinder placed it in; with `ignore-volume-az`
 * (Nova and Cinder zones differ) the zones the CO asked for, since those are what nodes advertise.
 */
export function accessibleTopologyFor(
  volumeZone: string,
  requirements: AccessibilityRequirementsLike | null | undefined,
  options: { withTopology: boolean; ignoreVolumeAZ: boolean },
): { segments: Record<string, string> }[] {
  if (!options.withTopology) return [];
  if (options.ignoreVolumeAZ) {
    const requested = (requirements?.preferred?.length ? requirements.preferred : requirements?.requisite) ?? [];
    return requested
      .filter((topology) => topology.segments?.[TOPOLOGY_ZONE_KEY])
      .map((topology) => ({ segments: { ...(topology.segments ?? {}) } }));
  }
  return sanitizeZone(volumeZone) ? [zoneTopology(volumeZone)] : [];
}

/** Whether a volume in Cinder zone `zone` may satisfy the requisite topology (empty requisite = anywhere). */
export function zoneMeetsRequisite(zone: string, requirements: AccessibilityRequirementsLike | null | undefined): boolean {
  const requisite = requirements?.requisite ?? [];
  const zones = requisite.map((topology) => topology.segments?.[TOPOLOGY_ZONE_KEY]).filter((z): z is string => !!z);
  return zones.length === 0 || zones.includes(zone) || zones.includes(sanitizeZone(zone));
}
