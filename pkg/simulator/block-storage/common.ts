/** Cinder views, lookups and quota checks shared by the volume, snapshot, backup and group handlers. */
import { ApiFault, notFound, overLimit } from '../http-kit';
import type { MicroversionPolicy } from '../microversion';
import { cinderTime, newId, type BackupRecord, type SimContext, type SnapshotRecord, type VolumeRecord, type VolumeTypeRecord } from '../state';

export const CINDER_PREFIX = '/volume/v3/{project_id}';

export function cinderPolicy(max: string): MicroversionPolicy {
  return { serviceWord: 'volume', min: '3.0', max };
}

export function getVolume(sim: SimContext, id: string): VolumeRecord {
  const v = sim.state.volumes.get(id);
  if (!v) throw notFound(`Volume ${id} could not be found.`);
  return v;
}

export function getSnapshot(sim: SimContext, id: string): SnapshotRecord {
  const s = sim.state.snapshots.get(id);
  if (!s) throw notFound(`Snapshot ${id} could not be found.`);
  return s;
}

export function getBackup(sim: SimContext, id: string): BackupRecord {
  const b = sim.state.backups.get(id);
  if (!b) throw notFound(`Backup ${id} could not be found.`);
  return b;
}

/** By ID or name, as `volume_types.get_by_name_or_id` does. */
export function findVolumeType(sim: SimContext, idOrName: string): VolumeTypeRecord | undefined {
  return sim.state.volumeTypes.get(idOrName) ?? [...sim.state.volumeTypes.values()].find((t) => t.name === idOrName);
}

export function isMultiattachType(type: VolumeTypeRecord | undefined): boolean {
  return /^<is>\s*true$/i.test(type?.extraSpecs.multiattach?.trim() ?? '');
}

export function selfLinks(baseUrl: string, projectId: string, collection: string, id: string): { href: string; rel: string }[] {
  return [
    { href: `${baseUrl}/volume/v3/${projectId}/${collection}/${id}`, rel: 'self' },
    { href: `${baseUrl}/volume/${projectId}/${collection}/${id}`, rel: 'bookmark' },
  ];
}

export function volumeView(sim: SimContext, v: VolumeRecord, baseUrl: string, projectId: string): Record<string, unknown> {
  const type = findVolumeType(sim, v.volumeType);
  return {
    id: v.id,
    name: v.name,
    description: v.description,
    status: v.status,
    size: v.size,
    availability_zone: v.availabilityZone,
    volume_type: v.volumeType,
    volume_type_id: type?.id ?? null,
    multiattach: v.multiattach,
    bootable: 'false',
    encrypted: false,
    replication_status: null,
    consistencygroup_id: null,
    metadata: { ...v.metadata },
    // Cinder lists only attachments whose attach_status is `attached`.
    attachments: v.attachments
      .filter((a) => a.state === 'attached' || a.state === 'detaching')
      .map((a) => ({
        id: v.id,
        attachment_id: a.attachmentId,
        volume_id: v.id,
        server_id: a.serverId,
        host_name: null,
        device: a.device,
        attached_at: a.attachedAt ?? null,
      })),
    snapshot_id: v.snapshotId,
    source_volid: v.sourceVolid,
    backup_id: v.backupId,
    group_id: v.groupId,
    migration_status: null,
    created_at: v.createdAt,
    updated_at: v.updatedAt,
    user_id: sim.identity.user.id,
    'os-vol-tenant-attr:tenant_id': projectId,
    links: selfLinks(baseUrl, projectId, 'volumes', v.id),
  };
}

export function snapshotView(s: SnapshotRecord): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    status: s.status,
    size: s.size,
    volume_id: s.volumeId,
    metadata: { ...s.metadata },
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    progress: s.status === 'available' ? '100%' : '0%',
    group_snapshot_id: s.groupSnapshotId,
  };
}

export function backupView(sim: SimContext, b: BackupRecord): Record<string, unknown> {
  const dependents = [...sim.state.backups.values()].some((o) => o.id !== b.id && o.isIncremental && o.volumeId === b.volumeId && o.seq > b.seq);
  return {
    id: b.id,
    name: b.name,
    description: b.description,
    status: b.status,
    size: b.size,
    volume_id: b.volumeId,
    snapshot_id: b.snapshotId,
    availability_zone: b.availabilityZone,
    container: b.container,
    fail_reason: b.failReason,
    is_incremental: b.isIncremental,
    has_dependent_backups: dependents,
    object_count: b.status === 'available' ? Math.max(1, b.size) : 0,
    metadata: { ...b.metadata },
    created_at: b.createdAt,
    updated_at: b.updatedAt,
    data_timestamp: b.dataTimestamp,
  };
}

export interface CinderUsage {
  volumes: number;
  gigabytes: number;
  snapshots: number;
  backups: number;
  backup_gigabytes: number;
  groups: number;
}

/** In-use counts; snapshots count toward `gigabytes` (Cinder's default `no_snapshot_gb_quota = False`). */
export function cinderUsage(sim: SimContext): CinderUsage {
  const volumes = [...sim.state.volumes.values()];
  const snapshots = [...sim.state.snapshots.values()];
  const backups = [...sim.state.backups.values()];
  return {
    volumes: volumes.length,
    gigabytes: volumes.reduce((n, v) => n + v.size, 0) + snapshots.reduce((n, s) => n + s.size, 0),
    snapshots: snapshots.length,
    backups: backups.length,
    backup_gigabytes: backups.reduce((n, b) => n + b.size, 0),
    groups: sim.state.groups.size,
  };
}

function exceeds(limit: number, used: number, requested: number): boolean {
  return limit >= 0 && used + requested > limit;
}

/** 413 `overLimit` with Cinder's quota messages when a new volume (or growth by `gigabytes`) does not fit. */
export function checkVolumeQuota(sim: SimContext, gigabytes: number, newVolumes: number): void {
  const q = sim.cinderQuotas;
  const used = cinderUsage(sim);
  if (q.per_volume_gigabytes >= 0 && gigabytes > q.per_volume_gigabytes && newVolumes > 0) {
    throw overLimit(
      `VolumeSizeExceedsLimit: Requested volume size ${gigabytes}G is larger than maximum allowed limit ${q.per_volume_gigabytes}G.`,
    );
  }
  if (exceeds(q.gigabytes, used.gigabytes, gigabytes)) {
    throw overLimit(
      `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${gigabytes}G, quota is ${q.gigabytes}G and ${used.gigabytes}G has been consumed.`,
    );
  }
  if (exceeds(q.volumes, used.volumes, newVolumes)) {
    throw overLimit(`VolumeLimitExceeded: Maximum number of volumes allowed (${q.volumes}) exceeded for quota 'volumes'.`);
  }
}

export function checkSnapshotQuota(sim: SimContext, gigabytes: number): void {
  const q = sim.cinderQuotas;
  const used = cinderUsage(sim);
  if (exceeds(q.gigabytes, used.gigabytes, gigabytes)) {
    throw overLimit(
      `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${gigabytes}G, quota is ${q.gigabytes}G and ${used.gigabytes}G has been consumed.`,
    );
  }
  if (exceeds(q.snapshots, used.snapshots, 1)) {
    throw overLimit(`SnapshotLimitExceeded: Maximum number of snapshots allowed (${q.snapshots}) exceeded`);
  }
}

export function checkBackupQuota(sim: SimContext, gigabytes: number): void {
  const q = sim.cinderQuotas;
  const used = cinderUsage(sim);
  if (exceeds(q.backup_gigabytes, used.backup_gigabytes, gigabytes)) {
    throw overLimit(
      `VolumeBackupSizeExceedsAvailableQuota: Requested backup exceeds allowed Backup gigabytes quota. Requested ${gigabytes}G, quota is ${q.backup_gigabytes}G and ${used.backup_gigabytes}G has been consumed.`,
    );
  }
  if (exceeds(q.backups, used.backups, 1)) {
    throw overLimit(`BackupLimitExceeded: Maximum number of backups allowed (${q.backups}) exceeded`);
  }
}

export function invalidVolume(reason: string): ApiFault {
  return new ApiFault(400, `Invalid volume: ${reason}`);
}

export function touch(record: { updatedAt: string | null }, time: string): void {
  record.updatedAt = time;
}

/** Records the Cinder user message a failed asynchronous operation leaves (`GET /messages?resource_uuid=`). */
export function recordUserMessage(sim: SimContext, resourceType: 'VOLUME' | 'VOLUME_SNAPSHOT' | 'VOLUME_BACKUP', resourceUuid: string, action: string, fault: string): void {
  sim.state.messages.push({
    id: newId(),
    eventId: `VOLUME_${resourceType}_${action.toUpperCase().replace(/\W+/g, '_')}`,
    userMessage: `${action}: ${fault}`,
    resourceType,
    resourceUuid,
    createdAt: cinderTime(),
  });
}
