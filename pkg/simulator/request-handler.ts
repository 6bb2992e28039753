/**
 * The simulator's HTTP request handler: injected faults first (TCP reset, error status, rate limit), then the
 * routed handler with its JSON body, every answer logged and errors shaped as the answering service shapes them.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from '../log/logger';
import type { ControlState } from './control';
import { ApiFault, faultBody, identityErrorBody, readBody, sendJson, type RouteMatch, type Router, type ServiceName } from './http-kit';
import type { RequestLog, RequestRecord } from './request-log';

export interface RequestHandlerDeps {
  router: Router;
  control: ControlState;
  requests: RequestLog;
  logger: Logger;
  /** Base URL of the server (request URLs are resolved against it). */
  url: string;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createRequestHandler(deps: RequestHandlerDeps): RequestHandler {
  return async (req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const parsed = new URL(req.url ?? '/', deps.url);
    const requestPath = parsed.pathname.length > 1 ? parsed.pathname.replace(/\/+$/, '') : parsed.pathname;
    const service = serviceOf(requestPath);
    const match = deps.router.match(method, requestPath);
    const template = match && 'route' in match ? match.route.template : requestPath;
    const record = newRecord(req, method, requestPath, template, service);
    const finish = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      if (service !== 'admin') deps.requests.add(record);
      sendJson(res, status, body, { 'x-openstack-request-id': `req-${randomUUID()}`, ...headers });
    };
    try {
      if (service !== 'admin' && applyInjectedFault(deps, req, record, finish)) return;
      if (!match) throw new ApiFault(404, 'The resource could not be found.');
      if (!('route' in match)) throw new ApiFault(405, 'The method is not allowed for the requested URL.');
      const result = await runRoute(match, req, method, requestPath, template, parsed.searchParams, deps.url);
      finish(result.status, result.body, result.headers);
    } catch (err) {
      if (err instanceof ApiFault) {
        finish(err.status, err.body ?? defaultBody(service, err.status, err.message), err.headers);
      } else {
        deps.logger.error('simulator handler failed', { method, path: requestPath, err });
        finish(500, defaultBody(service, 500, 'The server has either erred or is incapable of performing the requested operation.'));
      }
    }
  };
}

function newRecord(req: IncomingMessage, method: string, path: string, template: string, service: ServiceName | 'unknown'): RequestRecord {
  const versionHeader =
    req.headers['openstack-api-version'] ?? req.headers['x-openstack-nova-api-version'] ?? req.headers['x-openstack-manila-api-version'];
  return {
    time: Date.now(),
    method,
    path,
    template,
    service,
    status: 0,
    microversion: typeof versionHeader === 'string' ? versionHeader : undefined,
    injectedFault: undefined,
  };
}

/** Applies the fault rule matching this request, if any; true when the request has been answered (or dropped). */
function applyInjectedFault(
  deps: RequestHandlerDeps,
  req: IncomingMessage,
  record: RequestRecord,
  finish: (status: number, body: unknown, headers?: Record<string, string>) => void,
): boolean {
  const service = record.service;
  const fault = deps.control.faultFor({ method: record.method, template: record.template, path: record.path, service });
  if (!fault) return false;
  if (fault.type === 'reset') {
    record.injectedFault = 'reset';
    deps.requests.add(record);
    req.socket.destroy();
  } else if (fault.type === 'error') {
    record.injectedFault = `error ${fault.status}`;
    finish(fault.status, defaultBody(service, fault.status, fault.message ?? 'Simulated failure.'));
  } else {
    record.injectedFault = `rateLimit ${fault.status}`;
    finish(fault.status, defaultBody(service, fault.status, 'This request was rate-limited.'), { 'Retry-After': String(fault.retryAfterSeconds) });
  }
  return true;
}

async function runRoute(
  match: RouteMatch,
  req: IncomingMessage,
  method: string,
  path: string,
  template: string,
  query: URLSearchParams,
  baseUrl: string,
) {
  const text = await readBody(req);
  let body: unknown;
  if (text.trim().length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiFault(400, 'Malformed request body: the body is not valid JSON.');
    }
  }
  return match.route.handler({ req, method, path, template, params: match.params, query, headers: req.headers, body, baseUrl });
}

function serviceOf(requestPath: string): ServiceName | 'unknown' {
  const first = requestPath.split('/')[1] ?? '';
  switch (first) {
    case 'identity':
    case 'volume':
    case 'compute':
    case 'share':
    case 'admin':
      return first;
    case 'metadata':
    case 'openstack':
      return 'metadata';
    default:
      return 'unknown';
  }
}

function defaultBody(service: ServiceName | 'unknown', status: number, message: string): unknown {
  if (service === 'identity') return identityErrorBody(status, http.STATUS_CODES[status] ?? 'Error', message);
  return faultBody(status, message);
}
