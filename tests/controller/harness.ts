/**
 * The controller under test, for real: the Cinder controller service behind the CSI gRPC server on a
 * unix socket, the production OpenStack client, and the simulator (latency > 0, so every wait polls).
 * A second simulator plays cloud "east" for the multi-cloud checks.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServiceError } from '@grpc/grpc-js';
import { createCinderControllerService, type CinderControllerOptions } from '../../pkg/cinder/controller';
import { DRIVER_NAME } from '../../pkg/cinder/constants';
import { Code } from '../../pkg/csi/errors';
import { createIdentityService } from '../../pkg/csi/identity';
import { startCsiServer, type CsiServer } from '../../pkg/csi/server';
import { createCsiClient, type CsiClient } from '../../pkg/csi/client';
import type { VolumeCapability } from '../../pkg/csi/types';
import { silentLogger } from '../../pkg/log/logger';
import { createCloudsFromConfig, parseCloudConfigText, type Cloud, type WaitSchedule } from '../../pkg/openstack';
import { startSimulator, type SimServer, type Simulator, type SimulatorOptions } from '../../pkg/simulator';

export { GiB } from '../../pkg/units/bytes';

/** Fast but generous: up to ~10 s, far beyond the simulator's 30 ms transitions. */
export const FAST: WaitSchedule = { initialDelayMs: 10, factor: 1.3, maxDelayMs: 200, checks: 60 };
export const FAST_WAITS = {
  volumeCreate: FAST,
  volumeStatus: FAST,
  diskAttached: FAST,
  diskDetached: FAST,
  snapshotReady: FAST,
  groupStatus: FAST,
};

export interface Harness {
  sim: Simulator;
  east?: Simulator;
  /** Production clients for checking what the controller did. */
  cloud: Cloud;
  eastCloud?: Cloud;
  client: CsiClient;
  server: CsiServer;
  nodes: { a: SimServer; b: SimServer; small: SimServer };
  stop(): Promise<void>;
}

export interface HarnessOptions {
  sim?: SimulatorOptions;
  withEast?: boolean;
  controller?: Partial<Omit<CinderControllerOptions, 'clouds'>>;
}

/** A controller service instance as the harness runs it (fast waits, silent); more than one may share a cloud. */
export function controllerServiceOn(
  clouds: Map<string, Cloud>,
  overrides: Partial<Omit<CinderControllerOptions, 'clouds'>> = {},
): ReturnType<typeof createCinderControllerService> {
  return createCinderControllerService({
    clouds,
    clusterId: 'ctrl-test',
    withTopology: true,
    ignoreVolumeAZ: false,
    pvcAnnotations: false,
    logger: silentLogger,
    waitSchedules: FAST_WAITS,
    ...overrides,
  });
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await startSimulator({
    latencyMs: 30,
    availabilityZones: ['nova', 'zone-b'],
    devices: { enabled: false },
    ...options.sim,
    quotas: {
      ...options.sim?.quotas,
      blockStorage: { volumes: 500, snapshots: 500, backups: 100, groups: 50, ...options.sim?.quotas?.blockStorage },
    },
  });
  const east = options.withEast ? await startSimulator({ latencyMs: 30, devices: { enabled: false } }) : undefined;
  let conf = sim.cloudConf();
  if (east) {
    conf += '\n' + east.cloudConf().replace('[Global]', '[Global "east"]').replace(/\[BlockStorage\][^[]*/, '');
  }
  const config = parseCloudConfigText(conf);
  const clouds = createCloudsFromConfig(config, { waitSchedule: { volumeStatus: FAST, diskAttached: FAST, diskDetached: FAST, snapshotReady: FAST, groupStatus: FAST } });
  const service = controllerServiceOn(clouds, options.controller);
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'cinder-ctrl-'));
  const server = await startCsiServer({
    endpoint: `unix://${path.join(dir, 'csi.sock')}`,
    services: {
      identity: createIdentityService({
        driverName: DRIVER_NAME,
        vendorVersion: 'test',
        capabilities: { controllerService: true, volumeAccessibilityConstraints: true, groupControllerService: true },
        ready: service.ready,
      }),
      controller: service.controller,
      groupController: service.groupController,
    },
    logger: silentLogger,
    drainTimeoutMs: 2000,
  });
  const client = createCsiClient(server.address);
  const a = sim.addServer({ name: 'node-a' });
  const b = sim.addServer({ name: 'node-b', availabilityZone: 'zone-b' });
  const small = sim.addServer({ name: 'node-small', maxVolumes: 1 });
  return {
    sim,
    east,
    cloud: clouds.get('') as Cloud,
    eastCloud: clouds.get('east'),
    client,
    server,
    nodes: { a, b, small },
    async stop() {
      service.close();
      client.close();
      await server.stop();
      await sim.stop();
      await east?.stop();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One harness for a whole test file: started before its first test, stopped after its last, with the
 * simulator's injected faults cleared after every test. Call the returned function inside tests.
 */
export function harnessForFile(options: HarnessOptions = {}): () => Harness {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness(options);
  });
  afterAll(async () => {
    await started?.stop();
  });
  afterEach(() => {
    started?.sim.control.clearFaults();
  });
  return () => {
    if (!started) throw new Error('the harness is used outside a test');
    return started;
  };
}

export const mount = (mode: string, fsType = 'ext4'): VolumeCapability => ({
  access_mode: { mode: mode as NonNullable<VolumeCapability['access_mode']>['mode'] },
  mount: { fs_type: fsType, mount_flags: [] },
});
export const block = (mode: string): VolumeCapability => ({
  access_mode: { mode: mode as NonNullable<VolumeCapability['access_mode']>['mode'] },
  block: {},
});
export const RWO = mount('SINGLE_NODE_WRITER');

/** The gRPC status of a failed call (fails the test if the call succeeds). */
export async function failure(promise: Promise<unknown>): Promise<{ code: Code; details: string }> {
  try {
    await promise;
  } catch (error) {
    const serviceError = error as ServiceError;
    if (typeof serviceError.code !== 'number') throw error;
    return { code: serviceError.code, details: serviceError.details };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Polls `check` until it returns true (for setting up holds deterministically, not for asserting speed). */
export async function eventually(check: () => Promise<boolean>, what: string, attempts = 200): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** How many requests the simulator answered for `method` on paths matching `path`. */
export function requestCount(sim: Simulator, method: string, path: RegExp): number {
  return sim.requests.entries({ method }).filter((record) => path.test(record.path)).length;
}

/**
 * Walks a List call page by page, `maxEntries` at a time, checking no page is larger; returns the IDs
 * in the order the pages gave them. Bounded, so a token that never ends fails the test.
 */
export async function pagedIds(
  listPage: (request: { max_entries: number; starting_token: string }) => Promise<{ ids: string[]; next_token: string }>,
  maxEntries: number,
): Promise<string[]> {
  const ids: string[] = [];
  let token = '';
  let pages = 0;
  do {
    const page = await listPage({ max_entries: maxEntries, starting_token: token });
    expect(page.ids.length).toBeLessThanOrEqual(maxEntries);
    ids.push(...page.ids);
    token = page.next_token;
    pages++;
  } while (token && pages < 100);
  expect(token).toBe('');
  return ids;
}
