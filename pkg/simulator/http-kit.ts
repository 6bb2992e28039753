/**
 * The simulator's HTTP plumbing: a path-template router, a request context, and the fault type each
 * service turns into its own error body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type ServiceName = 'identity' | 'volume' | 'compute' | 'share' | 'metadata' | 'admin';

/** An error the API answers with; `body` overrides the service's default fault shape. */
export class ApiFault extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ApiFault';
  }
}

export const badRequest = (message: string): ApiFault => new ApiFault(400, message);
export const notFound = (message: string): ApiFault => new ApiFault(404, message);
export const forbidden = (message: string): ApiFault => new ApiFault(403, message);
export const conflict = (message: string): ApiFault => new ApiFault(409, message);
export const overLimit = (message: string): ApiFault => new ApiFault(413, message);

/** Fault names of the OpenStack WSGI fault wrapper shared by Cinder, Nova and Manila. */
const FAULT_NAMES: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  406: 'notAcceptable',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

export function faultBody(status: number, message: string): Record<string, unknown> {
  const name = FAULT_NAMES[status] ?? 'computeFault';
  return { [name]: { message, code: status } };
}

/** Keystone (and keystonemiddleware's 401) error shape. */
export function identityErrorBody(status: number, title: string, message: string): Record<string, unknown> {
  return { error: { code: status, title, message } };
}

export interface RequestContext {
  req: IncomingMessage;
  method: string;
  path: string;
  template: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body (undefined when empty). */
  body: unknown;
  /** Base URL of this server as the client reached it, e.g. `http://127.0.0.1:5000`. */
  baseUrl: string;
}

export interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => HandlerResult | Promise<HandlerResult>;

interface Route {
  method: string;
  template: string;
  segments: string[];
  handler: Handler;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** Matches `/a/{id}/b`-style templates; literal segments win over parameters on equal length. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, template: string, handler: Handler): void {
    this.routes.push({ method, template, segments: splitPath(template), handler });
  }

  match(method: string, path: string): RouteMatch | { methodNotAllowed: true } | undefined {
    const parts = splitPath(path);
    let best: { route: Route; params: Record<string, string>; literals: number } | undefined;
    let pathMatched = false;
    for (const route of this.routes) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let literals = 0;
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = route.segments[i];
        if (seg.startsWith('{') && seg.endsWith('}')) {
          params[seg.slice(1, -1)] = decodeURIComponent(parts[i]);
        } else if (seg === parts[i]) {
          literals++;
        } else {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      if (!best || literals > best.literals) best = { route, params, literals };
    }
    if (best) return { route: best.route, params: best.params };
    return pathMatched ? { methodNotAllowed: true } : undefined;
  }
}

export function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

export async function readBody(req: IncomingMessage, maxBytes = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > maxBytes) throw new ApiFault(413, 'Request is too large.');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (text.length > 0) res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** Reads `body[key]` as an object or answers 400 the way the services do for a malformed body. */
export function requireObject(body: unknown, key: string): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('The server could not comply with the request since it is either malformed or otherwise incorrect.');
  }
  const inner = (body as Record<string, unknown>)[key];
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) {
    throw badRequest(`Missing required element '${key}' in request body.`);
  }
  return inner as Record<string, unknown>;
}

export function optionalString(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`Invalid input for field/attribute ${key}. Value: ${String(v)}. is not of type 'string'`);
  return v;
}

export function optionalStringMap(obj: Record<string, unknown>, key: string): Record<string, string> | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`Invalid input for field/attribute ${key}: must be an object.`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val !== 'string') throw badRequest(`Invalid input for field/attribute ${key}. Value of '${k}' is not a string.`);
    out[k] = val;
  }
  return out;
}

/** Parses a size the way the services accept it: an integer, or a string holding one. */
export function parseSize(value: unknown, field = 'size'): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
    throw badRequest(`Invalid input received: ${field} ${JSON.stringify(value)} is not a positive integer.`);
  }
  return n;
}

export function parseBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return ['true', 't', '1', 'yes', 'y', 'on'].includes(value.toLowerCase());
  return false;
}
