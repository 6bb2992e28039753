/**
 * Test support: the Manila controller for real, behind the CSI gRPC server on a unix socket, with the
 * production OpenStack client (one CloudCache) against the simulator. Credentials come from the
 * simulator's cloud.conf (the default source) unless a test sends `os-*` secrets.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCsiClient, type CsiClient } from '../../csi/client';
import { createIdentityService } from '../../csi/identity';
import { startCsiServer, type CsiServer } from '../../csi/server';
import { silentLogger, type Logger } from '../../log/logger';
import { CloudCache } from '../../openstack/cloud-cache';
import type { CloudClientOptions, OpenStackCloud } from '../../openstack';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator';
import { fastClientOptions, passwordCredentials } from '../../simulator/testing/cloud';
import { ManilaCloudSource } from '../cloud-source';
import { DRIVER_NAME, type ShareProtocol } from '../constants';
import type { ManilaControllerContext } from '../controller/context';
import { createManilaControllerService } from '../controller/service';

export const GiB = 1024 ** 3;
export const MOUNT_RWX = { mount: {}, access_mode: { mode: 'MULTI_NODE_MULTI_WRITER' as const } };

export interface ControllerHarness {
  sim: Simulator;
  client: CsiClient;
  /** The production client the controller uses for default credentials, to check outcomes. */
  cloud: OpenStackCloud;
  /** `os-*` secrets for the simulator's demo user. */
  secrets: Record<string, string>;
  stop(): Promise<void>;
}

export interface ControllerHarnessOptions {
  protocol?: ShareProtocol;
  sim?: SimulatorOptions;
  context?: Partial<ManilaControllerContext>;
  /** Client options instead of the fast test ones (benchmarks use the production wait table). */
  clientOptions?: CloudClientOptions;
  /** Logger of the CSI server, which handlers log through (default silent). */
  serverLogger?: Logger;
}

export async function startControllerHarness(options: ControllerHarnessOptions = {}): Promise<ControllerHarness> {
  const sim = await startSimulator({ latencyMs: 20, availabilityZones: ['nova', 'zone-b'], devices: { enabled: false }, ...options.sim });
  const cache = new CloudCache(options.clientOptions ?? fastClientOptions());
  const credentials = passwordCredentials(sim);
  const clouds = new ManilaCloudSource(cache, credentials);
  const controller = createManilaControllerService({
    clouds,
    protocol: options.protocol ?? 'NFS',
    clusterId: 'manila-test',
    withTopology: true,
    logger: silentLogger,
    ...options.context,
  });
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'manila-ctrl-'));
  const server: CsiServer = await startCsiServer({
    endpoint: `unix://${path.join(dir, 'csi.sock')}`,
    services: {
      identity: createIdentityService({
        driverName: DRIVER_NAME,
        vendorVersion: 'test',
        capabilities: { controllerService: true },
        ready: () => true,
      }),
      controller,
    },
    logger: options.serverLogger ?? silentLogger,
    drainTimeoutMs: 2000,
  });
  const client = createCsiClient(server.address);
  return {
    sim,
    client,
    cloud: cache.forCredentials(credentials),
    secrets: openStackSecrets(sim),
    async stop() {
      client.close();
      await server.stop();
      clouds.close();
      await sim.stop();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

/** CSI secrets (`os-*` keys, as CPO's StorageClasses reference them) for the simulator's demo user. */
export function openStackSecrets(sim: Simulator): Record<string, string> {
  return {
    'os-authURL': sim.authUrl,
    'os-userName': sim.credentials.username,
    'os-password': sim.credentials.password,
    'os-userDomainName': sim.credentials.userDomainName,
    'os-projectName': sim.credentials.projectName,
    'os-projectDomainName': sim.credentials.projectDomainName,
    'os-region': sim.credentials.region,
  };
}

/** The gRPC status code of a failed call (undefined when it succeeded). */
export async function codeOf(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    return (error as { code?: number }).code;
  }
}
