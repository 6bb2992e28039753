/** Choosing a service endpoint from the Keystone v3 token catalog. */
import { EndpointNotFoundError } from '../errors';

export interface CatalogEndpoint {
  id?: string;
  interface: string;
  region?: string | null;
  region_id?: string | null;
  url: string;
}

export interface CatalogService {
  id?: string;
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

/**
 * Service types accepted for each service, in order of preference (service-types-authority aliases).
 * The legacy names come first because their URLs carry the project ID, which older releases require.
 */
export const SERVICE_TYPE_ALIASES = {
  volume: ['volumev3', 'block-storage'],
  compute: ['compute'],
  'shared-file-system': ['sharev2', 'shared-file-system'],
} as const;

export interface EndpointQuery {
  serviceTypes: readonly string[];
  region?: string;
  /** `public`, `internal` or `admin`; `publicURL` style is accepted too. */
  interface?: string;
}

export function normaliseInterface(value: string | undefined): string {
  return (value ?? 'public').trim().toLowerCase().replace(/url$/, '') || 'public';
}

export function selectEndpoint(catalog: CatalogService[], query: EndpointQuery): string {
  const wantedInterface = normaliseInterface(query.interface);
  for (const type of query.serviceTypes) {
    const candidates = catalog
      .filter((service) => service.type === type)
      .flatMap((service) => service.endpoints ?? [])
      .filter((endpoint) => normaliseInterface(endpoint.interface) === wantedInterface)
      .filter((endpoint) => !query.region || endpoint.region_id === query.region || endpoint.region === query.region);
    const urls = [...new Set(candidates.map((endpoint) => endpoint.url))];
    if (urls.length === 1) return urls[0];
    if (urls.length > 1) {
      throw new EndpointNotFoundError(
        `catalog has ${urls.length} ${wantedInterface} endpoints for service type "${type}"` +
          `${query.region ? ` in region "${query.region}"` : ''}; set "region" to choose one ` +
          `(offered: ${describeEndpoints(catalog, [type])})`,
        { service: type },
      );
    }
  }
  throw new EndpointNotFoundError(
    `no ${wantedInterface} endpoint for service type ${query.serviceTypes.map((t) => `"${t}"`).join(' or ')}` +
      `${query.region ? ` in region "${query.region}"` : ''}; the catalog offers: ${describeEndpoints(catalog)}`,
    { service: query.serviceTypes[0] },
  );
}

function describeEndpoints(catalog: CatalogService[], types?: string[]): string {
  const entries = catalog
    .filter((service) => !types || types.includes(service.type))
    .flatMap((service) =>
      (service.endpoints ?? []).map(
        (endpoint) => `${service.type}/${endpoint.interface}/${endpoint.region_id ?? endpoint.region ?? '-'}`,
      ),
    );
  return entries.length > 0 ? entries.join(', ') : 'nothing';
}
