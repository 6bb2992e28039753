/** Assembles one authenticated cloud (session, transport, service clients, waiters) from credentials. */
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { packageVersion, PROJECT_NAME } from '../project/version';
import type { Cloud } from './api';
import { CinderClient } from './cinder';
import { validateCredentials } from './config/cloud-conf';
import type { CloudConfig, CloudCredentials } from './config/credentials';
import { realSleep, type Sleep } from './http/executor';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './http/retry-policy';
import { ServiceClient, type ServiceDescriptor } from './http/service-client';
import { AxiosTransport, type HttpTransport } from './http/transport';
import { SERVICE_TYPE_ALIASES } from './keystone/catalog';
import { KeystoneSession } from './keystone/session';
import { ManilaClient } from './manila';
import { defaultOpenStackMetrics, type OpenStackMetrics } from './metrics';
import { NovaClient } from './nova';
import { PaceModel, type PaceModelOptions } from './pace-model';
import { type CoalescingOptions, resolveWaitSchedules, type WaitSchedules } from './waiter';

export interface HttpOptions {
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
  /** Retries after the first attempt for idempotent requests (default 3). */
  maxRetries?: number;
  /** First backoff step (default 500 ms, doubling, with jitter). */
  retryBaseDelayMs?: number;
  /** Largest backoff step (default 8 s). */
  retryMaxDelayMs?: number;
  /** Longest `Retry-After` waited for on 413/429 (default 60 s). */
  maxRetryAfterMs?: number;
}

export interface CloudClientOptions {
  /** "" for `[Global]`. */
  name?: string;
  logger?: Logger;
  /** Extra `--user-agent` values, appended to `openstack-csi/<version>`. */
  userAgent?: string[];
  /** `[BlockStorage] ignore-volume-microversion`. */
  ignoreVolumeMicroversion?: boolean;
  http?: HttpOptions;
  waitSchedule?: Partial<WaitSchedules>;
  /** Coalescing of concurrent status waits (on by default). */
  waitCoalescing?: CoalescingOptions;
  /**
   * Learned waiting (pace-model.ts): time status checks from the transition times this cloud showed, within
   * each schedule's patience. `true` for a model with default options; off by default.
   */
  waitPace?: boolean | PaceModelOptions;
  /** Metrics sink; defaults to `openstackMetricsRegistry`. */
  metrics?: OpenStackMetrics;
  /** Re-authenticate this long before the token expires (default 2 min, at most half its lifetime). */
  tokenExpiryMarginMs?: number;
  /** Test seams. */
  transport?: HttpTransport;
  sleep?: Sleep;
  /** Clock for token expiry (milliseconds since the epoch). */
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export const VOLUME_SERVICE: ServiceDescriptor = {
  kind: 'volume',
  catalogTypes: SERVICE_TYPE_ALIASES.volume,
  defaultMicroversion: '3.0',
  uncheckedUpTo: '3.0',
};
export const COMPUTE_SERVICE: ServiceDescriptor = {
  kind: 'compute',
  catalogTypes: SERVICE_TYPE_ALIASES.compute,
  defaultMicroversion: '2.1',
  uncheckedUpTo: '2.1',
};
export const SHARED_FILE_SYSTEM_SERVICE: ServiceDescriptor = {
  kind: 'shared-file-system',
  catalogTypes: SERVICE_TYPE_ALIASES['shared-file-system'],
  defaultMicroversion: '2.37',
  uncheckedUpTo: '2.0',
};

export function userAgentString(extra: string[] = []): string {
  return [`${PROJECT_NAME}/${packageVersion()}`, ...extra.filter((value) => value.trim() !== '')].join(' ');
}

/** The Cloud implementation; also exposes its session and schedules for diagnostics. */
export class OpenStackCloud implements Cloud {
  readonly name: string;
  readonly session: KeystoneSession;
  readonly blockStorage: CinderClient;
  readonly compute: NovaClient;
  readonly sharedFileSystem: ManilaClient;
  readonly waitSchedules: WaitSchedules;
  /** This cloud's learned transition times, when learned waiting is on. */
  readonly pace?: PaceModel;
  readonly region?: string;
  private readonly transport: HttpTransport;

  constructor(credentials: CloudCredentials, options: CloudClientOptions = {}) {
    this.name = options.name ?? '';
    validateCredentials(credentials, this.name ? `cloud "${this.name}"` : 'cloud credentials');
    const logger = (options.logger ?? silentLogger).child({ cloud: this.name });
    const sleep = options.sleep ?? realSleep;
    const metrics = options.metrics ?? defaultOpenStackMetrics;
    const retry: RetryPolicy = {
      ...DEFAULT_RETRY_POLICY,
      maxRetries: options.http?.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
      baseDelayMs: options.http?.retryBaseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
      maxDelayMs: options.http?.retryMaxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
      maxRetryAfterMs: options.http?.maxRetryAfterMs ?? DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    };
    const transport =
      options.transport ??
      new AxiosTransport({
        timeoutMs: options.http?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        userAgent: userAgentString(options.userAgent),
        tls: {
          caFile: credentials.caFile,
          caData: credentials.caData,
          insecure: credentials.tlsInsecure,
          certFile: credentials.certFile,
          keyFile: credentials.keyFile,
        },
      });
    this.transport = transport;
    this.region = credentials.region;
    this.waitSchedules = resolveWaitSchedules(options.waitSchedule);
    this.session = new KeystoneSession({
      credentials,
      transport,
      logger,
      metrics,
      retry,
      sleep,
      expiryMarginMs: options.tokenExpiryMarginMs,
      now: options.now,
    });
    const service = (descriptor: ServiceDescriptor, skipMicroversionCheck = false) =>
      new ServiceClient({ descriptor, session: this.session, transport, logger, metrics, retry, sleep, skipMicroversionCheck });
    if (options.waitPace) this.pace = new PaceModel(options.waitPace === true ? {} : options.waitPace);
    const waitDeps = { sleep, logger, coalescing: options.waitCoalescing, schedules: this.waitSchedules, pace: this.pace };
    this.blockStorage = new CinderClient(service(VOLUME_SERVICE, options.ignoreVolumeMicroversion ?? false), waitDeps);
    this.compute = new NovaClient(service(COMPUTE_SERVICE));
    this.sharedFileSystem = new ManilaClient(service(SHARED_FILE_SYSTEM_SERVICE), waitDeps);
  }

  projectId(): Promise<string> {
    return this.session.projectId();
  }

  /** Closes idle connections (for shutdown and tests); the cloud stays usable and reconnects. */
  close(): void {
    this.transport.close?.();
  }
}

export function createCloud(credentials: CloudCredentials, options: CloudClientOptions = {}): OpenStackCloud {
  return new OpenStackCloud(credentials, options);
}

/** One Cloud per `[Global]` / `[Global "name"]` section, with `[BlockStorage]` settings applied. */
export function createCloudsFromConfig(config: CloudConfig, options: CloudClientOptions = {}): Map<string, OpenStackCloud> {
  const clouds = new Map<string, OpenStackCloud>();
  for (const [name, credentials] of config.clouds) {
    clouds.set(
      name,
      createCloud(credentials, {
        ...options,
        name,
        ignoreVolumeMicroversion: options.ignoreVolumeMicroversion ?? config.blockStorage.ignoreVolumeMicroversion,
      }),
    );
  }
  return clouds;
}
