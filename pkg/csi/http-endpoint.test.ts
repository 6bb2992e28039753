import * as http from 'http';
import { Counter, Registry } from 'prom-client';
import { createLogger } from '../log/logger';
import { parseHostPort, startHttpEndpoint, HttpEndpoint } from './http-endpoint';

function get(address: string, path: string, method = 'GET'): Promise<{ status: number; body: string; type?: string }> {
  const { port } = parseHostPort(address);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP endpoint', () => {
  let endpoint: HttpEndpoint | undefined;
  afterEach(async () => {
    await endpoint?.stop();
    endpoint = undefined;
  });

  it('serves every registry on /metrics and readiness on /healthz', async () => {
    const a = new Registry();
    const b = new Registry();
    new Counter({ name: 'alpha_total', help: 'a', registers: [a] }).inc(3);
    new Counter({ name: 'beta_total', help: 'b', registers: [b] }).inc();
    let ready = false;
    endpoint = await startHttpEndpoint({
      address: '127.0.0.1:0',
      registries: [a, b],
      ready: () => ready,
      logger: createLogger({ sink: () => undefined }),
    });
    expect(endpoint.address).toMatch(/^127\.0\.0\.1:\d+$/);

    const metrics = await get(endpoint.address, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    expect(metrics.body).toContain('alpha_total 3');
    expect(metrics.body).toContain('beta_total 1');

    await expect(get(endpoint.address, '/healthz')).resolves.toMatchObject({ status: 503 });
    ready = true;
    await expect(get(endpoint.address, '/healthz')).resolves.toMatchObject({ status: 200, body: 'ok\n' });
    await expect(get(endpoint.address, '/other')).resolves.toMatchObject({ status: 404 });
    await expect(get(endpoint.address, '/metrics', 'POST')).resolves.toMatchObject({ status: 405 });
  });

  it('answers 500 without details when the readiness check throws', async () => {
    const lines: string[] = [];
    endpoint = await startHttpEndpoint({
      address: '127.0.0.1:0',
      registries: [],
      ready: () => {
        throw new Error('keystone down');
      },
      logger: createLogger({ sink: (line) => lines.push(line) }),
    });
    const res = await get(endpoint.address, '/healthz');
    expect(res).toMatchObject({ status: 500, body: 'internal error\n' });
    expect(lines.join('\n')).toContain('keystone down');
  });

  it('parses the flag forms', () => {
    expect(parseHostPort(':9809')).toEqual({ host: undefined, port: 9809 });
    expect(parseHostPort('0.0.0.0:80')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(parseHostPort('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(() => parseHostPort('9809')).toThrow(/host:port/);
    expect(() => parseHostPort(':70000')).toThrow(/invalid port/);
  });
});
