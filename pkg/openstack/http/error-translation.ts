/**
 * Turns HTTP answers and transport failures into the typed errors of `errors.ts`, keeping the cloud's
 * own message and request ID. Bodies may be JSON in any of the OpenStack fault shapes, HTML from a
 * proxy, or garbage; none of them may crash the caller.
 */
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  OpenStackError,
  type OpenStackErrorDetails,
  OverLimitError,
  RateLimitedError,
  TimeoutError,
  UnauthorizedError,
  UnavailableError,
} from '../errors';

export interface RawResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
}

export interface RequestContext {
  service: string;
  method: string;
  /** Path without query string. */
  path: string;
}

const MAX_MESSAGE_LENGTH = 300;

export function requestIdOf(headers: Record<string, string>): string | undefined {
  return headers['x-openstack-request-id'] ?? headers['x-compute-request-id'] ?? headers['openstack-request-id'];
}

/**
 * The human message inside an error body: `{"itemNotFound": {"message": ...}}` (Cinder/Nova/Manila),
 * `{"error": {"message": ...}}` (Keystone), `{"NeutronError": {...}}`, `{"message": ...}`, or text/HTML.
 */
export function cloudMessageOf(body: string): string | undefined {
  const trimmed = body.trim();
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as unknown;
      const message = findMessage(parsed, 2);
      if (message) return truncate(message);
    } catch {
      // fall through to plain-text handling
    }
  }
  if (/^<!doctype html|^<html|<\/\w+>/i.test(trimmed)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(trimmed)?.[1];
    const heading = /<h1[^>]*>([^<]*)<\/h1>/i.exec(trimmed)?.[1];
    const summary = (title ?? heading ?? trimmed.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
    return summary ? `non-JSON (HTML) response: ${truncate(summary)}` : 'non-JSON (HTML) response';
  }
  return truncate(trimmed.replace(/\s+/g, ' '));
}

function findMessage(value: unknown, depth: number): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  for (const key of ['message', 'faultstring', 'detail', 'title']) {
    if (typeof record[key] === 'string' && record[key]) return record[key] as string;
  }
  if (depth === 0) return undefined;
  for (const inner of Object.values(record)) {
    const found = findMessage(inner, depth - 1);
    if (found) return found;
  }
  return undefined;
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}

function describe(ctx: RequestContext, status: number | undefined, message: string | undefined, requestId?: string): string {
  const parts = [`${ctx.service}: ${ctx.method} ${ctx.path}`];
  if (status !== undefined) parts.push(`returned ${status}`);
  let text = parts.join(' ');
  if (message) text += `: ${message}`;
  if (requestId) text += ` (request ${requestId})`;
  return text;
}

export function errorForResponse(
  ctx: RequestContext,
  response: RawResponse,
  extra: { retryAfterSeconds?: number } = {},
): OpenStackError {
  const requestId = requestIdOf(response.headers);
  const details: OpenStackErrorDetails = { status: response.status, requestId, ...ctx };
  const message = describe(ctx, response.status, cloudMessageOf(response.body), requestId);
  switch (response.status) {
    case 400:
      return new BadRequestError(message, details);
    case 401:
      return new UnauthorizedError(message, details);
    case 403:
      return new ForbiddenError(message, details);
    case 404:
      return new NotFoundError(message, details);
    case 409:
      return new ConflictError(message, details);
    case 413:
      return extra.retryAfterSeconds !== undefined
        ? new RateLimitedError(message, { ...details, retryAfterSeconds: extra.retryAfterSeconds })
        : new OverLimitError(message, details);
    case 429:
      return new RateLimitedError(message, { ...details, retryAfterSeconds: extra.retryAfterSeconds });
    case 408:
    case 504:
      return response.status === 408 ? new TimeoutError(message, details) : new UnavailableError(message, details);
    default:
      if (response.status >= 500) return new UnavailableError(message, details);
      return new OpenStackError(message, details);
  }
}

/** A 2xx whose body could not be read as JSON. */
export function errorForMalformedBody(ctx: RequestContext, response: RawResponse): OpenStackError {
  const requestId = requestIdOf(response.headers);
  const summary = cloudMessageOf(response.body) ?? 'empty body';
  return new UnavailableError(describe(ctx, response.status, `unreadable response body (${summary})`, requestId), {
    status: response.status,
    requestId,
    ...ctx,
  });
}

/** Transport failure codes that prove the request never reached the server (safe to repeat any request). */
const NOT_DELIVERED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

export interface TransportFailure {
  code?: string;
  message: string;
}

export function transportFailureOf(err: unknown): TransportFailure {
  const record = (err ?? {}) as { code?: unknown; message?: unknown };
  const message = typeof record.message === 'string' ? record.message : String(err);
  // Some client errors quote the whole request; the first line says what went wrong.
  return {
    code: typeof record.code === 'string' ? record.code : undefined,
    message: truncate(message.split('\n')[0]),
  };
}

/** Certificate and handshake failures: permanent until the configuration changes, so never retried. */
export function isTlsFailure(failure: TransportFailure): boolean {
  return failure.code !== undefined && /CERT|SSL|TLS|SIGNATURE|ISSUER|HOSTNAME/i.test(failure.code);
}

export function wasNotDelivered(failure: TransportFailure): boolean {
  return failure.code !== undefined && NOT_DELIVERED_CODES.has(failure.code);
}

export function errorForTransport(ctx: RequestContext, failure: TransportFailure): OpenStackError {
  // Only the code and message travel on: the raw client error holds request headers (tokens) and bodies (passwords).
  const cause = new Error(failure.code ? `${failure.code}: ${failure.message}` : failure.message);
  const text = `${ctx.service}: ${ctx.method} ${ctx.path} failed: ${failure.code ?? ''}${failure.code ? ' ' : ''}${failure.message}`;
  if (failure.code && TIMEOUT_CODES.has(failure.code)) return new TimeoutError(text, { ...ctx, cause });
  if (isTlsFailure(failure)) {
    return new UnavailableError(`${text} (TLS verification failed: check ca-file / os-certAuthority or tls-insecure)`, {
      ...ctx,
      cause,
    });
  }
  return new UnavailableError(text, { ...ctx, cause });
}
