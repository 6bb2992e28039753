import nock from 'nock';
import { EndpointNotFoundError, UnauthorizedError } from '../errors';
import {
  AUTH_URL,
  cinderUrl,
  novaUrl,
  PROJECT_ID,
  tokenBody,
  volume,
} from '../testing/fixtures';
import { makeCloud, mockAuth, PASSWORD, passwordCredentials, releaseNock, resetNock, SUBJECT_TOKEN } from '../testing/harness';

beforeEach(resetNock);
afterAll(releaseNock);

function cinderScope(region = 'RegionOne', iface = 'public'): nock.Scope {
  const url = new URL(cinderUrl(region, iface));
  return nock(url.origin);
}

describe('Keystone v3 authentication request bodies', () => {
  const cases: [string, Parameters<typeof makeCloud>[0], object][] = [
    [
      'password with user name, user domain and project by name',
      passwordCredentials,
      {
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'admin', domain: { name: 'Default' }, password: PASSWORD } },
          },
          scope: { project: { name: 'admin', domain: { name: 'Default' } } },
        },
      },
    ],
    [
      'password with user ID and project ID',
      { authUrl: AUTH_URL, userId: 'u-1', password: PASSWORD, projectId: PROJECT_ID, region: 'RegionOne' },
      {
        auth: {
          identity: { methods: ['password'], password: { user: { id: 'u-1', password: PASSWORD } } },
          scope: { project: { id: PROJECT_ID } },
        },
      },
    ],
    [
      'application credential by ID',
      { authUrl: AUTH_URL, applicationCredentialId: 'ac-1', applicationCredentialSecret: 'ac-secret', region: 'RegionOne' },
      {
        auth: {
          identity: { methods: ['application_credential'], application_credential: { id: 'ac-1', secret: 'ac-secret' } },
        },
      },
    ],
    [
      'application credential by name and user',
      {
        authUrl: AUTH_URL,
        applicationCredentialName: 'csi',
        username: 'demo',
        userDomainId: 'default',
        applicationCredentialSecret: 'ac-secret',
        region: 'RegionOne',
      },
      {
        auth: {
          identity: {
            methods: ['application_credential'],
            application_credential: { name: 'csi', user: { name: 'demo', domain: { id: 'default' } }, secret: 'ac-secret' },
          },
        },
      },
    ],
    [
      'token with project scope by ID',
      { authUrl: AUTH_URL, token: 'existing-token', projectId: PROJECT_ID, region: 'RegionOne' },
      {
        auth: {
          identity: { methods: ['token'], token: { id: 'existing-token' } },
          scope: { project: { id: PROJECT_ID } },
        },
      },
    ],
    [
      'trust with trustee credentials',
      { authUrl: AUTH_URL, trustId: 'trust-1', trusteeId: 'trustee-1', trusteePassword: 'tp', region: 'RegionOne' },
      {
        auth: {
          identity: { methods: ['password'], password: { user: { id: 'trustee-1', password: 'tp' } } },
          scope: { 'OS-TRUST:trust': { id: 'trust-1' } },
        },
      },
    ],
  ];

  it.each(cases)('%s', async (_name, credentials, expectedBody) => {
    const auth = nock('http://keystone.test:5000')
      .post('/v3/auth/tokens', (body) => {
        expect(body).toEqual(expectedBody);
        return true;
      })
      .matchHeader('content-type', /application\/json/)
      .reply(201, tokenBody(), { 'X-Subject-Token': SUBJECT_TOKEN });
    const { cloud } = makeCloud(credentials);
    await expect(cloud.projectId()).resolves.toBe(PROJECT_ID);
    expect(auth.isDone()).toBe(true);
  });

  it('accepts an auth URL without /v3', async () => {
    const auth = mockAuth();
    const { cloud } = makeCloud({ ...passwordCredentials, authUrl: 'http://keystone.test:5000/' });
    await cloud.projectId();
    expect(auth.isDone()).toBe(true);
  });
});

describe('catalog endpoint selection', () => {
  it.each([
    ['RegionOne', 'public'],
    ['RegionTwo', 'public'],
    ['RegionTwo', 'internal'],
    ['RegionOne', 'admin'],
  ])('picks the %s %s volume endpoint', async (region, iface) => {
    mockAuth();
    const get = cinderScope(region, iface)
      .get(`/v3/${PROJECT_ID}/volumes/${volume().id}`)
      .reply(200, { volume: volume() });
    const { cloud } = makeCloud({ ...passwordCredentials, region, endpointType: iface });
    await cloud.blockStorage.getVolume(volume().id);
    expect(get.isDone()).toBe(true);
  });

  it('accepts the block-storage and shared-file-system aliases', async () => {
    mockAuth(SUBJECT_TOKEN, tokenBody({ catalog: (await import('../testing/fixtures')).catalog({ volumeType: 'block-storage' }) }));
    const get = cinderScope().get(`/v3/${PROJECT_ID}/volumes/${volume().id}`).reply(200, { volume: volume() });
    const { cloud } = makeCloud();
    await cloud.blockStorage.getVolume(volume().id);
    expect(get.isDone()).toBe(true);
  });

  it('fails clearly, listing what the catalog offers, when no endpoint matches', async () => {
    mockAuth();
    const { cloud } = makeCloud({ ...passwordCredentials, region: 'RegionThree' });
    const error = await cloud.blockStorage.getVolume('x').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(EndpointNotFoundError);
    expect((error as Error).message).toContain('RegionThree');
    expect((error as Error).message).toContain('volumev3/public/RegionOne');
    expect((error as Error).message).toContain('compute/internal/RegionTwo');
  });

  it('refuses to guess between regions when no region is set', async () => {
    mockAuth();
    const { cloud } = makeCloud({ ...passwordCredentials, region: undefined });
    await expect(cloud.compute.getServer('x')).rejects.toThrow(/set "region"/);
  });
});

describe('token reuse', () => {
  it('authenticates once for 50 concurrent calls', async () => {
    const auth = mockAuth();
    const origin = new URL(novaUrl()).origin;
    const servers = nock(origin)
      .get(/\/v2\.1\/servers\/s-\d+$/)
      .times(50)
      .matchHeader('x-auth-token', SUBJECT_TOKEN)
      .reply(200, (uri) => ({ server: { id: uri.split('/').pop(), name: 'n', status: 'ACTIVE' } }));
    const { cloud } = makeCloud();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => cloud.compute.getServer(`s-${i}`)));
    expect(results.map((s) => s.id)).toEqual(Array.from({ length: 50 }, (_, i) => `s-${i}`));
    expect(auth.isDone()).toBe(true);
    expect(servers.isDone()).toBe(true);
    expect(cloud.session.authentications).toBe(1);
  });

  it('re-authenticates exactly once when the token is about to expire, under concurrency', async () => {
    const issued = Date.now();
    let clock = issued;
    mockAuth('token-old', tokenBody({ issuedAt: new Date(issued), expiresAt: new Date(issued + 3_600_000) }));
    const { cloud } = makeCloud(passwordCredentials, { now: () => clock });
    const origin = new URL(novaUrl()).origin;
    nock(origin).get('/v2.1/servers/first').matchHeader('x-auth-token', 'token-old').reply(200, { server: { id: 'first' } });
    await cloud.compute.getServer('first');
    // 30 s before expiry is inside the renewal margin.
    clock = issued + 3_600_000 - 30_000;
    const renew = mockAuth('token-new');
    const calls = nock(origin)
      .get(/\/v2\.1\/servers\/s-\d+$/)
      .times(50)
      .matchHeader('x-auth-token', 'token-new')
      .reply(200, { server: { id: 'x' } });
    await Promise.all(Array.from({ length: 50 }, (_, i) => cloud.compute.getServer(`s-${i}`)));
    expect(renew.isDone()).toBe(true);
    expect(calls.isDone()).toBe(true);
    expect(cloud.session.authentications).toBe(2);
  });

  it('on 401 re-authenticates once and retries the request once', async () => {
    mockAuth('token-revoked');
    const { cloud } = makeCloud();
    await cloud.projectId();
    const origin = new URL(novaUrl()).origin;
    const rejected = nock(origin)
      .get('/v2.1/servers/abc')
      .times(20)
      .matchHeader('x-auth-token', 'token-revoked')
      .reply(401, { error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' } });
    const reauth = mockAuth('token-fresh');
    const accepted = nock(origin)
      .get('/v2.1/servers/abc')
      .times(20)
      .matchHeader('x-auth-token', 'token-fresh')
      .reply(200, { server: { id: 'abc' } });
    await Promise.all(Array.from({ length: 20 }, () => cloud.compute.getServer('abc')));
    expect(rejected.isDone()).toBe(true);
    expect(reauth.isDone()).toBe(true);
    expect(accepted.isDone()).toBe(true);
    expect(cloud.session.authentications).toBe(2);
  });

  it('gives UnauthorizedError when the fresh token is refused too', async () => {
    mockAuth('t1');
    mockAuth('t2');
    const origin = new URL(novaUrl()).origin;
    const refused = nock(origin)
      .get('/v2.1/servers/abc')
      .times(2)
      .reply(401, { error: { code: 401, message: 'nope', title: 'Unauthorized' } }, { 'x-openstack-request-id': 'req-401' });
    const { cloud } = makeCloud();
    const error = await cloud.compute.getServer('abc').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as UnauthorizedError).requestId).toBe('req-401');
    expect(refused.isDone()).toBe(true);
    expect(cloud.session.authentications).toBe(2);
  });

  it('reports a failed authentication as a typed error without the password', async () => {
    nock('http://keystone.test:5000')
      .post('/v3/auth/tokens')
      .reply(401, { error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' } });
    const { cloud, logLines } = makeCloud();
    const error = await cloud.projectId().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toContain('requires authentication');
    expect((error as Error).message).not.toContain(PASSWORD);
    expect(logLines.join('\n')).not.toContain(PASSWORD);
  });
});
