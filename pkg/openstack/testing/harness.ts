/** Shared setup for nock-based client tests: a cloud with instant sleeps and a capturing logger. */
import nock from 'nock';
import { createLogger, type Logger } from '../../log/logger';
import { createCloud, type CloudClientOptions, type OpenStackCloud } from '../cloud';
import type { CloudCredentials } from '../config/credentials';
import { noopMetrics } from '../metrics';
import { AUTH_URL, tokenBody } from './fixtures';

export const PASSWORD = 'S3cr3t-Pa55word!';

export const passwordCredentials: CloudCredentials = {
  authUrl: AUTH_URL,
  username: 'admin',
  password: PASSWORD,
  userDomainName: 'Default',
  projectName: 'admin',
  projectDomainName: 'Default',
  region: 'RegionOne',
};

export interface Harness {
  cloud: OpenStackCloud;
  logLines: string[];
  logger: Logger;
  sleeps: number[];
}

export function makeCloud(credentials: CloudCredentials = passwordCredentials, options: CloudClientOptions = {}): Harness {
  const logLines: string[] = [];
  const logger = createLogger({ verbosity: 10, sink: (line) => logLines.push(line) });
  const sleeps: number[] = [];
  const cloud = createCloud(credentials, {
    ...options,
    logger,
    metrics: noopMetrics,
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
    http: { timeoutMs: 5000, ...(options.http ?? {}) },
  });
  return { cloud, logLines, logger, sleeps };
}

export const SUBJECT_TOKEN = 'gAAAAABtoken-one';

/** Intercepts one `POST /v3/auth/tokens`; returns the scope for assertions. */
export function mockAuth(token = SUBJECT_TOKEN, body: object = tokenBody(), times = 1): nock.Scope {
  return nock('http://keystone.test:5000')
    .post('/v3/auth/tokens')
    .times(times)
    .reply(201, body, { 'X-Subject-Token': token, 'Content-Type': 'application/json' });
}

export function resetNock(): void {
  nock.cleanAll();
  nock.disableNetConnect();
}

/** For `afterAll`: core `http` is shared by all test files of a worker, so leave no interceptor behind. */
export function releaseNock(): void {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
}
