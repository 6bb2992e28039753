import axios from 'axios';
import { createCloud, EndpointNotFoundError, UnauthorizedError, UnavailableError, type CloudCredentials } from '../openstack';
import { ControlState } from './control';
import type { Simulator } from './simulator';
import { fastClientOptions, passwordCredentials, rawToken, startSimulatedCloud } from './testing/cloud';

const AUTH = '/identity/v3/auth/tokens';
const GET_VOLUME = '/volume/v3/{project_id}/volumes/{volume_id}';

describe('simulated Keystone', () => {
  let sim: Simulator;

  beforeAll(async () => {
    ({ sim } = await startSimulatedCloud({ regions: ['RegionOne', 'RegionTwo'] }));
  });
  afterAll(async () => {
    await sim.stop();
  });

  const cloudWith = (credentials: CloudCredentials) => createCloud({ authUrl: sim.authUrl, region: 'RegionOne', ...credentials }, fastClientOptions());

  it('accepts every auth method the client uses and scopes the token to the project', async () => {
    const c = sim.credentials;
    const variants: CloudCredentials[] = [
      passwordCredentials(sim),
      { userId: c.userId, password: c.password, projectId: c.projectId },
      { applicationCredentialId: c.applicationCredential.id, applicationCredentialSecret: c.applicationCredential.secret },
      {
        applicationCredentialName: c.applicationCredential.name,
        username: c.username,
        userDomainName: c.userDomainName,
        applicationCredentialSecret: c.applicationCredential.secret,
      },
      { trustId: c.trust.id, trusteeId: c.trust.trusteeUserId, trusteePassword: c.trust.trusteePassword },
      { token: await rawToken(sim), projectId: c.projectId },
    ];
    for (const credentials of variants) {
      const cloud = cloudWith(credentials);
      expect(await cloud.projectId()).toBe(c.projectId);
      expect((await cloud.blockStorage.listVolumes()).items).toEqual([]);
    }
  });

  it('refuses a wrong password and a wrong application credential secret with 401', async () => {
    const wrong = cloudWith({ ...passwordCredentials(sim), password: 'nope' });
    await expect(wrong.blockStorage.listVolumes()).rejects.toBeInstanceOf(UnauthorizedError);
    const res = await axios.post(
      `${sim.url}${AUTH}`,
      { auth: { identity: { methods: ['application_credential'], application_credential: { id: sim.credentials.applicationCredential.id, secret: 'x' } } } },
      { validateStatus: () => true },
    );
    expect(res.status).toBe(401);
    expect(res.data).toEqual({ error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
  });

  it('issues X-Subject-Token with expires_at and a catalog of every service, region and interface', async () => {
    const res = await axios.post(`${sim.url}${AUTH}`, {
      auth: {
        identity: { methods: ['password'], password: { user: { id: sim.credentials.userId, password: sim.credentials.password } } },
        scope: { project: { name: 'demo', domain: { id: 'default' } } },
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers['x-subject-token']).toEqual(expect.any(String));
    const token = res.data.token;
    expect(token.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(token.project).toMatchObject({ id: sim.credentials.projectId, name: 'demo', domain: { id: 'default' } });
    const types = token.catalog.map((s: { type: string }) => s.type).sort();
    expect(types).toEqual(['block-storage', 'compute', 'identity', 'shared-file-system', 'sharev2', 'volumev3']);
    const volume = token.catalog.find((s: { type: string }) => s.type === 'volumev3');
    expect(volume.endpoints).toHaveLength(6);
    expect(volume.endpoints).toContainEqual(
      expect.objectContaining({ region: 'RegionTwo', interface: 'internal', url: `${sim.url}/volume/v3/${sim.credentials.projectId}` }),
    );
  });

  it('serves other regions and interfaces from the catalog and reports a missing region', async () => {
    const two = createCloud({ ...passwordCredentials(sim), region: 'RegionTwo', endpointType: 'internal' }, fastClientOptions());
    expect((await two.blockStorage.listVolumes()).items).toEqual([]);
    const nowhere = createCloud({ ...passwordCredentials(sim), region: 'Mars' }, fastClientOptions());
    await expect(nowhere.blockStorage.listVolumes()).rejects.toBeInstanceOf(EndpointNotFoundError);
  });

  it('answers 401 for unknown tokens on every service', async () => {
    for (const url of [`${sim.endpoints.volume}/volumes`, `${sim.endpoints.compute}/servers`, `${sim.endpoints.share}/shares`]) {
      const res = await axios.get(url, { headers: { 'X-Auth-Token': 'forged' }, validateStatus: () => true });
      expect(res.status).toBe(401);
      expect(res.data.error.code).toBe(401);
    }
  });
});

describe('fault injection and the request log', () => {
  let sim: Simulator;
  let cloud: ReturnType<typeof createCloud>;
  let volumeId: string;

  beforeAll(async () => {
    ({ sim, cloud } = await startSimulatedCloud());
    const v = await cloud.blockStorage.createVolume({ size: 1 });
    volumeId = (await cloud.blockStorage.waitForVolume(v.id, ['available'])).id;
  });
  afterAll(async () => {
    await sim.stop();
  });
  beforeEach(() => {
    sim.control.clearFaults();
    sim.requests.clear();
  });

  it('expires every token now: the next call gets 401, the client re-authenticates once and succeeds', async () => {
    sim.control.expireAllTokens();
    expect((await cloud.blockStorage.getVolume(volumeId)).id).toBe(volumeId);
    expect(sim.requests.entries({ template: GET_VOLUME }).map((r) => r.status)).toEqual([401, 200]);
    expect(sim.requests.count('POST', AUTH)).toBe(1);
  });

  it('expires tokens after their lifetime', async () => {
    sim.setTokenLifetime(0);
    const token = await rawToken(sim);
    sim.setTokenLifetime(3600);
    const res = await axios.get(`${sim.endpoints.volume}/volumes/${volumeId}`, { headers: { 'X-Auth-Token': token }, validateStatus: () => true });
    expect(res.status).toBe(401);
  });

  it('answers errors to matching requests a limited number of times; the client retries through them', async () => {
    sim.control.addFault({ match: { method: 'GET', template: GET_VOLUME }, action: { type: 'error', status: 503 }, times: 2 });
    expect((await cloud.blockStorage.getVolume(volumeId)).id).toBe(volumeId);
    const statuses = sim.requests.entries({ template: GET_VOLUME }).map((r) => r.status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(sim.requests.counts()[`GET ${GET_VOLUME}`]).toBe(3);
  });

  it('fails every matching request at error rate 1 until the fault is removed', async () => {
    const id = sim.control.setErrorRate({ service: 'volume', method: 'GET' }, 1, 500);
    await expect(cloud.blockStorage.getVolume(volumeId)).rejects.toBeInstanceOf(UnavailableError);
    expect(sim.requests.entries({ template: GET_VOLUME }).every((r) => r.injectedFault === 'error 500')).toBe(true);
    sim.control.removeFault(id);
    expect((await cloud.blockStorage.getVolume(volumeId)).status).toBe('available');
  });

  it('resets connections; the client retries an idempotent request', async () => {
    sim.control.resetConnections({ template: GET_VOLUME }, 1);
    expect((await cloud.blockStorage.getVolume(volumeId)).id).toBe(volumeId);
    const entries = sim.requests.entries({ template: GET_VOLUME });
    expect(entries.map((r) => r.injectedFault)).toEqual(['reset', undefined]);
  });

  it('loses responses: the request is carried out, the caller only sees its connection reset', async () => {
    const LIST_VOLUMES = '/volume/v3/{project_id}/volumes';
    sim.control.loseResponses({ method: 'POST', template: LIST_VOLUMES }, 1);
    const token = await rawToken(sim);
    const before = (await cloud.blockStorage.listVolumes()).items.length;
    const lost = axios.post(
      `${sim.endpoints.volume}/volumes`,
      { volume: { size: 1, name: 'lost-reply' } },
      { headers: { 'X-Auth-Token': token } },
    );
    await expect(lost).rejects.toMatchObject({ code: 'ECONNRESET' });
    const after = (await cloud.blockStorage.listVolumes()).items;
    expect(after).toHaveLength(before + 1);
    expect(after.filter((v) => v.name === 'lost-reply')).toHaveLength(1);
    const posts = sim.requests.entries({ method: 'POST', template: LIST_VOLUMES });
    expect(posts.map((r) => [r.status, r.injectedFault])).toEqual([[202, 'lostResponse']]);
    // Used up: the next create is answered.
    const answered = await axios.post(`${sim.endpoints.volume}/volumes`, { volume: { size: 1 } }, { headers: { 'X-Auth-Token': token } });
    expect(answered.status).toBe(202);
  });

  it('rate-limits with 429 and 413 plus Retry-After, which the client honours', async () => {
    sim.control.rateLimit({ template: GET_VOLUME }, { status: 429, retryAfterSeconds: 1, times: 1 });
    expect((await cloud.blockStorage.getVolume(volumeId)).id).toBe(volumeId);
    sim.control.rateLimit({ template: GET_VOLUME }, { status: 413, retryAfterSeconds: 1, times: 1 });
    expect((await cloud.blockStorage.getVolume(volumeId)).id).toBe(volumeId);
    expect(sim.requests.entries({ template: GET_VOLUME }).map((r) => r.status)).toEqual([429, 200, 413, 200]);

    sim.control.rateLimit({ template: GET_VOLUME }, { status: 429, retryAfterSeconds: 7, times: 1 });
    const token = await rawToken(sim);
    const res = await axios.get(`${sim.endpoints.volume}/volumes/${volumeId}`, { headers: { 'X-Auth-Token': token }, validateStatus: () => true });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.data.overLimit.code).toBe(429);
  });
});

describe('ControlState', () => {
  it('draws error rates from a seeded generator, so runs are reproducible', () => {
    const draw = () => {
      const control = new ControlState(0, 42);
      control.setErrorRate({ service: 'volume' }, 0.25);
      let hits = 0;
      for (let i = 0; i < 400; i++) if (control.faultFor({ method: 'GET', template: '/x', path: '/x', service: 'volume' })) hits++;
      return hits;
    };
    const first = draw();
    expect(draw()).toBe(first);
    expect(first).toBeGreaterThan(60);
    expect(first).toBeLessThan(140);
  });

  it('picks latencies per transition within the configured range', () => {
    const control = new ControlState(7);
    control.setLatency({ min: 10, max: 20 }, 'volume.attach');
    control.setLatency(3, 'snapshot');
    for (let i = 0; i < 50; i++) {
      const ms = control.latencyFor('volume', 'attach');
      expect(ms).toBeGreaterThanOrEqual(10);
      expect(ms).toBeLessThanOrEqual(20);
    }
    expect(control.latencyFor('snapshot', 'create')).toBe(3);
    expect(control.latencyFor('volume', 'create')).toBe(7);
    expect(() => control.setLatency({ min: 5, max: 1 })).toThrow();
  });

  it('matches failure rules by kind, resource ID and operation, once each by default', () => {
    const control = new ControlState(0);
    control.failNextTransition({ kind: 'volume', id: 'v1', operation: 'extend', fault: 'boom' });
    expect(control.takeFailure('volume', 'v2', 'extend')).toBeUndefined();
    expect(control.takeFailure('volume', 'v1', 'attach')).toBeUndefined();
    expect(control.takeFailure('volume', 'v1', 'extend')).toBe('boom');
    expect(control.takeFailure('volume', 'v1', 'extend')).toBeUndefined();
  });
});
