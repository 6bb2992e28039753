/**
 * A small in-memory `Cloud` for fast unit tests of the controller's logic. It is deliberately simple:
 * asynchronous transitions complete on the next read of the resource (so every wait polls at least
 * once) and refusals mirror Cinder's/Nova's codes. The simulator-backed suite is the real proof.
 */
import type {
  Backup,
  BlockStorageApi,
  ComputeApi,
  Page,
  QuotaUsage,
  Server,
  Snapshot,
  Volume,
  VolumeType,
  WaitOptions,
} from '../../../openstack/api';
import type { CinderCloud } from '../clouds';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  OverLimitError,
  ResourceErrorStateError,
  WaitTimeoutError,
} from '../../../openstack/errors';

type Pending<T> = { resource: T; next: () => void };

export interface FakeCloudState {
  volumes: Map<string, Volume>;
  snapshots: Map<string, Snapshot>;
  backups: Map<string, Backup>;
  servers: Map<string, Server & { maxVolumes?: number }>;
  types: VolumeType[];
  quota: QuotaUsage;
  /** Volume names whose creation ends in `error` with this fault. */
  failCreate: Map<string, string>;
  /** Largest page the fake answers, like Cinder's `osapi_max_limit`. */
  maxPageSize: number;
  /** How many reads a transition takes to complete (default 1). */
  readsPerTransition: number;
  calls: string[];
}

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const now = () => new Date().toISOString().replace('Z', '').slice(0, 26);

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor<T extends { status: string }>(
  get: () => Promise<T>,
  id: string,
  targets: readonly string[],
  options: WaitOptions<T> | undefined,
  defaultErrors: readonly string[],
): Promise<T> {
  const schedule = options?.schedule ?? { initialDelayMs: 1, factor: 1, checks: 20 };
  let delay = schedule.initialDelayMs;
  let last: string | undefined;
  for (let check = 0; check < schedule.checks; check++) {
    let resource: T;
    try {
      resource = await get();
    } catch (error) {
      if (options?.gone && error instanceof NotFoundError) return undefined as unknown as T;
      throw error;
    }
    last = resource.status;
    // Same order as the real waiter: the observer sees the reading first and may end or fail the wait.
    if ((await options?.observe?.(resource)) === 'done') return resource;
    if ((options?.errorStatuses ?? defaultErrors).includes(resource.status)) {
      const fault = (resource as unknown as { fault?: string }).fault;
      throw new ResourceErrorStateError(`${id} is ${resource.status}`, id, resource.status, fault);
    }
    if (!options?.gone && targets.includes(resource.status) && (!options?.until || options.until(resource))) return resource;
    await sleep(delay);
    delay *= schedule.factor;
  }
  throw new WaitTimeoutError(`gave up after ${schedule.checks} checks`, id, last);
}

export function createFakeCloud(name = ''): { cloud: CinderCloud; state: FakeCloudState } {
  const state: FakeCloudState = {
    volumes: new Map(),
    snapshots: new Map(),
    backups: new Map(),
    servers: new Map(),
    types: [
      { id: 't-default', name: '__DEFAULT__', description: null, is_public: true, extra_specs: {} },
      { id: 't-multi', name: 'multi', description: null, is_public: true, extra_specs: { multiattach: '<is> True' } },
      { id: 't-fast', name: 'fast', description: null, is_public: true, extra_specs: {} },
    ],
    quota: { gigabytes: { limit: 100, in_use: 0, reserved: 0 } },
    failCreate: new Map(),
    maxPageSize: 1000,
    readsPerTransition: 1,
    calls: [],
  };
  const pending = new Map<string, Pending<unknown> & { reads: number }>();
  const later = (id: string, resource: unknown, next: () => void) => pending.set(id, { resource, next, reads: 0 });
  const settle = (id: string) => {
    const entry = pending.get(id);
    if (!entry) return;
    entry.reads++;
    if (entry.reads >= state.readsPerTransition) {
      pending.delete(id);
      entry.next();
    }
  };
  const record = (call: string) => state.calls.push(call);
  /** The stored resource itself (callers mutate it), or Cinder's/Nova's 404. */
  const found = <T>(resources: Map<string, T>, kind: string, id: string): T => {
    const resource = resources.get(id);
    if (!resource) throw new NotFoundError(`${kind} ${id} could not be found.`);
    return resource;
  };
  /** Cinder's `name` and `volume_id` list filters. */
  const matching = <T extends { name: string | null; volume_id: string }>(
    resources: Map<string, T>,
    options?: { name?: string; volumeId?: string },
  ): T[] =>
    [...resources.values()].filter(
      (r) => (options?.name === undefined || r.name === options.name) && (options?.volumeId === undefined || r.volume_id === options.volumeId),
    );
  const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  const page = <T extends { id: string }>(items: T[], options?: { limit?: number; marker?: string; allPages?: boolean }): Page<T> => {
    for (const item of items) settle(item.id);
    let start = 0;
    if (options?.marker) {
      start = items.findIndex((item) => item.id === options.marker) + 1;
      if (start === 0) throw new BadRequestError(`marker ${options.marker} not found`);
    }
    if (options?.allPages) return { items: items.slice(start).map(clone) };
    const limit = Math.min(options?.limit ?? state.maxPageSize, state.maxPageSize);
    const slice = items.slice(start, start + limit);
    const more = start + limit < items.length;
    return { items: slice.map(clone), nextMarker: more ? slice[slice.length - 1].id : undefined };
  };
  const getVolume = async (id: string): Promise<Volume> => {
    record(`getVolume ${id}`);
    settle(id);
    return clone(found(state.volumes, 'Volume', id));
  };
  const getSnapshot = async (id: string): Promise<Snapshot> => {
    settle(id);
    return clone(found(state.snapshots, 'Snapshot', id));
  };
  const getBackup = async (id: string): Promise<Backup> => {
    settle(id);
    return clone(found(state.backups, 'Backup', id));
  };
  const unsupported = (what: string) => async (): Promise<never> => {
    throw new Error(`fake cloud does not implement ${what}`);
  };

  const blockStorage: BlockStorageApi = {
    async createVolume(options) {
      record(`createVolume ${options.name}`);
      const used = [...state.volumes.values()].reduce((sum, v) => sum + v.size, 0);
      const limit = state.quota.gigabytes.limit;
      if (limit >= 0 && used + options.size > limit) {
        throw new OverLimitError(`VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${options.size}G, quota is ${limit}G and ${used}G has been consumed.`);
      }
      const type = state.types.find((t) => t.name === (options.volumeType ?? '__DEFAULT__') || t.id === options.volumeType);
      if (!type) throw new NotFoundError(`Volume type with name ${options.volumeType} could not be found.`);
      const volume: Volume = {
        id: newId(),
        name: options.name ?? null,
        description: options.description ?? null,
        status: 'creating',
        size: options.size,
        availability_zone: options.availabilityZone ?? 'nova',
        volume_type: type.name,
        multiattach: type.extra_specs.multiattach === '<is> True',
        bootable: 'false',
        encrypted: false,
        metadata: { ...(options.metadata ?? {}) },
        attachments: [],
        snapshot_id: options.snapshotId ?? null,
        source_volid: options.sourceVolumeId ?? null,
        backup_id: options.backupId ?? null,
        group_id: null,
        created_at: now(),
        updated_at: null,
        user_id: 'user',
      };
      state.volumes.set(volume.id, volume);
      const fault = options.name ? state.failCreate.get(options.name) : undefined;
      later(volume.id, volume, () => {
        volume.status = fault ? 'error' : 'available';
        if (fault) (volume as unknown as { fault: string }).fault = fault;
      });
      return clone(volume);
    },
    getVolume,
    async listVolumes(options) {
      record(`listVolumes ${JSON.stringify(options ?? {})}`);
      const items = [...state.volumes.values()].filter((v) => options?.name === undefined || v.name === options.name);
      return page(items, options);
    },
    async listVolumesNamed(name) {
      return (await blockStorage.listVolumes({ name, allPages: true })).items;
    },
    async deleteVolume(id) {
      record(`deleteVolume ${id}`);
      const volume = found(state.volumes, 'Volume', id);
      if (volume.attachments.length > 0) throw new BadRequestError('Volume status must be available or error');
      if ([...state.snapshots.values()].some((s) => s.volume_id === id)) throw new BadRequestError('Volume has snapshots');
      volume.status = 'deleting';
      later(id, volume, () => state.volumes.delete(id));
    },
    async extendVolume(id, size, inUse) {
      record(`extendVolume ${id} ${size} ${inUse}`);
      const volume = found(state.volumes, 'Volume', id);
      const previous = volume.status;
      volume.status = 'extending';
      later(id, volume, () => {
        volume.status = previous;
        volume.size = size;
      });
    },
    async retypeVolume(id, newType) {
      record(`retypeVolume ${id} ${newType}`);
      const volume = found(state.volumes, 'Volume', id);
      const previous = volume.status;
      volume.status = 'retyping';
      later(id, volume, () => {
        volume.status = previous;
        volume.volume_type = newType;
      });
    },
    async updateVolumeMetadata(id, metadata) {
      const volume = found(state.volumes, 'Volume', id);
      Object.assign(volume.metadata, metadata);
    },
    waitForVolume: (id, targets, options) => waitFor(() => getVolume(id), id, targets, options, ['error']),

    async createSnapshot(options) {
      record(`createSnapshot ${options.name}`);
      const volume = found(state.volumes, 'Volume', options.volumeId);
      if (volume.status === 'in-use' && !options.force) throw new BadRequestError("Volume status must be 'available'");
      const snapshot: Snapshot = {
        id: newId(),
        name: options.name ?? null,
        description: options.description ?? null,
        status: 'creating',
        size: volume.size,
        volume_id: volume.id,
        metadata: { ...(options.metadata ?? {}) },
        created_at: now(),
        updated_at: null,
        group_snapshot_id: null,
      };
      state.snapshots.set(snapshot.id, snapshot);
      later(snapshot.id, snapshot, () => (snapshot.status = 'available'));
      return clone(snapshot);
    },
    getSnapshot,
    async listSnapshots(options) {
      return page(matching(state.snapshots, options), options);
    },
    async deleteSnapshot(id) {
      record(`deleteSnapshot ${id}`);
      const snapshot = found(state.snapshots, 'Snapshot', id);
      snapshot.status = 'deleting';
      later(id, snapshot, () => state.snapshots.delete(id));
    },
    waitForSnapshot: (id, targets, options) => waitFor(() => getSnapshot(id), id, targets, options, ['error']),

    async createBackup(options) {
      record(`createBackup ${options.name}`);
      const volume = found(state.volumes, 'Volume', options.volumeId);
      const backup: Backup = {
        id: newId(),
        name: options.name ?? null,
        description: options.description ?? null,
        status: 'creating',
        size: volume.size,
        volume_id: volume.id,
        snapshot_id: options.snapshotId ?? null,
        availability_zone: options.availabilityZone ?? null,
        container: null,
        fail_reason: null,
        is_incremental: false,
        has_dependent_backups: false,
        object_count: 0,
        metadata: { ...(options.metadata ?? {}) },
        created_at: now(),
        updated_at: null,
      };
      state.backups.set(backup.id, backup);
      later(backup.id, backup, () => (backup.status = 'available'));
      return clone(backup);
    },
    getBackup,
    async listBackups(options) {
      return page(matching(state.backups, options), options);
    },
    async deleteBackup(id) {
      const backup = found(state.backups, 'Backup', id);
      backup.status = 'deleting';
      later(id, backup, () => state.backups.delete(id));
    },
    waitForBackup: (id, targets, options) => waitFor(() => getBackup(id), id, targets, options, ['error']),

    async listVolumeTypes() {
      return clone(state.types);
    },
    async getVolumeType(idOrName) {
      const type = state.types.find((t) => t.id === idOrName || t.name === idOrName);
      if (!type) throw new NotFoundError(`Volume type ${idOrName} could not be found.`);
      return clone(type);
    },
    async listAvailabilityZones() {
      return [{ zoneName: 'nova', zoneState: { available: true } }];
    },
    async getQuotaUsage() {
      return clone(state.quota);
    },
    // The fake cloud records no Cinder user messages, so there is never one to report.
    async latestUserMessage() {
      return undefined;
    },
    listGroupTypes: unsupported('listGroupTypes'),
    createGroup: unsupported('createGroup'),
    getGroup: unsupported('getGroup'),
    updateGroup: unsupported('updateGroup'),
    deleteGroup: unsupported('deleteGroup'),
    waitForGroup: unsupported('waitForGroup'),
    createGroupSnapshot: unsupported('createGroupSnapshot'),
    getGroupSnapshot: unsupported('getGroupSnapshot'),
    listGroupSnapshots: unsupported('listGroupSnapshots'),
    deleteGroupSnapshot: unsupported('deleteGroupSnapshot'),
    waitForGroupSnapshot: unsupported('waitForGroupSnapshot'),
  };

  const compute: ComputeApi = {
    async getServer(id) {
      return clone(found(state.servers, 'Instance', id));
    },
    async attachVolume(serverId, volumeId) {
      record(`attachVolume ${serverId} ${volumeId}`);
      const server = found(state.servers, 'Instance', serverId);
      const volume = found(state.volumes, 'Volume', volumeId);
      if (volume.attachments.length > 0 && !volume.multiattach) throw new BadRequestError('volume is already attached');
      const attachedHere = [...state.volumes.values()].filter((v) => v.attachments.some((a) => a.server_id === serverId)).length;
      if (server.maxVolumes !== undefined && attachedHere >= server.maxVolumes) {
        throw new ForbiddenError(`The maximum allowed number of disk devices (${server.maxVolumes}) to attach to a single instance has been exceeded.`);
      }
      if (volume.status !== 'available' && volume.status !== 'in-use') throw new ConflictError(`volume is ${volume.status}`);
      const device = `/dev/vd${String.fromCharCode(98 + attachedHere)}`;
      volume.status = 'attaching';
      later(volumeId, volume, () => {
        volume.status = 'in-use';
        volume.attachments.push({
          id: volumeId,
          attachment_id: newId(),
          volume_id: volumeId,
          server_id: serverId,
          host_name: null,
          device,
          attached_at: now(),
        });
      });
      return { id: volumeId, volumeId, serverId, device };
    },
    async listVolumeAttachments(serverId) {
      if (!state.servers.has(serverId)) throw new NotFoundError(`Instance ${serverId} could not be found.`);
      return [...state.volumes.values()]
        .filter((v) => v.attachments.some((a) => a.server_id === serverId))
        .map((v) => ({ id: v.id, volumeId: v.id, serverId, device: v.attachments.find((a) => a.server_id === serverId)?.device ?? null }));
    },
    async getVolumeAttachment(serverId, volumeId) {
      const attachment = (await compute.listVolumeAttachments(serverId)).find((a) => a.volumeId === volumeId);
      if (!attachment) throw new NotFoundError(`volume ${volumeId} is not attached to ${serverId}`);
      return attachment;
    },
    async detachVolume(serverId, volumeId) {
      record(`detachVolume ${serverId} ${volumeId}`);
      const volume = state.volumes.get(volumeId);
      if (!volume || !volume.attachments.some((a) => a.server_id === serverId)) throw new NotFoundError('not attached');
      volume.status = 'detaching';
      later(volumeId, volume, () => {
        volume.attachments = volume.attachments.filter((a) => a.server_id !== serverId);
        volume.status = volume.attachments.length > 0 ? 'in-use' : 'available';
      });
    },
  };

  const cloud: CinderCloud = {
    name,
    projectId: async () => 'project-1',
    blockStorage,
    compute,
  };
  return { cloud, state };
}

export function addServer(state: FakeCloudState, id: string, maxVolumes?: number): void {
  state.servers.set(id, { id, name: id, status: 'ACTIVE', 'OS-EXT-AZ:availability_zone': 'nova', maxVolumes });
}
