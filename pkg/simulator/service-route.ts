/**
 * Wraps an API handler with what every OpenStack service does first: check the token (401), check the
 * project in the URL, negotiate the microversion (400/406) and echo it on the answer, errors included.
 */
import { ApiFault, badRequest, faultBody, notFound, type HandlerResult, type RequestContext, type Router } from './http-kit';
import type { TokenInfo } from './identity';
import { negotiate, versionHeaders, type Microversion, type MicroversionPolicy } from './microversion';
import type { SimContext } from './state';

export interface ServiceCall extends RequestContext {
  token: TokenInfo;
  version: Microversion;
  projectId: string;
}

export type ServiceHandler = (call: ServiceCall) => HandlerResult | Promise<HandlerResult>;

export class ServiceRoutes {
  constructor(
    private readonly router: Router,
    private readonly sim: SimContext,
    private readonly prefix: string,
    private readonly policy: MicroversionPolicy,
  ) {}

  add(method: string, subpath: string, handler: ServiceHandler): void {
    const template = `${this.prefix}${subpath}`;
    this.router.add(method, template, async (ctx) => {
      const token = this.sim.identity.validate(ctx);
      const projectId = token.projectId;
      if (!projectId) throw new ApiFault(403, 'Policy does not allow this operation: the token has no project scope.');
      const urlProject = ctx.params.project_id;
      if (urlProject !== undefined && urlProject !== projectId) {
        throw badRequest(`Malformed request URL: URL's project_id '${urlProject}' doesn't match Context's project_id '${projectId}'`);
      }
      const version = negotiate(ctx.req, this.policy);
      const headers = versionHeaders(this.policy, version);
      try {
        const result = await handler({ ...ctx, token, version, projectId });
        return { ...result, headers: { ...headers, ...(result.headers ?? {}) } };
      } catch (err) {
        if (err instanceof ApiFault) {
          throw new ApiFault(err.status, err.message, { ...headers, ...err.headers }, err.body ?? faultBody(err.status, err.message));
        }
        throw err;
      }
    });
  }
}

/** Newest first, the default sort of Cinder and Manila (created_at desc, id desc). */
export function newestFirst<T extends { seq: number }>(items: Iterable<T>): T[] {
  return [...items].sort((a, b) => b.seq - a.seq);
}

/**
 * A list filter from the query: a record passes when, for each query parameter named in `fieldsByParam`, its field
 * equals the parameter's value. A parameter the query leaves out does not filter.
 */
export function queryFilter<T>(query: URLSearchParams, fieldsByParam: Record<string, keyof T>): (item: T) => boolean {
  return (item) =>
    Object.entries(fieldsByParam).every(([param, field]) => {
      const wanted = query.get(param);
      return wanted === null || item[field] === wanted;
    });
}

/** Applies `limit`, `marker` and `offset` (Manila pages by offset) over records sorted newest first, the default sort of Cinder and Manila. */
export function paginate<T extends { id: string }>(
  items: T[],
  query: URLSearchParams,
  missingMarker: (marker: string) => ApiFault,
  maxLimit = 1000,
): { page: T[]; limit: number; more: boolean } {
  const limitText = query.get('limit');
  let limit = maxLimit;
  if (limitText !== null) {
    if (!/^\d+$/.test(limitText)) throw badRequest(`Invalid input received: limit must be a non-negative integer, got ${limitText}.`);
    limit = Math.min(Number(limitText), maxLimit);
  }
  let start = 0;
  const offsetText = query.get('offset');
  if (offsetText !== null) {
    if (!/^\d+$/.test(offsetText)) throw badRequest(`Invalid input received: offset must be a non-negative integer, got ${offsetText}.`);
    start = Number(offsetText);
  }
  const marker = query.get('marker');
  if (marker) {
    const index = items.findIndex((item) => item.id === marker);
    if (index < 0) throw missingMarker(marker);
    start = index + 1 + start;
  }
  const page = items.slice(start, start + limit);
  return { page, limit, more: page.length === limit && limit > 0 };
}

/** A `{rel: next}` link carrying the query with the marker moved to the page's last item. */
export function nextLink(baseUrl: string, path: string, query: URLSearchParams, lastId: string, limit: number): { href: string; rel: string } {
  const q = new URLSearchParams(query);
  q.set('limit', String(limit));
  q.set('marker', lastId);
  return { href: `${baseUrl}${path}?${q.toString()}`, rel: 'next' };
}

/**
 * The body of a list answer: the page of `items` the call's query asks for, each shown by `view`, under `key`,
 * and under `linksKey` a next link when more follow.
 */
export function pagedListBody<T extends { id: string }>(
  call: ServiceCall,
  items: T[],
  key: string,
  view: (item: T) => unknown,
  linksKey = `${key}_links`,
): Record<string, unknown> {
  const { page, limit, more } = paginate(items, call.query, (m) => notFound(`Marker ${m} could not be found.`));
  const body: Record<string, unknown> = { [key]: page.map(view) };
  if (more) body[linksKey] = [nextLink(call.baseUrl, call.path, call.query, page[page.length - 1].id, limit)];
  return body;
}
