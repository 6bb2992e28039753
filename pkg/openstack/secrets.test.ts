/**
 * No secret (password, application credential secret, token, trustee password, token from Keystone)
 * may reach a log line or an error message, on success or failure paths, at the highest verbosity.
 */
import nock from 'nock';
import { createLogger } from '../log/logger';
import { createCloud } from './cloud';
import type { CloudCredentials } from './config/credentials';
import { credentialsFromSecrets } from './config/secrets';
import { noopMetrics } from './metrics';
import { AUTH_URL, cinderUrl, novaUrl, PROJECT_ID, tokenBody, volume, VOLUME_ID } from './testing/fixtures';
import { releaseNock, resetNock } from './testing/harness';

const SECRETS = {
  password: 'pw-3b1f9c7e-password',
  applicationCredentialSecret: 'acs-77d2e0aa-secret',
  token: 'tok-5e9b1c2d-given',
  trusteePassword: 'tpw-0c4f8a1b-trustee',
  issued: 'gAAAAAB-issued-token-9f8e7d',
};

const credentialSets: [string, CloudCredentials][] = [
  ['password', { authUrl: AUTH_URL, userId: 'u', password: SECRETS.password, projectId: PROJECT_ID, region: 'RegionOne' }],
  [
    'application credential',
    { authUrl: AUTH_URL, applicationCredentialId: 'ac', applicationCredentialSecret: SECRETS.applicationCredentialSecret, region: 'RegionOne' },
  ],
  ['token', { authUrl: AUTH_URL, token: SECRETS.token, projectId: PROJECT_ID, region: 'RegionOne' }],
  ['trust', { authUrl: AUTH_URL, trustId: 't', trusteeId: 'te', trusteePassword: SECRETS.trusteePassword, region: 'RegionOne' }],
];

beforeEach(resetNock);
afterAll(releaseNock);

function assertClean(texts: string[]): void {
  const all = texts.join('\n');
  for (const secret of Object.values(SECRETS)) expect(all).not.toContain(secret);
}

describe.each(credentialSets)('%s credentials', (_name, credentials) => {
  it('keep every secret out of logs and errors', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const logger = createLogger({ verbosity: 10, sink: (line) => lines.push(line) });
    const keystone = nock('http://keystone.test:5000');
    // First authentication fails in transport (the client error quotes the request), then 503, then works.
    keystone.post('/v3/auth/tokens').replyWithError(Object.assign(new Error(`boom ${JSON.stringify(credentials)}`), { code: 'ECONNRESET' }));
    keystone.post('/v3/auth/tokens').reply(503, 'unavailable');
    keystone.post('/v3/auth/tokens').times(3).reply(201, tokenBody(), { 'X-Subject-Token': SECRETS.issued });
    const cinder = nock(new URL(cinderUrl()).origin);
    cinder.get(`/v3/${PROJECT_ID}/volumes/${VOLUME_ID}`).reply(200, { volume: volume() });
    cinder
      .get(`/v3/${PROJECT_ID}/volumes/bad`)
      // A cloud echoing this session's own secrets back (they are the only ones it could know).
      .reply(400, { badRequest: { code: 400, message: `echo ${SECRETS.issued} ${Object.values(credentials).join(' ')}` } });
    nock(new URL(novaUrl()).origin).get('/v2.1/servers/x').times(2).reply(401, { error: { code: 401, message: 'no' } });

    const cloud = createCloud(credentials, { logger, metrics: noopMetrics, sleep: async () => undefined, http: { maxRetries: 3 } });
    await cloud.blockStorage.getVolume(VOLUME_ID);
    for (const attempt of [cloud.blockStorage.getVolume('bad'), cloud.compute.getServer('x')]) {
      await attempt.catch((err: Error) => {
        errors.push(err.message, String(err.cause instanceof Error ? err.cause.message : ''), err.stack ?? '');
      });
    }
    expect(errors.length).toBeGreaterThan(0);
    expect(lines.length).toBeGreaterThan(3);
    assertClean([...lines, ...errors]);
  });
});

it('keeps secrets out of configuration errors', () => {
  const messages: string[] = [];
  const cases: Record<string, string>[] = [
    { 'os-authURL': AUTH_URL, 'os-password': SECRETS.password },
    { 'os-authURL': AUTH_URL, 'os-applicationCredentialName': 'n', 'os-applicationCredentialSecret': SECRETS.applicationCredentialSecret },
    { 'os-authURL': AUTH_URL, 'os-trustID': 't', 'os-trusteePassword': SECRETS.trusteePassword },
    { 'os-authURL': AUTH_URL, 'os-TLSInsecure': SECRETS.token },
  ];
  for (const secrets of cases) {
    try {
      credentialsFromSecrets(secrets);
    } catch (err) {
      messages.push((err as Error).message);
    }
  }
  expect(messages).toHaveLength(4);
  assertClean(messages);
});
