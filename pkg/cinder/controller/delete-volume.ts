/**
 * DeleteVolume: gone is success; refuse with the reason (attachments, snapshots) instead of letting
 * Cinder answer a bare 400; then wait until Cinder has really removed the volume.
 */
import { failedPrecondition, internal, invalidArgument } from '../../csi/errors';
import type { DeleteVolumeRequest, DeleteVolumeResponse } from '../../csi/types';
import type { Volume } from '../../openstack/api';
import type { CinderCloud } from './clouds';
import { ResourceErrorStateError } from '../../openstack/errors';
import { goneIsSuccess, mapErrors } from '../../driver-kit/openstack-errors';
import type { ControllerContext, RequestScope } from './context';
import { getVolumeIfExists } from './volume-lookup';

export async function deleteVolume(
  ctx: ControllerContext,
  req: DeleteVolumeRequest,
  scope: RequestScope,
): Promise<DeleteVolumeResponse> {
  const volumeId = req.volume_id;
  if (!volumeId) throw invalidArgument('volume_id is required');
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const operation = `delete volume ${volumeId}`;
  const waitingFor = `volume ${volumeId} to be deleted`;
  return mapErrors({ operation, badRequest: 'failed-precondition', waitingFor }, async () => {
    const volume = await getVolumeIfExists(cloud, volumeId);
    if (!volume) return {};
    if (volume.status !== 'deleting') {
      await assertDeletable(cloud, volume);
      const accepted = await goneIsSuccess(async () => {
        await cloud.blockStorage.deleteVolume(volumeId);
        return true;
      });
      if (!accepted) return {};
      scope.logger.info('volume deletion accepted', { volumeId });
    }
    try {
      await goneIsSuccess(() =>
        cloud.blockStorage.waitForVolume(volumeId, [], {
          gone: true,
          schedule: ctx.waits.volumeStatus,
          errorStatuses: ['error_deleting'],
        }),
      );
    } catch (error) {
      if (error instanceof ResourceErrorStateError) {
        throw internal(
          `Cinder failed to delete volume ${volumeId} (status "${error.resourceStatus}")${error.fault ? `: ${error.fault}` : ''}; ` +
            `${resetAdvice(volumeId)}`,
          error,
        );
      }
      throw error;
    }
    return {};
  });
}

async function assertDeletable(cloud: CinderCloud, volume: Volume): Promise<void> {
  if (volume.status === 'error_deleting') {
    // Cinder refuses a plain delete here with a bare 400; only an operator can make it deletable again.
    throw failedPrecondition(
      `volume ${volume.id} is "error_deleting": Cinder failed an earlier delete of it and refuses another; ${resetAdvice(volume.id)}`,
    );
  }
  const servers = [...new Set((volume.attachments ?? []).map((attachment) => attachment.server_id))];
  if (servers.length > 0) {
    throw failedPrecondition(`volume ${volume.id} is attached to server${servers.length > 1 ? 's' : ''} ${servers.join(', ')}; detach it first`);
  }
  if (volume.group_id) {
    throw failedPrecondition(`volume ${volume.id} belongs to Cinder group ${volume.group_id}; remove it from the group first`);
  }
  const snapshots = (await cloud.blockStorage.listSnapshots({ volumeId: volume.id, allPages: true })).items.filter(
    (snapshot) => snapshot.volume_id === volume.id,
  );
  if (snapshots.length > 0) {
    throw failedPrecondition(
      `volume ${volume.id} has snapshot${snapshots.length > 1 ? 's' : ''} ${snapshots.map((s) => s.id).join(', ')}; ` +
        'Cinder deletes a volume only after its snapshots are deleted',
    );
  }
}

/** What gets a volume out of `error_deleting`: only an operator can, the CO's retries then delete it. */
function resetAdvice(volumeId: string): string {
  return `an operator must reset it with "openstack volume set --state error ${volumeId}", then the delete is retried`;
}
