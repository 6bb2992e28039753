/**
 * Microversion negotiation as the services do it: `OpenStack-API-Version: <service> X.Y` (and the legacy
 * per-service headers), `latest`, 406 above the maximum, echo of the version used on every answer.
 */
import type { IncomingMessage } from 'node:http';
import { ApiFault } from './http-kit';

export interface Microversion {
  major: number;
  minor: number;
}

export interface MicroversionPolicy {
  /** Service word in `OpenStack-API-Version`, e.g. `volume`, `compute`, `shared-file-system`. */
  serviceWord: string;
  /** Legacy header, e.g. `X-OpenStack-Nova-API-Version`; undefined when none. */
  legacyHeader?: string;
  min: string;
  max: string;
}

export function parseVersion(text: string): Microversion {
  const m = /^(\d+)\.(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`bad microversion ${text}`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export function formatVersion(v: Microversion): string {
  return `${v.major}.${v.minor}`;
}

export function compareVersions(a: Microversion, b: Microversion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

export function atLeast(v: Microversion, text: string): boolean {
  return compareVersions(v, parseVersion(text)) >= 0;
}

/** The requested microversion, or the minimum when none was asked for. Throws 400/406 like the services. */
export function negotiate(req: IncomingMessage, policy: MicroversionPolicy): Microversion {
  const min = parseVersion(policy.min);
  const max = parseVersion(policy.max);
  let requested: string | undefined;
  const generic = req.headers['openstack-api-version'];
  if (typeof generic === 'string') {
    for (const part of generic.split(',')) {
      const [word, value] = part.trim().split(/\s+/, 2);
      if (word?.toLowerCase() === policy.serviceWord && value) requested = value;
    }
  }
  if (requested === undefined && policy.legacyHeader) {
    const legacy = req.headers[policy.legacyHeader.toLowerCase()];
    if (typeof legacy === 'string') requested = legacy.trim();
  }
  if (requested === undefined) return min;
  if (requested.toLowerCase() === 'latest') return max;
  if (!/^\d+\.\d+$/.test(requested)) {
    throw new ApiFault(400, `API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`);
  }
  const v = parseVersion(requested);
  if (compareVersions(v, min) < 0 || compareVersions(v, max) > 0) {
    throw new ApiFault(
      406,
      `Version ${requested} is not supported by the API. Minimum is ${policy.min} and maximum is ${policy.max}.`,
    );
  }
  return v;
}

export function versionHeaders(policy: MicroversionPolicy, v: Microversion): Record<string, string> {
  const headers: Record<string, string> = {
    'OpenStack-API-Version': `${policy.serviceWord} ${formatVersion(v)}`,
    Vary: policy.legacyHeader ? `OpenStack-API-Version, ${policy.legacyHeader}` : 'OpenStack-API-Version',
  };
  if (policy.legacyHeader) headers[policy.legacyHeader] = formatVersion(v);
  return headers;
}

/** Cinder/Nova/Manila answer 404 for a route that does not exist at the requested microversion. */
export function requireVersion(v: Microversion, minimum: string): void {
  if (!atLeast(v, minimum)) throw new ApiFault(404, 'The resource could not be found.');
}
