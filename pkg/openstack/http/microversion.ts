/**
 * Microversions: parsing, comparing, finding a service's supported range in its version document, and
 * the header each service expects.
 */
import { BadRequestError } from '../errors';

export interface Microversion {
  major: number;
  minor: number;
}

export interface VersionRange {
  min: string;
  max: string;
}

export function parseMicroversion(text: string): Microversion {
  const match = /^(\d+)\.(\d+)$/.exec(text.trim());
  if (!match) throw new BadRequestError(`invalid microversion "${text}"`);
  return { major: Number(match[1]), minor: Number(match[2]) };
}

export function compareMicroversions(a: string, b: string): number {
  const left = parseMicroversion(a);
  const right = parseMicroversion(b);
  return left.major - right.major || left.minor - right.minor;
}

export function maxMicroversion(a: string, b: string): string {
  return compareMicroversions(a, b) >= 0 ? a : b;
}

/** Path-version segment of an endpoint URL such as `/v3`, `/v2.1`, `/v2`. */
const VERSION_SEGMENT = /^v\d+(\.\d+)?$/;

/**
 * The version document of an endpoint: the URL up to and including its version segment, with a
 * trailing slash (`https://cloud:8776/v3/<project>` → `https://cloud:8776/v3/`).
 */
export function versionDocumentUrl(endpointUrl: string): string {
  const url = new URL(endpointUrl);
  const segments = url.pathname.split('/').filter((segment) => segment.length > 0);
  const index = segments.findIndex((segment) => VERSION_SEGMENT.test(segment));
  const kept = index >= 0 ? segments.slice(0, index + 1) : segments;
  url.pathname = `/${kept.join('/')}${kept.length > 0 ? '/' : ''}`;
  url.search = '';
  return url.toString();
}

interface VersionEntry {
  id?: string;
  status?: string;
  version?: string;
  min_version?: string;
}

/**
 * Reads `{"version": {...}}` (Nova `GET /v2.1/`) or `{"versions": [...]}` (Cinder `GET /v3/`, Manila
 * `GET /v2/`, root documents). `version` is the maximum microversion, `min_version` the minimum; both
 * are empty strings for API versions without microversions.
 */
export function versionRangeOf(document: unknown, endpointUrl: string): VersionRange | undefined {
  if (!document || typeof document !== 'object') return undefined;
  const record = document as { version?: VersionEntry; versions?: VersionEntry[] | { values?: VersionEntry[] } };
  let entry: VersionEntry | undefined = record.version;
  if (!entry) {
    const list = Array.isArray(record.versions) ? record.versions : record.versions?.values;
    if (!list || list.length === 0) return undefined;
    const segment = new URL(endpointUrl).pathname
      .split('/')
      .find((part) => VERSION_SEGMENT.test(part));
    const major = segment ? segment.slice(1).split('.')[0] : undefined;
    entry =
      (major && list.find((candidate) => candidate.id?.replace(/^v/, '').split('.')[0] === major)) ||
      list.find((candidate) => candidate.status === 'CURRENT') ||
      list[0];
  }
  if (!entry?.version || !entry.min_version) return undefined;
  return { min: entry.min_version, max: entry.version };
}

export type MicroversionService = 'volume' | 'compute' | 'shared-file-system';

export function microversionHeaders(service: MicroversionService, version: string): Record<string, string> {
  switch (service) {
    case 'volume':
      return { 'OpenStack-API-Version': `volume ${version}` };
    case 'compute':
      return { 'X-OpenStack-Nova-API-Version': version };
    case 'shared-file-system':
      return { 'X-OpenStack-Manila-API-Version': version };
  }
}
