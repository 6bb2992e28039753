/**
 * `startSimulator`: one HTTP server speaking Keystone, Cinder, Nova, Manila and instance metadata, with
 * simulated servers backed by real block devices when the machine allows it.
 */
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger } from '../log/logger';
import { registerAdmin } from './admin';
import { registerBlockStorage } from './block-storage';
import { registerCompute } from './compute';
import { ControlState, type SimulatorControl } from './control';
import { createBlockBackend } from './devices';
import { Router } from './http-kit';
import { IdentityService } from './identity';
import { ConfigDrives, registerMetadata } from './metadata';
import {
  DEFAULT_CINDER_QUOTAS,
  DEFAULT_MANILA_QUOTAS,
  DEFAULT_MICROVERSIONS,
  type SimServerSpec,
  type SimulatorOptions,
} from './options';
import { RequestLog } from './request-log';
import { createRequestHandler } from './request-handler';
import { registerSharedFileSystem, type SharedFileSystemControl } from './shared-file-system';
import { registerSharedFileSystemAdmin } from './shared-file-system/admin';
import { cinderTime, SimState, type ServerAddressRecord, type SimContext } from './state';
import { TransitionScheduler, type TransitionLog } from './transitions';

export interface SimServer {
  id: string;
  name: string;
  availabilityZone: string;
}

export interface SimulatorCredentials {
  username: string;
  password: string;
  userId: string;
  userDomainName: string;
  userDomainId: string;
  projectName: string;
  projectDomainName: string;
  projectDomainId: string;
  projectId: string;
  region: string;
  applicationCredential: { id: string; name: string; secret: string };
  trust: { id: string; trusteeUserId: string; trusteeUsername: string; trusteePassword: string };
}

export interface Simulator {
  /** Base URL of the HTTP server, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly authUrl: string;
  readonly endpoints: { identity: string; volume: string; compute: string; share: string; admin?: string };
  readonly credentials: SimulatorCredentials;
  cloudConf(): string;
  writeCloudConf(file: string): Promise<void>;
  /** Base URL serving `/openstack/latest/meta_data.json` for the default server. */
  readonly metadataUrl: string;
  readonly byIdDir: string;
  /** Fake sysfs root where the backend records each loop device's virtio serial. */
  readonly sysfsRoot: string;
  readonly devicesEnabled: boolean;
  readonly devicesDisabledReason?: string;
  /** The server made at start (the "current" node). */
  readonly defaultServer: SimServer;
  addServer(spec: SimServerSpec): SimServer;
  configDriveDir(serverId: string): string;
  metadataUrlFor(serverId: string): string;
  readonly control: SimulatorControl;
  /** Manila backend knobs (export locations, access rules, failures with a `detail_id`) and backing directories. */
  readonly sharedFileSystem: SharedFileSystemControl;
  readonly requests: RequestLog;
  /** Every asynchronous transition with when it was scheduled and when it really finished (for benches). */
  readonly transitions: TransitionLog;
  /** Resolves when no asynchronous transition is pending (held ones excepted) and config drives are written. */
  whenIdle(): Promise<void>;
  /** Sets the Keystone token lifetime for tokens issued from now on. */
  setTokenLifetime(seconds: number): void;
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const logger: Logger = (options.logger ?? silentLogger).child({ component: 'openstack-simulator' });
  const host = options.host ?? '127.0.0.1';
  const regions = options.regions?.length ? options.regions : ['RegionOne'];
  const stateDir = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'openstack-sim-')));
  const backend = await createBlockBackend({
    ...options.devices,
    workDir: options.devices?.workDir ?? path.join(stateDir, 'devices'),
    logger,
  });
  const control = new ControlState(options.latencyMs ?? 50, options.randomSeed);
  const requests = new RequestLog();
  const identity = createIdentity(options, regions);
  control.onExpireTokens = () => identity.expireAllTokens();
  const { sim, configDrives } = createContext({ options, logger, control, backend, identity, stateDir });

  const router = new Router();
  const sharedFileSystem = registerServices(router, sim, stateDir, options);
  const addServer = serverAdder(sim, configDrives);
  const servers = options.servers?.length ? options.servers : [{ name: os.hostname() }];
  const defaultServer = servers.map(addServer)[0];
  registerMetadata(router, sim, () => defaultServer.id);

  const httpServer = http.createServer();
  const url = await listen(httpServer, options.port ?? 0, host);
  const handle = createRequestHandler({ router, control, requests, logger, url });
  httpServer.on('request', (req, res) => void handle(req, res));
  const endpoints = endpointsOf(url, identity.project.id, options.adminApi === true);
  const credentials = credentialsOf(identity, regions[0]);
  const metadataUrlFor = (serverId: string) => `${url}/metadata/${serverId}`;
  const cloudConf = () => cloudConfText(endpoints, credentials, options.maxVolumesPerServer);
  if (options.adminApi) {
    registerAdmin(router, sim, control, requests, {
      addServer,
      info: () => ({ endpoints, metadataUrl: metadataUrlFor(defaultServer.id), byIdDir: backend.byIdDir, devicesEnabled: backend.enabled, devicesDisabledReason: backend.disabledReason }),
    });
    registerSharedFileSystemAdmin(router, sharedFileSystem);
  }

  return {
    url,
    authUrl: endpoints.identity,
    endpoints,
    credentials,
    cloudConf,
    writeCloudConf: (file) => fsp.writeFile(file, cloudConf(), { mode: 0o600 }),
    metadataUrl: metadataUrlFor(defaultServer.id),
    byIdDir: backend.byIdDir,
    sysfsRoot: backend.sysfsRoot,
    devicesEnabled: backend.enabled,
    devicesDisabledReason: backend.disabledReason,
    defaultServer,
    addServer,
    configDriveDir: (serverId) => configDrives.dirFor(serverId),
    metadataUrlFor,
    control,
    sharedFileSystem,
    requests,
    transitions: sim.scheduler.log,
    whenIdle: async () => {
      await sim.scheduler.whenIdle();
      await configDrives.flush();
    },
    setTokenLifetime: (seconds) => identity.setTokenLifetime(seconds),
    stop: once(() => shutDown({ sim, httpServer, configDrives, backend, stateDir })),
  };
}

/** Keystone with the catalog of every simulated service (each service under both of its catalog types). */
function createIdentity(options: SimulatorOptions, regions: string[]): IdentityService {
  return new IdentityService({
    regions,
    interfaces: options.interfaces?.length ? options.interfaces : ['public', 'internal', 'admin'],
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    services: [
      { type: 'volumev3', name: 'cinderv3', path: '/volume/v3/{project_id}' },
      { type: 'block-storage', name: 'cinder', path: '/volume/v3/{project_id}' },
      { type: 'compute', name: 'nova', path: '/compute/v2.1' },
      { type: 'sharev2', name: 'manilav2', path: '/share/v2/{project_id}' },
      { type: 'shared-file-system', name: 'manila', path: '/share/v2/{project_id}' },
    ],
  });
}

/** The state and settings every service module shares, with the seeded types and share network. */
function createContext(parts: {
  options: SimulatorOptions;
  logger: Logger;
  control: ControlState;
  backend: SimContext['backend'];
  identity: IdentityService;
  stateDir: string;
}): { sim: SimContext; configDrives: ConfigDrives } {
  const { options } = parts;
  const sim: SimContext = {
    state: new SimState(),
    control: parts.control,
    scheduler: new TransitionScheduler(parts.control, parts.logger),
    backend: parts.backend,
    identity: parts.identity,
    logger: parts.logger,
    availabilityZones: options.availabilityZones?.length ? options.availabilityZones : ['nova'],
    cinderQuotas: { ...DEFAULT_CINDER_QUOTAS, ...options.quotas?.blockStorage },
    manilaQuotas: { ...DEFAULT_MANILA_QUOTAS, ...options.quotas?.sharedFileSystem },
    microversions: { ...DEFAULT_MICROVERSIONS, ...stripUndefined(options.microversions ?? {}) },
    defaultMaxVolumesPerServer: options.maxVolumesPerServer,
    serverChanged: (serverId) => void configDrives.refresh(serverId),
  };
  const configDrives = new ConfigDrives(path.join(parts.stateDir, 'config-drive'), sim);
  seedCatalogues(sim);
  return { sim, configDrives };
}

/** Keystone, Cinder, Nova and Manila routes; returns the Manila backend's control. */
function registerServices(router: Router, sim: SimContext, stateDir: string, options: SimulatorOptions): SharedFileSystemControl {
  sim.identity.register(router);
  registerBlockStorage(router, sim);
  registerCompute(router, sim);
  return registerSharedFileSystem(router, sim, { stateDir, options: options.sharedFileSystem });
}

function serverAdder(sim: SimContext, configDrives: ConfigDrives): (spec: SimServerSpec) => SimServer {
  return (spec) => {
    const id = spec.id ?? randomUUID();
    if (sim.state.servers.has(id)) throw new Error(`server ${id} already exists`);
    const availabilityZone = spec.availabilityZone ?? sim.availabilityZones[0];
    const addresses = serverAddresses(sim.state.servers.size + 1);
    sim.state.servers.set(id, { id, name: spec.name, availabilityZone, maxVolumes: spec.maxVolumes, createdAt: cinderTime(), bdms: [], addresses });
    void configDrives.refresh(id);
    return { id, name: spec.name, availabilityZone };
  };
}

/**
 * The n-th server's Nova `addresses`: on network `private` a fixed IPv4, a floating IPv4 and an IPv6, all
 * distinct per server (enough for 250 servers), with one MAC per port as Nova reports it.
 */
function serverAddresses(n: number): Record<string, ServerAddressRecord[]> {
  const octet = (n % 250) + 2;
  const mac = `fa:16:3e:00:00:${octet.toString(16).padStart(2, '0')}`;
  return {
    private: [
      { addr: `10.0.0.${octet}`, version: 4, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': mac },
      { addr: `172.24.4.${octet}`, version: 4, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': mac },
      { addr: `fd00::${octet.toString(16)}`, version: 6, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': mac },
    ],
  };
}

/** Listens on `host:port` (0 = any free port); resolves the server's base URL. */
async function listen(httpServer: http.Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const bound = (httpServer.address() as AddressInfo).port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
}

function endpointsOf(url: string, projectId: string, adminApi: boolean): Simulator['endpoints'] {
  return {
    identity: `${url}/identity/v3`,
    volume: `${url}/volume/v3/${projectId}`,
    compute: `${url}/compute/v2.1`,
    share: `${url}/share/v2/${projectId}`,
    admin: adminApi ? `${url}/admin` : undefined,
  };
}

function credentialsOf(identity: IdentityService, region: string): SimulatorCredentials {
  return {
    username: identity.user.name,
    password: identity.user.password,
    userId: identity.user.id,
    userDomainName: identity.domain.name,
    userDomainId: identity.domain.id,
    projectName: identity.project.name,
    projectDomainName: identity.domain.name,
    projectDomainId: identity.domain.id,
    projectId: identity.project.id,
    region,
    applicationCredential: {
      id: identity.applicationCredential.id,
      name: identity.applicationCredential.name,
      secret: identity.applicationCredential.secret,
    },
    trust: {
      id: identity.trust.id,
      trusteeUserId: identity.trustee.id,
      trusteeUsername: identity.trustee.name,
      trusteePassword: identity.trustee.password,
    },
  };
}

/** `cloud.conf` of the demo user, as the CSI plugins read it. */
function cloudConfText(endpoints: Simulator['endpoints'], credentials: SimulatorCredentials, maxVolumesPerServer: number | undefined): string {
  return [
    '[Global]',
    `auth-url = ${endpoints.identity}`,
    `username = ${credentials.username}`,
    `password = ${credentials.password}`,
    `user-domain-name = ${credentials.userDomainName}`,
    `tenant-name = ${credentials.projectName}`,
    `tenant-id = ${credentials.projectId}`,
    `tenant-domain-name = ${credentials.projectDomainName}`,
    `region = ${credentials.region}`,
    '',
    '[BlockStorage]',
    ...(maxVolumesPerServer !== undefined ? [`node-volume-attach-limit = ${maxVolumesPerServer}`] : []),
    '',
  ].join('\n');
}

/** Stops transitions and the server, waits for running work, then releases devices and removes the state directory. */
async function shutDown(parts: { sim: SimContext; httpServer: http.Server; configDrives: ConfigDrives; backend: SimContext['backend']; stateDir: string }) {
  parts.sim.scheduler.stop();
  await new Promise<void>((resolve) => {
    parts.httpServer.close(() => resolve());
    parts.httpServer.closeAllConnections();
  });
  await parts.sim.scheduler.whenIdle();
  await parts.configDrives.flush();
  await parts.backend.close();
  await fsp.rm(parts.stateDir, { recursive: true, force: true });
}

/** `run` at most once; every call gets the same promise. */
function once(run: () => Promise<void>): () => Promise<void> {
  let started: Promise<void> | undefined;
  return () => (started ??= run());
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Volume, group and share types and one share network every simulated cloud starts with. */
function seedCatalogues(sim: SimContext): void {
  const volumeTypes: { name: string; description: string; extraSpecs: Record<string, string> }[] = [
    { name: '__DEFAULT__', description: 'Default Volume Type', extraSpecs: {} },
    { name: 'ssd', description: 'Fast volumes', extraSpecs: { volume_backend_name: 'ssd' } },
    { name: 'multiattach', description: 'Volumes that can attach to several servers', extraSpecs: { multiattach: '<is> True' } },
  ];
  for (const t of volumeTypes) {
    const id = randomUUID();
    sim.state.volumeTypes.set(id, { id, name: t.name, description: t.description, isPublic: true, extraSpecs: t.extraSpecs });
  }
  const groupTypeId = randomUUID();
  sim.state.groupTypes.set(groupTypeId, {
    id: groupTypeId,
    name: 'default_group_type',
    description: 'Consistent snapshot group',
    isPublic: true,
    groupSpecs: { consistent_group_snapshot_enabled: '<is> True' },
  });
  const shareTypes = [
    { name: 'default', extraSpecs: { driver_handles_share_servers: 'False', snapshot_support: 'True', create_share_from_snapshot_support: 'True' } },
    { name: 'no-snapshots', extraSpecs: { driver_handles_share_servers: 'False', snapshot_support: 'False', create_share_from_snapshot_support: 'False' } },
    // Wants a share network (a backend that creates share servers); the others refuse one with detail 003.
    { name: 'share-servers', extraSpecs: { driver_handles_share_servers: 'True', snapshot_support: 'True', create_share_from_snapshot_support: 'True' } },
  ];
  for (const t of shareTypes) {
    const id = randomUUID();
    sim.state.shareTypes.set(id, { id, name: t.name, description: null, isPublic: true, extraSpecs: t.extraSpecs });
  }
  const networkId = randomUUID();
  sim.state.shareNetworks.set(networkId, {
    id: networkId,
    name: 'default',
    description: 'Simulated share network',
    neutronNetId: randomUUID(),
    neutronSubnetId: randomUUID(),
    createdAt: cinderTime(),
  });
}
