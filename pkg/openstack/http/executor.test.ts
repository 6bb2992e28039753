import nock from 'nock';
import {
  MicroversionUnsupportedError,
  NotFoundError,
  OverLimitError,
  RateLimitedError,
  TimeoutError,
  UnavailableError,
} from '../errors';
import { cinderUrl, cinderVersionDocument, PROJECT_ID, volume, VOLUME_ID } from '../testing/fixtures';
import { makeCloud, mockAuth, PASSWORD, releaseNock, resetNock, SUBJECT_TOKEN } from '../testing/harness';

const origin = new URL(cinderUrl()).origin;
const base = `/v3/${PROJECT_ID}`;

beforeEach(() => {
  resetNock();
  mockAuth();
});
afterAll(releaseNock);

const fast = { http: { retryBaseDelayMs: 10, retryMaxDelayMs: 40, maxRetries: 3 } };

describe('retries', () => {
  it('retries a GET after 503 and succeeds', async () => {
    const scope = nock(origin)
      .get(`${base}/volumes/${VOLUME_ID}`)
      .reply(503, 'Service Unavailable')
      .get(`${base}/volumes/${VOLUME_ID}`)
      .reply(502, '<html><head><title>502 Bad Gateway</title></head></html>', { 'Content-Type': 'text/html' })
      .get(`${base}/volumes/${VOLUME_ID}`)
      .reply(200, { volume: volume() });
    const { cloud, sleeps } = makeCloud(undefined, fast);
    const result = await cloud.blockStorage.getVolume(VOLUME_ID);
    expect(result.id).toBe(VOLUME_ID);
    expect(scope.isDone()).toBe(true);
    expect(sleeps).toHaveLength(2);
    // Backoff grows and stays within [step/2, step].
    expect(sleeps[0]).toBeGreaterThanOrEqual(5);
    expect(sleeps[0]).toBeLessThanOrEqual(10);
    expect(sleeps[1]).toBeGreaterThanOrEqual(10);
    expect(sleeps[1]).toBeLessThanOrEqual(20);
  });

  it('gives up after maxRetries with UnavailableError', async () => {
    const scope = nock(origin).get(`${base}/volumes/${VOLUME_ID}`).times(4).reply(503, 'down');
    const { cloud, sleeps } = makeCloud(undefined, fast);
    await expect(cloud.blockStorage.getVolume(VOLUME_ID)).rejects.toBeInstanceOf(UnavailableError);
    expect(scope.isDone()).toBe(true);
    expect(sleeps).toHaveLength(3);
  });

  it('does not repeat a create POST after 503', async () => {
    const scope = nock(origin)
      .post(`${base}/volumes`)
      .reply(503, { computeFault: { code: 503, message: 'try later' } }, { 'x-openstack-request-id': 'req-503' });
    const { cloud, sleeps } = makeCloud(undefined, fast);
    const error = await cloud.blockStorage.createVolume({ size: 1 }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).requestId).toBe('req-503');
    expect((error as Error).message).toContain('try later');
    expect(scope.isDone()).toBe(true);
    expect(sleeps).toHaveLength(0);
  });

  it('repeats a create POST when the connection was refused (never delivered)', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    nock(origin).post(`${base}/volumes`).replyWithError(refused);
    nock(origin).post(`${base}/volumes`).reply(202, { volume: volume({ status: 'creating' }) });
    const { cloud, sleeps } = makeCloud(undefined, fast);
    await expect(cloud.blockStorage.createVolume({ size: 1 })).resolves.toMatchObject({ status: 'creating' });
    expect(sleeps).toHaveLength(1);
  });

  it('does not repeat a create POST after a connection reset (may have been delivered)', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const scope = nock(origin).post(`${base}/volumes`).replyWithError(reset);
    const { cloud } = makeCloud(undefined, fast);
    await expect(cloud.blockStorage.createVolume({ size: 1 })).rejects.toBeInstanceOf(UnavailableError);
    expect(scope.isDone()).toBe(true);
  });

  it('does not retry a certificate failure and says what to check', async () => {
    const tls = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    const scope = nock(origin).get(`${base}/volumes/${VOLUME_ID}`).replyWithError(tls);
    const { cloud, sleeps } = makeCloud(undefined, fast);
    await expect(cloud.blockStorage.getVolume(VOLUME_ID)).rejects.toThrow(/TLS verification failed.*ca-file/);
    expect(scope.isDone()).toBe(true);
    expect(sleeps).toHaveLength(0);
  });

  it('maps a timeout to TimeoutError', async () => {
    // The timeout also bounds the token request; leave it room on a loaded machine, the delay far beyond it.
    nock(origin).get(`${base}/volumes/${VOLUME_ID}`).times(4).delayConnection(3000).reply(200, { volume: volume() });
    const { cloud } = makeCloud(undefined, { http: { timeoutMs: 300, retryBaseDelayMs: 1, maxRetries: 3 } });
    await expect(cloud.blockStorage.getVolume(VOLUME_ID)).rejects.toBeInstanceOf(TimeoutError);
  });
});

describe('413 and 429', () => {
  it('waits for Retry-After and retries, even for a create', async () => {
    const scope = nock(origin)
      .post(`${base}/volumes`)
      .reply(413, { overLimit: { code: 413, message: 'Rate limited', retryAfter: '2' } }, { 'Retry-After': '2' })
      .post(`${base}/volumes`)
      .reply(202, { volume: volume({ status: 'creating' }) });
    const { cloud, sleeps } = makeCloud(undefined, fast);
    await expect(cloud.blockStorage.createVolume({ size: 1 })).resolves.toMatchObject({ status: 'creating' });
    expect(scope.isDone()).toBe(true);
    expect(sleeps).toEqual([2000]);
  });

  it('gives OverLimitError for 413 without Retry-After (quota)', async () => {
    const scope = nock(origin)
      .post(`${base}/volumes`)
      .reply(
        413,
        {
          overLimit: {
            code: 413,
            message: 'VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested 10G, quota is 5G and 0G has been consumed.',
          },
        },
        { 'x-openstack-request-id': 'req-quota' },
      );
    const { cloud, sleeps } = makeCloud(undefined, fast);
    const error = await cloud.blockStorage.createVolume({ size: 10 }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(OverLimitError);
    expect((error as Error).message).toContain('exceeds allowed gigabytes quota');
    expect((error as OverLimitError).requestId).toBe('req-quota');
    expect(scope.isDone()).toBe(true);
    expect(sleeps).toHaveLength(0);
  });

  it('gives RateLimitedError when Retry-After is beyond the bound', async () => {
    nock(origin).get(`${base}/volumes/${VOLUME_ID}`).reply(429, 'slow down', { 'Retry-After': '600' });
    const { cloud, sleeps } = makeCloud(undefined, { http: { maxRetryAfterMs: 5000 } });
    const error = await cloud.blockStorage.getVolume(VOLUME_ID).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(600);
    expect(sleeps).toHaveLength(0);
  });
});

describe('unreadable bodies', () => {
  it('turns an HTML 502 into UnavailableError with the page title', async () => {
    nock(origin)
      .post(`${base}/volumes`)
      .reply(502, '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>', {
        'Content-Type': 'text/html',
      });
    const { cloud } = makeCloud(undefined, fast);
    const error = await cloud.blockStorage.createVolume({ size: 1 }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).status).toBe(502);
    expect((error as Error).message).toContain('502 Bad Gateway');
  });

  it('turns a malformed JSON 200 into UnavailableError', async () => {
    nock(origin).get(`${base}/volumes/${VOLUME_ID}`).reply(200, '{"volume": {"id": ', { 'Content-Type': 'application/json' });
    const { cloud } = makeCloud(undefined, fast);
    const error = await cloud.blockStorage.getVolume(VOLUME_ID).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toContain('unreadable response body');
  });

  it('keeps the cloud message and request ID of a 404', async () => {
    nock(origin)
      .get(`${base}/volumes/missing`)
      .reply(404, { itemNotFound: { code: 404, message: 'Volume missing could not be found.' } }, { 'x-openstack-request-id': 'req-404' });
    const { cloud } = makeCloud();
    const error = await cloud.blockStorage.getVolume('missing').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).requestId).toBe('req-404');
    expect((error as NotFoundError).status).toBe(404);
    expect((error as Error).message).toContain('Volume missing could not be found.');
  });
});

describe('microversions', () => {
  it('sends the microversion a call needs after checking the version document', async () => {
    const doc = nock(origin).get('/v3/').reply(200, cinderVersionDocument('3.71'));
    const action = nock(origin)
      .post(`${base}/volumes/${VOLUME_ID}/action`, { 'os-extend': { new_size: 5 } })
      .matchHeader('openstack-api-version', 'volume 3.42')
      .reply(202);
    const { cloud } = makeCloud();
    await cloud.blockStorage.extendVolume(VOLUME_ID, 5, true);
    expect(doc.isDone()).toBe(true);
    expect(action.isDone()).toBe(true);
  });

  it('fails with MicroversionUnsupportedError naming both versions when the cloud is too old', async () => {
    nock(origin).get('/v3/').reply(200, cinderVersionDocument('3.40'));
    const action = nock(origin).post(`${base}/volumes/${VOLUME_ID}/action`).reply(202);
    const { cloud } = makeCloud();
    const error = await cloud.blockStorage.extendVolume(VOLUME_ID, 5, true).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MicroversionUnsupportedError);
    expect((error as MicroversionUnsupportedError).required).toBe('3.42');
    expect((error as MicroversionUnsupportedError).maximum).toBe('3.40');
    expect((error as Error).message).toContain('3.42');
    expect((error as Error).message).toContain('3.40');
    expect(action.isDone()).toBe(false);
  });

  it('skips the check with ignoreVolumeMicroversion', async () => {
    const doc = nock(origin).get('/v3/').reply(200, cinderVersionDocument('3.40'));
    const action = nock(origin)
      .post(`${base}/volumes/${VOLUME_ID}/action`)
      .matchHeader('openstack-api-version', 'volume 3.42')
      .reply(202);
    const { cloud } = makeCloud(undefined, { ignoreVolumeMicroversion: true });
    await cloud.blockStorage.extendVolume(VOLUME_ID, 5, true);
    expect(action.isDone()).toBe(true);
    expect(doc.isDone()).toBe(false);
  });

  it('reads the version document once for many calls', async () => {
    const doc = nock(origin).get('/v3/').once().reply(200, cinderVersionDocument());
    const list = nock(origin)
      .get(`${base}/volumes/detail`)
      .query({ name: 'pvc-1' })
      .times(10)
      .matchHeader('openstack-api-version', 'volume 3.34')
      .reply(200, { volumes: [] });
    const { cloud } = makeCloud();
    await Promise.all(Array.from({ length: 10 }, () => cloud.blockStorage.listVolumes({ name: 'pvc-1' })));
    expect(doc.isDone()).toBe(true);
    expect(list.isDone()).toBe(true);
  });
});

describe('secrets', () => {
  it('never puts the password or token in a log line or an error message', async () => {
    nock(origin)
      .get(`${base}/volumes/${VOLUME_ID}`)
      .reply(400, { badRequest: { code: 400, message: `bad token ${SUBJECT_TOKEN}` } });
    const { cloud, logLines } = makeCloud();
    const error = await cloud.blockStorage.getVolume(VOLUME_ID).catch((err: unknown) => err);
    expect((error as Error).message).not.toContain(SUBJECT_TOKEN);
    const everything = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(SUBJECT_TOKEN);
  });
});
