/**
 * CSI snapshots are Cinder snapshots or, with VolumeSnapshotClass `type: backup`, Cinder backups (one ID
 * space, as in CPO). CreateSnapshot returns as soon as the snapshot is cut, with `ready_to_use` telling
 * the truth; the snapshotter calls again (idempotent by name) until it is ready.
 */
import { aborted, alreadyExists, deadlineExceeded, failedPrecondition, internal, invalidArgument, notFound } from '../../csi/errors';
import type {
  CreateSnapshotRequest,
  CreateSnapshotResponse,
  DeleteSnapshotRequest,
  DeleteSnapshotResponse,
  GetSnapshotRequest,
  GetSnapshotResponse,
  ListSnapshotsEntry,
  ListSnapshotsRequest,
  ListSnapshotsResponse,
  Snapshot,
} from '../../csi/types';
import type { Backup, Page, Snapshot as CinderSnapshot } from '../../openstack/api';
import type { CinderCloud } from './clouds';
import { BadRequestError, ResourceErrorStateError } from '../../openstack/errors';
import { BACKUP_DURATION_BASE_SECONDS, METADATA_CLUSTER, SNAPSHOT_DESCRIPTION } from '../constants';
import { goneIsSuccess, isGone, mapErrors } from '../../driver-kit/openstack-errors';
import { unknownKeysFor, type ControllerContext, type RequestScope } from './context';
import { snapshotFromBackup, snapshotFromCinder } from './convert';
import { decodeSnapshotToken, encodeSnapshotToken, type SnapshotListPosition } from './pagination';
import { parseSnapshotParameters, type SnapshotParameters } from './parameters';
import { getVolumeOrNotFound } from './volume-lookup';

const GONE_STATUSES = ['deleting'];

export async function createSnapshot(
  ctx: ControllerContext,
  req: CreateSnapshotRequest,
  scope: RequestScope,
): Promise<CreateSnapshotResponse> {
  const name = req.name;
  if (!name) throw invalidArgument('name is required');
  const sourceVolumeId = req.source_volume_id;
  if (!sourceVolumeId) throw invalidArgument('source_volume_id is required');
  const params = parseSnapshotParameters(req.parameters, unknownKeysFor(ctx, scope.logger));
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const operation = `create ${params.kind} "${name}" of volume ${sourceVolumeId}`;
  return mapErrors({ operation, badRequest: 'failed-precondition', waitingFor: `snapshot "${name}" to become available` }, async () => {
    const metadata = { ...params.metadata, [METADATA_CLUSTER]: ctx.clusterId };
    const snapshot =
      params.kind === 'snapshot'
        ? await createCinderSnapshot(cloud, name, sourceVolumeId, params, metadata, scope)
        : await createBackup(ctx, cloud, name, sourceVolumeId, params, metadata, scope);
    return { snapshot };
  });
}

async function findSnapshotByName(cloud: CinderCloud, name: string): Promise<CinderSnapshot | undefined> {
  const page = await cloud.blockStorage.listSnapshots({ name, allPages: true });
  return page.items.find((snapshot) => snapshot.name === name && !GONE_STATUSES.includes(snapshot.status));
}

async function findBackupByName(cloud: CinderCloud, name: string): Promise<Backup | undefined> {
  const page = await cloud.blockStorage.listBackups({ name, allPages: true });
  return page.items.find((backup) => backup.name === name && !GONE_STATUSES.includes(backup.status));
}

function assertSameSource(kind: string, name: string, id: string, existingVolumeId: string, requestedVolumeId: string): void {
  if (existingVolumeId !== requestedVolumeId) {
    throw alreadyExists(`${kind} "${name}" already exists (${id}) for volume ${existingVolumeId}, not volume ${requestedVolumeId}`);
  }
}

/** The Cinder snapshot behind a CSI snapshot, or the first step of a backup. */
function requestCinderSnapshot(
  cloud: CinderCloud,
  name: string,
  sourceVolumeId: string,
  params: SnapshotParameters,
  metadata: Record<string, string>,
): Promise<CinderSnapshot> {
  return cloud.blockStorage.createSnapshot({ volumeId: sourceVolumeId, name, description: SNAPSHOT_DESCRIPTION, force: params.force, metadata });
}

/**
 * An earlier attempt under this name ended in `error`: delete it so the snapshotter's next retry
 * starts afresh, and fail this call with Cinder's reason.
 */
async function discardFailedAttempt(
  kind: 'snapshot' | 'backup',
  id: string,
  reason: string | null | undefined,
  remove: () => Promise<unknown>,
  scope: RequestScope,
): Promise<never> {
  await quietly(remove, scope, `delete failed ${kind}`);
  throw internal(`Cinder failed to create ${kind} ${id} (status "error")${reason ? `: ${reason}` : ''}; it was deleted, a retry creates a new one`);
}

async function createCinderSnapshot(
  cloud: CinderCloud,
  name: string,
  sourceVolumeId: string,
  params: SnapshotParameters,
  metadata: Record<string, string>,
  scope: RequestScope,
): Promise<Snapshot> {
  const existing = await findSnapshotByName(cloud, name);
  if (existing) {
    assertSameSource('snapshot', name, existing.id, existing.volume_id, sourceVolumeId);
    if (existing.status === 'error') {
      return discardFailedAttempt('snapshot', existing.id, '', () => cloud.blockStorage.deleteSnapshot(existing.id), scope);
    }
    return snapshotFromCinder(existing);
  }
  await getVolumeOrNotFound(cloud, sourceVolumeId, 'source volume');
  const created = await requestCinderSnapshot(cloud, name, sourceVolumeId, params, metadata);
  scope.logger.info('snapshot created', { snapshotId: created.id, name, status: created.status });
  return snapshotFromCinder(created);
}

/** CPO's backup flow: snapshot → backup of that snapshot → (once the backup is ready) drop the snapshot. */
async function createBackup(
  ctx: ControllerContext,
  cloud: CinderCloud,
  name: string,
  sourceVolumeId: string,
  params: SnapshotParameters,
  metadata: Record<string, string>,
  scope: RequestScope,
): Promise<Snapshot> {
  const existing = await findBackupByName(cloud, name);
  if (existing) {
    assertSameSource('backup', name, existing.id, existing.volume_id, sourceVolumeId);
    if (existing.status === 'error') {
      return discardFailedAttempt('backup', existing.id, existing.fail_reason, () => cloud.blockStorage.deleteBackup(existing.id), scope);
    }
    if (existing.status === 'available') {
      await removeIntermediateSnapshot(cloud, name, sourceVolumeId, scope);
    } else {
      const budgetSeconds = params.backupMaxDurationSecondsPerGiB * existing.size + BACKUP_DURATION_BASE_SECONDS;
      const elapsedSeconds = (Date.now() - Date.parse(zoned(existing.created_at))) / 1000;
      if (elapsedSeconds > budgetSeconds) {
        throw deadlineExceeded(
          `backup ${existing.id} is still "${existing.status}" after ${Math.round(elapsedSeconds)} s, more than its budget of ` +
            `${budgetSeconds} s (backup-max-duration-seconds-per-gb ${params.backupMaxDurationSecondsPerGiB} × ${existing.size} GiB + ${BACKUP_DURATION_BASE_SECONDS} s)`,
        );
      }
    }
    return snapshotFromBackup(existing);
  }
  await getVolumeOrNotFound(cloud, sourceVolumeId, 'source volume');
  let snapshot = await findSnapshotByName(cloud, name);
  if (snapshot) assertSameSource('snapshot', name, snapshot.id, snapshot.volume_id, sourceVolumeId);
  snapshot ??= await requestCinderSnapshot(cloud, name, sourceVolumeId, params, metadata);
  if (snapshot.status !== 'available') {
    try {
      snapshot = await cloud.blockStorage.waitForSnapshot(snapshot.id, ['available'], {
        schedule: ctx.waits.snapshotReady,
        errorStatuses: ['error'],
      });
    } catch (error) {
      if (error instanceof ResourceErrorStateError) {
        const failedId = snapshot.id;
        await quietly(() => cloud.blockStorage.deleteSnapshot(failedId), scope, 'delete failed snapshot');
      }
      throw error;
    }
  }
  const backup = await cloud.blockStorage.createBackup({
    volumeId: sourceVolumeId,
    snapshotId: snapshot.id,
    name,
    description: SNAPSHOT_DESCRIPTION,
    availabilityZone: params.availability,
    metadata,
    force: params.force,
  });
  scope.logger.info('backup created', { backupId: backup.id, name, fromSnapshot: snapshot.id, status: backup.status });
  return snapshotFromBackup(backup);
}

function zoned(isoTime: string): string {
  return /[zZ]|[+-]\d\d:?\d\d$/.test(isoTime) ? isoTime : `${isoTime}Z`;
}

async function removeIntermediateSnapshot(cloud: CinderCloud, name: string, volumeId: string, scope: RequestScope): Promise<void> {
  const intermediate = await findSnapshotByName(cloud, name);
  if (intermediate && intermediate.volume_id === volumeId && intermediate.status === 'available') {
    await quietly(() => cloud.blockStorage.deleteSnapshot(intermediate.id), scope, 'delete the intermediate snapshot of a backup');
  }
}

async function quietly(work: () => Promise<unknown>, scope: RequestScope, what: string): Promise<void> {
  try {
    await goneIsSuccess(work);
  } catch (error) {
    scope.logger.warn(`could not ${what}`, { error });
  }
}

type Found = { kind: 'snapshot'; snapshot: CinderSnapshot } | { kind: 'backup'; backup: Backup };

async function findById(cloud: CinderCloud, id: string): Promise<Found | undefined> {
  const snapshot = await goneIsSuccess(() => cloud.blockStorage.getSnapshot(id));
  if (snapshot) return { kind: 'snapshot', snapshot };
  const backup = await goneIsSuccess(() => cloud.blockStorage.getBackup(id));
  return backup ? { kind: 'backup', backup } : undefined;
}

function csiSnapshotOf(found: Found): Snapshot {
  return found.kind === 'snapshot' ? snapshotFromCinder(found.snapshot) : snapshotFromBackup(found.backup);
}

export async function deleteSnapshot(
  ctx: ControllerContext,
  req: DeleteSnapshotRequest,
  scope: RequestScope,
): Promise<DeleteSnapshotResponse> {
  const id = req.snapshot_id;
  if (!id) throw invalidArgument('snapshot_id is required');
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const waitingFor = `snapshot ${id} to be deleted`;
  return mapErrors({ operation: `delete snapshot ${id}`, badRequest: 'failed-precondition', waitingFor }, async () => {
    const found = await findById(cloud, id);
    if (!found) return {};
    const deleted = await goneIsSuccess(async () => {
      if (found.kind === 'snapshot') {
        const groupSnapshotId = found.snapshot.group_snapshot_id;
        if (groupSnapshotId) {
          throw failedPrecondition(`snapshot ${id} belongs to group snapshot ${groupSnapshotId}; delete the group snapshot instead`);
        }
        if (found.snapshot.status === 'creating') {
          // Cinder refuses to delete a snapshot that is still being cut (400); CreateSnapshot returns before
          // it is ready, so a delete right after it must wait for the cut to end rather than fail.
          await cloud.blockStorage.waitForSnapshot(id, ['available', 'error'], { schedule: ctx.waits.snapshotReady, errorStatuses: [] });
        }
        if (found.snapshot.status !== 'deleting') await cloud.blockStorage.deleteSnapshot(id);
        await cloud.blockStorage.waitForSnapshot(id, [], { gone: true, schedule: ctx.waits.snapshotReady, errorStatuses: ['error_deleting'] });
      } else {
        if (found.backup.status !== 'deleting') await cloud.blockStorage.deleteBackup(id);
        if (found.backup.name) await removeIntermediateSnapshot(cloud, found.backup.name, found.backup.volume_id, scope);
        await cloud.blockStorage.waitForBackup(id, [], { gone: true, schedule: ctx.waits.snapshotReady, errorStatuses: ['error_deleting'] });
      }
      return true;
    });
    // Gone before the delete finished is what was asked for (DeleteSnapshot is idempotent).
    if (deleted) scope.logger.info(`${found.kind} deleted`, { id });
    return {};
  });
}

export async function getSnapshot(ctx: ControllerContext, req: GetSnapshotRequest): Promise<GetSnapshotResponse> {
  const id = req.snapshot_id;
  if (!id) throw invalidArgument('snapshot_id is required');
  const cloud = ctx.clouds.forSecrets(req.secrets);
  return mapErrors({ operation: `get snapshot ${id}` }, async () => {
    const found = await findById(cloud, id);
    if (!found) throw notFound(`snapshot ${id} does not exist (neither a Cinder snapshot nor a backup)`);
    return { snapshot: csiSnapshotOf(found) };
  });
}

async function listPhase(
  cloud: CinderCloud,
  position: SnapshotListPosition,
  range: { marker?: string; limit?: number; allPages?: boolean },
  volumeId: string | undefined,
  startingToken: string,
): Promise<Page<CinderSnapshot | Backup>> {
  try {
    return position.phase === 'snapshots'
      ? await cloud.blockStorage.listSnapshots({ ...range, volumeId })
      : await cloud.blockStorage.listBackups({ ...range, volumeId });
  } catch (error) {
    // A marker Cinder no longer knows (deleted meanwhile) cannot be resumed from.
    if (range.marker && (isGone(error) || error instanceof BadRequestError)) {
      throw aborted(`starting_token "${startingToken}" is no longer valid: ${error.message}`, error);
    }
    throw error;
  }
}

export async function listSnapshots(ctx: ControllerContext, req: ListSnapshotsRequest): Promise<ListSnapshotsResponse> {
  const maxEntries = req.max_entries ?? 0;
  if (maxEntries < 0) throw invalidArgument(`max_entries must not be negative (got ${maxEntries})`);
  const cloud = ctx.clouds.forSecrets(req.secrets);
  return mapErrors({ operation: 'list snapshots' }, async () => {
    if (req.snapshot_id) {
      const found = await findById(cloud, req.snapshot_id);
      const matches = found && (!req.source_volume_id || csiSnapshotOf(found).source_volume_id === req.source_volume_id);
      return { entries: matches ? [{ snapshot: csiSnapshotOf(found) }] : [], next_token: '' };
    }
    const volumeId = req.source_volume_id || undefined;
    let position: SnapshotListPosition = req.starting_token ? decodeSnapshotToken(req.starting_token) : { phase: 'snapshots' };
    const entries: ListSnapshotsEntry[] = [];
    for (;;) {
      const remaining = maxEntries === 0 ? undefined : maxEntries - entries.length;
      const range = remaining === undefined ? { marker: position.marker, allPages: true } : { marker: position.marker, limit: remaining };
      const page = await listPhase(cloud, position, range, volumeId, req.starting_token);
      for (const item of page.items) {
        if (volumeId && item.volume_id !== volumeId) continue;
        entries.push({
          snapshot: position.phase === 'snapshots' ? snapshotFromCinder(item as CinderSnapshot) : snapshotFromBackup(item as Backup),
        });
      }
      const full = remaining !== undefined && entries.length >= maxEntries;
      if (page.nextMarker && full) {
        return { entries, next_token: encodeSnapshotToken({ phase: position.phase, marker: page.nextMarker }) };
      }
      if (page.nextMarker && !full && remaining !== undefined) {
        position = { phase: position.phase, marker: page.nextMarker };
        continue;
      }
      if (position.phase === 'backups') return { entries, next_token: '' };
      position = { phase: 'backups' };
      if (full) return { entries, next_token: encodeSnapshotToken(position) };
    }
  });
}
