/**
 * Share groups as far as a CSI driver uses them: share group types, and groups to create shares in
 * (`share_group_id`, 2.31). From 2.31 to 2.54 the API is experimental and wants
 * `X-OpenStack-Manila-API-Experimental: True`; 2.55 graduated it (api/v2/share_groups.py).
 */
import { randomUUID } from 'node:crypto';
import { ApiFault, badRequest, notFound, optionalString, requireObject } from '../http-kit';
import { creatingRecord } from '../listed-record';
import { atLeast, requireVersion } from '../microversion';
import { newestFirst, pagedListBody, queryFilter, type ServiceCall, type ServiceRoutes } from '../service-route';
import { cinderTime, type ListedRecord } from '../state';
import { findShareType, scheduleOn, selfLinks, type ManilaSim } from './common';
import { recordShareMessage } from './messages';

export const SHARE_GROUPS_MIN_VERSION = '2.31';
const SHARE_GROUPS_GRADUATION = '2.55';

export interface ShareGroupRecord extends ListedRecord {
  availabilityZone: string;
  shareGroupTypeId: string;
  shareTypeIds: string[];
  shareNetworkId: string | null;
  createdAt: string;
}

export interface ShareGroupTypeRecord {
  id: string;
  name: string;
  isPublic: boolean;
  groupSpecs: Record<string, string>;
  shareTypeIds: string[];
}

/** The default group type every simulated cloud starts with, allowing every share type. */
export function seedShareGroupTypes(sim: ManilaSim): void {
  const id = randomUUID();
  sim.manila.groupTypes.set(id, {
    id,
    name: 'default',
    isPublic: true,
    groupSpecs: { consistent_snapshot_support: 'host' },
    shareTypeIds: [...sim.state.shareTypes.keys()],
  });
}

/** 404 below 2.31, and below 2.55 without the experimental header, as Manila's versioned methods answer. */
function requireGroupsApi(call: ServiceCall): void {
  requireVersion(call.version, SHARE_GROUPS_MIN_VERSION);
  const experimental = String(call.headers['x-openstack-manila-api-experimental'] ?? '').toLowerCase() === 'true';
  if (!atLeast(call.version, SHARE_GROUPS_GRADUATION) && !experimental) throw notFound('The resource could not be found.');
}

export function registerGroups(routes: ServiceRoutes, sim: ManilaSim): void {
  const add = (method: string, path: string, handler: Parameters<ServiceRoutes['add']>[2]) =>
    routes.add(method, path, (call) => {
      requireGroupsApi(call);
      return handler(call);
    });
  add('GET', '/share-group-types', () => ({ status: 200, body: { share_group_types: [...sim.manila.groupTypes.values()].map(groupTypeView) } }));
  add('GET', '/share-group-types/default', () => ({ status: 200, body: { share_group_type: groupTypeView(defaultGroupType(sim)) } }));
  add('POST', '/share-groups', (call) => createGroup(sim, call));
  add('GET', '/share-groups', (call) => listGroups(sim, call, false));
  add('GET', '/share-groups/detail', (call) => listGroups(sim, call, true));
  add('GET', '/share-groups/{share_group_id}', (call) => ({ status: 200, body: { share_group: groupView(call, getGroup(sim, call.params.share_group_id)) } }));
  add('DELETE', '/share-groups/{share_group_id}', (call) => deleteGroup(sim, call.params.share_group_id));
}

function defaultGroupType(sim: ManilaSim): ShareGroupTypeRecord {
  const t = [...sim.manila.groupTypes.values()].find((x) => x.name === 'default');
  if (!t) throw notFound('Default share group type not found.');
  return t;
}

function getGroup(sim: ManilaSim, id: string): ShareGroupRecord {
  const g = sim.manila.groups.get(id);
  if (!g) throw notFound(`Share group ${id} not found.`);
  return g;
}

function groupTypeView(t: ShareGroupTypeRecord): Record<string, unknown> {
  return { id: t.id, name: t.name, is_public: t.isPublic, group_specs: { ...t.groupSpecs }, share_types: [...t.shareTypeIds], is_default: t.name === 'default' };
}

function groupView(call: ServiceCall, g: ShareGroupRecord): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    created_at: g.createdAt,
    status: g.status,
    description: g.description,
    project_id: call.projectId,
    share_group_type_id: g.shareGroupTypeId,
    source_share_group_snapshot_id: null,
    share_network_id: g.shareNetworkId,
    share_types: [...g.shareTypeIds],
    links: selfLinks(call, 'share_groups', g.id),
    availability_zone: g.availabilityZone,
    consistent_snapshot_support: null,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GROUP_FIELDS = new Set(['name', 'description', 'share_types', 'share_group_type_id', 'source_share_group_snapshot_id', 'share_network_id', 'availability_zone']);

function createGroup(sim: ManilaSim, call: ServiceCall) {
  const body = requireObject(call.body, 'share_group');
  const invalid = Object.keys(body).filter((k) => !GROUP_FIELDS.has(k));
  if (invalid.length > 0) throw badRequest(`The fields ${invalid.join(', ')} are invalid.`);
  if (body.source_share_group_snapshot_id !== undefined) throw badRequest('Share group snapshots are not simulated.');
  let shareTypeIds: string[];
  if (body.share_types === undefined || (Array.isArray(body.share_types) && body.share_types.length === 0)) {
    const def = findShareType(sim, 'default');
    if (!def) throw badRequest('Must specify at least one share type as a default share type has not been configured.');
    shareTypeIds = [def.id];
  } else {
    if (!Array.isArray(body.share_types) || !body.share_types.every((t) => typeof t === 'string' && UUID.test(t))) {
      throw badRequest("The 'share_types' attribute must be a list of uuids");
    }
    shareTypeIds = body.share_types as string[];
    const unknown = shareTypeIds.find((t) => !sim.state.shareTypes.has(t));
    if (unknown) throw notFound(`Share type ${unknown} could not be found.`);
  }
  const typeId = optionalString(body, 'share_group_type_id');
  if (typeId !== undefined && !UUID.test(typeId)) throw badRequest("The 'share_group_type_id' attribute must be a uuid.");
  const groupType = typeId === undefined ? defaultGroupType(sim) : sim.manila.groupTypes.get(typeId);
  if (!groupType) throw notFound(`Share group type ${typeId} not found.`);
  const unsupported = shareTypeIds.find((t) => !groupType.shareTypeIds.includes(t));
  if (unsupported) throw badRequest(`Invalid input received: The specified share type ${unsupported} is not supported by the share group type ${groupType.id}.`);
  const az = optionalString(body, 'availability_zone');
  if (az !== undefined && !sim.availabilityZones.includes(az)) throw notFound(`Availability zone ${az} could not be found.`);
  const networkId = optionalString(body, 'share_network_id');
  if (networkId !== undefined && !sim.state.shareNetworks.has(networkId)) throw badRequest(`Share network ${networkId} could not be found.`);

  const group: ShareGroupRecord = {
    ...creatingRecord(sim.state, body),
    availabilityZone: az ?? sim.availabilityZones[0],
    shareGroupTypeId: groupType.id,
    shareTypeIds,
    shareNetworkId: networkId ?? null,
    createdAt: cinderTime(),
  };
  sim.manila.groups.set(group.id, group);
  scheduleOn(
    sim,
    sim.manila.groups,
    { kind: 'share_group', id: group.id, operation: 'create' },
    () => {
      group.status = 'available';
    },
    (fault) => {
      group.status = 'error';
      recordShareMessage(sim, 'SHARE_GROUP', group.id, 'create', fault);
    },
  );
  return { status: 202, body: { share_group: groupView(call, group) } };
}

function listGroups(sim: ManilaSim, call: ServiceCall, detail: boolean) {
  const items = newestFirst(sim.manila.groups.values()).filter(queryFilter(call.query, { name: 'name', status: 'status' }));
  const body = pagedListBody(call, items, 'share_groups', (g) =>
    detail ? groupView(call, g) : { id: g.id, name: g.name, links: selfLinks(call, 'share_groups', g.id) },
  );
  return { status: 200, body };
}

/** Manila refuses (409) to delete a group that still holds shares or is busy. */
function deleteGroup(sim: ManilaSim, id: string) {
  const group = getGroup(sim, id);
  if (!['available', 'error'].includes(group.status)) {
    throw new ApiFault(409, `Invalid share group: Share group status must be one of ('available', 'error').`);
  }
  if ([...sim.state.shares.values()].some((s) => s.shareGroupId === id)) {
    throw new ApiFault(409, 'Invalid share group: Cannot delete a share group containing shares.');
  }
  group.status = 'deleting';
  scheduleOn(
    sim,
    sim.manila.groups,
    { kind: 'share_group', id, operation: 'delete' },
    () => {
      sim.manila.groups.delete(id);
    },
    () => {
      group.status = 'error_deleting';
    },
  );
  return { status: 202 };
}
