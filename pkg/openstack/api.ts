/**
 * The service-level contract of the OpenStack client: resource shapes as the api-ref documents them
 * (JSON field names kept as the cloud sends them) and the operations the drivers use. The HTTP client
 * in this package implements it; the drivers depend only on this file and `errors.ts`.
 */

// ---------- shared ----------

export interface Page<T> {
  items: T[];
  /** Marker for the next page (the last item's ID) when the cloud reported more; undefined at the end. */
  nextMarker?: string;
}

export interface ListOptions {
  limit?: number;
  marker?: string;
  /** Follow `*_links` until the last page (ignores `limit` as a total). */
  allPages?: boolean;
}

/** Exponential wait schedule: first delay, growth factor, number of status checks. */
export interface WaitSchedule {
  initialDelayMs: number;
  factor: number;
  checks: number;
  /** Upper bound of one delay. */
  maxDelayMs?: number;
}

export interface WaitOptions<T> {
  schedule?: WaitSchedule;
  /** Extra condition on top of the target status (e.g. "attachments include server X"). */
  until?: (resource: T) => boolean;
  /** Statuses that end the wait with ResourceErrorStateError; defaults per resource type. */
  errorStatuses?: readonly string[];
  /** Treat 404 as success (waiting for a delete). */
  gone?: boolean;
  /**
   * Sees every reading of the resource, in order and before the status checks (coalesced waits too), so a
   * caller can record the statuses on the way or recognise a failure the status alone does not show. May be
   * async. Answer `'done'` to end the wait with this reading; throw to fail the wait with that error.
   */
  observe?: (resource: T) => WaitObservation | Promise<WaitObservation>;
  /**
   * Label that refines which earlier waits predict this one's pace when learned waiting is on (e.g. the
   * volume type); waits on the same resource kind and goal share one history without it.
   */
  paceKey?: string;
}

/** What a `WaitOptions.observe` hook answers: nothing to keep waiting, `'done'` to end the wait. */
export type WaitObservation = void | 'done';

// ---------- Cinder v3 ----------

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

/** `GET /limits` `limits.absolute`: the project's own limits and usage, readable without admin rights. */
export interface AbsoluteLimits {
  maxTotalVolumes: number;
  maxTotalVolumeGigabytes: number;
  maxTotalSnapshots: number;
  maxTotalBackups: number;
  maxTotalBackupGigabytes: number;
  totalVolumesUsed: number;
  totalGigabytesUsed: number;
  totalSnapshotsUsed: number;
  totalBackupsUsed: number;
  totalBackupGigabytesUsed: number;
}

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
  /** `GET /limits` (optional so existing fakes stay valid; the HTTP client implements it). */
  getAbsoluteLimits?(): Promise<AbsoluteLimits>;
  /**
   * Text of the newest Cinder user message about a resource (`GET /messages?resource_uuid=`, 3.3), best
   * effort: undefined when there is none, when the call fails, or, with `since`, when the newest was recorded
   * before that moment (allowing for clock skew). Optional so existing fakes stay valid.
   */
  latestUserMessage?(resourceId: string, since?: Date): Promise<string | undefined>;

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

// ---------- Nova v2.1 ----------

export interface Server {
  id: string;
  name: string;
  status: string;
  'OS-EXT-AZ:availability_zone'?: string;
  'OS-EXT-STS:vm_state'?: string;
  'os-extended-volumes:volumes_attached'?: { id: string; delete_on_termination?: boolean }[];
  metadata?: Record<string, string>;
}

export interface ServerVolumeAttachment {
  id: string;
  volumeId: string;
  serverId: string;
  device: string | null;
  tag?: string | null;
  delete_on_termination?: boolean;
  attachment_id?: string;
  bdm_uuid?: string;
}

export interface ComputeApi {
  getServer(id: string): Promise<Server>;
  /** `POST /servers/{id}/os-volume_attachments`; `multiattach` selects microversion 2.60. */
  attachVolume(serverId: string, volumeId: string, multiattach: boolean): Promise<ServerVolumeAttachment>;
  listVolumeAttachments(serverId: string): Promise<ServerVolumeAttachment[]>;
  getVolumeAttachment(serverId: string, volumeId: string): Promise<ServerVolumeAttachment>;
  detachVolume(serverId: string, volumeId: string): Promise<void>;
}

// ---------- Manila v2 ----------

export interface Share {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  size: number;
  share_proto: string;
  share_type: string | null;
  share_type_name?: string;
  share_network_id: string | null;
  availability_zone: string | null;
  snapshot_id: string | null;
  metadata: Record<string, string>;
  created_at: string;
  export_locations?: string[];
}

export interface CreateShareOptions {
  shareProto: string;
  size: number;
  name?: string;
  description?: string;
  shareType?: string;
  shareNetworkId?: string;
  availabilityZone?: string;
  snapshotId?: string;
  shareGroupId?: string;
  metadata?: Record<string, string>;
  /** Needs microversion 2.65. */
  schedulerHints?: Record<string, string>;
}

export interface ShareAccessRule {
  id: string;
  share_id?: string;
  access_type: string;
  access_to: string;
  access_level: string;
  state: string;
  access_key: string | null;
  created_at?: string;
  updated_at?: string | null;
  metadata?: Record<string, string>;
}

export interface ShareExportLocation {
  id: string;
  path: string;
  preferred: boolean;
  is_admin_only?: boolean;
  share_instance_id?: string;
}

export interface ShareSnapshot {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  share_id: string;
  share_size: number;
  size: number;
  share_proto: string;
  created_at: string;
}

export interface ShareType {
  id: string;
  name: string;
  extra_specs: Record<string, string>;
  required_extra_specs?: Record<string, string>;
}

export interface SharedFileSystemApi {
  createShare(options: CreateShareOptions): Promise<Share>;
  getShare(id: string): Promise<Share>;
  listShares(options?: ListOptions & { name?: string }): Promise<Page<Share>>;
  deleteShare(id: string): Promise<void>;
  extendShare(id: string, newSizeGiB: number): Promise<void>;
  shrinkShare(id: string, newSizeGiB: number): Promise<void>;
  waitForShare(id: string, targetStatuses: readonly string[], options?: WaitOptions<Share>): Promise<Share>;
  grantAccess(shareId: string, accessType: string, accessTo: string, accessLevel: 'rw' | 'ro'): Promise<ShareAccessRule>;
  revokeAccess(shareId: string, accessId: string): Promise<void>;
  /** `GET /share-access-rules?share_id=` (microversion 2.45). */
  listAccessRules(shareId: string): Promise<ShareAccessRule[]>;
  listExportLocations(shareId: string): Promise<ShareExportLocation[]>;
  createSnapshot(shareId: string, name?: string, description?: string): Promise<ShareSnapshot>;
  getSnapshot(id: string): Promise<ShareSnapshot>;
  listSnapshots(options?: ListOptions & { name?: string; shareId?: string }): Promise<Page<ShareSnapshot>>;
  deleteSnapshot(id: string): Promise<void>;
  waitForSnapshot(
    id: string,
    targetStatuses: readonly string[],
    options?: WaitOptions<ShareSnapshot>,
  ): Promise<ShareSnapshot>;
  listShareTypes(): Promise<ShareType[]>;
  getShareType(idOrName: string): Promise<ShareType>;
}

// ---------- the whole cloud ----------

export interface Cloud {
  /** Name of the cloud: "" for `[Global]`, else the `[Global "name"]` name. */
  readonly name: string;
  /** Project (tenant) ID of the authenticated scope. */
  projectId(): Promise<string>;
  readonly blockStorage: BlockStorageApi;
  readonly compute: ComputeApi;
  readonly sharedFileSystem: SharedFileSystemApi;
}
