/**
 * node's http client as the transport: what it sends and how it reads answers, beside axios (the transport
 * it replaces when no proxy is configured) against the same local server, and how failures surface.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import { AxiosTransport, createHttpTransport, NodeHttpTransport, proxyConfigured, type HttpTransport, type TransportRequest } from './transport';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('NodeHttpTransport', () => {
  let server: http.Server;
  let base: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        if (req.url === '/redirect') {
          res.writeHead(302, { Location: '/elsewhere' }).end();
        } else if (req.url === '/gzip') {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }).end(zlib.gzipSync(JSON.stringify({ zipped: true })));
        } else if (req.url === '/missing') {
          res.writeHead(404, { 'Content-Type': 'application/json', 'X-OpenStack-Request-Id': 'req-1' }).end('{"itemNotFound": {"message": "gone"}}');
        } else if (req.url === '/silent') {
          // never answers: the client's timeout must end it
        } else if (req.url === '/cut') {
          res.writeHead(200, { 'Content-Length': '100' });
          res.write('{"partial"');
          setTimeout(() => res.socket?.destroy(), 20);
        } else {
          res.setHeader('Set-Cookie', ['a=1', 'b=2']);
          res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: true, echo: body }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const options = { timeoutMs: 2000, userAgent: 'openstack-csi/test' };

  async function both(request: TransportRequest): Promise<{ node: Awaited<ReturnType<HttpTransport['send']>>; axios: Awaited<ReturnType<HttpTransport['send']>>; sent: Seen[] }> {
    const node = new NodeHttpTransport(options);
    const axios = new AxiosTransport(options);
    try {
      seen.length = 0;
      const fromNode = await node.send(request);
      const fromAxios = await axios.send(request);
      return { node: fromNode, axios: fromAxios, sent: [...seen] };
    } finally {
      node.close();
      axios.close();
    }
  }

  const withoutDate = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'date'));

  it('sends a JSON body with its type and length (not chunked), the User-Agent and the caller headers, and reads the answer as axios does', async () => {
    const request = { method: 'POST', url: `${base}/volumes?x=1`, headers: { Accept: 'application/json', 'X-Auth-Token': 'tok' }, body: '{"volume":{"size":1,"name":"é"}}' };
    const { node, axios, sent } = await both(request);
    expect(node).toEqual({ status: 201, headers: expect.objectContaining({ 'content-type': 'application/json', 'set-cookie': 'a=1, b=2' }), body: JSON.stringify({ ok: true, echo: request.body }) });
    expect({ ...node, headers: withoutDate(node.headers) }).toEqual({ ...axios, headers: withoutDate(axios.headers) });
    const [fromNode, fromAxios] = sent;
    expect(fromNode).toMatchObject({ method: 'POST', url: '/volumes?x=1', body: request.body });
    expect(fromNode.headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(request.body)),
      'user-agent': 'openstack-csi/test',
      accept: 'application/json',
      'x-auth-token': 'tok',
    });
    expect(fromNode.headers['transfer-encoding']).toBeUndefined();
    for (const name of ['content-type', 'content-length', 'user-agent', 'accept', 'x-auth-token']) expect(fromNode.headers[name]).toBe(fromAxios.headers[name]);
  });

  it('sends no body headers without a body, answers an error status instead of throwing, follows no redirect and inflates gzip, as axios', async () => {
    for (const path of ['/missing', '/redirect', '/gzip']) {
      const { node, axios, sent } = await both({ method: 'GET', url: `${base}${path}`, headers: {} });
      expect({ ...node, headers: withoutDate(node.headers) }).toEqual({ ...axios, headers: withoutDate(axios.headers) });
      expect(sent[0].headers['content-type']).toBeUndefined();
      expect(sent[0].headers['content-length']).toBeUndefined();
    }
    seen.length = 0;
    const node = new NodeHttpTransport(options);
    try {
      expect(await node.send({ method: 'GET', url: `${base}/missing`, headers: {} })).toMatchObject({ status: 404, headers: { 'x-openstack-request-id': 'req-1' } });
      expect(await node.send({ method: 'GET', url: `${base}/redirect`, headers: {} })).toMatchObject({ status: 302, headers: { location: '/elsewhere' } });
      expect(await node.send({ method: 'GET', url: `${base}/gzip`, headers: {} })).toMatchObject({ status: 200, body: '{"zipped":true}' });
      expect(seen.map((request) => request.url)).toEqual(['/missing', '/redirect', '/gzip']);
    } finally {
      node.close();
    }
  });

  it('fails a request the server does not answer within the timeout with ETIMEDOUT, and one cut short with ECONNRESET', async () => {
    const node = new NodeHttpTransport({ ...options, timeoutMs: 200 });
    try {
      await expect(node.send({ method: 'GET', url: `${base}/silent`, headers: {} })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      await expect(node.send({ method: 'GET', url: `${base}/cut`, headers: {} })).rejects.toMatchObject({ code: 'ECONNRESET' });
      // The transport still works after both failures.
      expect((await node.send({ method: 'GET', url: `${base}/ok`, headers: {} })).status).toBe(201);
    } finally {
      node.close();
    }
  });
});

describe('createHttpTransport', () => {
  it('uses node\'s client unless the environment names a proxy, then axios with its proxy rules', () => {
    expect(proxyConfigured({})).toBe(false);
    expect(proxyConfigured({ HTTPS_PROXY: '', no_proxy: '*' })).toBe(false);
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'npm_config_proxy', 'npm_config_https_proxy']) {
      expect(proxyConfigured({ [name]: 'http://proxy.example:3128' })).toBe(true);
    }
    const plain = createHttpTransport({ timeoutMs: 1000, userAgent: 'ua' }, {});
    const proxied = createHttpTransport({ timeoutMs: 1000, userAgent: 'ua' }, { HTTPS_PROXY: 'http://proxy.example:3128' });
    expect(plain).toBeInstanceOf(NodeHttpTransport);
    expect(proxied).toBeInstanceOf(AxiosTransport);
    plain.close?.();
    proxied.close?.();
  });
});
