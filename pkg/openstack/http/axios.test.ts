/**
 * axios is loaded with the fetch globals (and FormData) hidden (so its fetch probe does not load Node's undici) and
 * the globals are put back exactly as they were.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

describe('axios loader', () => {
  it('leaves fetch, Request, Response and FormData as it found them and still sends requests', async () => {
    const before = ['fetch', 'Request', 'Response', 'FormData'].map((name) => Object.getOwnPropertyDescriptor(globalThis, name));
    let axios!: typeof import('./axios').axios;
    jest.isolateModules(() => {
      axios = (jest.requireActual('./axios') as typeof import('./axios')).axios;
    });
    const after = ['fetch', 'Request', 'Response', 'FormData'].map((name) => Object.getOwnPropertyDescriptor(globalThis, name));
    // The same value or lazy getter as before (jest's environment may swap a setter meanwhile).
    after.forEach((descriptor, index) => {
      expect(descriptor?.get).toBe(before[index]?.get);
      expect(descriptor?.value).toBe(before[index]?.value);
    });
    expect([typeof fetch, typeof Request, typeof Response, typeof FormData]).toEqual(['function', 'function', 'function', 'function']);

    const server = http.createServer((_request, response) => response.end(JSON.stringify({ ok: true })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await axios.get(`http://127.0.0.1:${port}/`, { adapter: 'http' });
      expect(response.data).toEqual({ ok: true });
    } finally {
      server.close();
    }
  });
});
