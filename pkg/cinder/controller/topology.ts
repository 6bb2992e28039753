/**
 * Availability zones ⇄ CSI topology under `topology.cinder.csi.openstack.org/zone`.
 */
import { TOPOLOGY_ZONE_KEY } from '../constants';

export interface TopologyLike {
  segments?: Record<string, string> | null;
}

export interface AccessibilityRequirementsLike {
  requisite?: TopologyLike[] | null;
  preferred?: TopologyLike[] | null;
}

export type ZoneSource = 'parameter' | 'preferred' | 'requisite';

/** The first zone segment of preferred, then requisite topology (CPO's order). */
export function zoneFromTopology(
  requirements: AccessibilityRequirementsLike | null | undefined,
): { zone: string; source: ZoneSource } | undefined {
  for (const source of ['preferred', 'requisite'] as const) {
    for (const topology of requirements?.[source] ?? []) {
      const zone = topology.segments?.[TOPOLOGY_ZONE_KEY];
      if (zone) return { zone, source };
    }
  }
  return undefined;
}

export function zoneTopology(zone: string): { segments: Record<string, string> } {
  return { segments: { [TOPOLOGY_ZONE_KEY]: zone } };
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
  return volumeZone ? [zoneTopology(volumeZone)] : [];
}

/** Whether a volume in `zone` may satisfy the requisite topology (empty requisite = anywhere). */
export function zoneMeetsRequisite(zone: string, requirements: AccessibilityRequirementsLike | null | undefined): boolean {
  const requisite = requirements?.requisite ?? [];
  const zones = requisite.map((topology) => topology.segments?.[TOPOLOGY_ZONE_KEY]).filter((z): z is string => !!z);
  return zones.length === 0 || zones.includes(zone);
}
