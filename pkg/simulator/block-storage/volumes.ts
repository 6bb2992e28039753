/**
 * Cinder volumes: create (blank, from snapshot, clone, from backup), show/list with filters and pagination,
 * update, metadata, delete, `os-extend`, `os-retype` (api-ref block-storage v3 "Volumes" and "Volume actions").
 */
import { ApiFault, badRequest, notFound, optionalString, optionalStringMap, parseBool, parseSize, requireObject } from '../http-kit';
import { creatingRecord, updateNameAndDescription } from '../listed-record';
import { atLeast } from '../microversion';
import { backupKey, GiB, snapshotKey, volumeKey } from '../block-keys';
import { newestFirst, pagedListBody, queryFilter, type ServiceCall, type ServiceRoutes } from '../service-route';
import { cinderTime, type SimContext, type VolumeRecord } from '../state';
import {
  checkVolumeQuota,
  findVolumeType,
  getBackup,
  getSnapshot,
  getVolume,
  invalidVolume,
  isMultiattachType,
  recordUserMessage,
  selfLinks,
  touch,
  volumeView,
} from './common';

const DELETABLE = ['available', 'error', 'error_restoring', 'error_extending', 'error_managing'];
const DELETE_REFUSED =
  'Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.';

export function registerVolumes(routes: ServiceRoutes, sim: SimContext): void {
  routes.add('POST', '/volumes', (call) => createVolume(sim, call));
  routes.add('GET', '/volumes', (call) => listVolumes(sim, call, false));
  routes.add('GET', '/volumes/detail', (call) => listVolumes(sim, call, true));
  routes.add('GET', '/volumes/{volume_id}', (call) => ({
    status: 200,
    body: { volume: volumeView(sim, getVolume(sim, call.params.volume_id), call.baseUrl, call.projectId) },
  }));
  routes.add('PUT', '/volumes/{volume_id}', (call) => updateVolume(sim, call));
  routes.add('DELETE', '/volumes/{volume_id}', (call) => deleteVolume(sim, call));
  routes.add('POST', '/volumes/{volume_id}/action', (call) => volumeAction(sim, call));
  routes.add('GET', '/volumes/{volume_id}/metadata', (call) => ({
    status: 200,
    body: { metadata: { ...getVolume(sim, call.params.volume_id).metadata } },
  }));
  routes.add('POST', '/volumes/{volume_id}/metadata', (call) => setMetadata(sim, call, false));
  routes.add('PUT', '/volumes/{volume_id}/metadata', (call) => setMetadata(sim, call, true));
}

function createVolume(sim: SimContext, call: ServiceCall) {
  const body = requireObject(call.body, 'volume');
  const snapshotId = optionalString(body, 'snapshot_id');
  const sourceVolid = optionalString(body, 'source_volid');
  const backupId = optionalString(body, 'backup_id');
  const groupId = optionalString(body, 'group_id');
  if ([snapshotId, sourceVolid, backupId].filter((x) => x !== undefined).length > 1) {
    throw badRequest('Invalid input received: Only one of snapshot_id, source_volid and backup_id may be given.');
  }

  let sourceSize = 0;
  let sourceAz: string | undefined;
  let sourceType: string | undefined;
  let cloneFrom: string | undefined;
  if (snapshotId !== undefined) {
    const snap = getSnapshot(sim, snapshotId);
    if (snap.status !== 'available') {
      throw new ApiFault(400, "Invalid snapshot: Originating snapshot status must be one of 'available' values");
    }
    sourceSize = snap.size;
    const parent = sim.state.volumes.get(snap.volumeId);
    sourceAz = parent?.availabilityZone;
    sourceType = parent?.volumeType;
    cloneFrom = snapshotKey(snap.id);
  } else if (sourceVolid !== undefined) {
    const src = getVolume(sim, sourceVolid);
    if (!['available', 'in-use'].includes(src.status)) {
      throw invalidVolume(`Volume ${src.id} status must be available or in-use, but current status is: ${src.status}.`);
    }
    sourceSize = src.size;
    sourceAz = src.availabilityZone;
    sourceType = src.volumeType;
    cloneFrom = volumeKey(src.id);
  } else if (backupId !== undefined) {
    if (!atLeast(call.version, '3.47')) throw badRequest("Invalid input for field/attribute volume. Additional properties are not allowed ('backup_id' was unexpected)");
    const backup = getBackup(sim, backupId);
    if (backup.status !== 'available') {
      throw new ApiFault(400, `Invalid backup: Backup status must be available but current status is ${backup.status}.`);
    }
    sourceSize = backup.size;
    cloneFrom = backupKey(backup.id);
  }

  const size = body.size === undefined || body.size === null ? sourceSize : parseSize(body.size);
  if (size <= 0) throw badRequest('Invalid input received: size is required.');
  if (size < sourceSize) {
    const what = snapshotId ? 'snapshot' : sourceVolid ? 'source volume' : 'backup';
    throw badRequest(
      `Invalid input received: Volume size '${size}'GB cannot be smaller than the ${what} size ${sourceSize}GB. They must be >= original ${what} size.`,
    );
  }

  const typeName = optionalString(body, 'volume_type') ?? sourceType ?? '__DEFAULT__';
  const type = findVolumeType(sim, typeName);
  if (!type) throw notFound(`Volume type with name ${typeName} could not be found.`);

  const requestedAz = optionalString(body, 'availability_zone');
  if (requestedAz !== undefined && !sim.availabilityZones.includes(requestedAz)) {
    throw badRequest(`Invalid input received: Availability zone '${requestedAz}' is invalid.`);
  }
  if (requestedAz !== undefined && sourceAz !== undefined && requestedAz !== sourceAz && (snapshotId || sourceVolid)) {
    throw badRequest('Invalid input received: Volume must be in the same availability zone as the source.');
  }
  const availabilityZone = requestedAz ?? sourceAz ?? sim.availabilityZones[0];

  if (groupId !== undefined) {
    const group = sim.state.groups.get(groupId);
    if (!group) throw notFound(`Group ${groupId} could not be found.`);
    if (group.status !== 'available') throw new ApiFault(400, `Invalid group: Group status must be available, but current status is ${group.status}.`);
    if (!group.volumeTypeIds.includes(type.id)) throw badRequest(`Invalid input received: Volume type ${type.name} is not part of group ${groupId}.`);
  }

  checkVolumeQuota(sim, size, 1);

  const now = cinderTime();
  const volume: VolumeRecord = {
    ...creatingRecord(sim.state, body),
    size,
    availabilityZone,
    volumeType: type.name,
    multiattach: isMultiattachType(type) || parseBool(body.multiattach),
    metadata: optionalStringMap(body, 'metadata') ?? {},
    attachments: [],
    snapshotId: snapshotId ?? null,
    sourceVolid: sourceVolid ?? null,
    backupId: backupId ?? null,
    groupId: groupId ?? null,
    createdAt: now,
    updatedAt: null,
  };
  sim.state.volumes.set(volume.id, volume);

  if (backupId !== undefined) {
    const backup = getBackup(sim, backupId);
    backup.status = 'restoring';
  }
  const restoreBackup = () => {
    const backup = backupId ? sim.state.backups.get(backupId) : undefined;
    if (backup && backup.status === 'restoring') backup.status = 'available';
  };
  sim.scheduler.schedule({
    kind: 'volume',
    id: volume.id,
    operation: 'create',
    currentStatus: () => sim.state.volumes.get(volume.id)?.status,
    complete: async () => {
      if (cloneFrom) await sim.backend.cloneImage(cloneFrom, volumeKey(volume.id), size * GiB);
      else await sim.backend.createImage(volumeKey(volume.id), size * GiB);
      volume.status = 'available';
      touch(volume, cinderTime());
      restoreBackup();
    },
    fail: (fault) => {
      volume.status = 'error';
      volume.fault = fault;
      touch(volume, cinderTime());
      restoreBackup();
      recordUserMessage(sim, 'VOLUME', volume.id, 'schedule allocate volume', fault);
    },
  });
  return { status: 202, body: { volume: volumeView(sim, volume, call.baseUrl, call.projectId) } };
}

function listVolumes(sim: SimContext, call: ServiceCall, detail: boolean) {
  const q = call.query;
  const nameLike = q.get('name~');
  const metadata = parseMetadataFilter(q.get('metadata'));
  const items = newestFirst(sim.state.volumes.values())
    .filter(queryFilter(q, { name: 'name', status: 'status', availability_zone: 'availabilityZone' }))
    .filter(
      (v) =>
        (nameLike === null || (v.name ?? '').includes(nameLike)) && Object.entries(metadata).every(([k, val]) => v.metadata[k] === val),
    );
  const body = pagedListBody(call, items, 'volumes', (v) =>
    detail ? volumeView(sim, v, call.baseUrl, call.projectId) : { id: v.id, name: v.name, links: selfLinks(call.baseUrl, call.projectId, 'volumes', v.id) },
  );
  if (atLeast(call.version, '3.45') && q.get('with_count') === 'true') body.count = items.length;
  return { status: 200, body };
}

/** Cinder evaluates `metadata={'k': 'v'}` as a Python literal; accept JSON and that form. */
function parseMetadataFilter(text: string | null): Record<string, string> {
  if (!text) return {};
  for (const candidate of [text, text.replace(/'/g, '"')]) {
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      }
    } catch {
      // try the next form
    }
  }
  throw badRequest(`Invalid input received: Invalid metadata filter ${text}.`);
}

function updateVolume(sim: SimContext, call: ServiceCall) {
  const volume = getVolume(sim, call.params.volume_id);
  const body = requireObject(call.body, 'volume');
  updateNameAndDescription(volume, body);
  const metadata = optionalStringMap(body, 'metadata');
  if (metadata) volume.metadata = metadata;
  touch(volume, cinderTime());
  return { status: 200, body: { volume: volumeView(sim, volume, call.baseUrl, call.projectId) } };
}

function setMetadata(sim: SimContext, call: ServiceCall, replace: boolean) {
  const volume = getVolume(sim, call.params.volume_id);
  const metadata = optionalStringMap(call.body && typeof call.body === 'object' ? (call.body as Record<string, unknown>) : {}, 'metadata');
  if (!metadata) throw badRequest('Malformed request body: metadata is required.');
  volume.metadata = replace ? metadata : { ...volume.metadata, ...metadata };
  touch(volume, cinderTime());
  return { status: 200, body: { metadata: { ...volume.metadata } } };
}

function deleteVolume(sim: SimContext, call: ServiceCall) {
  const volume = getVolume(sim, call.params.volume_id);
  const cascade = parseBool(call.query.get('cascade'));
  const snapshots = [...sim.state.snapshots.values()].filter((s) => s.volumeId === volume.id);
  const refused =
    !DELETABLE.includes(volume.status) ||
    volume.attachments.length > 0 ||
    volume.groupId !== null ||
    (snapshots.length > 0 && !cascade) ||
    (cascade && snapshots.some((s) => !['available', 'error'].includes(s.status)));
  if (refused) throw invalidVolume(DELETE_REFUSED);

  volume.status = 'deleting';
  touch(volume, cinderTime());
  for (const s of snapshots) s.status = 'deleting';
  sim.scheduler.schedule({
    kind: 'volume',
    id: volume.id,
    operation: 'delete',
    currentStatus: () => sim.state.volumes.get(volume.id)?.status,
    complete: async () => {
      for (const s of snapshots) {
        await sim.backend.deleteImage(snapshotKey(s.id));
        sim.state.snapshots.delete(s.id);
      }
      await sim.backend.deleteImage(volumeKey(volume.id));
      sim.state.volumes.delete(volume.id);
    },
    fail: (fault) => {
      volume.status = 'error_deleting';
      volume.fault = fault;
      recordUserMessage(sim, 'VOLUME', volume.id, 'delete volume', fault);
      for (const s of snapshots) if (sim.state.snapshots.has(s.id)) s.status = 'error_deleting';
    },
  });
  return { status: 202 };
}

function volumeAction(sim: SimContext, call: ServiceCall) {
  const volume = getVolume(sim, call.params.volume_id);
  const body = call.body;
  if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) {
    throw badRequest('Malformed request body');
  }
  const [action] = Object.keys(body);
  switch (action) {
    case 'os-extend':
      return extendVolume(sim, call, volume, requireObject(body, action));
    case 'os-retype':
      return retypeVolume(sim, volume, requireObject(body, action));
    case 'os-reset_status': {
      // Admin action: how an operator gets a volume out of an error state.
      const status = optionalString(requireObject(body, action), 'status');
      if (!status) throw badRequest('Must specify status.');
      volume.status = status;
      touch(volume, cinderTime());
      return { status: 202 };
    }
    default:
      throw badRequest(`There is no such action: ${action}`);
  }
}

function extendVolume(sim: SimContext, call: ServiceCall, volume: VolumeRecord, args: Record<string, unknown>) {
  const newSize = parseSize(args.new_size, 'new_size');
  const online = atLeast(call.version, '3.42');
  const allowed = online ? ['available', 'in-use'] : ['available'];
  if (!allowed.includes(volume.status)) {
    // Below 3.42 Cinder refuses to extend an attached volume (api-ref: "os-extend ... in-use since 3.42").
    throw invalidVolume(`Volume ${volume.id} status must be '${allowed.join("' or '")}' to extend, currently ${volume.status}.`);
  }
  if (newSize <= volume.size) {
    throw badRequest(
      `Invalid input received: New size for extend must be greater than current size. (current: ${volume.size}, extended: ${newSize}).`,
    );
  }
  checkVolumeQuota(sim, newSize - volume.size, 0);
  volume.previousStatus = volume.status;
  volume.status = 'extending';
  touch(volume, cinderTime());
  sim.scheduler.schedule({
    kind: 'volume',
    id: volume.id,
    operation: 'extend',
    currentStatus: () => sim.state.volumes.get(volume.id)?.status,
    complete: async () => {
      await sim.backend.resizeImage(volumeKey(volume.id), newSize * GiB);
      volume.size = newSize;
      volume.status = volume.previousStatus ?? 'available';
      touch(volume, cinderTime());
    },
    fail: (fault) => {
      volume.status = 'error_extending';
      volume.fault = fault;
      recordUserMessage(sim, 'VOLUME', volume.id, 'extend volume', fault);
      touch(volume, cinderTime());
    },
  });
  return { status: 202 };
}

function retypeVolume(sim: SimContext, volume: VolumeRecord, args: Record<string, unknown>) {
  const newTypeRef = optionalString(args, 'new_type');
  if (!newTypeRef) throw badRequest("Invalid input for field/attribute new_type. Value: None. 'new_type' is a required property");
  const policy = optionalString(args, 'migration_policy') ?? 'never';
  if (!['never', 'on-demand'].includes(policy)) throw badRequest(`Invalid input received: Invalid migration_policy ${policy}.`);
  const type = findVolumeType(sim, newTypeRef);
  if (!type) throw notFound(`Volume type with name ${newTypeRef} could not be found.`);
  if (!['available', 'in-use'].includes(volume.status)) {
    throw invalidVolume(`Volume ${volume.id} status must be available or in-use, but current status is: ${volume.status}.`);
  }
  if (type.name === volume.volumeType) throw badRequest(`Invalid input received: New volume_type same as original: ${type.name}.`);
  if (volume.status === 'in-use' && isMultiattachType(type) !== volume.multiattach) {
    throw badRequest('Invalid input received: Retyping an in-use volume between multiattach and non-multiattach types is not supported.');
  }
  volume.previousStatus = volume.status;
  volume.status = 'retyping';
  touch(volume, cinderTime());
  sim.scheduler.schedule({
    kind: 'volume',
    id: volume.id,
    operation: 'retype',
    currentStatus: () => sim.state.volumes.get(volume.id)?.status,
    complete: () => {
      volume.volumeType = type.name;
      volume.multiattach = isMultiattachType(type);
      volume.status = volume.previousStatus ?? 'available';
      touch(volume, cinderTime());
    },
    fail: (fault) => {
      volume.status = 'error';
      volume.fault = fault;
      touch(volume, cinderTime());
      recordUserMessage(sim, 'VOLUME', volume.id, 'retype volume', fault);
    },
  });
  return { status: 202 };
}
