/**
 * The one place that talks HTTP: an axios instance per endpoint origin, with timeouts, TLS settings and
 * User-Agent. It never throws for an HTTP status; callers see every answer as a RawResponse.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { ConfigError } from '../errors';
import type { RawResponse } from './error-translation';

export interface TlsOptions {
  caFile?: string;
  caData?: string;
  insecure?: boolean;
  certFile?: string;
  keyFile?: string;
}

export interface TransportOptions {
  timeoutMs: number;
  userAgent: string;
  tls?: TlsOptions;
}

export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpTransport {
  /** Rejects only on transport failures (connection, timeout), with the client's error object. */
  send(request: TransportRequest): Promise<RawResponse>;
  /** Closes idle keep-alive connections. */
  close?(): void;
}

function readPem(file: string, key: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new ConfigError(`cannot read ${key} ${file}: ${(err as Error).message}`);
  }
}

/**
 * Idle keep-alive sockets are closed by the client after this long, and sooner when the server announces a
 * shorter window (`Keep-Alive: timeout=N`: the agent then keeps N - 1 s). Without an agent timeout, Node's
 * agent ignores that announcement and keeps idle sockets forever; a server that closes them (Node and
 * Apache: 5 s) then races the next request on the socket, which fails with ECONNRESET before the server
 * read it; the client cannot safely retry a POST. 4 s stays under the common 5 s server windows.
 */
export const IDLE_SOCKET_TIMEOUT_MS = 4000;

const KEEP_ALIVE = { keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS } as const;

function httpsAgentFor(tls: TlsOptions | undefined): https.Agent {
  const ca: (string | Buffer)[] = [];
  if (tls?.caFile) ca.push(readPem(tls.caFile, 'ca-file'));
  if (tls?.caData) ca.push(tls.caData);
  if ((tls?.certFile && !tls.keyFile) || (!tls?.certFile && tls?.keyFile)) {
    throw new ConfigError('cert-file and key-file must be given together');
  }
  return new https.Agent({
    ...KEEP_ALIVE,
    ca: ca.length > 0 ? ca : undefined,
    rejectUnauthorized: !tls?.insecure,
    cert: tls?.certFile ? readPem(tls.certFile, 'cert-file') : undefined,
    key: tls?.keyFile ? readPem(tls.keyFile, 'key-file') : undefined,
  });
}

export class AxiosTransport implements HttpTransport {
  private readonly instances = new Map<string, AxiosInstance>();
  private readonly httpAgent = new http.Agent(KEEP_ALIVE);
  private readonly httpsAgent: https.Agent;

  constructor(private readonly options: TransportOptions) {
    this.httpsAgent = httpsAgentFor(options.tls);
  }

  private instanceFor(url: string): AxiosInstance {
    const origin = new URL(url).origin;
    let instance = this.instances.get(origin);
    if (!instance) {
      instance = axios.create({
        adapter: 'http',
        timeout: this.options.timeoutMs,
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
        // Bodies are parsed by the caller so HTML and malformed JSON become typed errors.
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        maxRedirects: 0,
        headers: { 'User-Agent': this.options.userAgent },
      });
      this.instances.set(origin, instance);
    }
    return instance;
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  async send(request: TransportRequest): Promise<RawResponse> {
    const response = await this.instanceFor(request.url).request<string>({
      method: request.method,
      url: request.url,
      headers: request.body === undefined ? request.headers : { 'Content-Type': 'application/json', ...request.headers },
      data: request.body,
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers ?? {})) {
      if (value === undefined || value === null) continue;
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    const body = typeof response.data === 'string' ? response.data : response.data == null ? '' : String(response.data);
    return { status: response.status, headers, body };
  }
}
