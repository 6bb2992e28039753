/**
 * Cinder (block-storage) v3 client. Paths are relative to the catalog endpoint
 * (`https://cloud:8776/v3/{project_id}`). Each call names the microversion it needs; the default 3.0
 * is the v3 base.
 *
 * Longer than 400 lines on purpose: it is the one implementation of `BlockStorageApi` (volumes,
 * snapshots, backups, types, quotas, groups, user messages), each method a short request mapping, and
 * the resource waiters it builds are shared across those groups.
 */
import type {
  AvailabilityZone,
  Backup,
  BackupListOptions,
  BlockStorageApi,
  CreateBackupOptions,
  CreateGroupOptions,
  CreateSnapshotOptions,
  CreateVolumeOptions,
  GroupSnapshot,
  GroupType,
  ListOptions,
  Page,
  QuotaUsage,
  QuotaUsageEntry,
  Snapshot,
  SnapshotListOptions,
  Volume,
  VolumeGroup,
  VolumeListOptions,
  VolumeType,
  WaitOptions,
} from './api';
import { NotFoundError } from './errors';
import { findByIdOrName } from './find-by-id-or-name';
import { collectPages, type Link } from './http/pagination';
import { compact, pathSegment } from './http/request-parts';
import { type QueryValue, requireMember, type ServiceClient } from './http/service-client';
import { newestUserMessage, type UserMessage } from './user-messages';
import { BatchingFetcher, type ResourceSource, StatusWaiter, type StatusWaiterDeps, type WaitSchedules } from './waiter';

/** Microversions used here (Cinder REST API version history). */
export const CINDER_MICROVERSIONS = {
  base: '3.0',
  /** User messages API (`GET /messages`). */
  messages: '3.3',
  /** Group types. */
  groupTypes: '3.11',
  /** Generic volume groups. */
  groups: '3.13',
  /** Group snapshots. */
  groupSnapshots: '3.14',
  /** `list_volume` on group show. */
  groupListVolumes: '3.25',
  /** Generic filtering of volume lists, incl. `name` as CPO uses it. */
  volumeListFilter: '3.34',
  /** Online extend of an `in-use` volume. */
  extendInUse: '3.42',
  /** Backup metadata. */
  backupMetadata: '3.43',
  /** Volume from backup (`backup_id`) and backup `availability_zone`. */
  backupId: '3.51',
} as const;

const VOLUME_ERROR_STATUSES = ['error', 'error_extending', 'error_deleting', 'error_restoring', 'error_managing'];
const SNAPSHOT_ERROR_STATUSES = ['error', 'error_deleting'];
const BACKUP_ERROR_STATUSES = ['error', 'error_deleting'];
const GROUP_ERROR_STATUSES = ['error', 'error_deleting'];

export interface CinderClientDeps extends StatusWaiterDeps {
  schedules: WaitSchedules;
}

export class CinderClient implements BlockStorageApi {
  readonly volumeWaiter: StatusWaiter<Volume>;
  readonly snapshotWaiter: StatusWaiter<Snapshot>;
  readonly backupWaiter: StatusWaiter<Backup>;
  readonly groupWaiter: StatusWaiter<VolumeGroup>;
  readonly groupSnapshotWaiter: StatusWaiter<GroupSnapshot>;
  /** By-name lookups in flight, keyed by name; many at once share one listing (`listVolumesNamed`). */
  readonly volumesByName: BatchingFetcher<Volume[]>;

  constructor(
    private readonly client: ServiceClient,
    private readonly deps: CinderClientDeps,
  ) {
    const userMessage = (id: string, sinceMs?: number) =>
      this.latestUserMessage(id, sinceMs === undefined ? undefined : new Date(sinceMs));
    this.volumeWaiter = new StatusWaiter<Volume>(
      {
        kind: 'volume',
        get: (id) => this.getVolume(id),
        list: async () => byId(await this.listAll<Volume>('/volumes/detail', 'volumes', 'volume_wait_list')),
        statusOf: (volume) => volume.status,
        faultOf: (volume, sinceMs) => userMessage(volume.id, sinceMs),
        defaultErrorStatuses: VOLUME_ERROR_STATUSES,
      },
      deps,
    );
    this.snapshotWaiter = new StatusWaiter<Snapshot>(
      {
        kind: 'snapshot',
        get: (id) => this.getSnapshot(id),
        list: async () => byId(await this.listAll<Snapshot>('/snapshots/detail', 'snapshots', 'snapshot_wait_list')),
        statusOf: (snapshot) => snapshot.status,
        faultOf: (snapshot, sinceMs) => userMessage(snapshot.id, sinceMs),
        defaultErrorStatuses: SNAPSHOT_ERROR_STATUSES,
      },
      deps,
    );
    this.backupWaiter = new StatusWaiter<Backup>(
      {
        kind: 'backup',
        get: (id) => this.getBackup(id),
        list: async () => byId(await this.listAll<Backup>('/backups/detail', 'backups', 'backup_wait_list')),
        statusOf: (backup) => backup.status,
        faultOf: async (backup) => backup.fail_reason ?? undefined,
        defaultErrorStatuses: BACKUP_ERROR_STATUSES,
      },
      deps,
    );
    const groupSource: ResourceSource<VolumeGroup> = {
      kind: 'volume group',
      get: (id) => this.getGroup(id),
      statusOf: (group) => group.status,
      faultOf: (group, sinceMs) => userMessage(group.id, sinceMs),
      defaultErrorStatuses: GROUP_ERROR_STATUSES,
    };
    this.groupWaiter = new StatusWaiter(groupSource, deps);
    this.groupSnapshotWaiter = new StatusWaiter<GroupSnapshot>(
      {
        kind: 'group snapshot',
        get: (id) => this.getGroupSnapshot(id),
        statusOf: (snapshot) => snapshot.status,
        faultOf: (snapshot, sinceMs) => userMessage(snapshot.id, sinceMs),
        defaultErrorStatuses: GROUP_ERROR_STATUSES,
      },
      deps,
    );
    // Names are not IDs: the per-name GET answers every match (possibly none), and the listing answers
    // every asked name, so no name falls back to its own GET; a failed listing fails the whole batch.
    this.volumesByName = new BatchingFetcher<Volume[]>(
      {
        get: async (name) => (await this.listVolumes({ name, allPages: true })).items.filter((volume) => volume.name === name),
        list: async (names) => volumesWithNames(await this.listAll<Volume>('/volumes/detail', 'volumes', 'volume_name_list'), names),
      },
      deps.coalescing,
      'reject',
    );
  }

  // ---------- volumes ----------

  /** `POST /volumes` (3.0; 3.51 with `backup_id`). */
  async createVolume(options: CreateVolumeOptions): Promise<Volume> {
    const volume = compact({
      size: options.size,
      name: options.name,
      description: options.description,
      volume_type: options.volumeType,
      availability_zone: options.availabilityZone,
      metadata: options.metadata,
      source_volid: options.sourceVolumeId,
      snapshot_id: options.snapshotId,
      backup_id: options.backupId,
      multiattach: options.multiattach,
    });
    const body: Record<string, unknown> = { volume };
    if (options.schedulerHints && Object.keys(options.schedulerHints).length > 0) {
      body['OS-SCH-HNT:scheduler_hints'] = options.schedulerHints;
    }
    const result = await this.client.call<{ volume: Volume }>({
      method: 'POST',
      path: '/volumes',
      body,
      microversion: options.backupId ? CINDER_MICROVERSIONS.backupId : CINDER_MICROVERSIONS.base,
      request: 'volume_create',
    });
    return requireMember(result, 'volume');
  }

  /** `GET /volumes/{id}` (3.0). */
  async getVolume(id: string): Promise<Volume> {
    const result = await this.client.call<{ volume: Volume }>({
      method: 'GET',
      path: `/volumes/${pathSegment(id)}`,
      request: 'volume_get',
    });
    return requireMember(result, 'volume');
  }

  /** `GET /volumes/detail` with filters (3.34 when filtering by name or metadata, as CPO does). */
  async listVolumes(options: VolumeListOptions = {}): Promise<Page<Volume>> {
    const filtered = options.name !== undefined || options.metadata !== undefined;
    return collectPages(options, async (marker, limit) => {
      const result = await this.client.call<{ volumes: Volume[]; volumes_links?: Link[] }>({
        method: 'GET',
        path: '/volumes/detail',
        query: {
          name: options.name,
          status: options.status,
          metadata: options.metadata ? JSON.stringify(options.metadata) : undefined,
          limit,
          marker,
        },
        microversion: filtered ? CINDER_MICROVERSIONS.volumeListFilter : CINDER_MICROVERSIONS.base,
        request: 'volume_list',
      });
      return { items: result.data.volumes ?? [], links: result.data.volumes_links };
    });
  }

  /**
   * Every volume named exactly `name`, in every status, over all pages: one `GET /volumes/detail?name=`.
   * While many lookups are in flight (the waits' `minBatch`), those asked together are answered from one
   * paged listing of the project's volumes, started after all of them were asked, so each answer is as
   * fresh as its own GET would have been. A failed listing rejects every lookup in it with its error.
   */
  async listVolumesNamed(name: string): Promise<Volume[]> {
    this.volumesByName.beginWait();
    try {
      return await this.volumesByName.fetch(name);
    } finally {
      this.volumesByName.endWait();
    }
  }

  /** `DELETE /volumes/{id}` (3.0). */
  async deleteVolume(id: string): Promise<void> {
    await this.client.call({ method: 'DELETE', path: `/volumes/${pathSegment(id)}`, request: 'volume_delete' });
  }

  /** `POST /volumes/{id}/action` `os-extend` (3.0; 3.42 for an `in-use` volume). */
  async extendVolume(id: string, newSizeGiB: number, inUse: boolean): Promise<void> {
    await this.client.call({
      method: 'POST',
      path: `/volumes/${pathSegment(id)}/action`,
      body: { 'os-extend': { new_size: newSizeGiB } },
      microversion: inUse ? CINDER_MICROVERSIONS.extendInUse : CINDER_MICROVERSIONS.base,
      request: 'volume_extend',
    });
  }

  /** `POST /volumes/{id}/action` `os-retype` (3.0). */
  async retypeVolume(id: string, newType: string, migrationPolicy: 'never' | 'on-demand'): Promise<void> {
    await this.client.call({
      method: 'POST',
      path: `/volumes/${pathSegment(id)}/action`,
      body: { 'os-retype': { new_type: newType, migration_policy: migrationPolicy } },
      request: 'volume_retype',
    });
  }

  /** `POST /volumes/{id}/metadata` (3.0): merges the given keys into the volume's metadata. */
  async updateVolumeMetadata(id: string, metadata: Record<string, string>): Promise<void> {
    await this.client.call({
      method: 'POST',
      path: `/volumes/${pathSegment(id)}/metadata`,
      body: { metadata },
      // Merging the same keys twice gives the same result.
      idempotent: true,
      request: 'volume_metadata_update',
    });
  }

  waitForVolume(id: string, targetStatuses: readonly string[], options?: WaitOptions<Volume>): Promise<Volume> {
    return this.volumeWaiter.wait(id, targetStatuses, this.deps.schedules.volumeStatus, options);
  }

  // ---------- snapshots ----------

  /** `POST /snapshots` (3.0). */
  async createSnapshot(options: CreateSnapshotOptions): Promise<Snapshot> {
    const result = await this.client.call<{ snapshot: Snapshot }>({
      method: 'POST',
      path: '/snapshots',
      body: {
        snapshot: compact({
          volume_id: options.volumeId,
          name: options.name,
          description: options.description,
          force: options.force,
          metadata: options.metadata,
        }),
      },
      request: 'snapshot_create',
    });
    return requireMember(result, 'snapshot');
  }

  /** `GET /snapshots/{id}` (3.0). */
  async getSnapshot(id: string): Promise<Snapshot> {
    const result = await this.client.call<{ snapshot: Snapshot }>({
      method: 'GET',
      path: `/snapshots/${pathSegment(id)}`,
      request: 'snapshot_get',
    });
    return requireMember(result, 'snapshot');
  }

  /** `GET /snapshots/detail` (3.0; `volume_id`, `name`, `status` filters, `limit`/`marker`). */
  async listSnapshots(options: SnapshotListOptions = {}): Promise<Page<Snapshot>> {
    return collectPages(options, async (marker, limit) => {
      const result = await this.client.call<{ snapshots: Snapshot[]; snapshots_links?: Link[] }>({
        method: 'GET',
        path: '/snapshots/detail',
        query: { volume_id: options.volumeId, name: options.name, status: options.status, limit, marker },
        request: 'snapshot_list',
      });
      return { items: result.data.snapshots ?? [], links: result.data.snapshots_links };
    });
  }

  /** `DELETE /snapshots/{id}` (3.0). */
  async deleteSnapshot(id: string): Promise<void> {
    await this.client.call({ method: 'DELETE', path: `/snapshots/${pathSegment(id)}`, request: 'snapshot_delete' });
  }

  waitForSnapshot(id: string, targetStatuses: readonly string[], options?: WaitOptions<Snapshot>): Promise<Snapshot> {
    return this.snapshotWaiter.wait(id, targetStatuses, this.deps.schedules.snapshotReady, options);
  }

  // ---------- backups ----------

  /**
   * `POST /backups` (3.0; 3.43 with metadata; 3.51 with availability_zone). The create answer holds only
   * `id`, `name` and `links`, so the backup is read back with `GET /backups/{id}`.
   */
  async createBackup(options: CreateBackupOptions): Promise<Backup> {
    let microversion: string = CINDER_MICROVERSIONS.base;
    if (options.metadata) microversion = CINDER_MICROVERSIONS.backupMetadata;
    if (options.availabilityZone) microversion = CINDER_MICROVERSIONS.backupId;
    const result = await this.client.call<{ backup: { id: string } }>({
      method: 'POST',
      path: '/backups',
      body: {
        backup: compact({
          volume_id: options.volumeId,
          snapshot_id: options.snapshotId,
          name: options.name,
          description: options.description,
          incremental: options.incremental,
          force: options.force,
          metadata: options.metadata,
          availability_zone: options.availabilityZone,
        }),
      },
      microversion,
      request: 'backup_create',
    });
    return this.getBackup(requireMember(result, 'backup').id);
  }

  /** `GET /backups/{id}` (3.0). */
  async getBackup(id: string): Promise<Backup> {
    const result = await this.client.call<{ backup: Backup }>({
      method: 'GET',
      path: `/backups/${pathSegment(id)}`,
      request: 'backup_get',
    });
    return requireMember(result, 'backup');
  }

  /** `GET /backups/detail` (3.0; `name`, `volume_id`, `status` filters, `limit`/`marker`). */
  async listBackups(options: BackupListOptions = {}): Promise<Page<Backup>> {
    return collectPages(options, async (marker, limit) => {
      const result = await this.client.call<{ backups: Backup[]; backups_links?: Link[] }>({
        method: 'GET',
        path: '/backups/detail',
        query: { name: options.name, volume_id: options.volumeId, status: options.status, limit, marker },
        request: 'backup_list',
      });
      return { items: result.data.backups ?? [], links: result.data.backups_links };
    });
  }

  /** `DELETE /backups/{id}` (3.0). */
  async deleteBackup(id: string): Promise<void> {
    await this.client.call({ method: 'DELETE', path: `/backups/${pathSegment(id)}`, request: 'backup_delete' });
  }

  waitForBackup(id: string, targetStatuses: readonly string[], options?: WaitOptions<Backup>): Promise<Backup> {
    return this.backupWaiter.wait(id, targetStatuses, this.deps.schedules.backupReady, options);
  }

  // ---------- types, zones, quotas ----------

  /** `GET /types` (3.0). */
  async listVolumeTypes(): Promise<VolumeType[]> {
    const result = await this.client.call<{ volume_types: VolumeType[] }>({
      method: 'GET',
      path: '/types',
      request: 'volume_type_list',
    });
    return result.data.volume_types ?? [];
  }

  /** `GET /types/{id}` (3.0) for an ID; a name is looked up in `GET /types`. */
  async getVolumeType(idOrName: string): Promise<VolumeType> {
    return findByIdOrName(idOrName, {
      getById: async (id) => {
        const result = await this.client.call<{ volume_type: VolumeType }>({
          method: 'GET',
          path: `/types/${pathSegment(id)}`,
          request: 'volume_type_get',
        });
        return requireMember(result, 'volume_type');
      },
      list: () => this.listVolumeTypes(),
      notFound: () => new NotFoundError(`volume type "${idOrName}" not found`, { service: 'volume' }),
    });
  }

  /** `GET /os-availability-zone` (3.0). */
  async listAvailabilityZones(): Promise<AvailabilityZone[]> {
    const result = await this.client.call<{ availabilityZoneInfo: AvailabilityZone[] }>({
      method: 'GET',
      path: '/os-availability-zone',
      request: 'availability_zone_list',
    });
    return result.data.availabilityZoneInfo ?? [];
  }

  /** `GET /os-quota-sets/{project_id}?usage=true` (3.0). */
  async getQuotaUsage(projectId: string): Promise<QuotaUsage> {
    const result = await this.client.call<{ quota_set: Record<string, unknown> }>({
      method: 'GET',
      path: `/os-quota-sets/${pathSegment(projectId)}`,
      query: { usage: 'true' },
      request: 'quota_get',
    });
    const usage: QuotaUsage = {};
    for (const [key, value] of Object.entries(result.data.quota_set ?? {})) {
      if (value && typeof value === 'object' && 'limit' in value) usage[key] = value as QuotaUsageEntry;
    }
    return usage;
  }

  // ---------- groups ----------

  /** `GET /group_types` (3.11). */
  async listGroupTypes(): Promise<GroupType[]> {
    const result = await this.client.call<{ group_types: GroupType[] }>({
      method: 'GET',
      path: '/group_types',
      microversion: CINDER_MICROVERSIONS.groupTypes,
      request: 'group_type_list',
    });
    return result.data.group_types ?? [];
  }

  /** `POST /groups` (3.13); the answer holds only `id` and `name`, so the group is read back. */
  async createGroup(options: CreateGroupOptions): Promise<VolumeGroup> {
    const result = await this.client.call<{ group: { id: string } }>({
      method: 'POST',
      path: '/groups',
      body: {
        group: compact({
          group_type: options.groupType,
          volume_types: options.volumeTypes,
          name: options.name,
          description: options.description,
          availability_zone: options.availabilityZone,
        }),
      },
      microversion: CINDER_MICROVERSIONS.groups,
      request: 'group_create',
    });
    return this.getGroup(requireMember(result, 'group').id);
  }

  /** `GET /groups/{id}` (3.13; with `list_volume=True` at 3.25 when the cloud offers it). */
  async getGroup(id: string): Promise<VolumeGroup> {
    const withVolumes = await this.client.supports(CINDER_MICROVERSIONS.groupListVolumes);
    const result = await this.client.call<{ group: VolumeGroup }>({
      method: 'GET',
      path: `/groups/${pathSegment(id)}`,
      query: withVolumes ? { list_volume: 'True' } : undefined,
      microversion: withVolumes ? CINDER_MICROVERSIONS.groupListVolumes : CINDER_MICROVERSIONS.groups,
      request: 'group_get',
    });
    return requireMember(result, 'group');
  }

  /** `PUT /groups/{id}` (3.13) with comma-separated `add_volumes` / `remove_volumes`. */
  async updateGroup(id: string, changes: { addVolumes?: string[]; removeVolumes?: string[] }): Promise<void> {
    await this.client.call({
      method: 'PUT',
      path: `/groups/${pathSegment(id)}`,
      body: {
        group: compact({
          add_volumes: changes.addVolumes?.length ? changes.addVolumes.join(',') : undefined,
          remove_volumes: changes.removeVolumes?.length ? changes.removeVolumes.join(',') : undefined,
        }),
      },
      microversion: CINDER_MICROVERSIONS.groups,
      request: 'group_update',
    });
  }

  /** `POST /groups/{id}/action` `delete` (3.13). */
  async deleteGroup(id: string, deleteVolumes: boolean): Promise<void> {
    await this.client.call({
      method: 'POST',
      path: `/groups/${pathSegment(id)}/action`,
      body: { delete: { 'delete-volumes': deleteVolumes } },
      microversion: CINDER_MICROVERSIONS.groups,
      request: 'group_delete',
    });
  }

  waitForGroup(id: string, targetStatuses: readonly string[], options?: WaitOptions<VolumeGroup>): Promise<VolumeGroup> {
    return this.groupWaiter.wait(id, targetStatuses, this.deps.schedules.groupStatus, options);
  }

  /** `POST /group_snapshots` (3.14); the answer holds only `id`/`name`/`group_type_id`, so it is read back. */
  async createGroupSnapshot(groupId: string, name?: string, description?: string): Promise<GroupSnapshot> {
    const result = await this.client.call<{ group_snapshot: { id: string } }>({
      method: 'POST',
      path: '/group_snapshots',
      body: { group_snapshot: compact({ group_id: groupId, name, description }) },
      microversion: CINDER_MICROVERSIONS.groupSnapshots,
      request: 'group_snapshot_create',
    });
    return this.getGroupSnapshot(requireMember(result, 'group_snapshot').id);
  }

  /** `GET /group_snapshots/{id}` (3.14). */
  async getGroupSnapshot(id: string): Promise<GroupSnapshot> {
    const result = await this.client.call<{ group_snapshot: GroupSnapshot }>({
      method: 'GET',
      path: `/group_snapshots/${pathSegment(id)}`,
      microversion: CINDER_MICROVERSIONS.groupSnapshots,
      request: 'group_snapshot_get',
    });
    return requireMember(result, 'group_snapshot');
  }

  /** `GET /group_snapshots/detail` (3.14; `limit`/`marker`, `name` filter). */
  async listGroupSnapshots(options: ListOptions & { name?: string } = {}): Promise<Page<GroupSnapshot>> {
    return collectPages(options, async (marker, limit) => {
      const result = await this.client.call<{ group_snapshots: GroupSnapshot[]; group_snapshots_links?: Link[] }>({
        method: 'GET',
        path: '/group_snapshots/detail',
        query: { name: options.name, limit, marker },
        microversion: CINDER_MICROVERSIONS.groupSnapshots,
        request: 'group_snapshot_list',
      });
      return { items: result.data.group_snapshots ?? [], links: result.data.group_snapshots_links };
    });
  }

  /** `DELETE /group_snapshots/{id}` (3.14). */
  async deleteGroupSnapshot(id: string): Promise<void> {
    await this.client.call({
      method: 'DELETE',
      path: `/group_snapshots/${pathSegment(id)}`,
      microversion: CINDER_MICROVERSIONS.groupSnapshots,
      request: 'group_snapshot_delete',
    });
  }

  waitForGroupSnapshot(
    id: string,
    targetStatuses: readonly string[],
    options?: WaitOptions<GroupSnapshot>,
  ): Promise<GroupSnapshot> {
    return this.groupSnapshotWaiter.wait(id, targetStatuses, this.deps.schedules.groupStatus, options);
  }

  // ---------- helpers ----------

  /** Every page of a detail listing, unfiltered (the project's resources in every status). */
  private async listAll<T extends { id: string }>(path: string, key: string, request: string): Promise<T[]> {
    const linksKey = `${key}_links`;
    const page = await collectPages<T>({ allPages: true }, async (marker) => {
      const result = await this.client.call<Record<string, unknown>>({
        method: 'GET',
        path,
        query: { marker } as Record<string, QueryValue>,
        request,
      });
      return { items: (result.data[key] as T[]) ?? [], links: result.data[linksKey] as Link[] | undefined };
    });
    return page.items;
  }

  /**
   * Newest user message about a resource (`GET /messages?resource_uuid=`, 3.3), best effort; with `since`,
   * only one recorded from that moment on (give or take the clock skew `newestUserMessage` allows).
   */
  async latestUserMessage(resourceId: string, since?: Date): Promise<string | undefined> {
    try {
      const result = await this.client.call<{ messages: UserMessage[] }>({
        method: 'GET',
        path: '/messages',
        query: { resource_uuid: resourceId },
        microversion: CINDER_MICROVERSIONS.messages,
        request: 'message_list',
      });
      return newestUserMessage(result.data.messages ?? [], since?.getTime());
    } catch {
      return undefined;
    }
  }
}

function byId<T extends { id: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.id, item]));
}

/** For each asked name, the listed volumes named exactly so (an empty list when none is). */
function volumesWithNames(volumes: readonly Volume[], names: readonly string[]): Map<string, Volume[]> {
  const found = new Map<string, Volume[]>(names.map((name) => [name, []]));
  for (const volume of volumes) if (volume.name !== null) found.get(volume.name)?.push(volume);
  return found;
}
