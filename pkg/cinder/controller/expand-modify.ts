/**
 * ControllerExpandVolume (`os-extend`, online with microversion 3.42) and ControllerModifyVolume
 * (`os-retype`, migrating when the backend requires it); both wait until Cinder reports the change.
 */
import { failedPrecondition, invalidArgument, outOfRange } from '../../csi/errors';
import type {
  ControllerExpandVolumeRequest,
  ControllerExpandVolumeResponse,
  ControllerModifyVolumeRequest,
  ControllerModifyVolumeResponse,
} from '../../csi/types';
import { goneIsError, mapErrors } from '../../driver-kit/openstack-errors';
import { accessTypeOf } from './access-modes';
import { gibToBytes, limitBytes, sizeGiBFromRange } from '../../driver-kit/gib';
import type { ControllerContext, RequestScope } from './context';
import { parseMutableParameters } from './parameters';
import { getVolumeOrNotFound } from './volume-lookup';

const STABLE_STATUSES = ['available', 'in-use'];
const EXTEND_ERROR_STATUSES = ['error', 'error_extending', 'error_deleting'];

export async function controllerExpandVolume(
  ctx: ControllerContext,
  req: ControllerExpandVolumeRequest,
  scope: RequestScope,
): Promise<ControllerExpandVolumeResponse> {
  const volumeId = req.volume_id;
  if (!volumeId) throw invalidArgument('volume_id is required');
  if (!req.capacity_range) throw invalidArgument('capacity_range is required');
  const sizeGiB = sizeGiBFromRange(req.capacity_range);
  // A raw block volume has no filesystem for the node to grow.
  const nodeExpansionRequired = !req.volume_capability || accessTypeOf(req.volume_capability) !== 'block';
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const operation = `expand volume ${volumeId} to ${sizeGiB} GiB`;
  const waitingFor = `volume ${volumeId} to reach ${sizeGiB} GiB`;
  return mapErrors({ operation, badRequest: 'failed-precondition', waitingFor }, async () => {
    let volume = await getVolumeOrNotFound(cloud, volumeId);
    if (volume.size >= sizeGiB) {
      const limit = limitBytes(req.capacity_range);
      // Cinder cannot shrink: a volume already past limit_bytes cannot be brought inside the range.
      if (limit > 0n && BigInt(gibToBytes(volume.size)) > limit) {
        throw outOfRange(`volume ${volumeId} is already ${volume.size} GiB, more than limit_bytes=${limit}; Cinder volumes cannot shrink`);
      }
      return { capacity_bytes: gibToBytes(volume.size), node_expansion_required: nodeExpansionRequired };
    }
    if (volume.status !== 'extending') {
      if (!STABLE_STATUSES.includes(volume.status)) {
        throw failedPrecondition(`volume ${volumeId} is "${volume.status}"; it can be expanded when available or in-use`);
      }
      await cloud.blockStorage.extendVolume(volumeId, sizeGiB, volume.status === 'in-use');
      scope.logger.info('extend requested', { volumeId, sizeGiB, online: volume.status === 'in-use' });
    }
    volume = await cloud.blockStorage.waitForVolume(volumeId, STABLE_STATUSES, {
      schedule: ctx.waits.volumeStatus,
      errorStatuses: EXTEND_ERROR_STATUSES,
      until: (current) => current.size >= sizeGiB,
      paceKey: 'extend', // a detach waits for the same statuses at another pace
    });
    return { capacity_bytes: gibToBytes(volume.size), node_expansion_required: nodeExpansionRequired };
  });
}

export async function controllerModifyVolume(
  ctx: ControllerContext,
  req: ControllerModifyVolumeRequest,
  scope: RequestScope,
): Promise<ControllerModifyVolumeResponse> {
  const volumeId = req.volume_id;
  if (!volumeId) throw invalidArgument('volume_id is required');
  const { volumeType } = parseMutableParameters(req.mutable_parameters);
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const operation = `change volume ${volumeId} to type "${volumeType}"`;
  const waitingFor = `volume ${volumeId} to finish retyping to "${volumeType}"`;
  return mapErrors({ operation, badRequest: 'invalid-argument', waitingFor }, async () => {
    const volume = await getVolumeOrNotFound(cloud, volumeId);
    const { name: typeName } = await goneIsError(
      () => cloud.blockStorage.getVolumeType(volumeType),
      () => invalidArgument(`volume type "${volumeType}" does not exist`),
    );
    if (volume.volume_type === typeName) return {};
    if (volume.status !== 'retyping') {
      if (!STABLE_STATUSES.includes(volume.status)) {
        throw failedPrecondition(`volume ${volumeId} is "${volume.status}"; it can be retyped when available or in-use`);
      }
      await cloud.blockStorage.retypeVolume(volumeId, typeName, 'on-demand');
      scope.logger.info('retype requested', { volumeId, from: volume.volume_type, to: typeName });
    }
    await cloud.blockStorage.waitForVolume(volumeId, STABLE_STATUSES, {
      schedule: ctx.waits.volumeStatus,
      errorStatuses: ['error'],
      until: (current) => current.volume_type === typeName,
      paceKey: `retype:${typeName}`, // a retype may migrate the data: its own pace per target type
    });
    return {};
  });
}
