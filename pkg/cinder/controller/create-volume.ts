/**
 * CreateVolume: validate everything first, find an earlier attempt by name, create (from a snapshot,
 * backup or volume when asked), then wait until Cinder reports the volume `available`, so the CO never
 * gets a volume that later turns out to be in `error`.
 * Which volume stands for a name (one per name, no name blocked forever) is `volumes-by-name.ts`.
 */
import { alreadyExists, failedPrecondition, internal, invalidArgument, resourceExhausted, unavailable } from '../../csi/errors';
import type { CreateVolumeRequest, CreateVolumeResponse, VolumeContentSource } from '../../csi/types';
import type { CreateVolumeOptions, Snapshot as CinderSnapshot, Volume } from '../../openstack/api';
import type { CinderCloud } from './clouds';
import { BadRequestError, ResourceErrorStateError, WaitTimeoutError } from '../../openstack/errors';
import {
  CONTEXT_RESIZE_REQUIRED,
  EXTRA_SPEC_MULTIATTACH,
  METADATA_CLUSTER,
  PVC_ANNOTATION_AFFINITY,
  PVC_ANNOTATION_ANTI_AFFINITY,
  VOLUME_DESCRIPTION,
} from '../constants';
import { goneIsError, goneIsNotFound, goneIsSuccess, mapErrors, toCsiError } from '../../driver-kit/openstack-errors';
import { assertCapabilities, isMultiattachSpec, needsMultiattach } from './access-modes';
import { gibToBytes, sizeGiBFromRange } from '../../driver-kit/gib';
import { unknownKeysFor, type ControllerContext, type RequestScope } from './context';
import { parseMutableParameters, parseVolumeParameters, type VolumeParameters } from './parameters';
import { accessibleTopologyFor, cinderZoneForTopology, zoneFromTopology } from './topology';
import { getVolumeOrNotFound } from './volume-lookup';
import { findByName, settleOnOneVolume, tryDelete } from './volumes-by-name';

/** What the new volume is made from. */
type Source =
  | { kind: 'none' }
  | { kind: 'snapshot'; id: string; sizeGiB: number }
  | { kind: 'backup'; id: string; sizeGiB: number }
  | { kind: 'volume'; id: string; sizeGiB: number };

export async function createVolume(
  ctx: ControllerContext,
  req: CreateVolumeRequest,
  scope: RequestScope,
): Promise<CreateVolumeResponse> {
  const name = req.name;
  if (!name) throw invalidArgument('name is required');
  assertCapabilities(req.volume_capabilities, undefined);
  const params = withMutableParameters(parseVolumeParameters(req.parameters, unknownKeysFor(ctx, scope.logger)), req.mutable_parameters);
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const operation = `create volume "${name}"`;

  return mapErrors({ operation }, async () => {
    if (req.volume_capabilities.some(needsMultiattach)) await assertMultiattachType(cloud, params.volumeType);
    const source = await resolveSource(ctx, cloud, req.volume_content_source);
    const sizeGiB = sizeGiBFromRange(req.capacity_range, source.kind === 'none' ? undefined : source.sizeGiB);
    const availabilityZone = await chooseZone(ctx, cloud, params, req, source);

    let volume = await findByName(ctx, cloud, name, scope);
    if (volume) assertCompatible(volume, name, sizeGiB, source);
    const createdHere = !volume;
    if (!volume) {
      const options: CreateVolumeOptions = {
        size: sizeGiB,
        name,
        description: VOLUME_DESCRIPTION,
        volumeType: params.volumeType,
        availabilityZone,
        metadata: { ...params.metadata, [METADATA_CLUSTER]: ctx.clusterId },
        snapshotId: source.kind === 'snapshot' ? source.id : undefined,
        backupId: source.kind === 'backup' ? source.id : undefined,
        sourceVolumeId: source.kind === 'volume' ? source.id : undefined,
        schedulerHints: await schedulerHints(ctx, cloud, params, scope),
      };
      // The source was checked above, so a 404 here is the StorageClass naming a volume type Cinder lacks.
      volume = await goneIsError(
        () => createInTopologyZone(cloud, options, !params.availability, operation),
        (gone) => invalidArgument(`${operation}: ${gone.message}`, gone),
      );
      scope.logger.info('volume created, waiting for it to become available', { volumeId: volume.id, name, sizeGiB });
    }
    let ready = await waitAvailable(ctx, cloud, volume, operation, scope);
    if (createdHere) {
      const kept = await settleOnOneVolume(ctx, cloud, name, ready, scope);
      if (kept.id !== ready.id) ready = await waitAvailable(ctx, cloud, kept, operation, scope);
    }
    assertCompatible(ready, name, sizeGiB, source);
    return {
      volume: {
        volume_id: ready.id,
        capacity_bytes: gibToBytes(ready.size),
        volume_context: volumeContext(source),
        content_source: contentSourceOf(source),
        accessible_topology: accessibleTopologyFor(ready.availability_zone, req.accessibility_requirements, ctx),
      },
    };
  });
}

async function assertMultiattachType(cloud: CinderCloud, volumeType: string | undefined): Promise<void> {
  const mode = 'MULTI_NODE_MULTI_WRITER';
  if (!volumeType) {
    throw invalidArgument(`${mode} needs the StorageClass parameter "type" naming a multi-attach volume type`);
  }
  const type = await goneIsError(
    () => cloud.blockStorage.getVolumeType(volumeType),
    () => invalidArgument(`volume type "${volumeType}" does not exist`),
  );
  const spec = type.extra_specs?.[EXTRA_SPEC_MULTIATTACH];
  if (!isMultiattachSpec(spec)) {
    throw invalidArgument(
      `${mode} needs a multi-attach volume type; volume type "${volumeType}" does not have extra spec ${EXTRA_SPEC_MULTIATTACH}="<is> True"`,
    );
  }
}

/**
 * A snapshot still `creating` is usually moments from ready (a restore right after a snapshot is the
 * common case): wait for it like CPO's backup flow does, and only then tell the CO to come back later.
 */
async function usableSnapshot(ctx: ControllerContext, cloud: CinderCloud, snapshot: CinderSnapshot): Promise<CinderSnapshot> {
  if (snapshot.status === 'available') return snapshot;
  if (snapshot.status !== 'creating') {
    throw failedPrecondition(`snapshot ${snapshot.id} is "${snapshot.status}"; a volume can only be restored from an available snapshot`);
  }
  try {
    return await cloud.blockStorage.waitForSnapshot(snapshot.id, ['available'], { schedule: ctx.waits.snapshotReady, errorStatuses: ['error'] });
  } catch (error) {
    if (error instanceof WaitTimeoutError) {
      throw unavailable(`snapshot ${snapshot.id} is still "${error.lastStatus ?? 'creating'}"; a volume can be restored from it once it is available`, error);
    }
    if (error instanceof ResourceErrorStateError) {
      throw failedPrecondition(`snapshot ${snapshot.id} went to status "${error.resourceStatus}"${error.fault ? `: ${error.fault}` : ''}`, error);
    }
    throw error;
  }
}

async function resolveSource(
  ctx: ControllerContext,
  cloud: CinderCloud,
  contentSource: CreateVolumeRequest['volume_content_source'],
): Promise<Source> {
  if (!contentSource?.type) return { kind: 'none' };
  if (contentSource.type === 'volume') {
    const id = contentSource.volume?.volume_id;
    if (!id) throw invalidArgument('volume_content_source.volume.volume_id is required');
    const volume = await getVolumeOrNotFound(cloud, id, 'source volume');
    if (volume.status !== 'available' && volume.status !== 'in-use') {
      throw unavailable(`source volume ${id} is "${volume.status}"; it can be cloned once it is available or in-use`);
    }
    return { kind: 'volume', id, sizeGiB: volume.size };
  }
  const id = contentSource.snapshot?.snapshot_id;
  if (!id) throw invalidArgument('volume_content_source.snapshot.snapshot_id is required');
  // Cinder snapshots and backups share one CSI snapshot ID space (CPO's VolumeSnapshotClass type=backup).
  const snapshot = await goneIsSuccess(async () => usableSnapshot(ctx, cloud, await cloud.blockStorage.getSnapshot(id)));
  if (snapshot) return { kind: 'snapshot', id, sizeGiB: snapshot.size };
  const backup = await goneIsNotFound(
    () => cloud.blockStorage.getBackup(id),
    `snapshot ${id} does not exist (neither a Cinder snapshot nor a backup)`,
  );
  if (backup.status !== 'available') {
    throw unavailable(`backup ${id} is "${backup.status}"; a volume can be restored from it once it is available`);
  }
  return { kind: 'backup', id, sizeGiB: backup.size };
}

function volumeContext(source: Source): Record<string, string> {
  // The new volume may be larger than its source: NodeStage must grow the copied filesystem.
  return source.kind === 'none' ? {} : { [CONTEXT_RESIZE_REQUIRED]: 'true' };
}

function contentSourceOf(source: Source): VolumeContentSource | undefined {
  switch (source.kind) {
    case 'none':
      return undefined;
    case 'volume':
      return { volume: { volume_id: source.id } };
    default:
      return { snapshot: { snapshot_id: source.id } };
  }
}

async function chooseZone(
  ctx: ControllerContext,
  cloud: CinderCloud,
  params: VolumeParameters,
  req: CreateVolumeRequest,
  source: Source,
): Promise<string | undefined> {
  if (params.availability) return params.availability;
  // Cinder places a clone or restored snapshot in its source's zone and refuses any other.
  if (!ctx.withTopology || source.kind === 'snapshot' || source.kind === 'volume') return undefined;
  const fromTopology = zoneFromTopology(req.accessibility_requirements)?.zone;
  if (!fromTopology || !ctx.ignoreVolumeAZ) return fromTopology;
  // With ignore-volume-az the node zones are Nova's and may not exist in Cinder: only pass a zone
  // Cinder knows, otherwise let Cinder choose (CPO would fail the create with "invalid AZ").
  return cinderZoneForTopology(fromTopology, () => cloud.blockStorage.listAvailabilityZones(), { onlyKnown: true });
}

/**
 * Creates the volume; when the zone came from topology and Cinder refuses it, the topology label may be
 * the sanitised form of a real zone name (nodes advertise `az-1` for Cinder's `az 1`), so the zones are
 * looked up only then and the create is repeated with the real name. A 400 created nothing, so the
 * second POST cannot duplicate a volume.
 */
async function createInTopologyZone(
  cloud: CinderCloud,
  options: CreateVolumeOptions,
  zoneFromTopology: boolean,
  operation: string,
): Promise<Volume> {
  try {
    return await cloud.blockStorage.createVolume(options);
  } catch (error) {
    const label = options.availabilityZone;
    if (!(error instanceof BadRequestError) || !label || !zoneFromTopology) throw error;
    const realZone = await cinderZoneForTopology(label, () => cloud.blockStorage.listAvailabilityZones(), { onlyKnown: true });
    if (realZone === undefined) {
      // CSI "Unable to provision in accessible_topology".
      throw resourceExhausted(
        `${operation}: Cinder has no availability zone "${label}", which the accessibility requirements ask for`,
        error,
      );
    }
    if (realZone === label) throw error;
    return cloud.blockStorage.createVolume({ ...options, availabilityZone: realZone });
  }
}

/**
 * A VolumeAttributesClass given at creation (`mutable_parameters`): the keys ControllerModifyVolume
 * accepts, parsed the same way, applied from the start (its volume type wins over the StorageClass's).
 */
function withMutableParameters(params: VolumeParameters, mutable: Record<string, string> | null | undefined): VolumeParameters {
  if (!mutable || Object.keys(mutable).length === 0) return params;
  return { ...params, volumeType: parseMutableParameters(mutable).volumeType };
}

function assertCompatible(volume: Volume, name: string, sizeGiB: number, source: Source): void {
  if (volume.size !== sizeGiB) {
    throw alreadyExists(`volume "${name}" already exists (${volume.id}) with ${volume.size} GiB, not the requested ${sizeGiB} GiB`);
  }
  const existingSource =
    (volume.snapshot_id && `snapshot ${volume.snapshot_id}`) ||
    (volume.backup_id && `snapshot ${volume.backup_id}`) ||
    (volume.source_volid && `volume ${volume.source_volid}`) ||
    'no source';
  const requestedSource = source.kind === 'none' ? 'no source' : `${source.kind === 'volume' ? 'volume' : 'snapshot'} ${source.id}`;
  // Backup restores are not always reported back in backup_id; only a contradiction counts.
  const contradicts =
    (source.kind === 'none' && (volume.snapshot_id || volume.source_volid)) ||
    (source.kind === 'snapshot' && volume.snapshot_id !== source.id) ||
    (source.kind === 'volume' && volume.source_volid !== source.id) ||
    (source.kind === 'backup' && (volume.snapshot_id || volume.source_volid));
  if (contradicts) {
    throw alreadyExists(`volume "${name}" already exists (${volume.id}) from ${existingSource}, not from ${requestedSource}`);
  }
}

async function waitAvailable(
  ctx: ControllerContext,
  cloud: CinderCloud,
  volume: Volume,
  operation: string,
  scope: RequestScope,
): Promise<Volume> {
  if (volume.status === 'available') return volume;
  try {
    return await cloud.blockStorage.waitForVolume(volume.id, ['available'], {
      schedule: ctx.waits.volumeCreate,
      errorStatuses: ['error'],
      // Creates of one type from one kind of source take alike (learned waiting).
      paceKey: `${volume.volume_type ?? ''}:${volume.snapshot_id ? 'snapshot' : volume.source_volid ? 'clone' : volume.backup_id ? 'backup' : 'blank'}`,
    });
  } catch (error) {
    if (error instanceof ResourceErrorStateError) {
      // A volume in `error` is useless; remove it so a retry starts clean, and say whether that worked.
      const failure = await tryDelete(cloud, volume.id, scope);
      const fault = error.fault ? `: ${error.fault}` : ' (Cinder gave no fault message)';
      let cleanup = 'its deletion was requested; a retry creates a new volume';
      if (failure === undefined) {
        ctx.abandoned.watchDelete(cloud, volume, 'failed-create', 'failed create whose cleanup delete Cinder failed');
      } else {
        const failed = { ...volume, status: error.resourceStatus };
        await ctx.abandoned.abandon(cloud, failed, 'failed-create', 'failed create whose cleanup delete failed', scope.logger);
        cleanup = `deleting it failed too (${failure instanceof Error ? failure.message : String(failure)}), so the controller retries the delete in the background; a retry creates a new volume`;
      }
      throw internal(`Cinder failed to create volume ${volume.id} (status "${error.resourceStatus}")${fault}; ${cleanup}`, error);
    }
    throw toCsiError(error, { operation, waitingFor: `volume ${volume.id} to become available` });
  }
}

async function schedulerHints(
  ctx: ControllerContext,
  cloud: CinderCloud,
  params: VolumeParameters,
  scope: RequestScope,
): Promise<Record<string, string[]> | undefined> {
  if (!ctx.pvcAnnotations || !ctx.pvcAnnotationReader || !params.pvc) return undefined;
  const annotations = await ctx.pvcAnnotationReader(params.pvc.namespace, params.pvc.name);
  const hints: Record<string, string[]> = {};
  for (const [annotation, hint] of [
    [PVC_ANNOTATION_AFFINITY, 'same_host'],
    [PVC_ANNOTATION_ANTI_AFFINITY, 'different_host'],
  ] as const) {
    const references = (annotations[annotation] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (references.length === 0) continue;
    hints[hint] = await Promise.all(references.map((reference) => resolveVolumeReference(cloud, reference, annotation)));
  }
  scope.logger.debug(4, 'scheduler hints from PVC annotations', { pvc: params.pvc, hints });
  return Object.keys(hints).length > 0 ? hints : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function resolveVolumeReference(cloud: CinderCloud, reference: string, annotation: string): Promise<string> {
  if (UUID.test(reference)) return reference;
  const page = await cloud.blockStorage.listVolumes({ name: reference, allPages: true });
  const match = page.items.find((volume) => volume.name === reference);
  if (!match) throw invalidArgument(`PVC annotation ${annotation} names volume "${reference}", which does not exist`);
  return match.id;
}
