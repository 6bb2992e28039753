/**
 * Test support: plain `fetch` requests to a simulated service, for wire-shape checks that must not go through the
 * production client (a field name both got wrong would otherwise pass).
 */
import type { Simulator } from '../simulator';
import { rawToken } from './cloud';

export interface RawAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: Record<string, unknown> | undefined;
}

export interface RawRequest {
  body?: unknown;
  /** Microversion to send in the service's header (`X-OpenStack-Manila-API-Version` / `OpenStack-API-Version`). */
  version?: string;
  headers?: Record<string, string>;
}

export type RawCall = (method: string, path: string, request?: RawRequest) => Promise<RawAnswer>;

/** Requests under one service endpoint (`sim.endpoints.share`, `.volume`, `.compute`) with a fresh project token. */
export async function rawClient(sim: Simulator, service: 'share' | 'volume' | 'compute'): Promise<RawCall> {
  const token = await rawToken(sim);
  const base = sim.endpoints[service];
  return async (method, path, request = {}) => {
    const headers: Record<string, string> = { 'X-Auth-Token': token, Accept: 'application/json', ...request.headers };
    if (request.version !== undefined) Object.assign(headers, versionHeader(service, request.version));
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
}

function versionHeader(service: 'share' | 'volume' | 'compute', version: string): Record<string, string> {
  switch (service) {
    case 'share':
      return { 'X-OpenStack-Manila-API-Version': version };
    case 'volume':
      return { 'OpenStack-API-Version': `volume ${version}` };
    case 'compute':
      return { 'OpenStack-API-Version': `compute ${version}` };
  }
}

/** Polls `read` until `done` holds (a few seconds at most): for statuses that move asynchronously. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Sorted field names of a JSON object, to compare with an api-ref sample's. */
export const fieldsOf = (o: unknown): string[] => Object.keys(o as Record<string, unknown>).sort();
/** A JSON member read as an object, for property access in assertions. */
export const asObject = (o: unknown): Record<string, unknown> => o as Record<string, unknown>;
/** A JSON member read as a list of objects. */
export const asList = (o: unknown): Record<string, unknown>[] => o as Record<string, unknown>[];
