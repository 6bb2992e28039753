/**
 * Idle keep-alive sockets: the client must close them before the server's announced window ends, or the
 * next request races the server's close and fails with ECONNRESET (a POST is not retried).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { AxiosTransport } from './transport';

describe('AxiosTransport idle keep-alive sockets', () => {
  let server: http.Server;
  let url: string;
  /** Per server-side socket: who closed it first. */
  const closedBy: ('client' | 'server')[] = [];

  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('{}'));
    server.keepAliveTimeout = 2000; // announced as `Keep-Alive: timeout=2`
    server.on('connection', (socket: Socket) => {
      let first: 'client' | 'server' | undefined;
      socket.on('end', () => (first ??= 'client'));
      socket.on('timeout', () => (first ??= 'server'));
      socket.on('close', () => closedBy.push(first ?? 'server'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('closes an idle socket before the server announced it would, so no request meets a closed socket', async () => {
    const transport = new AxiosTransport({ timeoutMs: 5000, userAgent: 'ua' });
    try {
      const answer = await transport.send({ method: 'POST', url, headers: {}, body: '{}' });
      expect(answer.headers['keep-alive']).toBe('timeout=2');
      // The agent keeps the socket 2 s - 1 s; the server would close it at 2 s.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(closedBy).toEqual(['client']);
      // A request after the idle time opens a new connection and succeeds.
      expect((await transport.send({ method: 'POST', url, headers: {}, body: '{}' })).status).toBe(200);
    } finally {
      transport.close();
    }
  });
});
