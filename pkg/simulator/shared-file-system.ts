/**
 * Manila v2 under `/share/v2/{project_id}`: shares (NFS, CEPHFS) with their status machine, access rules,
 * export locations, snapshots, share types and share networks (api-ref shared-file-system v2).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { ApiFault, badRequest, notFound, optionalString, optionalStringMap, parseSize, requireObject, type RequestContext, type Router } from './http-kit';
import { creatingRecord } from './listed-record';
import { requireVersion } from './microversion';
import { newestFirst, pagedListBody, queryFilter, ServiceRoutes, type ServiceCall } from './service-route';
import { cinderTime, newId, type AccessRuleRecord, type ShareNetworkRecord, type ShareRecord, type ShareSnapshotRecord, type ShareTypeRecord, type SimContext } from './state';

export const MANILA_PREFIX = '/share/v2/{project_id}';
const ACCESS_TYPES = ['ip', 'user', 'cert', 'cephx'];

export function registerSharedFileSystem(router: Router, sim: SimContext): void {
  const policy = {
    serviceWord: 'shared-file-system',
    legacyHeader: 'X-OpenStack-Manila-API-Version',
    min: '2.0',
    max: sim.microversions.shareMax,
  };
  const versionDoc = (ctx: RequestContext) => ({
    id: 'v2.0',
    status: 'CURRENT',
    version: policy.max,
    min_version: policy.min,
    updated: '2015-08-27T11:33:21Z',
    links: [{ rel: 'self', href: `${ctx.baseUrl}/share/v2/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.share+json;version=1' }],
  });
  router.add('GET', '/share', (ctx) => ({ status: 300, body: { versions: [versionDoc(ctx)] } }));
  router.add('GET', '/share/v2', (ctx) => ({ status: 200, body: { versions: [versionDoc(ctx)] } }));

  const routes = new ServiceRoutes(router, sim, MANILA_PREFIX, policy);
  routes.add('POST', '/shares', (call) => createShare(sim, call));
  routes.add('GET', '/shares', (call) => listShares(sim, call, false));
  routes.add('GET', '/shares/detail', (call) => listShares(sim, call, true));
  routes.add('GET', '/shares/{share_id}', (call) => ({ status: 200, body: { share: shareView(sim, call, getShare(sim, call.params.share_id)) } }));
  routes.add('DELETE', '/shares/{share_id}', (call) => deleteShare(sim, call.params.share_id));
  routes.add('POST', '/shares/{share_id}/action', (call) => shareAction(sim, call));
  routes.add('GET', '/shares/{share_id}/export_locations', (call) => {
    const share = getShare(sim, call.params.share_id);
    return { status: 200, body: { export_locations: share.exportLocations.map((e) => exportView(share, e)) } };
  });
  routes.add('GET', '/shares/{share_id}/export_locations/{export_location_id}', (call) => {
    const share = getShare(sim, call.params.share_id);
    const e = share.exportLocations.find((x) => x.id === call.params.export_location_id);
    if (!e) throw notFound(`Export location ${call.params.export_location_id} could not be found.`);
    return { status: 200, body: { export_location: exportView(share, e) } };
  });
  routes.add('GET', '/share-access-rules', (call) => {
    requireVersion(call.version, '2.45');
    const shareId = call.query.get('share_id');
    if (!shareId) throw badRequest('Share ID must be specified.');
    getShare(sim, shareId);
    return { status: 200, body: { access_list: rulesOf(sim, shareId).map(accessView) } };
  });
  routes.add('GET', '/share-access-rules/{access_id}', (call) => {
    requireVersion(call.version, '2.45');
    const rule = sim.state.accessRules.get(call.params.access_id);
    if (!rule) throw notFound(`Access rule ${call.params.access_id} could not be found.`);
    return { status: 200, body: { access: accessView(rule) } };
  });

  routes.add('GET', '/messages', (call) => {
    const messages = sim.state.shareMessages
      .filter(queryFilter(call.query, { resource_id: 'resourceUuid' }))
      .map((m) => ({
        id: m.id,
        action_id: m.eventId,
        detail_id: '001',
        message_level: 'ERROR',
        request_id: `req-${m.id}`,
        resource_type: m.resourceType,
        resource_id: m.resourceUuid,
        user_message: m.userMessage,
        created_at: m.createdAt,
        expires_at: m.createdAt,
      }));
    return { status: 200, body: { messages } };
  });
  routes.add('POST', '/snapshots', (call) => createSnapshot(sim, call));
  routes.add('GET', '/snapshots', (call) => listSnapshots(sim, call, false));
  routes.add('GET', '/snapshots/detail', (call) => listSnapshots(sim, call, true));
  routes.add('GET', '/snapshots/{snapshot_id}', (call) => ({ status: 200, body: { snapshot: snapshotView(getSnapshot(sim, call.params.snapshot_id)) } }));
  routes.add('DELETE', '/snapshots/{snapshot_id}', (call) => deleteSnapshot(sim, call.params.snapshot_id));

  routes.add('GET', '/types', () => {
    const types = [...sim.state.shareTypes.values()].map(typeView);
    return { status: 200, body: { share_types: types, volume_types: types } };
  });
  routes.add('GET', '/types/default', () => {
    const t = findShareType(sim, 'default');
    if (!t) throw notFound('Default share type not found.');
    return { status: 200, body: { share_type: typeView(t), volume_type: typeView(t) } };
  });
  routes.add('GET', '/types/{type_id}', (call) => {
    const t = findShareType(sim, call.params.type_id);
    if (!t) throw notFound(`Share type ${call.params.type_id} not found.`);
    return { status: 200, body: { share_type: typeView(t), volume_type: typeView(t) } };
  });

  routes.add('GET', '/share-networks', () => ({
    status: 200,
    body: { share_networks: [...sim.state.shareNetworks.values()].map((n) => ({ id: n.id, name: n.name })) },
  }));
  routes.add('GET', '/share-networks/detail', (call) => ({
    status: 200,
    body: { share_networks: [...sim.state.shareNetworks.values()].map((n) => networkView(call, n)) },
  }));
  routes.add('GET', '/share-networks/{share_network_id}', (call) => {
    const n = sim.state.shareNetworks.get(call.params.share_network_id);
    if (!n) throw notFound(`Share network ${call.params.share_network_id} could not be found.`);
    return { status: 200, body: { share_network: networkView(call, n) } };
  });
  routes.add('POST', '/share-networks', (call) => {
    const body = requireObject(call.body, 'share_network');
    if (sim.manilaQuotas.share_networks >= 0 && sim.state.shareNetworks.size >= sim.manilaQuotas.share_networks) {
      throw new ApiFault(413, `ShareNetworksLimitExceeded: Maximum number of share-networks allowed (${sim.manilaQuotas.share_networks}) exceeded.`);
    }
    const n = {
      id: newId(),
      name: optionalString(body, 'name') ?? null,
      description: optionalString(body, 'description') ?? null,
      neutronNetId: optionalString(body, 'neutron_net_id') ?? null,
      neutronSubnetId: optionalString(body, 'neutron_subnet_id') ?? null,
      createdAt: cinderTime(),
    };
    sim.state.shareNetworks.set(n.id, n);
    return { status: 200, body: { share_network: networkView(call, n) } };
  });
  routes.add('DELETE', '/share-networks/{share_network_id}', (call) => {
    const id = call.params.share_network_id;
    if (!sim.state.shareNetworks.has(id)) throw notFound(`Share network ${id} could not be found.`);
    if ([...sim.state.shares.values()].some((s) => s.shareNetworkId === id)) {
      throw new ApiFault(409, `Can not delete share network ${id}, it has shares.`);
    }
    sim.state.shareNetworks.delete(id);
    return { status: 202 };
  });
}

function recordShareMessage(sim: SimContext, resourceType: 'SHARE' | 'SHARE_SNAPSHOT', id: string, action: string, fault: string): void {
  sim.state.shareMessages.push({ id: newId(), eventId: action, userMessage: `${action}: ${fault}`, resourceType, resourceUuid: id, createdAt: cinderTime() });
}

function getShare(sim: SimContext, id: string): ShareRecord {
  const s = sim.state.shares.get(id);
  // Manila's controllers answer a bare HTTPNotFound (webob's default text).
  if (!s) throw notFound('The resource could not be found.');
  return s;
}

function getSnapshot(sim: SimContext, id: string): ShareSnapshotRecord {
  const s = sim.state.shareSnapshots.get(id);
  if (!s) throw notFound(`Snapshot ${id} could not be found.`);
  return s;
}

function findShareType(sim: SimContext, idOrName: string): ShareTypeRecord | undefined {
  return sim.state.shareTypes.get(idOrName) ?? [...sim.state.shareTypes.values()].find((t) => t.name === idOrName);
}

function specTrue(t: ShareTypeRecord | undefined, key: string): boolean {
  return /^(<is>\s*)?true$/i.test(t?.extraSpecs[key]?.trim() ?? '');
}

function rulesOf(sim: SimContext, shareId: string): AccessRuleRecord[] {
  return [...sim.state.accessRules.values()].filter((r) => r.shareId === shareId);
}

function typeView(t: ShareTypeRecord): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    is_default: t.name === 'default',
    'share_type_access:is_public': t.isPublic,
    extra_specs: { ...t.extraSpecs },
    required_extra_specs: { driver_handles_share_servers: t.extraSpecs.driver_handles_share_servers ?? 'False' },
  };
}

function networkView(call: ServiceCall, n: ShareNetworkRecord) {
  return {
    id: n.id,
    name: n.name,
    description: n.description,
    project_id: call.projectId,
    neutron_net_id: n.neutronNetId,
    neutron_subnet_id: n.neutronSubnetId,
    network_type: null,
    segmentation_id: null,
    cidr: null,
    ip_version: null,
    created_at: n.createdAt,
    updated_at: null,
  };
}

function shareView(sim: SimContext, call: ServiceCall, s: ShareRecord): Record<string, unknown> {
  const type = sim.state.shareTypes.get(s.shareTypeId);
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    status: s.status,
    size: s.size,
    share_proto: s.shareProto,
    share_type: s.shareTypeId,
    share_type_name: type?.name ?? null,
    share_network_id: s.shareNetworkId,
    share_server_id: null,
    share_group_id: s.shareGroupId,
    availability_zone: s.availabilityZone,
    snapshot_id: s.snapshotId,
    metadata: { ...s.metadata },
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    project_id: call.projectId,
    user_id: sim.identity.user.id,
    host: 'sim@generic#pool',
    is_public: false,
    has_replicas: false,
    replication_type: null,
    task_state: null,
    access_rules_status: s.accessRulesStatus,
    snapshot_support: specTrue(type, 'snapshot_support'),
    create_share_from_snapshot_support: specTrue(type, 'create_share_from_snapshot_support'),
    revert_to_snapshot_support: false,
    mount_snapshot_support: false,
    links: [{ rel: 'self', href: `${call.baseUrl}/share/v2/${call.projectId}/shares/${s.id}` }],
  };
}

function exportView(share: ShareRecord, e: ShareRecord['exportLocations'][number]): Record<string, unknown> {
  return { id: e.id, path: e.path, preferred: e.preferred, is_admin_only: e.isAdminOnly, share_instance_id: share.instanceId };
}

function accessView(r: AccessRuleRecord): Record<string, unknown> {
  return {
    id: r.id,
    share_id: r.shareId,
    access_type: r.accessType,
    access_to: r.accessTo,
    access_level: r.accessLevel,
    state: r.state,
    access_key: r.accessKey,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    metadata: { ...r.metadata },
  };
}

function snapshotView(s: ShareSnapshotRecord): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    status: s.status,
    share_id: s.shareId,
    share_size: s.shareSize,
    size: s.size,
    share_proto: s.shareProto,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

function exportLocationsFor(share: ShareRecord): ShareRecord['exportLocations'] {
  const loc = (path: string, preferred: boolean, isAdminOnly: boolean) => ({ id: randomUUID(), path, preferred, isAdminOnly });
  if (share.shareProto === 'CEPHFS') {
    const sub = `/volumes/_nogroup/${share.id}/${randomUUID()}`;
    return [
      loc(`192.0.2.21:6789,192.0.2.22:6789,192.0.2.23:6789:${sub}`, true, false),
      loc(`10.0.0.21:6789,10.0.0.22:6789,10.0.0.23:6789:${sub}`, false, true),
    ];
  }
  return [loc(`192.0.2.10:/shares/share-${share.id}`, true, false), loc(`10.0.0.10:/shares/share-${share.id}`, false, true)];
}

function usage(sim: SimContext) {
  const shares = [...sim.state.shares.values()];
  const snaps = [...sim.state.shareSnapshots.values()];
  return {
    shares: shares.length,
    gigabytes: shares.reduce((n, s) => n + s.size, 0),
    snapshots: snaps.length,
    snapshot_gigabytes: snaps.reduce((n, s) => n + s.size, 0),
  };
}

function checkShareQuota(sim: SimContext, gigabytes: number, newShares: number): void {
  const q = sim.manilaQuotas;
  const used = usage(sim);
  if (q.gigabytes >= 0 && used.gigabytes + gigabytes > q.gigabytes) {
    throw new ApiFault(
      413,
      `ShareSizeExceedsAvailableQuota: Requested share exceeds allowed project/user or share type gigabytes quota. Requested ${gigabytes}G, quota is ${q.gigabytes}G and ${used.gigabytes}G has been consumed.`,
    );
  }
  if (q.shares >= 0 && used.shares + newShares > q.shares) {
    throw new ApiFault(413, `ShareLimitExceeded: Maximum number of shares allowed (${q.shares}) exceeded.`);
  }
}

function createShare(sim: SimContext, call: ServiceCall) {
  const body = requireObject(call.body, 'share');
  const protoText = optionalString(body, 'share_proto');
  const proto = protoText?.toUpperCase();
  if (proto !== 'NFS' && proto !== 'CEPHFS') throw badRequest(`Invalid share protocol provided: ${protoText ?? 'None'}`);
  if (body.scheduler_hints !== undefined) requireVersionOrBadRequest(call, '2.65', 'scheduler_hints');
  const snapshotId = optionalString(body, 'snapshot_id');
  let size: number;
  let type: ShareTypeRecord | undefined;
  const typeRef = optionalString(body, 'share_type') ?? optionalString(body, 'volume_type');
  if (snapshotId !== undefined) {
    const snap = getSnapshot(sim, snapshotId);
    if (snap.status !== 'available') throw badRequest("Invalid share snapshot: status must be 'available'.");
    const parent = sim.state.shares.get(snap.shareId);
    type = typeRef ? findShareType(sim, typeRef) : parent ? sim.state.shareTypes.get(parent.shareTypeId) : undefined;
    if (!type) throw notFound(`Share type ${typeRef ?? ''} could not be found.`);
    if (!specTrue(type, 'create_share_from_snapshot_support')) {
      throw badRequest(`Invalid input received: Share type ${type.name} does not support creating shares from snapshots.`);
    }
    if (snap.shareProto !== proto) throw badRequest('Invalid input received: Share protocol must match the snapshot\'s share protocol.');
    size = body.size === undefined || body.size === null ? snap.size : parseSize(body.size);
    if (size < snap.size) {
      throw badRequest(`Invalid input received: Share size '${size}' must be equal or greater than snapshot size '${snap.size}'.`);
    }
  } else {
    size = parseSize(body.size);
    type = findShareType(sim, typeRef ?? 'default');
    if (!type) throw notFound(`Share type with name ${typeRef} could not be found.`);
  }
  const networkId = optionalString(body, 'share_network_id');
  if (networkId !== undefined && !sim.state.shareNetworks.has(networkId)) throw notFound(`Share network ${networkId} could not be found.`);
  if (specTrue(type, 'driver_handles_share_servers') && networkId === undefined) {
    throw badRequest('Share network must be set when the driver_handles_share_servers extra spec is True.');
  }
  const az = optionalString(body, 'availability_zone');
  if (az !== undefined && !sim.availabilityZones.includes(az)) throw notFound(`Availability zone ${az} could not be found.`);
  checkShareQuota(sim, size, 1);

  const share: ShareRecord = {
    ...creatingRecord(sim.state, body),
    size,
    shareProto: proto,
    shareTypeId: type.id,
    shareNetworkId: networkId ?? null,
    availabilityZone: az ?? sim.availabilityZones[0],
    snapshotId: snapshotId ?? null,
    shareGroupId: optionalString(body, 'share_group_id') ?? null,
    metadata: optionalStringMap(body, 'metadata') ?? {},
    createdAt: cinderTime(),
    updatedAt: null,
    instanceId: randomUUID(),
    exportLocations: [],
    accessRulesStatus: 'active',
  };
  sim.state.shares.set(share.id, share);
  sim.scheduler.schedule({
    kind: 'share',
    id: share.id,
    operation: 'create',
    currentStatus: () => sim.state.shares.get(share.id)?.status,
    complete: () => {
      share.exportLocations = exportLocationsFor(share);
      share.status = 'available';
      share.updatedAt = cinderTime();
    },
    fail: (fault) => {
      share.status = 'error';
      share.fault = fault;
      share.updatedAt = cinderTime();
      recordShareMessage(sim, 'SHARE', share.id, 'allocate host', fault);
    },
  });
  return { status: 200, body: { share: shareView(sim, call, share) } };
}

function requireVersionOrBadRequest(call: ServiceCall, minimum: string, field: string): void {
  try {
    requireVersion(call.version, minimum);
  } catch {
    throw badRequest(`Invalid input: '${field}' requires microversion ${minimum}.`);
  }
}

function listShares(sim: SimContext, call: ServiceCall, detail: boolean) {
  const items = newestFirst(sim.state.shares.values()).filter(queryFilter(call.query, { name: 'name', status: 'status' }));
  const body = pagedListBody(call, items, 'shares', (s) =>
    detail ? shareView(sim, call, s) : { id: s.id, name: s.name, links: shareView(sim, call, s).links },
  );
  return { status: 200, body };
}

function deleteShare(sim: SimContext, id: string) {
  const share = getShare(sim, id);
  // Manila answers InvalidShare on delete with 403 Forbidden (api/v2/shares.py).
  if (!['available', 'error', 'inactive'].includes(share.status)) {
    throw new ApiFault(403, "Invalid share: Share status must be one of ('available', 'error', 'inactive').");
  }
  const snaps = [...sim.state.shareSnapshots.values()].filter((s) => s.shareId === id);
  if (snaps.length > 0) throw new ApiFault(403, `Invalid share: Share still has ${snaps.length} dependent snapshots.`);
  share.status = 'deleting';
  share.updatedAt = cinderTime();
  sim.scheduler.schedule({
    kind: 'share',
    id,
    operation: 'delete',
    currentStatus: () => sim.state.shares.get(id)?.status,
    complete: () => {
      for (const r of rulesOf(sim, id)) sim.state.accessRules.delete(r.id);
      sim.state.shares.delete(id);
    },
    fail: (fault) => {
      share.status = 'error_deleting';
      share.fault = fault;
      recordShareMessage(sim, 'SHARE', id, 'delete', fault);
    },
  });
  return { status: 202 };
}

function shareAction(sim: SimContext, call: ServiceCall) {
  const share = getShare(sim, call.params.share_id);
  const body = call.body;
  if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) throw badRequest('Malformed request body');
  const [action] = Object.keys(body);
  switch (action) {
    case 'allow_access':
    case 'os-allow_access':
      return allowAccess(sim, share, requireObject(body, action));
    case 'deny_access':
    case 'os-deny_access':
      return denyAccess(sim, share, requireObject(body, action));
    case 'access_list':
    case 'os-access_list':
      return { status: 200, body: { access_list: rulesOf(sim, share.id).map(accessView) } };
    case 'extend':
    case 'os-extend':
      return resizeShare(sim, share, requireObject(body, action), 'extend');
    case 'shrink':
    case 'os-shrink':
      return resizeShare(sim, share, requireObject(body, action), 'shrink');
    case 'reset_status':
    case 'os-reset_status': {
      // Admin action: how an operator gets a share out of an error state.
      const status = optionalString(requireObject(body, action), 'status');
      if (!status) throw badRequest('Must specify status.');
      share.status = status;
      share.updatedAt = cinderTime();
      return { status: 202 };
    }
    default:
      throw badRequest(`There is no such action: ${action}`);
  }
}

function allowAccess(sim: SimContext, share: ShareRecord, args: Record<string, unknown>) {
  const accessType = optionalString(args, 'access_type');
  const accessTo = optionalString(args, 'access_to');
  const accessLevel = optionalString(args, 'access_level') ?? 'rw';
  if (!accessType || !ACCESS_TYPES.includes(accessType)) {
    throw badRequest("Only 'ip', 'user', 'cert' or 'cephx' access types are supported.");
  }
  if (!accessTo) throw badRequest('Invalid input received: access_to is required.');
  if (!['rw', 'ro'].includes(accessLevel)) throw badRequest(`Invalid access level: ${accessLevel}.`);
  if (accessType === 'ip' && !validIpRule(accessTo)) throw badRequest(`Invalid IP access rule: ${accessTo}.`);
  if (accessType === 'cephx' && !/^[^\s]+$/.test(accessTo)) throw badRequest('Invalid cephx access rule: the ID must not contain white space.');
  if (share.status !== 'available') throw badRequest(`Invalid share: Share ${share.id} status must be available, but current status is: ${share.status}.`);
  if (rulesOf(sim, share.id).some((r) => r.accessType === accessType && r.accessTo === accessTo)) {
    throw badRequest(`Share access ${accessType}:${accessTo} exists.`);
  }
  const rule: AccessRuleRecord = {
    id: newId(),
    shareId: share.id,
    accessType,
    accessTo,
    accessLevel,
    state: 'queued_to_apply',
    accessKey: null,
    metadata: optionalStringMap(args, 'metadata') ?? {},
    createdAt: cinderTime(),
    updatedAt: null,
  };
  sim.state.accessRules.set(rule.id, rule);
  share.accessRulesStatus = 'syncing';
  // The backend decides which types it supports: NFS takes `ip`, CephFS takes `cephx`; others end in `error`.
  const supported = share.shareProto === 'NFS' ? accessType === 'ip' : accessType === 'cephx';
  sim.scheduler.schedule({
    kind: 'share_access',
    id: rule.id,
    operation: 'allow_access',
    currentStatus: () => sim.state.accessRules.get(rule.id)?.state,
    complete: () => {
      if (!supported) throw new Error(`Only ${share.shareProto === 'NFS' ? 'ip' : 'cephx'} access type is supported by this backend.`);
      rule.state = 'active';
      if (accessType === 'cephx') rule.accessKey = randomBytes(28).toString('base64');
      rule.updatedAt = cinderTime();
      refreshAccessStatus(sim, share);
    },
    fail: () => {
      rule.state = 'error';
      rule.updatedAt = cinderTime();
      share.accessRulesStatus = 'error';
    },
  });
  return { status: 200, body: { access: accessView(rule) } };
}

function refreshAccessStatus(sim: SimContext, share: ShareRecord): void {
  const states = rulesOf(sim, share.id).map((r) => r.state);
  share.accessRulesStatus = states.includes('error') ? 'error' : states.some((s) => s.startsWith('queued')) ? 'syncing' : 'active';
}

function validIpRule(text: string): boolean {
  const [addr, prefix, ...rest] = text.split('/');
  if (rest.length > 0) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d+$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

function denyAccess(sim: SimContext, share: ShareRecord, args: Record<string, unknown>) {
  const accessId = optionalString(args, 'access_id');
  const rule = accessId ? sim.state.accessRules.get(accessId) : undefined;
  if (!rule || rule.shareId !== share.id) throw notFound(`Access rule ${accessId ?? ''} could not be found.`);
  rule.state = 'queued_to_deny';
  share.accessRulesStatus = 'syncing';
  sim.scheduler.schedule({
    kind: 'share_access',
    id: rule.id,
    operation: 'deny_access',
    currentStatus: () => sim.state.accessRules.get(rule.id)?.state,
    complete: () => {
      sim.state.accessRules.delete(rule.id);
      refreshAccessStatus(sim, share);
    },
    fail: () => {
      rule.state = 'error';
      share.accessRulesStatus = 'error';
    },
  });
  return { status: 202 };
}

function resizeShare(sim: SimContext, share: ShareRecord, args: Record<string, unknown>, op: 'extend' | 'shrink') {
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
  if (op === 'extend') checkShareQuota(sim, newSize - share.size, 0);
  share.status = op === 'extend' ? 'extending' : 'shrinking';
  share.updatedAt = cinderTime();
  sim.scheduler.schedule({
    kind: 'share',
    id: share.id,
    operation: op,
    currentStatus: () => sim.state.shares.get(share.id)?.status,
    complete: () => {
      share.size = newSize;
      share.status = 'available';
      share.updatedAt = cinderTime();
    },
    fail: (fault) => {
      share.status = op === 'extend' ? 'extending_error' : 'shrinking_error';
      share.fault = fault;
      recordShareMessage(sim, 'SHARE', share.id, op, fault);
      share.updatedAt = cinderTime();
    },
  });
  return { status: 202 };
}

function createSnapshot(sim: SimContext, call: ServiceCall) {
  const body = requireObject(call.body, 'snapshot');
  const shareId = optionalString(body, 'share_id');
  if (!shareId) throw badRequest('Must specify share_id.');
  const share = getShare(sim, shareId);
  const type = sim.state.shareTypes.get(share.shareTypeId);
  if (!specTrue(type, 'snapshot_support')) {
    // Manila: 422 when the share's type lacks snapshot_support (api/v2/share_snapshots.py).
    throw new ApiFault(422, `Snapshots cannot be created for share '${share.id}' since it does not have that capability.`);
  }
  if (share.status !== 'available') throw badRequest(`Invalid share: Source share status must be available, but current status is: ${share.status}.`);
  const q = sim.manilaQuotas;
  const used = usage(sim);
  if (q.snapshot_gigabytes >= 0 && used.snapshot_gigabytes + share.size > q.snapshot_gigabytes) {
    throw new ApiFault(413, `SnapshotSizeExceedsAvailableQuota: Requested snapshot exceeds allowed project/user or share type gigabytes quota.`);
  }
  if (q.snapshots >= 0 && used.snapshots + 1 > q.snapshots) {
    throw new ApiFault(413, `SnapshotLimitExceeded: Maximum number of snapshots allowed (${q.snapshots}) exceeded.`);
  }
  const snap: ShareSnapshotRecord = {
    ...creatingRecord(sim.state, body),
    name: optionalString(body, 'name') ?? optionalString(body, 'display_name') ?? null,
    shareId: share.id,
    shareSize: share.size,
    size: share.size,
    shareProto: share.shareProto,
    createdAt: cinderTime(),
    updatedAt: null,
  };
  sim.state.shareSnapshots.set(snap.id, snap);
  sim.scheduler.schedule({
    kind: 'share_snapshot',
    id: snap.id,
    operation: 'create',
    currentStatus: () => sim.state.shareSnapshots.get(snap.id)?.status,
    complete: () => {
      snap.status = 'available';
      snap.updatedAt = cinderTime();
    },
    fail: (fault) => {
      snap.status = 'error';
      snap.updatedAt = cinderTime();
      recordShareMessage(sim, 'SHARE_SNAPSHOT', snap.id, 'create snapshot', fault);
    },
  });
  return { status: 202, body: { snapshot: snapshotView(snap) } };
}

function listSnapshots(sim: SimContext, call: ServiceCall, detail: boolean) {
  const items = newestFirst(sim.state.shareSnapshots.values()).filter(
    queryFilter(call.query, { name: 'name', share_id: 'shareId', status: 'status' }),
  );
  const body = pagedListBody(call, items, 'snapshots', (s) => (detail ? snapshotView(s) : { id: s.id, name: s.name }));
  return { status: 200, body };
}

function deleteSnapshot(sim: SimContext, id: string) {
  const snap = getSnapshot(sim, id);
  if (!['available', 'error'].includes(snap.status)) {
    throw badRequest(`Invalid share snapshot: Share Snapshot status must be one of ('available', 'error').`);
  }
  snap.status = 'deleting';
  sim.scheduler.schedule({
    kind: 'share_snapshot',
    id,
    operation: 'delete',
    currentStatus: () => sim.state.shareSnapshots.get(id)?.status,
    complete: () => {
      sim.state.shareSnapshots.delete(id);
    },
    fail: () => {
      snap.status = 'error_deleting';
    },
  });
  return { status: 202 };
}
