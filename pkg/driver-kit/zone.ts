/**
 * Availability-zone names as topology label values. The node reports its Nova zone sanitised (Kubernetes
 * label values allow only `[-a-zA-Z0-9_.]`, at most 63 characters); the controller must report Cinder's
 * zones the same way, or a volume in a zone such as `az 1` would match no node.
 */
import { MAX_LABEL_LENGTH } from './labels';

/**
 * CPO's zone sanitising: every run of characters outside `[-a-zA-Z0-9_.]` becomes `-`, then `-_.` are
 * trimmed from both ends and the result cut to 63 characters (trimmed again, so the cut cannot leave an
 * invalid trailing character).
 */
export function sanitizeZone(zone: string): string {
  const trimEnds = (value: string): string => value.replace(/^[-_.]+|[-_.]+$/g, '');
  const replaced = trimEnds(zone.replace(/[^-a-zA-Z0-9_.]+/g, '-'));
  return trimEnds(replaced.slice(0, MAX_LABEL_LENGTH));
}

/**
 * The real zone name behind a topology value: the zone itself when it is one of `zones`, else the one
 * zone whose sanitised name it is. Undefined when none or several zones sanitise to it (ambiguous: the
 * caller must not guess).
 */
export function zoneForLabel(label: string, zones: readonly string[]): string | undefined {
  if (zones.includes(label)) return label;
  const matches = [...new Set(zones.filter((zone) => sanitizeZone(zone) === label))];
  return matches.length === 1 ? matches[0] : undefined;
}
