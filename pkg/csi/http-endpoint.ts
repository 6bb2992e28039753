/**
 * The plugin's optional HTTP endpoint (`--http-endpoint`, as in CPO): Prometheus metrics on /metrics
 * and a readiness answer on /healthz (200 when ready, 503 otherwise). Nothing else is served.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Registry } from 'prom-client';
import { loadPromClient } from '../metrics/prom-client';
import type { Logger } from '../log/logger';

export interface HttpEndpointOptions {
  /** host:port or :port (all interfaces), as the flag takes it. */
  address: string;
  registries: Registry[];
  ready: () => boolean | Promise<boolean>;
  logger: Logger;
}

export interface HttpEndpoint {
  /** host:port actually bound (port 0 resolves to the real port). */
  readonly address: string;
  stop(): Promise<void>;
}

export function parseHostPort(address: string): { host: string | undefined; port: number } {
  const match = /^(\[[^\]]+\]|[^:\s]*):(\d{1,5})$/.exec(address);
  if (!match) throw new Error(`HTTP endpoint "${address}" must be host:port or :port`);
  const port = Number(match[2]);
  if (port > 65535) throw new Error(`HTTP endpoint "${address}" has an invalid port`);
  const host = match[1] === '' ? undefined : match[1].replace(/^\[|\]$/g, '');
  return { host, port };
}

export async function startHttpEndpoint(options: HttpEndpointOptions): Promise<HttpEndpoint> {
  const { host, port } = parseHostPort(options.address);
  // Read the registries on every scrape, so metrics registered after start are served too.
  const scrape = async (): Promise<string> =>
    (await Promise.all(options.registries.map((registry) => registry.metrics()))).filter((t) => t !== '').join('\n');

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const answer = async (): Promise<void> => {
      if (path === '/metrics') {
        const body = await scrape();
        res.writeHead(200, { 'content-type': loadPromClient().Registry.PROMETHEUS_CONTENT_TYPE }).end(body);
      } else if (path === '/healthz') {
        const ready = await options.ready();
        res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ok\n' : 'not ready\n');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    };
    answer().catch((err: unknown) => {
      options.logger.error('http endpoint request failed', { path, error: err });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const address = `${host ?? ''}:${bound.port}`;
  options.logger.info('HTTP endpoint listening', { address, paths: ['/metrics', '/healthz'] });

  let stopping: Promise<void> | undefined;
  return {
    address,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
