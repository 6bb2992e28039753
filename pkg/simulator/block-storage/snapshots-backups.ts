/**
 * Cinder snapshots and backups (api-ref block-storage v3 "Volume snapshots" and "Backups"): creation copies
 * the data, status machines creating → available and deleting → gone, with the refusals Cinder answers.
 */
import { ApiFault, badRequest, optionalString, optionalStringMap, parseBool, requireObject } from '../http-kit';
import { creatingRecord, updateNameAndDescription } from '../listed-record';
import { atLeast } from '../microversion';
import { backupKey, GiB, snapshotKey, volumeKey } from '../block-keys';
import { newestFirst, pagedListBody, queryFilter, type ServiceCall, type ServiceRoutes } from '../service-route';
import { cinderTime, newId, type BackupRecord, type SimContext, type SnapshotRecord } from '../state';
import {
  backupView,
  checkBackupQuota,
  checkSnapshotQuota,
  getBackup,
  getSnapshot,
  getVolume,
  invalidVolume,
  recordUserMessage,
  selfLinks,
  snapshotView,
  touch,
} from './common';

export function registerSnapshots(routes: ServiceRoutes, sim: SimContext): void {
  routes.add('POST', '/snapshots', (call) => createSnapshot(sim, call));
  routes.add('GET', '/snapshots', (call) => listSnapshots(sim, call, false));
  routes.add('GET', '/snapshots/detail', (call) => listSnapshots(sim, call, true));
  routes.add('GET', '/snapshots/{snapshot_id}', (call) => ({
    status: 200,
    body: { snapshot: snapshotView(getSnapshot(sim, call.params.snapshot_id)) },
  }));
  routes.add('PUT', '/snapshots/{snapshot_id}', (call) => {
    const snap = getSnapshot(sim, call.params.snapshot_id);
    const body = requireObject(call.body, 'snapshot');
    updateNameAndDescription(snap, body);
    touch(snap, cinderTime());
    return { status: 200, body: { snapshot: snapshotView(snap) } };
  });
  routes.add('DELETE', '/snapshots/{snapshot_id}', (call) => deleteSnapshot(sim, call.params.snapshot_id));
}

export function registerBackups(routes: ServiceRoutes, sim: SimContext): void {
  routes.add('POST', '/backups', (call) => createBackup(sim, call));
  routes.add('GET', '/backups', (call) => listBackups(sim, call, false));
  routes.add('GET', '/backups/detail', (call) => listBackups(sim, call, true));
  routes.add('GET', '/backups/{backup_id}', (call) => ({
    status: 200,
    body: { backup: backupView(sim, getBackup(sim, call.params.backup_id)) },
  }));
  routes.add('DELETE', '/backups/{backup_id}', (call) => deleteBackup(sim, call.params.backup_id));
}

/** Creates a snapshot record and schedules its copy; shared with group snapshots. */
export function startSnapshot(
  sim: SimContext,
  volumeId: string,
  fields: { name: string | null; description: string | null; metadata: Record<string, string>; groupSnapshotId: string | null },
): SnapshotRecord {
  const volume = getVolume(sim, volumeId);
  const snap: SnapshotRecord = {
    seq: sim.state.nextSeq(),
    id: newId(),
    ...fields,
    status: 'creating',
    size: volume.size,
    volumeId,
    createdAt: cinderTime(),
    updatedAt: null,
  };
  sim.state.snapshots.set(snap.id, snap);
  sim.scheduler.schedule({
    kind: 'snapshot',
    id: snap.id,
    operation: 'create',
    currentStatus: () => sim.state.snapshots.get(snap.id)?.status,
    complete: async () => {
      await sim.backend.cloneImage(volumeKey(volumeId), snapshotKey(snap.id), snap.size * GiB);
      snap.status = 'available';
      touch(snap, cinderTime());
    },
    fail: (fault) => {
      snap.status = 'error';
      snap.fault = fault;
      touch(snap, cinderTime());
      recordUserMessage(sim, 'VOLUME_SNAPSHOT', snap.id, 'create snapshot', fault);
    },
  });
  return snap;
}

function createSnapshot(sim: SimContext, call: ServiceCall) {
  const body = requireObject(call.body, 'snapshot');
  const volumeId = optionalString(body, 'volume_id');
  if (!volumeId) throw badRequest("Invalid input for field/attribute snapshot. 'volume_id' is a required property");
  const volume = getVolume(sim, volumeId);
  const force = parseBool(body.force);
  // Since 3.66 an in-use volume may be snapshotted without `force`.
  const inUseAllowed = force || atLeast(call.version, '3.66');
  if (!(volume.status === 'available' || (volume.status === 'in-use' && inUseAllowed))) {
    throw invalidVolume(`Volume ${volume.id} status must be available, but current status is: ${volume.status}.`);
  }
  checkSnapshotQuota(sim, volume.size);
  const snap = startSnapshot(sim, volume.id, {
    name: optionalString(body, 'name') ?? null,
    description: optionalString(body, 'description') ?? null,
    metadata: optionalStringMap(body, 'metadata') ?? {},
    groupSnapshotId: null,
  });
  return { status: 202, body: { snapshot: snapshotView(snap) } };
}

function listSnapshots(sim: SimContext, call: ServiceCall, detail: boolean) {
  const items = newestFirst(sim.state.snapshots.values()).filter(
    queryFilter(call.query, { volume_id: 'volumeId', name: 'name', status: 'status' }),
  );
  const body = pagedListBody(call, items, 'snapshots', (s) =>
    detail ? snapshotView(s) : { ...snapshotView(s), metadata: undefined, progress: undefined },
  );
  return { status: 200, body };
}

export function scheduleSnapshotDelete(sim: SimContext, snap: SnapshotRecord): void {
  snap.status = 'deleting';
  touch(snap, cinderTime());
  sim.scheduler.schedule({
    kind: 'snapshot',
    id: snap.id,
    operation: 'delete',
    currentStatus: () => sim.state.snapshots.get(snap.id)?.status,
    complete: async () => {
      await sim.backend.deleteImage(snapshotKey(snap.id));
      sim.state.snapshots.delete(snap.id);
    },
    fail: (fault) => {
      snap.status = 'error_deleting';
      snap.fault = fault;
      recordUserMessage(sim, 'VOLUME_SNAPSHOT', snap.id, 'delete snapshot', fault);
    },
  });
}

function deleteSnapshot(sim: SimContext, id: string) {
  const snap = getSnapshot(sim, id);
  if (!['available', 'error'].includes(snap.status) || snap.groupSnapshotId !== null) {
    throw new ApiFault(400, 'Invalid snapshot: Volume Snapshot status must be available or error and must not be part of a group.');
  }
  scheduleSnapshotDelete(sim, snap);
  return { status: 202 };
}

function createBackup(sim: SimContext, call: ServiceCall) {
  const body = requireObject(call.body, 'backup');
  const volumeId = optionalString(body, 'volume_id');
  if (!volumeId) throw badRequest("Invalid input for field/attribute backup. 'volume_id' is a required property");
  const volume = getVolume(sim, volumeId);
  const snapshotId = optionalString(body, 'snapshot_id');
  const force = parseBool(body.force);
  let size = volume.size;
  let sourceKey = volumeKey(volume.id);
  if (snapshotId !== undefined) {
    const snap = getSnapshot(sim, snapshotId);
    if (snap.status !== 'available') {
      throw new ApiFault(400, `Invalid snapshot: Snapshot to be backed up must be available, but the current status is "${snap.status}".`);
    }
    size = snap.size;
    sourceKey = snapshotKey(snap.id);
  } else if (volume.status === 'in-use' && !force) {
    throw invalidVolume('Backing up an in-use volume must use the force flag.');
  } else if (!['available', 'in-use'].includes(volume.status)) {
    throw invalidVolume(`Volume to be backed up must be available or in-use, but the current status is "${volume.status}".`);
  }
  const az = optionalString(body, 'availability_zone');
  if (az !== undefined && !atLeast(call.version, '3.51')) {
    throw badRequest("Invalid input for field/attribute backup. Additional properties are not allowed ('availability_zone' was unexpected)");
  }
  checkBackupQuota(sim, size);

  const now = cinderTime();
  const backup: BackupRecord = {
    ...creatingRecord(sim.state, body),
    size,
    volumeId: volume.id,
    snapshotId: snapshotId ?? null,
    availabilityZone: az ?? volume.availabilityZone,
    container: optionalString(body, 'container') ?? 'volumebackups',
    failReason: null,
    isIncremental: parseBool(body.incremental),
    metadata: optionalStringMap(body, 'metadata') ?? {},
    createdAt: now,
    updatedAt: null,
    dataTimestamp: now,
  };
  sim.state.backups.set(backup.id, backup);

  // The source shows `backing-up` while its data is copied.
  const source = snapshotId ? sim.state.snapshots.get(snapshotId) : volume;
  const sourcePrevious = source?.status;
  if (source) source.status = 'backing-up';
  const restoreSource = () => {
    if (source && source.status === 'backing-up' && sourcePrevious) source.status = sourcePrevious;
  };
  sim.scheduler.schedule({
    kind: 'backup',
    id: backup.id,
    operation: 'create',
    currentStatus: () => sim.state.backups.get(backup.id)?.status,
    complete: async () => {
      await sim.backend.cloneImage(sourceKey, backupKey(backup.id), size * GiB);
      backup.status = 'available';
      touch(backup, cinderTime());
      restoreSource();
    },
    fail: (fault) => {
      backup.status = 'error';
      backup.failReason = fault;
      touch(backup, cinderTime());
      restoreSource();
      recordUserMessage(sim, 'VOLUME_BACKUP', backup.id, 'create backup', fault);
    },
  });
  return {
    status: 202,
    body: { backup: { id: backup.id, name: backup.name, links: selfLinks(call.baseUrl, call.projectId, 'backups', backup.id) } },
  };
}

function listBackups(sim: SimContext, call: ServiceCall, detail: boolean) {
  const items = newestFirst(sim.state.backups.values()).filter(
    queryFilter(call.query, { name: 'name', volume_id: 'volumeId', status: 'status' }),
  );
  const body = pagedListBody(call, items, 'backups', (b) =>
    detail ? backupView(sim, b) : { id: b.id, name: b.name, links: selfLinks(call.baseUrl, call.projectId, 'backups', b.id) },
  );
  return { status: 200, body };
}

function deleteBackup(sim: SimContext, id: string) {
  const backup = getBackup(sim, id);
  if (!['available', 'error'].includes(backup.status)) {
    throw new ApiFault(400, 'Invalid backup: Backup status must be available or error');
  }
  if (backupView(sim, backup).has_dependent_backups) {
    throw new ApiFault(400, 'Invalid backup: Incremental backups exist for this backup.');
  }
  backup.status = 'deleting';
  touch(backup, cinderTime());
  sim.scheduler.schedule({
    kind: 'backup',
    id: backup.id,
    operation: 'delete',
    currentStatus: () => sim.state.backups.get(backup.id)?.status,
    complete: async () => {
      await sim.backend.deleteImage(backupKey(backup.id));
      sim.state.backups.delete(backup.id);
    },
    fail: (fault) => {
      backup.status = 'error_deleting';
      backup.failReason = fault;
    },
  });
  return { status: 202 };
}
