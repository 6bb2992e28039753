/**
 * The Cinder v3 (block storage) contract: resource shapes as the api-ref documents them and the
 * operations the Cinder driver uses. `CinderClient` implements it.
 */
import type { ListOptions, Page, WaitOptions } from './common';

export interface VolumeAttachment {
  id: string;
  attachment_id: string;
  volume_id: string;
  server_id: string;
  host_name: string | null;
  device: string;
  attached_at: string;
}

export interface Volume {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  size: number;
  availability_zone: string;
  volume_type: string | null;
  multiattach: boolean;
  bootable: string;
  encrypted: boolean;
  metadata: Record<string, string>;
  attachments: VolumeAttachment[];
  snapshot_id: string | null;
  source_volid: string | null;
  backup_id?: string | null;
  group_id?: string | null;
  migration_status?: string | null;
  created_at: string;
  updated_at: string | null;
  user_id: string;
  'os-vol-tenant-attr:tenant_id'?: string;
  links?: { href: string; rel: string }[];
}

export interface CreateVolumeOptions {
  size: number;
  name?: string;
  description?: string;
  volumeType?: string;
  availabilityZone?: string;
  metadata?: Record<string, string>;
  sourceVolumeId?: string;
  snapshotId?: string;
  /** Needs microversion 3.51. */
  backupId?: string;
  multiattach?: boolean;
  /** `OS-SCH-HNT:scheduler_hints`, e.g. `{ same_host: [...], different_host: [...] }`. */
  schedulerHints?: Record<string, string | string[]>;
}

export interface VolumeListOptions extends ListOptions {
  /** Exact name filter (microversion 3.34 for generic filtering). */
  name?: string;
  status?: string;
  metadata?: Record<string, string>;
}

export interface Snapshot {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  size: number;
  volume_id: string;
  metadata: Record<string, string>;
  created_at: string;
  updated_at: string | null;
  progress?: string;
  group_snapshot_id?: string | null;
}

export interface CreateSnapshotOptions {
  volumeId: string;
  name?: string;
  description?: string;
  force?: boolean;
  metadata?: Record<string, string>;
}

export interface SnapshotListOptions extends ListOptions {
  volumeId?: string;
  name?: string;
  status?: string;
}

export interface Backup {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  size: number;
  volume_id: string;
  snapshot_id: string | null;
  availability_zone: string | null;
  container: string | null;
  fail_reason: string | null;
  is_incremental: boolean;
  has_dependent_backups: boolean;
  object_count: number;
  metadata?: Record<string, string>;
  created_at: string;
  updated_at: string | null;
  data_timestamp?: string;
}

export interface CreateBackupOptions {
  volumeId: string;
  snapshotId?: string;
  name?: string;
  description?: string;
  availabilityZone?: string;
  metadata?: Record<string, string>;
  incremental?: boolean;
  force?: boolean;
}

export interface BackupListOptions extends ListOptions {
  name?: string;
  volumeId?: string;
  status?: string;
}

export interface VolumeType {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  extra_specs: Record<string, string>;
}

export interface AvailabilityZone {
  zoneName: string;
  zoneState: { available: boolean };
}

export interface QuotaUsageEntry {
  limit: number;
  in_use: number;
  reserved: number;
  allocated?: number;
}

/** `GET /os-quota-sets/{project_id}?usage=true`: keys like `gigabytes`, `volumes`, `gigabytes_<type>`. */
export type QuotaUsage = Record<string, QuotaUsageEntry>;

export interface VolumeGroup {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  availability_zone: string;
  group_type: string;
  volume_types: string[];
  volumes?: string[];
  group_snapshot_id?: string | null;
  source_group_id?: string | null;
  created_at: string;
}

export interface CreateGroupOptions {
  groupType: string;
  volumeTypes: string[];
  name?: string;
  description?: string;
  availabilityZone?: string;
}

export interface GroupSnapshot {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  group_id: string;
  group_type_id: string;
  created_at: string;
}

export interface GroupType {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  group_specs: Record<string, string>;
}

export interface BlockStorageApi {
  createVolume(options: CreateVolumeOptions): Promise<Volume>;
  getVolume(id: string): Promise<Volume>;
  listVolumes(options?: VolumeListOptions): Promise<Page<Volume>>;
  /** Every volume named exactly `name` (all pages, every status); concurrent lookups may share one listing. */
  listVolumesNamed(name: string): Promise<Volume[]>;
  deleteVolume(id: string): Promise<void>;
  /** `os-extend`; `inUse` selects microversion 3.42 (online extend). */
  extendVolume(id: string, newSizeGiB: number, inUse: boolean): Promise<void>;
  /** `os-retype` with a migration policy. */
  retypeVolume(id: string, newType: string, migrationPolicy: 'never' | 'on-demand'): Promise<void>;
  updateVolumeMetadata(id: string, metadata: Record<string, string>): Promise<void>;
  waitForVolume(id: string, targetStatuses: readonly string[], options?: WaitOptions<Volume>): Promise<Volume>;

  createSnapshot(options: CreateSnapshotOptions): Promise<Snapshot>;
  getSnapshot(id: string): Promise<Snapshot>;
  listSnapshots(options?: SnapshotListOptions): Promise<Page<Snapshot>>;
  deleteSnapshot(id: string): Promise<void>;
  waitForSnapshot(id: string, targetStatuses: readonly string[], options?: WaitOptions<Snapshot>): Promise<Snapshot>;

  createBackup(options: CreateBackupOptions): Promise<Backup>;
  getBackup(id: string): Promise<Backup>;
  listBackups(options?: BackupListOptions): Promise<Page<Backup>>;
  deleteBackup(id: string): Promise<void>;
  waitForBackup(id: string, targetStatuses: readonly string[], options?: WaitOptions<Backup>): Promise<Backup>;

  listVolumeTypes(): Promise<VolumeType[]>;
  /** By ID or name. */
  getVolumeType(idOrName: string): Promise<VolumeType>;
  listAvailabilityZones(): Promise<AvailabilityZone[]>;
  getQuotaUsage(projectId: string): Promise<QuotaUsage>;
  /**
   * Text of the newest Cinder user message about a resource (`GET /messages?resource_uuid=`, 3.3), best
   * effort: undefined when there is none, when the call fails, or, with `since`, when the newest was recorded
   * before that moment (allowing for clock skew).
   */
  latestUserMessage(resourceId: string, since?: Date): Promise<string | undefined>;

  /** Groups and group snapshots need microversion 3.14+. */
  listGroupTypes(): Promise<GroupType[]>;
  createGroup(options: CreateGroupOptions): Promise<VolumeGroup>;
  getGroup(id: string): Promise<VolumeGroup>;
  updateGroup(id: string, changes: { addVolumes?: string[]; removeVolumes?: string[] }): Promise<void>;
  deleteGroup(id: string, deleteVolumes: boolean): Promise<void>;
  waitForGroup(id: string, targetStatuses: readonly string[], options?: WaitOptions<VolumeGroup>): Promise<VolumeGroup>;
  createGroupSnapshot(groupId: string, name?: string, description?: string): Promise<GroupSnapshot>;
  getGroupSnapshot(id: string): Promise<GroupSnapshot>;
  listGroupSnapshots(options?: ListOptions & { name?: string }): Promise<Page<GroupSnapshot>>;
  deleteGroupSnapshot(id: string): Promise<void>;
  waitForGroupSnapshot(
    id: string,
    targetStatuses: readonly string[],
    options?: WaitOptions<GroupSnapshot>,
  ): Promise<GroupSnapshot>;
}
