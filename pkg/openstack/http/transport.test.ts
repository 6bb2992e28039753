/** The real transport against a local HTTPS server: CA file or inline CA, client certificates, tls-insecure. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { AxiosTransport } from './transport';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

(hasOpenssl ? describe : describe.skip)('AxiosTransport TLS (needs the openssl binary)', () => {
  let dir: string;
  let server: https.Server;
  let url: string;
  const file = (name: string) => path.join(dir, name);

  function openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  }

  function issue(name: string, cn: string, extensions: string): void {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    fs.writeFileSync(file(`${name}.ext`), extensions);
    openssl([
      'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`,
    ]);
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-transport-'));
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca']);
    issue('server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    issue('client', 'csi-client', 'extendedKeyUsage=clientAuth\n');
    server = https.createServer(
      {
        key: fs.readFileSync(file('server.key')),
        cert: fs.readFileSync(file('server.pem')),
        ca: fs.readFileSync(file('ca.pem')),
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        const peer = socket.getPeerCertificate();
        res.setHeader('Content-Type', 'application/json');
        res.end(
          JSON.stringify({
            clientAuthorized: socket.authorized,
            clientCn: peer?.subject?.CN ?? null,
            userAgent: req.headers['user-agent'],
          }),
        );
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v3/`;
  }, 60_000);

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (transport: AxiosTransport) => transport.send({ method: 'GET', url, headers: {} });

  it('trusts the server through ca-file and presents the client certificate', async () => {
    const transport = new AxiosTransport({
      timeoutMs: 5000,
      userAgent: 'openstack-csi/test',
      tls: { caFile: file('ca.pem'), certFile: file('client.pem'), keyFile: file('client.key') },
    });
    const response = await get(transport);
    transport.close();
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ clientAuthorized: true, clientCn: 'csi-client', userAgent: 'openstack-csi/test' });
  });

  it('trusts an inline CA (os-certAuthority)', async () => {
    const transport = new AxiosTransport({ timeoutMs: 5000, userAgent: 'ua', tls: { caData: fs.readFileSync(file('ca.pem'), 'utf8') } });
    const response = await get(transport);
    transport.close();
    expect(JSON.parse(response.body)).toMatchObject({ clientAuthorized: false });
  });

  it('refuses an unknown CA unless tls-insecure is set', async () => {
    const strict = new AxiosTransport({ timeoutMs: 5000, userAgent: 'ua' });
    await expect(get(strict)).rejects.toMatchObject({ code: expect.stringMatching(/CERT|SIGNATURE|ISSUER/) });
    strict.close();
    const insecure = new AxiosTransport({ timeoutMs: 5000, userAgent: 'ua', tls: { insecure: true } });
    await expect(get(insecure)).resolves.toMatchObject({ status: 200 });
    insecure.close();
  });
});
