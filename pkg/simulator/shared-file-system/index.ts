/**
 * Manila v2 under `/share/v2/{project_id}`: version documents (unauthenticated), availability zones, quota sets,
 * absolute limits, and the resource modules (shares, access rules, export locations, snapshots, share types and
 * networks, share groups, user messages).
 */
import path from 'node:path';
import { ApiFault, type RequestContext, type Router } from '../http-kit';
import { atLeast } from '../microversion';
import { ServiceRoutes, type ServiceCall } from '../service-route';
import { cinderTime, type SimContext } from '../state';
import { registerAccessRules } from './access-rules';
import { ShareBackingStore } from './backing-store';
import { initialBehaviour, type SharedFileSystemOptions } from './behaviour';
import { MANILA_PREFIX, manilaPolicy, manilaUsage, type ManilaSim } from './common';
import { SharedFileSystemControl } from './control';
import { registerExportLocations } from './export-locations';
import { registerGroups, seedShareGroupTypes } from './groups';
import { registerMessages } from './messages';
import { registerShares } from './shares';
import { registerSnapshots } from './snapshots';
import { registerShareNetworks, registerShareTypes } from './types-networks';

export { SharedFileSystemControl } from './control';
export type { SharedFileSystemOptions } from './behaviour';

/** Registers Manila's routes; returns the control of its backend (export profile, access rules, failures). */
export function registerSharedFileSystem(
  router: Router,
  context: SimContext,
  setup: { stateDir: string; options?: SharedFileSystemOptions },
): SharedFileSystemControl {
  const sim: ManilaSim = {
    ...context,
    manila: {
      behaviour: initialBehaviour(setup.options),
      backing: new ShareBackingStore(path.join(setup.stateDir, 'manila')),
      messages: [],
      groups: new Map(),
      groupTypes: new Map(),
    },
  };
  seedShareGroupTypes(sim);
  registerVersionDocuments(router, sim.microversions.shareMax);
  const routes = new ServiceRoutes(router, sim, MANILA_PREFIX, manilaPolicy(sim.microversions.shareMax));
  registerShares(routes, sim);
  registerAccessRules(routes, sim);
  registerExportLocations(routes, sim);
  registerSnapshots(routes, sim);
  registerShareTypes(routes, sim);
  registerShareNetworks(routes, sim);
  registerGroups(routes, sim);
  registerMessages(routes, sim);
  registerProjectLimits(routes, sim);
  return new SharedFileSystemControl(sim);
}

function registerVersionDocuments(router: Router, max: string): void {
  const versionDoc = (ctx: RequestContext) => ({
    id: 'v2.0',
    status: 'CURRENT',
    version: max,
    min_version: '2.0',
    updated: '2015-08-27T11:33:21Z',
    links: [{ rel: 'self', href: `${ctx.baseUrl}/share/v2/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.share+json;version=1' }],
  });
  router.add('GET', '/share', (ctx) => ({ status: 300, body: { versions: [versionDoc(ctx)] } }));
  router.add('GET', '/share/v2', (ctx) => ({ status: 200, body: { versions: [versionDoc(ctx)] } }));
}

/** Availability zones, quota sets (with `/detail` usage, 2.25) and absolute limits; `os-` paths before 2.7. */
function registerProjectLimits(routes: ServiceRoutes, sim: ManilaSim): void {
  const zonesCreatedAt = cinderTime();
  const zones = () => ({
    status: 200,
    body: {
      availability_zones: sim.availabilityZones.map((name, i) => ({
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        name,
        created_at: zonesCreatedAt,
        updated_at: null,
      })),
    },
  });
  for (const legacy of [false, true]) {
    const prefix = legacy ? '/os-' : '/';
    routes.add('GET', `${prefix}${legacy ? 'availability-zone' : 'availability-zones'}`, (call) => {
      requireRenamed(call, legacy);
      return zones();
    });
    for (const detail of [false, true]) {
      routes.add('GET', `${prefix}quota-sets/{target_project_id}${detail ? '/detail' : ''}`, (call) => {
        requireRenamed(call, legacy);
        return quotaSet(sim, call, detail);
      });
    }
  }
  routes.add('GET', '/limits', (call) => {
    const q = sim.manilaQuotas;
    const used = manilaUsage(sim);
    const absolute: Record<string, number> = {
      maxTotalShares: q.shares,
      maxTotalShareGigabytes: q.gigabytes,
      maxTotalShareSnapshots: q.snapshots,
      maxTotalSnapshotGigabytes: q.snapshot_gigabytes,
      maxTotalShareNetworks: q.share_networks,
      totalSharesUsed: used.shares,
      totalShareGigabytesUsed: used.gigabytes,
      totalShareSnapshotsUsed: used.snapshots,
      totalSnapshotGigabytesUsed: used.snapshot_gigabytes,
      totalShareNetworksUsed: used.share_networks,
    };
    if (atLeast(call.version, '2.53')) {
      Object.assign(absolute, { maxTotalShareReplicas: 100, maxTotalReplicaGigabytes: 1000, totalShareReplicasUsed: 0, totalReplicaGigabytesUsed: 0 });
    }
    if (atLeast(call.version, '2.80')) {
      Object.assign(absolute, { maxTotalShareBackups: 10, maxTotalBackupGigabytes: 1000, totalShareBackupsUsed: 0, totalBackupGigabytesUsed: 0 });
    }
    return { status: 200, body: { limits: { rate: [], absolute } } };
  });
}

/** Manila renamed `os-availability-zone` and `os-quota-sets` in 2.7: each spelling answers 404 outside its range. */
function requireRenamed(call: ServiceCall, legacy: boolean): void {
  if (legacy === atLeast(call.version, '2.7')) throw notFoundFault();
}

function notFoundFault() {
  return new ApiFault(404, 'The resource could not be found.');
}

function quotaSet(sim: ManilaSim, call: ServiceCall, detail: boolean) {
  if (detail && !atLeast(call.version, '2.25')) throw notFoundFault();
  if (call.params.target_project_id !== call.projectId) throw new ApiFault(403, 'Policy does not allow this operation.');
  const q = sim.manilaQuotas;
  const used = manilaUsage(sim);
  const entry = (limit: number, inUse: number) => (detail ? { limit, in_use: inUse, reserved: 0 } : limit);
  const set: Record<string, unknown> = {
    id: call.projectId,
    shares: entry(q.shares, used.shares),
    gigabytes: entry(q.gigabytes, used.gigabytes),
    snapshots: entry(q.snapshots, used.snapshots),
    snapshot_gigabytes: entry(q.snapshot_gigabytes, used.snapshot_gigabytes),
    share_networks: entry(q.share_networks, used.share_networks),
  };
  if (atLeast(call.version, '2.40')) {
    set.share_groups = entry(50, sim.manila.groups.size);
    set.share_group_snapshots = entry(50, 0);
  }
  if (atLeast(call.version, '2.53')) {
    set.share_replicas = entry(100, 0);
    set.replica_gigabytes = entry(1000, 0);
  }
  if (atLeast(call.version, '2.62')) set.per_share_gigabytes = entry(-1, 0);
  return { status: 200, body: { quota_set: set } };
}
