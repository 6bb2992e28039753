/**
 * Authenticated JSON calls to one OpenStack service: endpoint from the catalog, token header, microversion
 * header and check, retries/re-auth via the executor, metrics and request logging.
 */
import type { Logger } from '../../log/logger';
import { MicroversionUnsupportedError, OpenStackError, UnavailableError } from '../errors';
import type { KeystoneSession } from '../keystone/session';
import type { OpenStackMetrics } from '../metrics';
import { errorForMalformedBody } from './error-translation';
import { executeRequest, type Sleep } from './executor';
import {
  compareMicroversions,
  type MicroversionService,
  microversionHeaders,
  type VersionRange,
  versionDocumentUrl,
  versionRangeOf,
} from './microversion';
import { isIdempotentMethod, type RetryPolicy } from './retry-policy';
import type { HttpTransport } from './transport';

export interface ServiceDescriptor {
  kind: MicroversionService;
  /** Catalog service types, most preferred first. */
  catalogTypes: readonly string[];
  /** Microversion sent when a call names none. */
  defaultMicroversion: string;
  /** Calls at or below this version need no version-document check (the API's own minimum). */
  uncheckedUpTo: string;
}

export type QueryValue = string | number | boolean | undefined;

export interface ServiceCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  /** Path below the catalog endpoint, starting with `/`. */
  path: string;
  query?: Record<string, QueryValue> | [string, string][];
  body?: unknown;
  /** Microversion this call needs; the default of the service when absent. */
  microversion?: string;
  /** Metrics label (CPO style), e.g. `volume_create`. */
  request: string;
  /** Overrides the method's idempotency (e.g. an action documented as safe to repeat). */
  idempotent?: boolean;
}

export interface ServiceResult<T> {
  status: number;
  data: T;
  headers: Record<string, string>;
  requestId?: string;
  service: string;
  method: string;
  path: string;
}

/** The named member of a response body; a body without it is an unusable answer, not a crash later. */
export function requireMember<D, K extends keyof D>(result: ServiceResult<D>, key: K): NonNullable<D[K]> {
  const data = result.data as Partial<D> | undefined;
  const value = data && typeof data === 'object' ? data[key] : undefined;
  if (value === undefined || value === null) {
    throw new UnavailableError(
      `${result.service}: ${result.method} ${result.path} answered ${result.status} without "${String(key)}"` +
        (result.requestId ? ` (request ${result.requestId})` : ''),
      { service: result.service, method: result.method, path: result.path, status: result.status, requestId: result.requestId },
    );
  }
  return value as NonNullable<D[K]>;
}

export interface ServiceClientDeps {
  descriptor: ServiceDescriptor;
  session: KeystoneSession;
  transport: HttpTransport;
  logger: Logger;
  metrics: OpenStackMetrics;
  retry: RetryPolicy;
  sleep: Sleep;
  /** `ignore-volume-microversion`: send the needed version without checking the version document. */
  skipMicroversionCheck?: boolean;
}

export class ServiceClient {
  private range?: Promise<VersionRange | undefined>;

  constructor(private readonly deps: ServiceClientDeps) {}

  get kind(): MicroversionService {
    return this.deps.descriptor.kind;
  }

  async endpoint(): Promise<string> {
    return this.deps.session.endpoint({ serviceTypes: this.deps.descriptor.catalogTypes });
  }

  /** Supported microversion range from the version document; undefined when the cloud does not say. */
  async versionRange(): Promise<VersionRange | undefined> {
    if (!this.range) {
      const pending = this.fetchVersionRange();
      this.range = pending;
      // A transient failure must not be remembered; a definite answer (even "none") is.
      pending.catch(() => {
        if (this.range === pending) this.range = undefined;
      });
    }
    return this.range;
  }

  /** Whether the cloud offers `version` (true when the cloud publishes no range). */
  async supports(version: string): Promise<boolean> {
    const range = await this.versionRange().catch(() => undefined);
    return !range || compareMicroversions(version, range.max) <= 0;
  }

  private async fetchVersionRange(): Promise<VersionRange | undefined> {
    const endpoint = await this.endpoint();
    const url = versionDocumentUrl(endpoint);
    const path = new URL(url).pathname;
    const { session, transport, logger } = this.deps;
    const sendWithToken = async () => {
      const { token } = await session.token();
      return transport.send({ method: 'GET', url, headers: { Accept: 'application/json', 'X-Auth-Token': token } });
    };
    try {
      const response = await executeRequest(
        {
          service: this.kind,
          method: 'GET',
          path,
          idempotent: true,
          retry: this.deps.retry,
          logger,
          sleep: this.deps.sleep,
          scrub: session.scrub,
        },
        sendWithToken,
      );
      const range = versionRangeOf(JSON.parse(response.body) as unknown, endpoint);
      logger.debug(3, 'discovered microversion range', { service: this.kind, ...range });
      return range;
    } catch (err) {
      if (err instanceof OpenStackError && err.status !== undefined && err.status < 500 && err.status !== 401) {
        logger.warn('service publishes no usable version document; microversions are sent unchecked', {
          service: this.kind,
          path,
          status: err.status,
        });
        return undefined;
      }
      if (err instanceof SyntaxError) return undefined;
      throw err;
    }
  }

  private async checkMicroversion(version: string, ctx: { method: string; path: string }): Promise<void> {
    const { descriptor } = this.deps;
    if (this.deps.skipMicroversionCheck) return;
    if (compareMicroversions(version, descriptor.uncheckedUpTo) <= 0) return;
    let range: VersionRange | undefined;
    try {
      range = await this.versionRange();
    } catch (err) {
      this.deps.logger.warn('cannot read the version document; sending the microversion unchecked', {
        service: this.kind,
        error: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    if (range && compareMicroversions(version, range.max) > 0) {
      throw new MicroversionUnsupportedError(this.kind, version, range.max, { service: this.kind, ...ctx });
    }
  }

  async call<T>(call: ServiceCall): Promise<ServiceResult<T>> {
    const { session, transport, logger, metrics, descriptor } = this.deps;
    const started = Date.now();
    let failed = true;
    const version = call.microversion ?? descriptor.defaultMicroversion;
    const ctx = { service: this.kind, method: call.method, path: call.path };
    try {
      await this.checkMicroversion(version, ctx);
      const endpoint = await this.endpoint();
      const url = joinUrl(endpoint, call.path, call.query);
      const body = call.body === undefined ? undefined : JSON.stringify(call.body);
      let tokenUsed = '';
      const response = await executeRequest(
        {
          ...ctx,
          idempotent: call.idempotent ?? isIdempotentMethod(call.method),
          retry: this.deps.retry,
          logger,
          sleep: this.deps.sleep,
          scrub: session.scrub,
          onUnauthorized: async () => {
            session.invalidate(tokenUsed);
            await session.token();
            return true;
          },
        },
        async () => {
          const { token } = await session.token();
          tokenUsed = token;
          return transport.send({
            method: call.method,
            url,
            headers: {
              Accept: 'application/json',
              'X-Auth-Token': token,
              ...microversionHeaders(descriptor.kind, version),
            },
            body,
          });
        },
      );
      let data: T;
      if (response.body.trim() === '') {
        data = undefined as T;
      } else {
        try {
          data = JSON.parse(response.body) as T;
        } catch {
          throw errorForMalformedBody(ctx, response);
        }
      }
      failed = false;
      logger.debug(4, 'OpenStack API call', {
        ...ctx,
        request: call.request,
        status: response.status,
        requestId: response.requestId,
        attempts: response.attempts,
        microversion: version,
        durationMs: Date.now() - started,
      });
      return { status: response.status, data, headers: response.headers, requestId: response.requestId, ...ctx };
    } catch (caught) {
      let err = caught;
      if (caught instanceof OpenStackError && caught.status === 406) {
        // The cloud refused the microversion itself (e.g. the check was skipped or the document lied).
        const range = await this.versionRange().catch(() => undefined);
        err = new MicroversionUnsupportedError(this.kind, version, range?.max ?? 'unknown', {
          ...ctx,
          status: 406,
          requestId: caught.requestId,
          cause: caught,
        });
      }
      logger.debug(2, 'OpenStack API call failed', {
        ...ctx,
        request: call.request,
        error: err instanceof Error ? err.message : String(err),
        durationMs: Date.now() - started,
      });
      throw err;
    } finally {
      metrics.observe(call.request, (Date.now() - started) / 1000, failed);
    }
  }
}

export function joinUrl(endpoint: string, path: string, query?: ServiceCall['query']): string {
  const base = endpoint.replace(/\/+$/, '');
  const search = new URLSearchParams();
  const entries: [string, QueryValue][] = Array.isArray(query) ? query : Object.entries(query ?? {});
  for (const [key, value] of entries) {
    if (value !== undefined) search.append(key, String(value));
  }
  const qs = search.toString();
  return `${base}${path}${qs ? `?${qs}` : ''}`;
}
