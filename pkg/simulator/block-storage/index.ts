/**
 * Cinder v3 under `/volume`: version documents (unauthenticated), volume types, availability zones,
 * quota sets with usage, absolute limits, and the resource modules.
 */
import { badRequest, notFound, type RequestContext, type Router } from '../http-kit';
import { requireVersion } from '../microversion';
import { queryFilter, ServiceRoutes } from '../service-route';
import type { SimContext } from '../state';
import { CINDER_PREFIX, cinderPolicy, cinderUsage, findVolumeType } from './common';
import { registerGroups } from './groups';
import { registerBackups, registerSnapshots } from './snapshots-backups';
import { registerVolumes } from './volumes';

export function registerBlockStorage(router: Router, sim: SimContext): void {
  const policy = cinderPolicy(sim.microversions.volumeMax);
  const versionDoc = (ctx: RequestContext) => ({
    id: 'v3.0',
    status: 'CURRENT',
    version: policy.max,
    min_version: policy.min,
    updated: '2023-03-01T00:00:00Z',
    links: [
      { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
      { rel: 'self', href: `${ctx.baseUrl}/volume/v3/` },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
  });
  // api-ref "List All Api Versions": 300 Multiple Choices at the root; `/v3/` shows the v3 document.
  router.add('GET', '/volume', (ctx) => ({ status: 300, body: { versions: [versionDoc(ctx)] } }));
  router.add('GET', '/volume/v3', (ctx) => ({ status: 200, body: { versions: [versionDoc(ctx)] } }));

  // URLs carry the project (the catalog's form); since 3.67 Cinder also accepts them without it.
  for (const prefix of [CINDER_PREFIX, '/volume/v3']) {
    registerServiceRoutes(new ServiceRoutes(router, sim, prefix, policy), sim);
  }
}

function registerServiceRoutes(routes: ServiceRoutes, sim: SimContext): void {
  registerVolumes(routes, sim);
  registerSnapshots(routes, sim);
  registerBackups(routes, sim);
  registerGroups(routes, sim);

  routes.add('GET', '/types', () => ({
    status: 200,
    body: { volume_types: [...sim.state.volumeTypes.values()].map(volumeTypeView) },
  }));
  routes.add('GET', '/types/{type_id}', (call) => {
    const t = findVolumeType(sim, call.params.type_id);
    if (!t) throw notFound(`Volume type ${call.params.type_id} could not be found.`);
    return { status: 200, body: { volume_type: volumeTypeView(t) } };
  });
  routes.add('GET', '/types/{type_id}/extra_specs', (call) => {
    const t = findVolumeType(sim, call.params.type_id);
    if (!t) throw notFound(`Volume type ${call.params.type_id} could not be found.`);
    return { status: 200, body: { extra_specs: { ...t.extraSpecs } } };
  });
  routes.add('GET', '/os-availability-zone', () => ({
    status: 200,
    body: { availabilityZoneInfo: sim.availabilityZones.map((zoneName) => ({ zoneName, zoneState: { available: true } })) },
  }));
  routes.add('GET', '/os-quota-sets/{target_project_id}', (call) => {
    if (call.params.target_project_id !== call.projectId) throw badRequest('Invalid input received: target project is not accessible.');
    const withUsage = call.query.get('usage') === 'true';
    const used = cinderUsage(sim);
    const q = sim.cinderQuotas;
    const entry = (limit: number, inUse: number) => (withUsage ? { limit, in_use: inUse, reserved: 0, allocated: 0 } : limit);
    const quotaSet: Record<string, unknown> = {
      id: call.projectId,
      volumes: entry(q.volumes, used.volumes),
      gigabytes: entry(q.gigabytes, used.gigabytes),
      snapshots: entry(q.snapshots, used.snapshots),
      backups: entry(q.backups, used.backups),
      backup_gigabytes: entry(q.backup_gigabytes, used.backup_gigabytes),
      per_volume_gigabytes: entry(q.per_volume_gigabytes, 0),
      groups: entry(q.groups, used.groups),
    };
    // Per-type keys, unlimited, as Cinder lists them for every volume type.
    for (const t of sim.state.volumeTypes.values()) {
      const vols = [...sim.state.volumes.values()].filter((v) => v.volumeType === t.name);
      const snaps = [...sim.state.snapshots.values()].filter((s) => vols.some((v) => v.id === s.volumeId));
      quotaSet[`volumes_${t.name}`] = entry(-1, vols.length);
      quotaSet[`gigabytes_${t.name}`] = entry(-1, vols.reduce((n, v) => n + v.size, 0) + snaps.reduce((n, s) => n + s.size, 0));
      quotaSet[`snapshots_${t.name}`] = entry(-1, snaps.length);
    }
    return { status: 200, body: { quota_set: quotaSet } };
  });
  routes.add('GET', '/messages', (call) => {
    requireVersion(call.version, '3.3');
    const messages = sim.state.messages
      .filter(queryFilter(call.query, { resource_uuid: 'resourceUuid' }))
      .map((m) => ({
        id: m.id,
        event_id: m.eventId,
        user_message: m.userMessage,
        message_level: 'ERROR',
        resource_type: m.resourceType,
        resource_uuid: m.resourceUuid,
        created_at: m.createdAt,
        guaranteed_until: m.createdAt,
        request_id: `req-${m.id}`,
      }));
    return { status: 200, body: { messages } };
  });
  routes.add('GET', '/limits', () => {
    const used = cinderUsage(sim);
    const q = sim.cinderQuotas;
    return {
      status: 200,
      body: {
        limits: {
          rate: [],
          absolute: {
            maxTotalVolumes: q.volumes,
            maxTotalSnapshots: q.snapshots,
            maxTotalVolumeGigabytes: q.gigabytes,
            maxTotalBackups: q.backups,
            maxTotalBackupGigabytes: q.backup_gigabytes,
            totalVolumesUsed: used.volumes,
            totalGigabytesUsed: used.gigabytes,
            totalSnapshotsUsed: used.snapshots,
            totalBackupsUsed: used.backups,
            totalBackupGigabytesUsed: used.backup_gigabytes,
          },
        },
      },
    };
  });
}

function volumeTypeView(t: { id: string; name: string; description: string | null; isPublic: boolean; extraSpecs: Record<string, string> }) {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    is_public: t.isPublic,
    'os-volume-type-access:is_public': t.isPublic,
    qos_specs_id: null,
    extra_specs: { ...t.extraSpecs },
  };
}
