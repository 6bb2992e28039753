import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import nock from 'nock';
import { Registry } from 'prom-client';
import { createCloud, createCloudsFromConfig, userAgentString } from './cloud';
import { parseCloudConfigText } from './config/cloud-conf';
import { ConfigError } from './errors';
import { createOpenStackMetrics, METRIC_NAMES } from './metrics';
import { AUTH_URL, novaUrl, server, SERVER_ID } from './testing/fixtures';
import { mockAuth, passwordCredentials, releaseNock, resetNock } from './testing/harness';

beforeEach(resetNock);
afterAll(releaseNock);

describe('createCloud', () => {
  it('sends a User-Agent with the project name, version and every --user-agent value', async () => {
    const auth = nock('http://keystone.test:5000')
      .post('/v3/auth/tokens')
      .matchHeader('user-agent', /^openstack-csi\/\d+\.\d+\.\d+ cluster-a extra\/1$/)
      .reply(201, (await import('./testing/fixtures')).tokenBody(), { 'X-Subject-Token': 't' });
    const cloud = createCloud(passwordCredentials, { userAgent: ['cluster-a', 'extra/1'] });
    await cloud.projectId();
    expect(auth.isDone()).toBe(true);
    // The same version the CSI Identity service reports, read from package.json at run time.
    const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(userAgentString()).toBe(`openstack-csi/${version}`);
  });

  it('rejects unreadable TLS files and a cert without a key', () => {
    expect(() => createCloud({ ...passwordCredentials, caFile: '/nonexistent/ca.pem' })).toThrow(ConfigError);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-'));
    try {
      const cert = path.join(dir, 'c.pem');
      fs.writeFileSync(cert, 'x');
      expect(() => createCloud({ ...passwordCredentials, certFile: cert })).toThrow(/cert-file and key-file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records CPO-named metrics per request', async () => {
    mockAuth();
    nock(new URL(novaUrl()).origin)
      .get(`/v2.1/servers/${SERVER_ID}`)
      .reply(200, { server: server() })
      .get('/v2.1/servers/missing')
      .reply(404, { itemNotFound: { code: 404, message: 'Instance missing could not be found.' } });
    const registry = new Registry();
    const cloud = createCloud(passwordCredentials, { metrics: createOpenStackMetrics(registry) });
    await cloud.compute.getServer(SERVER_ID);
    await cloud.compute.getServer('missing').catch(() => undefined);
    const text = await registry.metrics();
    expect(text).toContain(`${METRIC_NAMES.total}{request="server_get"} 2`);
    expect(text).toContain(`${METRIC_NAMES.errors}{request="server_get"} 1`);
    expect(text).toContain(`${METRIC_NAMES.duration}_count{request="server_get"} 2`);
    expect(text).toContain(`${METRIC_NAMES.total}{request="identity_token_create"} 1`);
  });
});

describe('createCloudsFromConfig', () => {
  it('builds one cloud per section with its name', () => {
    const config = parseCloudConfigText(`[Global]
auth-url = ${AUTH_URL}
application-credential-id = a
application-credential-secret = b

[Global "east"]
auth-url = ${AUTH_URL}
application-credential-id = c
application-credential-secret = d
`);
    const clouds = createCloudsFromConfig(config);
    expect([...clouds.keys()].sort()).toEqual(['', 'east']);
    expect(clouds.get('east')?.name).toBe('east');
  });
});
