/**
 * Shares: create (blank, from a snapshot, in a share group), show/list with offset paging, delete, and the share
 * actions (`allow_access`, `deny_access`, `access_list`, `extend`, `shrink`, `reset_status`), with Manila's
 * microversion-dependent views (api-ref shared-file-system "Shares" and "Share actions").
 */
import { randomUUID } from 'node:crypto';
import { ApiFault, badRequest, notFound, optionalString, optionalStringMap, parseSize, requireObject } from '../http-kit';
import { creatingRecord } from '../listed-record';
import { atLeast, compareVersions, parseVersion } from '../microversion';
import { newestFirst, pagedListBody, queryFilter, type ServiceCall, type ServiceRoutes } from '../service-route';
import { cinderTime, type ShareRecord, type ShareTypeRecord } from '../state';
import { accessListBody, allowAccess, denyAccess } from './access-rules';
import { checkShareQuota, findShareType, getShare, getSnapshot, rulesOf, scheduleOn, selfLinks, specTrue, type ManilaSim } from './common';
import { exportLocationsFor } from './export-locations';
import { SHARE_GROUPS_MIN_VERSION } from './groups';
import { recordShareMessage } from './messages';

export function registerShares(routes: ServiceRoutes, sim: ManilaSim): void {
  routes.add('POST', '/shares', (call) => createShare(sim, call));
  routes.add('GET', '/shares', (call) => listShares(sim, call, false));
  routes.add('GET', '/shares/detail', (call) => listShares(sim, call, true));
  routes.add('GET', '/shares/{share_id}', (call) => ({ status: 200, body: { share: shareView(sim, call, getShare(sim, call.params.share_id)) } }));
  routes.add('DELETE', '/shares/{share_id}', (call) => deleteShare(sim, call.params.share_id));
  routes.add('POST', '/shares/{share_id}/action', (call) => shareAction(sim, call));
  // api-ref "Share metadata": set merges and answers the whole map (200); deleting an absent key is 404.
  routes.add('POST', '/shares/{share_id}/metadata', (call) => {
    const share = getShare(sim, call.params.share_id);
    requireObject(call.body, 'metadata');
    const metadata = optionalStringMap(call.body as Record<string, unknown>, 'metadata') ?? {};
    Object.assign(share.metadata, metadata);
    return { status: 200, body: { metadata: { ...share.metadata } } };
  });
  routes.add('DELETE', '/shares/{share_id}/metadata/{key}', (call) => {
    const share = getShare(sim, call.params.share_id);
    const key = call.params.key;
    if (!(key in share.metadata)) throw notFound(`Metadata item ${key} was not found.`);
    delete share.metadata[key];
    return { status: 200 };
  });
}

/**
 * Manila's share view as a project user sees it (no `host`/`share_server_id`, admin fields), field by field
 * as `manila/api/views/shares.py` adds them per microversion.
 */
export function shareView(sim: ManilaSim, call: ServiceCall, s: ShareRecord): Record<string, unknown> {
  const type = sim.state.shareTypes.get(s.shareTypeId);
  const v = (minimum: string) => atLeast(call.version, minimum);
  const view: Record<string, unknown> = {
    id: s.id,
    size: s.size,
    availability_zone: s.availabilityZone,
    created_at: s.createdAt,
    // `creating_from_snapshot` exists from 2.54; older clients see `creating`.
    status: s.status === 'creating_from_snapshot' && !v('2.54') ? 'creating' : s.status,
    name: s.name,
    description: s.description,
    project_id: call.projectId,
    snapshot_id: s.snapshotId,
    share_network_id: s.shareNetworkId,
    share_proto: s.shareProto,
    metadata: { ...s.metadata },
    share_type: v('2.6') ? s.shareTypeId : (type?.name ?? s.shareTypeId),
    volume_type: type?.name ?? s.shareTypeId,
    links: selfLinks(call, 'shares', s.id),
    is_public: false,
  };
  if (!v('2.9')) {
    const paths = s.exportLocations.filter((e) => !e.isAdminOnly).map((e) => e.path);
    view.export_location = paths[0] ?? null;
    view.export_locations = paths;
  }
  if (v('2.2')) view.snapshot_support = specTrue(type, 'snapshot_support');
  if (v('2.5')) view.task_state = null;
  if (v('2.6')) view.share_type_name = type?.name ?? null;
  if (v('2.10')) view.access_rules_status = s.accessRulesStatus === 'syncing' && !v('2.28') ? 'out_of_sync' : s.accessRulesStatus;
  if (v('2.11')) {
    view.replication_type = null;
    view.has_replicas = false;
  }
  if (v('2.16')) view.user_id = sim.identity.user.id;
  if (v('2.24')) view.create_share_from_snapshot_support = specTrue(type, 'create_share_from_snapshot_support');
  if (v('2.27')) view.revert_to_snapshot_support = false;
  if (v('2.31')) {
    view.share_group_id = s.shareGroupId;
    view.source_share_group_snapshot_member_id = null;
  }
  if (v('2.32')) view.mount_snapshot_support = false;
  if (v('2.54')) view.progress = s.status === 'available' ? '100%' : '0%';
  if (v('2.69')) {
    view.is_soft_deleted = false;
    view.scheduled_to_be_deleted_at = null;
  }
  return view;
}

interface ShareSource {
  size: number;
  type: ShareTypeRecord;
  snapshotId?: string;
}

/** Size and type of a share from a snapshot: the snapshot's size at least, a type able to create from snapshots. */
function sourceFromSnapshot(sim: ManilaSim, body: Record<string, unknown>, proto: string, snapshotId: string, typeRef?: string): ShareSource {
  const snap = getSnapshot(sim, snapshotId);
  if (snap.status !== 'available') throw badRequest("Invalid share snapshot: status must be 'available'.");
  const parent = sim.state.shares.get(snap.shareId);
  const type = typeRef ? findShareType(sim, typeRef) : parent ? sim.state.shareTypes.get(parent.shareTypeId) : undefined;
  if (!type) throw notFound(`Share type ${typeRef ?? ''} could not be found.`);
  if (!specTrue(type, 'create_share_from_snapshot_support')) {
    throw badRequest(`Invalid input received: Share type ${type.name} does not support creating shares from snapshots.`);
  }
  if (snap.shareProto !== proto) throw badRequest("Invalid input received: Share protocol must match the snapshot's share protocol.");
  const size = body.size === undefined || body.size === null ? snap.size : parseSize(body.size);
  if (size < snap.size) {
    throw badRequest(`Invalid input received: Share size '${size}' must be equal or greater than snapshot size '${snap.size}'.`);
  }
  return { size, type, snapshotId };
}

/** The share group a new share joins (2.31+): it must be `available` and allow the share's type. */
function groupFor(sim: ManilaSim, call: ServiceCall, body: Record<string, unknown>, type: ShareTypeRecord) {
  const groupId = atLeast(call.version, SHARE_GROUPS_MIN_VERSION) ? optionalString(body, 'share_group_id') : undefined;
  if (groupId === undefined) return undefined;
  const group = sim.manila.groups.get(groupId);
  if (!group) throw notFound(`Share group ${groupId} could not be found.`);
  if (group.status !== 'available') {
    throw badRequest(`Invalid share group: Share group status must be available, but current status is: ${group.status}.`);
  }
  if (!group.shareTypeIds.includes(type.id)) {
    throw badRequest(`The specified share type (${type.id}) is not supported by the specified share group.`);
  }
  return group;
}

function createShare(sim: ManilaSim, call: ServiceCall) {
  const body = requireObject(call.body, 'share');
  const protoText = optionalString(body, 'share_proto');
  const proto = protoText?.toUpperCase();
  if (proto !== 'NFS' && proto !== 'CEPHFS') throw badRequest(`Invalid share protocol provided: ${protoText ?? 'None'}`);
  if (body.scheduler_hints !== undefined && !atLeast(call.version, '2.65')) {
    throw badRequest("Invalid input: 'scheduler_hints' requires microversion 2.65.");
  }
  const snapshotId = optionalString(body, 'snapshot_id');
  const typeRef = optionalString(body, 'share_type') ?? optionalString(body, 'volume_type');
  let source: ShareSource;
  if (snapshotId !== undefined) {
    source = sourceFromSnapshot(sim, body, proto, snapshotId, typeRef);
  } else {
    const type = findShareType(sim, typeRef ?? 'default');
    if (!type) throw notFound(`Share type with name ${typeRef} could not be found.`);
    source = { size: parseSize(body.size), type };
  }
  const networkId = optionalString(body, 'share_network_id');
  if (networkId !== undefined && !sim.state.shareNetworks.has(networkId)) throw notFound(`Share network ${networkId} could not be found.`);
  if (specTrue(source.type, 'driver_handles_share_servers') && networkId === undefined) {
    throw badRequest('Share network must be set when the driver_handles_share_servers extra spec is True.');
  }
  const group = groupFor(sim, call, body, source.type);
  const az = optionalString(body, 'availability_zone') ?? group?.availabilityZone;
  if (az !== undefined && !sim.availabilityZones.includes(az)) throw notFound(`Availability zone ${az} could not be found.`);
  checkShareQuota(sim, source.size, 1);

  const share: ShareRecord = {
    ...creatingRecord(sim.state, body),
    size: source.size,
    shareProto: proto,
    shareTypeId: source.type.id,
    shareNetworkId: networkId ?? null,
    availabilityZone: az ?? sim.availabilityZones[0],
    snapshotId: snapshotId ?? null,
    shareGroupId: group?.id ?? null,
    metadata: optionalStringMap(body, 'metadata') ?? {},
    createdAt: cinderTime(),
    updatedAt: null,
    instanceId: randomUUID(),
    exportLocations: [],
    accessRulesStatus: 'active',
  };
  sim.state.shares.set(share.id, share);
  scheduleCreate(sim, share);
  return { status: 200, body: { share: shareView(sim, call, share) } };
}

/**
 * `creating` → `available` (`error` with detail 003 for a share network on a type without
 * `driver_handles_share_servers`); a share from a snapshot passes `creating_from_snapshot` (the driver copying the
 * snapshot's data) between the two. NFS shares get their backing directory, CephFS ones the `__mount_options`
 * metadata CephFS native sets (`fs=<file system>`).
 */
function scheduleCreate(sim: ManilaSim, share: ShareRecord): void {
  const finish = async () => {
    if (share.shareProto === 'NFS') await sim.manila.backing.createShare(share.id, share.snapshotId ?? undefined);
    else share.metadata.__mount_options = 'fs=cephfs';
    share.exportLocations = exportLocationsFor(share, sim.manila.behaviour.exportLocations, sim.manila.backing.shareDir(share.id));
    share.status = 'available';
    share.updatedAt = cinderTime();
  };
  const fail = (fault: string) => {
    share.status = 'error';
    share.fault = fault;
    share.updatedAt = cinderTime();
    recordShareMessage(sim, 'SHARE', share.id, 'create', fault);
  };
  const step = (operation: string, complete: () => void | Promise<void>) =>
    scheduleOn(sim, sim.state.shares, { kind: 'share', id: share.id, operation }, complete, fail);
  step('create', () => {
    // A backend that does not handle share servers refuses a share network (UNEXPECTED_NETWORK, detail 003).
    const type = sim.state.shareTypes.get(share.shareTypeId);
    if (share.shareNetworkId !== null && !specTrue(type, 'driver_handles_share_servers')) throw new Error('003');
    if (share.snapshotId === null) return finish();
    share.status = 'creating_from_snapshot';
    share.updatedAt = cinderTime();
    step('create_from_snapshot', finish);
  });
}

function listShares(sim: ManilaSim, call: ServiceCall, detail: boolean) {
  const items = newestFirst(sim.state.shares.values()).filter(
    queryFilter(call.query, { name: 'name', status: 'status', share_group_id: 'shareGroupId', snapshot_id: 'snapshotId' }),
  );
  const body = pagedListBody(call, items, 'shares', (s) =>
    detail ? shareView(sim, call, s) : { id: s.id, name: s.name, links: selfLinks(call, 'shares', s.id) },
  );
  return { status: 200, body };
}

function deleteShare(sim: ManilaSim, id: string) {
  const share = getShare(sim, id);
  // Manila answers InvalidShare on delete with 403 Forbidden (api/v2/shares.py).
  if (!['available', 'error', 'inactive'].includes(share.status)) {
    throw new ApiFault(403, "Invalid share: Share status must be one of ('available', 'error', 'inactive').");
  }
  const snaps = [...sim.state.shareSnapshots.values()].filter((s) => s.shareId === id);
  if (snaps.length > 0) throw new ApiFault(403, `Invalid share: Share still has ${snaps.length} dependent snapshots.`);
  share.status = 'deleting';
  share.updatedAt = cinderTime();
  scheduleOn(
    sim,
    sim.state.shares,
    { kind: 'share', id, operation: 'delete' },
    async () => {
      await sim.manila.backing.removeShare(id);
      for (const r of rulesOf(sim, id)) sim.state.accessRules.delete(r.id);
      sim.state.shares.delete(id);
    },
    (fault) => {
      share.status = 'error_deleting';
      share.fault = fault;
      recordShareMessage(sim, 'SHARE', id, 'delete', fault);
    },
  );
  return { status: 202 };
}

/** Actions by name; before 2.7 they are spelt `os-<name>` (`access_list` ends at 2.44, replaced by `/share-access-rules`). */
const ACTION_VERSIONS: Record<string, { from: string; until?: string }> = {
  allow_access: { from: '2.7' },
  deny_access: { from: '2.7' },
  access_list: { from: '2.7', until: '2.44' },
  extend: { from: '2.7' },
  shrink: { from: '2.7' },
  reset_status: { from: '2.7' },
};

/** The action's name without `os-`; 404 (as Manila answers a method absent at this microversion) when out of range. */
function requireActionVersion(call: ServiceCall, action: string): string {
  const name = action.replace(/^os-/, '');
  const range = ACTION_VERSIONS[name];
  if (!range) throw badRequest(`There is no such action: ${action}`);
  const { from, until } = action.startsWith('os-') ? { from: '2.0', until: '2.6' } : range;
  const inRange = atLeast(call.version, from) && (until === undefined || compareVersions(call.version, parseVersion(until)) <= 0);
  if (!inRange) throw notFound('The resource could not be found.');
  return name;
}

function shareAction(sim: ManilaSim, call: ServiceCall) {
  const share = getShare(sim, call.params.share_id);
  const body = call.body;
  if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) throw badRequest('Malformed request body');
  const [action] = Object.keys(body);
  const args = () => requireObject(body, action);
  switch (requireActionVersion(call, action)) {
    case 'allow_access':
      return allowAccess(call, sim, share, args());
    case 'deny_access':
      return denyAccess(sim, share, args());
    case 'access_list':
      return { status: 200, body: accessListBody(call, sim, share.id) };
    case 'extend':
      return resizeShare(sim, share, args(), 'extend');
    case 'shrink':
      return resizeShare(sim, share, args(), 'shrink');
    default: {
      // reset_status, an admin action: how an operator gets a share out of an error state.
      const status = optionalString(args(), 'status');
      if (!status) throw badRequest('Must specify status.');
      share.status = status;
      share.updatedAt = cinderTime();
      return { status: 202 };
    }
  }
}

function resizeShare(sim: ManilaSim, share: ShareRecord, args: Record<string, unknown>, op: 'extend' | 'shrink') {
  const newSize = parseSize(args.new_size, 'new_size');
  if (share.status !== 'available') {
    throw badRequest(`Invalid share: Share ${share.id} status must be 'available' to ${op}, but current status is: ${share.status}.`);
  }
  if (op === 'extend' && newSize <= share.size) {
    throw badRequest(`Invalid input received: New size for extend must be greater than current size. (current: ${share.size}, extended: ${newSize}).`);
  }
  if (op === 'shrink' && newSize >= share.size) {
    throw badRequest(`Invalid input received: New size for shrink must be less than current size. (current: ${share.size}, new: ${newSize}).`);
  }
  if (op === 'extend') checkShareQuota(sim, newSize - share.size, 0, 403);
  share.status = op === 'extend' ? 'extending' : 'shrinking';
  share.updatedAt = cinderTime();
  scheduleOn(
    sim,
    sim.state.shares,
    { kind: 'share', id: share.id, operation: op },
    // The backing directory is the share's data: resizing leaves it as it is.
    () => {
      share.size = newSize;
      share.status = 'available';
      share.updatedAt = cinderTime();
    },
    (fault) => {
      share.status = op === 'extend' ? 'extending_error' : 'shrinking_error';
      share.fault = fault;
      recordShareMessage(sim, 'SHARE', share.id, op, fault);
      share.updatedAt = cinderTime();
    },
  );
  return { status: 202 };
}
