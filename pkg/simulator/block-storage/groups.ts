/**
 * Cinder generic volume groups (3.13+), group types (3.11+) and group snapshots (3.14+)
 * (api-ref block-storage v3 "Generic volume groups", "Group snapshots", "Group types").
 */
import { ApiFault, badRequest, notFound, optionalString, parseBool, requireObject } from '../http-kit';
import { creatingRecord, updateNameAndDescription } from '../listed-record';
import { atLeast, requireVersion } from '../microversion';
import { newestFirst, pagedListBody, queryFilter, type ServiceCall, type ServiceRoutes } from '../service-route';
import { cinderTime, type GroupRecord, type GroupSnapshotRecord, type GroupTypeRecord, type SimContext } from '../state';
import { volumeKey } from '../block-keys';
import { findVolumeType, getVolume } from './common';
import { scheduleSnapshotDelete, startSnapshot } from './snapshots-backups';

export function registerGroups(routes: ServiceRoutes, sim: SimContext): void {
  routes.add('GET', '/group_types', (call) => {
    requireVersion(call.version, '3.11');
    return { status: 200, body: { group_types: [...sim.state.groupTypes.values()].map(groupTypeView) } };
  });
  routes.add('GET', '/group_types/{group_type_id}', (call) => {
    requireVersion(call.version, '3.11');
    const t = findGroupType(sim, call.params.group_type_id);
    if (!t) throw notFound(`Group type ${call.params.group_type_id} could not be found.`);
    return { status: 200, body: { group_type: groupTypeView(t) } };
  });
  routes.add('POST', '/groups', (call) => createGroup(sim, call));
  routes.add('GET', '/groups', (call) => listGroups(sim, call, false));
  routes.add('GET', '/groups/detail', (call) => listGroups(sim, call, true));
  routes.add('GET', '/groups/{group_id}', (call) => {
    requireVersion(call.version, '3.13');
    const withVolumes = atLeast(call.version, '3.25') && parseBool(call.query.get('list_volume'));
    return { status: 200, body: { group: groupView(sim, getGroup(sim, call.params.group_id), withVolumes) } };
  });
  routes.add('PUT', '/groups/{group_id}', (call) => updateGroup(sim, call));
  routes.add('POST', '/groups/{group_id}/action', (call) => groupAction(sim, call));
  routes.add('POST', '/group_snapshots', (call) => createGroupSnapshot(sim, call));
  routes.add('GET', '/group_snapshots', (call) => listGroupSnapshots(sim, call, false));
  routes.add('GET', '/group_snapshots/detail', (call) => listGroupSnapshots(sim, call, true));
  routes.add('GET', '/group_snapshots/{group_snapshot_id}', (call) => {
    requireVersion(call.version, '3.14');
    return { status: 200, body: { group_snapshot: groupSnapshotView(getGroupSnapshot(sim, call.params.group_snapshot_id)) } };
  });
  routes.add('DELETE', '/group_snapshots/{group_snapshot_id}', (call) => deleteGroupSnapshot(sim, call));
}

function findGroupType(sim: SimContext, idOrName: string) {
  return sim.state.groupTypes.get(idOrName) ?? [...sim.state.groupTypes.values()].find((t) => t.name === idOrName);
}

function groupTypeView(t: GroupTypeRecord) {
  return { id: t.id, name: t.name, description: t.description, is_public: t.isPublic, group_specs: { ...t.groupSpecs } };
}

function getGroup(sim: SimContext, id: string): GroupRecord {
  const g = sim.state.groups.get(id);
  if (!g) throw notFound(`Group ${id} could not be found.`);
  return g;
}

function getGroupSnapshot(sim: SimContext, id: string): GroupSnapshotRecord {
  const g = sim.state.groupSnapshots.get(id);
  if (!g) throw notFound(`GroupSnapshot ${id} could not be found.`);
  return g;
}

function groupView(sim: SimContext, g: GroupRecord, withVolumes = false): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: g.id,
    name: g.name,
    description: g.description,
    status: g.status,
    availability_zone: g.availabilityZone,
    group_type: g.groupTypeId,
    volume_types: [...g.volumeTypeIds],
    group_snapshot_id: g.groupSnapshotId,
    source_group_id: g.sourceGroupId,
    created_at: g.createdAt,
  };
  // Volume IDs only with `list_volume=True` (3.25).
  if (withVolumes) view.volumes = [...sim.state.volumes.values()].filter((v) => v.groupId === g.id).map((v) => v.id);
  return view;
}

function groupSnapshotView(g: GroupSnapshotRecord): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    status: g.status,
    group_id: g.groupId,
    group_type_id: g.groupTypeId,
    created_at: g.createdAt,
  };
}

function createGroup(sim: SimContext, call: ServiceCall) {
  requireVersion(call.version, '3.13');
  const body = requireObject(call.body, 'group');
  const typeRef = optionalString(body, 'group_type');
  if (!typeRef) throw badRequest("Invalid input for field/attribute group. 'group_type' is a required property");
  const groupType = findGroupType(sim, typeRef);
  if (!groupType) throw notFound(`Group type ${typeRef} could not be found.`);
  const typeRefs = body.volume_types;
  if (!Array.isArray(typeRefs) || typeRefs.length === 0) throw badRequest('Invalid input received: volume_types must be provided to create group.');
  const volumeTypeIds = typeRefs.map((ref) => {
    const t = typeof ref === 'string' ? findVolumeType(sim, ref) : undefined;
    if (!t) throw notFound(`Volume type ${String(ref)} could not be found.`);
    return t.id;
  });
  const az = optionalString(body, 'availability_zone');
  if (az !== undefined && !sim.availabilityZones.includes(az)) throw badRequest(`Invalid input received: Availability zone '${az}' is invalid.`);
  if (sim.cinderQuotas.groups >= 0 && sim.state.groups.size + 1 > sim.cinderQuotas.groups) {
    throw new ApiFault(413, `GroupLimitExceeded: Maximum number of groups allowed (${sim.cinderQuotas.groups}) exceeded`);
  }
  const group: GroupRecord = {
    ...creatingRecord(sim.state, body),
    availabilityZone: az ?? sim.availabilityZones[0],
    groupTypeId: groupType.id,
    volumeTypeIds,
    groupSnapshotId: null,
    sourceGroupId: null,
    createdAt: cinderTime(),
  };
  sim.state.groups.set(group.id, group);
  sim.scheduler.schedule({
    kind: 'group',
    id: group.id,
    operation: 'create',
    currentStatus: () => sim.state.groups.get(group.id)?.status,
    complete: () => {
      group.status = 'available';
    },
    fail: () => {
      group.status = 'error';
    },
  });
  return { status: 202, body: { group: { id: group.id, name: group.name } } };
}

function listGroups(sim: SimContext, call: ServiceCall, detail: boolean) {
  requireVersion(call.version, '3.13');
  const items = newestFirst(sim.state.groups.values());
  // `group_links`, not `groups_links`: kept as this simulator has always named it.
  const body = pagedListBody(call, items, 'groups', (g) => (detail ? groupView(sim, g) : { id: g.id, name: g.name }), 'group_links');
  return { status: 200, body };
}

function splitIds(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value !== 'string') throw badRequest('Invalid input received: add_volumes and remove_volumes are comma-separated strings.');
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function updateGroup(sim: SimContext, call: ServiceCall) {
  requireVersion(call.version, '3.13');
  const group = getGroup(sim, call.params.group_id);
  const body = requireObject(call.body, 'group');
  const add = splitIds(body.add_volumes);
  const remove = splitIds(body.remove_volumes);
  if (group.status !== 'available') {
    throw new ApiFault(400, `Invalid group: Group ${group.id} status must be available, but current status is: ${group.status}.`);
  }
  for (const id of add) {
    const v = getVolume(sim, id);
    const type = findVolumeType(sim, v.volumeType);
    if (!['available', 'in-use'].includes(v.status)) {
      throw new ApiFault(400, `Invalid volume: Cannot add volume ${id} to group ${group.id} because volume is in an invalid state: ${v.status}.`);
    }
    if (!type || !group.volumeTypeIds.includes(type.id)) {
      throw new ApiFault(400, `Invalid volume: Cannot add volume ${id} to group ${group.id} because volume type ${v.volumeType} is not supported by the group.`);
    }
    if (v.groupId !== null && v.groupId !== group.id) {
      throw new ApiFault(400, `Invalid volume: Cannot add volume ${id} to group ${group.id} because it is already in group ${v.groupId}.`);
    }
  }
  for (const id of remove) {
    const v = getVolume(sim, id);
    if (v.groupId !== group.id) throw new ApiFault(400, `Invalid volume: Cannot remove volume ${id} from group ${group.id} because it is not in the group.`);
  }
  updateNameAndDescription(group, body);
  for (const id of add) getVolume(sim, id).groupId = group.id;
  for (const id of remove) getVolume(sim, id).groupId = null;
  return { status: 202 };
}

function groupAction(sim: SimContext, call: ServiceCall) {
  requireVersion(call.version, '3.13');
  const group = getGroup(sim, call.params.group_id);
  const body = call.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || !('delete' in body)) {
    throw badRequest(`There is no such action: ${body && typeof body === 'object' ? Object.keys(body).join(',') : ''}`);
  }
  const args = requireObject(body, 'delete');
  const deleteVolumes = parseBool(args['delete-volumes']);
  const volumes = [...sim.state.volumes.values()].filter((v) => v.groupId === group.id);
  if (!['available', 'error'].includes(group.status)) {
    throw new ApiFault(400, `Invalid group: Group status must be available or error, but current status is: ${group.status}`);
  }
  if (volumes.length > 0 && !deleteVolumes) {
    throw new ApiFault(400, `Invalid group: Group ${group.id} still contains volumes. The delete-volumes flag is required to delete it.`);
  }
  if (volumes.some((v) => v.attachments.length > 0 || !['available', 'error'].includes(v.status))) {
    throw new ApiFault(400, `Invalid group: Volume in group ${group.id} is attached or in an invalid state. Need to detach first.`);
  }
  if ([...sim.state.groupSnapshots.values()].some((gs) => gs.groupId === group.id)) {
    throw new ApiFault(400, `Invalid group: Group ${group.id} has existing snapshots.`);
  }
  group.status = 'deleting';
  for (const v of volumes) v.status = 'deleting';
  sim.scheduler.schedule({
    kind: 'group',
    id: group.id,
    operation: 'delete',
    currentStatus: () => sim.state.groups.get(group.id)?.status,
    complete: async () => {
      for (const v of volumes) {
        await sim.backend.deleteImage(volumeKey(v.id));
        sim.state.volumes.delete(v.id);
      }
      sim.state.groups.delete(group.id);
    },
    fail: () => {
      group.status = 'error_deleting';
      for (const v of volumes) v.status = 'error_deleting';
    },
  });
  return { status: 202 };
}

function createGroupSnapshot(sim: SimContext, call: ServiceCall) {
  requireVersion(call.version, '3.14');
  const body = requireObject(call.body, 'group_snapshot');
  const groupId = optionalString(body, 'group_id');
  if (!groupId) throw badRequest("Invalid input for field/attribute group_snapshot. 'group_id' is a required property");
  const group = getGroup(sim, groupId);
  if (group.status !== 'available') {
    throw new ApiFault(400, `Invalid group: Group ${group.id} status must be available, but current status is: ${group.status}.`);
  }
  const volumes = [...sim.state.volumes.values()].filter((v) => v.groupId === group.id);
  const gs: GroupSnapshotRecord = {
    ...creatingRecord(sim.state, body),
    groupId: group.id,
    groupTypeId: group.groupTypeId,
    createdAt: cinderTime(),
  };
  sim.state.groupSnapshots.set(gs.id, gs);
  const members = volumes.map((v) =>
    startSnapshot(sim, v.id, { name: `group-snapshot-${gs.id}`, description: null, metadata: {}, groupSnapshotId: gs.id }),
  );
  scheduleGroupSnapshotCompletion(sim, gs, members.map((m) => m.id));
  return { status: 202, body: { group_snapshot: { id: gs.id, name: gs.name, group_type_id: gs.groupTypeId } } };
}

/** Available once every member snapshot left `creating` (error if one failed); re-checks after each latency. */
function scheduleGroupSnapshotCompletion(sim: SimContext, gs: GroupSnapshotRecord, memberIds: string[]): void {
  sim.scheduler.schedule({
    kind: 'group_snapshot',
    id: gs.id,
    operation: 'create',
    currentStatus: () => sim.state.groupSnapshots.get(gs.id)?.status,
    complete: () => {
      const statuses = memberIds.map((id) => sim.state.snapshots.get(id)?.status);
      if (statuses.includes('creating')) {
        scheduleGroupSnapshotCompletion(sim, gs, memberIds);
        return;
      }
      gs.status = statuses.every((s) => s === 'available') ? 'available' : 'error';
    },
    fail: () => {
      gs.status = 'error';
    },
  });
}

function listGroupSnapshots(sim: SimContext, call: ServiceCall, detail: boolean) {
  requireVersion(call.version, '3.14');
  const items = newestFirst(sim.state.groupSnapshots.values()).filter(queryFilter(call.query, { name: 'name' }));
  const body = pagedListBody(call, items, 'group_snapshots', (g) => (detail ? groupSnapshotView(g) : { id: g.id, name: g.name }));
  return { status: 200, body };
}

function deleteGroupSnapshot(sim: SimContext, call: ServiceCall) {
  requireVersion(call.version, '3.14');
  const gs = getGroupSnapshot(sim, call.params.group_snapshot_id);
  if (!['available', 'error'].includes(gs.status)) {
    throw new ApiFault(400, `Invalid group snapshot: Group snapshot status must be available or error, but current status is: ${gs.status}`);
  }
  const members = [...sim.state.snapshots.values()].filter((s) => s.groupSnapshotId === gs.id);
  gs.status = 'deleting';
  for (const m of members) {
    m.groupSnapshotId = null;
    scheduleSnapshotDelete(sim, m);
  }
  sim.scheduler.schedule({
    kind: 'group_snapshot',
    id: gs.id,
    operation: 'delete',
    currentStatus: () => sim.state.groupSnapshots.get(gs.id)?.status,
    complete: () => {
      sim.state.groupSnapshots.delete(gs.id);
    },
    fail: () => {
      gs.status = 'error_deleting';
    },
  });
  return { status: 202 };
}
