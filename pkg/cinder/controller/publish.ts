/**
 * ControllerPublishVolume / ControllerUnpublishVolume: attach and detach through Nova, and wait until
 * Cinder's view of the volume agrees, so the node finds the disk and a detached volume can be reused.
 */
import { failedPrecondition, invalidArgument, notFound, resourceExhausted } from '../../csi/errors';
import type {
  ControllerPublishVolumeRequest,
  ControllerPublishVolumeResponse,
  ControllerUnpublishVolumeRequest,
  ControllerUnpublishVolumeResponse,
} from '../../csi/types';
import type { Cloud, Volume } from '../../openstack/api';
import { ForbiddenError, NotFoundError } from '../../openstack/errors';
import { PUBLISH_CONTEXT_DEVICE_PATH, PUBLISH_CONTEXT_VOLUME_ID } from '../constants';
import { mapErrors } from '../errors';
import { capabilityProblem } from './access-modes';
import type { ControllerContext, RequestScope } from './context';

/** Nova's `TooManyDiskDevices` (403) when `[compute] max_disk_devices_to_attach` is reached. */
const ATTACH_LIMIT_MESSAGE = /maximum (allowed )?number of disk devices|too many disk devices|max_disk_devices/i;

function attachmentOn(volume: Volume, serverId: string) {
  return (volume.attachments ?? []).find((attachment) => attachment.server_id === serverId);
}

function publishContext(volume: Volume, serverId: string, fallbackDevice?: string | null): Record<string, string> {
  const device = attachmentOn(volume, serverId)?.device || fallbackDevice || '';
  return { [PUBLISH_CONTEXT_DEVICE_PATH]: device, [PUBLISH_CONTEXT_VOLUME_ID]: volume.id };
}

export async function controllerPublishVolume(
  ctx: ControllerContext,
  req: ControllerPublishVolumeRequest,
  scope: RequestScope,
): Promise<ControllerPublishVolumeResponse> {
  const volumeId = req.volume_id;
  const serverId = req.node_id;
  if (!volumeId) throw invalidArgument('volume_id is required');
  if (!serverId) throw invalidArgument('node_id is required');
  if (!req.volume_capability) throw invalidArgument('volume_capability is required');
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const operation = `attach volume ${volumeId} to server ${serverId}`;
  const waitingFor = `volume ${volumeId} to show its attachment to server ${serverId}`;

  return mapErrors({ operation, badRequest: 'failed-precondition', waitingFor }, async () => {
    const volume = await getOrNotFound(cloud, volumeId);
    const problem = capabilityProblem(req.volume_capability as NonNullable<typeof req.volume_capability>, volume.multiattach);
    if (problem) throw invalidArgument(`volume ${volumeId}: ${problem}`);
    try {
      await cloud.compute.getServer(serverId);
    } catch (error) {
      if (error instanceof NotFoundError) throw notFound(`node ${serverId} is not a Nova server of this project`);
      throw error;
    }
    if (attachmentOn(volume, serverId)) return { publish_context: publishContext(volume, serverId) };

    // An earlier attempt may have reserved the attachment in Nova without Cinder showing it yet.
    const novaAttachments = await cloud.compute.listVolumeAttachments(serverId);
    let device = novaAttachments.find((attachment) => attachment.volumeId === volumeId)?.device;
    if (device === undefined) {
      const others = (volume.attachments ?? []).map((attachment) => attachment.server_id).filter((id) => id !== serverId);
      if (others.length > 0 && !volume.multiattach) {
        throw failedPrecondition(
          `volume ${volumeId} is attached to server ${[...new Set(others)].join(', ')} and is not multi-attach; ` +
            'detach it there first',
        );
      }
      try {
        device = (await cloud.compute.attachVolume(serverId, volumeId, volume.multiattach)).device;
      } catch (error) {
        if (error instanceof ForbiddenError && ATTACH_LIMIT_MESSAGE.test(error.message)) {
          throw resourceExhausted(`server ${serverId} has reached its volume attachment limit: ${error.message}`, error);
        }
        throw error;
      }
      scope.logger.info('attach requested, waiting for Cinder to show it', { volumeId, serverId, device });
    }
    const attached = await cloud.blockStorage.waitForVolume(volumeId, ['in-use'], {
      schedule: ctx.waits.diskAttached,
      until: (current) => attachmentOn(current, serverId) !== undefined,
    });
    return { publish_context: publishContext(attached, serverId, device) };
  });
}

export async function controllerUnpublishVolume(
  ctx: ControllerContext,
  req: ControllerUnpublishVolumeRequest,
  scope: RequestScope,
): Promise<ControllerUnpublishVolumeResponse> {
  const volumeId = req.volume_id;
  if (!volumeId) throw invalidArgument('volume_id is required');
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const operation = `detach volume ${volumeId}${req.node_id ? ` from server ${req.node_id}` : ''}`;
  const waitingFor = `volume ${volumeId} to be detached${req.node_id ? ` from server ${req.node_id}` : ''}`;

  return mapErrors({ operation, badRequest: 'failed-precondition', waitingFor }, async () => {
    let volume: Volume;
    try {
      volume = await cloud.blockStorage.getVolume(volumeId);
    } catch (error) {
      if (error instanceof NotFoundError) return {};
      throw error;
    }
    // An empty node_id means "from every node" (CSI spec).
    const servers = req.node_id ? [req.node_id] : [...new Set((volume.attachments ?? []).map((a) => a.server_id))];
    for (const serverId of servers) {
      let novaKnows: boolean;
      try {
        novaKnows = (await cloud.compute.listVolumeAttachments(serverId)).some((a) => a.volumeId === volumeId);
      } catch (error) {
        // The server is gone: Nova has released its attachments with it.
        if (error instanceof NotFoundError) continue;
        throw error;
      }
      if (!novaKnows && !attachmentOn(volume, serverId)) continue;
      if (novaKnows) {
        try {
          await cloud.compute.detachVolume(serverId, volumeId);
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
        }
        scope.logger.info('detach requested, waiting for Cinder to show it', { volumeId, serverId });
      }
      try {
        await cloud.blockStorage.waitForVolume(volumeId, ['available', 'in-use'], {
          schedule: ctx.waits.diskDetached,
          until: (current) => attachmentOn(current, serverId) === undefined,
        });
      } catch (error) {
        if (error instanceof NotFoundError) return {};
        throw error;
      }
    }
    return {};
  });
}

async function getOrNotFound(cloud: Cloud, volumeId: string): Promise<Volume> {
  try {
    return await cloud.blockStorage.getVolume(volumeId);
  } catch (error) {
    if (error instanceof NotFoundError) throw notFound(`volume ${volumeId} does not exist`);
    throw error;
  }
}
