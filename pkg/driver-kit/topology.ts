/**
 * Availability zones ⇄ CSI topology for any driver: each driver names its own segment key
 * (`topology.cinder.csi.openstack.org/zone`, `topology.manila.csi.openstack.org/zone`); values are
 * sanitised zone names, as nodes report them.
 */
import { sanitizeZone } from './zone';

export interface TopologyLike {
  segments?: Record<string, string> | null;
}

export interface AccessibilityRequirementsLike {
  requisite?: TopologyLike[] | null;
  preferred?: TopologyLike[] | null;
}

export type ZoneSource = 'parameter' | 'preferred' | 'requisite';

/** The first `key` segment of preferred, then requisite topology (CPO's order). */
export function zoneFromTopology(
  requirements: AccessibilityRequirementsLike | null | undefined,
  key: string,
): { zone: string; source: ZoneSource } | undefined {
  for (const source of ['preferred', 'requisite'] as const) {
    for (const topology of requirements?.[source] ?? []) {
      const zone = topology.segments?.[key];
      if (zone) return { zone, source };
    }
  }
  return undefined;
}

/** The topology of a zone under `key`, as a node in a zone of that name advertises it. */
export function zoneTopology(key: string, zone: string): { segments: Record<string, string> } {
  return { segments: { [key]: sanitizeZone(zone) } };
}
