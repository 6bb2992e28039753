/**
 * Test support: a started simulator plus production clients (`pkg/openstack`) pointed at it, with wait
 * schedules and retry delays short enough for unit-test speed. For the simulator's and other suites.
 */
import axios from 'axios';
import {
  createCloud,
  noopMetrics,
  type CloudClientOptions,
  type CloudCredentials,
  type OpenStackCloud,
  type WaitSchedules,
} from '../../openstack';
import { startSimulator, type Simulator } from '../simulator';
import type { SimulatorOptions } from '../options';

const FAST = { initialDelayMs: 10, factor: 1.2, checks: 60, maxDelayMs: 100 };

export const FAST_WAIT_SCHEDULES: WaitSchedules = {
  volumeCreate: FAST,
  volumeStatus: FAST,
  diskAttached: FAST,
  diskDetached: FAST,
  snapshotReady: FAST,
  backupReady: FAST,
  groupStatus: FAST,
  shareStatus: FAST,
  shareAccess: FAST,
  shareSnapshotReady: FAST,
  nodeDevicePath: FAST,
};

/** Password credentials (user and project by name) of the simulator's demo user. */
export function passwordCredentials(sim: Simulator): CloudCredentials {
  return {
    authUrl: sim.authUrl,
    username: sim.credentials.username,
    password: sim.credentials.password,
    userDomainName: sim.credentials.userDomainName,
    projectName: sim.credentials.projectName,
    projectDomainName: sim.credentials.projectDomainName,
    region: sim.credentials.region,
  };
}

export function fastClientOptions(extra: CloudClientOptions = {}): CloudClientOptions {
  return {
    metrics: noopMetrics,
    waitSchedule: FAST_WAIT_SCHEDULES,
    ...extra,
    http: { timeoutMs: 10_000, maxRetries: 3, retryBaseDelayMs: 5, retryMaxDelayMs: 20, maxRetryAfterMs: 5_000, ...extra.http },
  };
}

export interface SimulatedCloud {
  sim: Simulator;
  cloud: OpenStackCloud;
}

/** Starts a simulator (latency 5 ms, devices off unless asked) and a client for its demo user. */
export async function startSimulatedCloud(
  options: SimulatorOptions = {},
  clientOptions: CloudClientOptions = {},
): Promise<SimulatedCloud> {
  const sim = await startSimulator({ latencyMs: 5, devices: { enabled: false }, ...options });
  const cloud = createCloud(passwordCredentials(sim), fastClientOptions(clientOptions));
  return { sim, cloud };
}

/** A project-scoped token for raw HTTP checks of status codes and bodies the typed client hides. */
export async function rawToken(sim: Simulator): Promise<string> {
  const res = await axios.post(`${sim.authUrl}/auth/tokens`, {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: sim.credentials.username, domain: { name: sim.credentials.userDomainName }, password: sim.credentials.password } },
      },
      scope: { project: { id: sim.credentials.projectId } },
    },
  });
  return res.headers['x-subject-token'] as string;
}
