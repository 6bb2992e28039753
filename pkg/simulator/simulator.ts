/**
 * `startSimulator`: one HTTP server speaking Keystone, Cinder, Nova, Manila and instance metadata, with
 * simulated servers backed by real block devices when the machine allows it.
 */
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger } from '../log/logger';
import { registerAdmin } from './admin';
import { registerBlockStorage } from './block-storage';
import { registerCompute } from './compute';
import { ControlState, type SimulatorControl } from './control';
import { createBlockBackend } from './devices';
import { ApiFault, faultBody, identityErrorBody, readBody, Router, sendJson, type ServiceName } from './http-kit';
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
import { registerSharedFileSystem } from './shared-file-system';
import { cinderTime, SimState, type SimContext } from './state';
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
  const availabilityZones = options.availabilityZones?.length ? options.availabilityZones : ['nova'];
  const stateDir = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'openstack-sim-')));

  const backend = await createBlockBackend({
    enabled: options.devices?.enabled,
    workDir: options.devices?.workDir ?? path.join(stateDir, 'devices'),
    byIdDir: options.devices?.byIdDir,
    scsiLinks: options.devices?.scsiLinks,
    logger,
  });

  const control = new ControlState(options.latencyMs ?? 50, options.randomSeed);
  const scheduler = new TransitionScheduler(control, logger);
  const requests = new RequestLog();
  const identity = new IdentityService({
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
  control.onExpireTokens = () => identity.expireAllTokens();

  const state = new SimState();
  const sim: SimContext = {
    state,
    control,
    scheduler,
    backend,
    identity,
    logger,
    availabilityZones,
    cinderQuotas: { ...DEFAULT_CINDER_QUOTAS, ...options.quotas?.blockStorage },
    manilaQuotas: { ...DEFAULT_MANILA_QUOTAS, ...options.quotas?.sharedFileSystem },
    microversions: { ...DEFAULT_MICROVERSIONS, ...stripUndefined(options.microversions ?? {}) },
    defaultMaxVolumesPerServer: options.maxVolumesPerServer,
    serverChanged: (serverId) => void configDrives.refresh(serverId),
  };
  const configDrives = new ConfigDrives(path.join(stateDir, 'config-drive'), sim);
  seedCatalogues(sim);

  const router = new Router();
  identity.register(router);
  registerBlockStorage(router, sim);
  registerCompute(router, sim);
  registerSharedFileSystem(router, sim);

  const addServer = (spec: SimServerSpec): SimServer => {
    const id = spec.id ?? randomUUID();
    if (state.servers.has(id)) throw new Error(`server ${id} already exists`);
    const availabilityZone = spec.availabilityZone ?? availabilityZones[0];
    state.servers.set(id, { id, name: spec.name, availabilityZone, maxVolumes: spec.maxVolumes, createdAt: cinderTime(), bdms: [] });
    void configDrives.refresh(id);
    return { id, name: spec.name, availabilityZone };
  };

  const servers = options.servers?.length ? options.servers : [{ name: os.hostname() }];
  const defaultServer = servers.map(addServer)[0];
  registerMetadata(router, sim, () => defaultServer.id);

  const httpServer = http.createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;


  const endpoints = {
    identity: `${url}/identity/v3`,
    volume: `${url}/volume/v3/${identity.project.id}`,
    compute: `${url}/compute/v2.1`,
    share: `${url}/share/v2/${identity.project.id}`,
    admin: options.adminApi ? `${url}/admin` : undefined,
  };
  const credentials: SimulatorCredentials = {
    username: identity.user.name,
    password: identity.user.password,
    userId: identity.user.id,
    userDomainName: identity.domain.name,
    userDomainId: identity.domain.id,
    projectName: identity.project.name,
    projectDomainName: identity.domain.name,
    projectDomainId: identity.domain.id,
    projectId: identity.project.id,
    region: regions[0],
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
  const metadataUrlFor = (serverId: string) => `${url}/metadata/${serverId}`;
  const cloudConf = () =>
    [
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
      ...(options.maxVolumesPerServer !== undefined ? [`node-volume-attach-limit = ${options.maxVolumesPerServer}`] : []),
      '',
    ].join('\n');

  if (options.adminApi) {
    registerAdmin(router, sim, control, requests, {
      addServer,
      info: () => ({ endpoints, metadataUrl: metadataUrlFor(defaultServer.id), byIdDir: backend.byIdDir, devicesEnabled: backend.enabled, devicesDisabledReason: backend.disabledReason }),
    });
  }

  let stopped: Promise<void> | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const parsed = new URL(req.url ?? '/', url);
    const requestPath = parsed.pathname.length > 1 ? parsed.pathname.replace(/\/+$/, '') : parsed.pathname;
    const service = serviceOf(requestPath);
    const match = router.match(method, requestPath);
    const template = match && 'route' in match ? match.route.template : requestPath;
    const versionHeader =
      req.headers['openstack-api-version'] ?? req.headers['x-openstack-nova-api-version'] ?? req.headers['x-openstack-manila-api-version'];
    const record = {
      time: Date.now(),
      method,
      path: requestPath,
      template,
      service,
      status: 0,
      microversion: typeof versionHeader === 'string' ? versionHeader : undefined,
      injectedFault: undefined as string | undefined,
    };
    const finish = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      if (service !== 'admin') requests.add(record);
      sendJson(res, status, body, { 'x-openstack-request-id': `req-${randomUUID()}`, ...headers });
    };
    try {
      if (service !== 'admin') {
        const fault = control.faultFor({ method, template, path: requestPath, service });
        if (fault?.type === 'reset') {
          record.injectedFault = 'reset';
          requests.add(record);
          req.socket.destroy();
          return;
        }
        if (fault?.type === 'error') {
          record.injectedFault = `error ${fault.status}`;
          const message = fault.message ?? 'Simulated failure.';
          finish(fault.status, defaultBody(service, fault.status, message));
          return;
        }
        if (fault?.type === 'rateLimit') {
          record.injectedFault = `rateLimit ${fault.status}`;
          const message = 'This request was rate-limited.';
          finish(fault.status, defaultBody(service, fault.status, message), { 'Retry-After': String(fault.retryAfterSeconds) });
          return;
        }
      }
      if (!match) throw new ApiFault(404, 'The resource could not be found.');
      if (!('route' in match)) throw new ApiFault(405, 'The method is not allowed for the requested URL.');
      const text = await readBody(req);
      let body: unknown;
      if (text.trim().length > 0) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new ApiFault(400, 'Malformed request body: the body is not valid JSON.');
        }
      }
      const result = await match.route.handler({
        req,
        method,
        path: requestPath,
        template,
        params: match.params,
        query: parsed.searchParams,
        headers: req.headers,
        body,
        baseUrl: url,
      });
      finish(result.status, result.body, result.headers);
    } catch (err) {
      if (err instanceof ApiFault) {
        finish(err.status, err.body ?? defaultBody(service, err.status, err.message), err.headers);
      } else {
        logger.error('simulator handler failed', { method, path: requestPath, err });
        finish(500, defaultBody(service, 500, 'The server has either erred or is incapable of performing the requested operation.'));
      }
    }
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
    requests,
    transitions: scheduler.log,
    whenIdle: async () => {
      await scheduler.whenIdle();
      await configDrives.flush();
    },
    setTokenLifetime: (seconds) => identity.setTokenLifetime(seconds),
    stop: () => {
      stopped ??= (async () => {
        scheduler.stop();
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
        await scheduler.whenIdle();
        await configDrives.flush();
        await backend.close();
        await fsp.rm(stateDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

function serviceOf(requestPath: string): ServiceName | 'unknown' {
  const first = requestPath.split('/')[1] ?? '';
  switch (first) {
    case 'identity':
      return 'identity';
    case 'volume':
      return 'volume';
    case 'compute':
      return 'compute';
    case 'share':
      return 'share';
    case 'admin':
      return 'admin';
    case 'metadata':
    case 'openstack':
      return 'metadata';
    default:
      return 'unknown';
  }
}

function defaultBody(service: ServiceName | 'unknown', status: number, message: string): unknown {
  if (service === 'identity') return identityErrorBody(status, http.STATUS_CODES[status] ?? 'Error', message);
  return faultBody(status, message);
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
