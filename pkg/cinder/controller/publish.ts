/**
 * ControllerPublishVolume / ControllerUnpublishVolume: attach and detach through Nova, and wait until
 * Cinder's view of the volume agrees, so the node finds the disk and a detached volume can be reused.
 * When Nova gives an attach or detach up, the wait says so with what Cinder and Nova showed, instead of
 * running out its budget and reporting a bare timeout.
 */
import { failedPrecondition, internal, invalidArgument, resourceExhausted } from '../../csi/errors';
import type {
  ControllerPublishVolumeRequest,
  ControllerPublishVolumeResponse,
  ControllerUnpublishVolumeRequest,
  ControllerUnpublishVolumeResponse,
} from '../../csi/types';
import type { Volume, WaitOptions, WaitSchedule } from '../../openstack/api';
import type { CinderCloud } from './clouds';
import { ForbiddenError, WaitTimeoutError } from '../../openstack/errors';
import { PUBLISH_CONTEXT_DEVICE_PATH, PUBLISH_CONTEXT_VOLUME_ID } from '../constants';
import { goneIsNotFound, goneIsSuccess, mapErrors } from '../../driver-kit/openstack-errors';
import { capabilityProblem } from './access-modes';
import type { ControllerContext, RequestScope } from './context';
import { getVolumeIfExists, getVolumeOrNotFound } from './volume-lookup';

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
  const startedAt = new Date();
  const waitingFor = `volume ${volumeId} to show its attachment to server ${serverId}`;

  return mapErrors({ operation, badRequest: 'failed-precondition', waitingFor }, async () => {
    // The server check does not need the volume: both GETs go out together, one round trip less before the
    // attach (it counts when hundreds of publishes queue), and the volume's answer still decides first.
    const serverChecked = startedEarly(goneIsNotFound(() => cloud.compute.getServer(serverId), `node ${serverId} is not a Nova server of this project`));
    const volume = await getVolumeOrNotFound(cloud, volumeId);
    const problem = capabilityProblem(req.volume_capability as NonNullable<typeof req.volume_capability>, volume.multiattach);
    if (problem) throw invalidArgument(`volume ${volumeId}: ${problem}`);
    await serverChecked;
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
    const attached = await waitForAttach(cloud, volumeId, serverId, ctx.waits.diskAttached, startedAt);
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
  const startedAt = new Date();
  const waitingFor = `volume ${volumeId} to be detached${req.node_id ? ` from server ${req.node_id}` : ''}`;

  return mapErrors({ operation, badRequest: 'failed-precondition', waitingFor }, async () => {
    const nodeId = req.node_id;
    const attachmentsOf = (serverId: string) => goneIsSuccess(() => cloud.compute.listVolumeAttachments(serverId));
    // With a node named, Nova's listing does not need the volume: both go out together (one round trip
    // less before the detach), and the volume's answer still decides first.
    const namedListing = nodeId ? startedEarly(attachmentsOf(nodeId)) : undefined;
    const volume = await getVolumeIfExists(cloud, volumeId);
    if (!volume) return {};
    // An empty node_id means "from every node" (CSI spec).
    const servers = nodeId ? [nodeId] : [...new Set((volume.attachments ?? []).map((a) => a.server_id))];
    for (const serverId of servers) {
      const novaAttachments = await (serverId === nodeId && namedListing ? namedListing : attachmentsOf(serverId));
      // The server is gone: Nova has released its attachments with it.
      if (novaAttachments === undefined) continue;
      const novaKnows = novaAttachments.some((a) => a.volumeId === volumeId);
      if (!novaKnows && !attachmentOn(volume, serverId)) continue;
      if (novaKnows) {
        await goneIsSuccess(() => cloud.compute.detachVolume(serverId, volumeId));
        scope.logger.info('detach requested, waiting for Cinder to show it', { volumeId, serverId });
      }
      const detached = await goneIsSuccess(async () => {
        await waitForDetach(cloud, volumeId, serverId, ctx.waits.diskDetached, startedAt);
        return true;
      });
      // The volume itself is gone: nothing is attached anywhere any more.
      if (!detached) return {};
    }
    return {};
  });
}

/** Statuses Cinder shows while an attach is under way (the volume has left `available`). */
const ATTACH_IN_PROGRESS = new Set(['reserved', 'attaching']);
const DETACH_IN_PROGRESS = new Set(['detaching']);
/** Statuses in which a volume without the server's attachment is detached from it. */
const DETACH_SETTLED = ['available', 'in-use'];

/** Distinct consecutive statuses seen during a wait, for messages: `reserved → attaching → available`. */
class StatusTrail {
  private readonly statuses: string[] = [];

  add(status: string): void {
    if (this.statuses[this.statuses.length - 1] !== status) this.statuses.push(status);
  }

  includesAny(statuses: ReadonlySet<string>): boolean {
    return this.statuses.some((status) => statuses.has(status));
  }

  toString(): string {
    return this.statuses.join(' → ');
  }
}

interface VolumeWatch {
  targetStatuses: readonly string[];
  /** Learned waiting keeps attaches and detaches apart from other waits for the same statuses (extend). */
  paceKey: 'attach' | 'detach';
  until: (volume: Volume) => boolean;
  /** Sees every reading that is not an error status; throws once the operation has visibly failed. */
  checkFailed: (volume: Volume) => Promise<void>;
}

/**
 * Waits through the client's shared status waiter (so concurrent publishes share its batched reads),
 * recording every status on the way: the wait must notice the volume leaving `available` and falling back,
 * which the target status alone does not show, and may ask Nova before concluding. Error statuses are left
 * to the waiter, which fails with the cloud's fault.
 */
async function watchVolume(cloud: CinderCloud, volumeId: string, schedule: WaitSchedule, trail: StatusTrail, watch: VolumeWatch): Promise<Volume> {
  const options: WaitOptions<Volume> = {
    schedule,
    until: watch.until,
    paceKey: watch.paceKey,
    observe: async (volume) => {
      trail.add(volume.status);
      if (!volume.status.startsWith('error')) await watch.checkFailed(volume);
    },
  };
  try {
    return await cloud.blockStorage.waitForVolume(volumeId, watch.targetStatuses, options);
  } catch (error) {
    if (error instanceof WaitTimeoutError) {
      throw new WaitTimeoutError(`${error.message}; statuses seen: ${trail}`, error.resourceId, error.lastStatus, { cause: error });
    }
    throw error;
  }
}

/** Cinder's own account of the failure, when it recorded one after the operation started. */
async function cinderReport(cloud: CinderCloud, volumeId: string, since: Date): Promise<string> {
  const message = await cloud.blockStorage.latestUserMessage(volumeId, since).catch(() => undefined);
  return message ? `; Cinder reports: ${message}` : '';
}

/*
 * A failed attach or detach is answered INTERNAL, not UNAVAILABLE or DEADLINE_EXCEEDED: the external-attacher
 * treats those as "may still be in progress" (non-final) and keeps the attachment's state uncertain, while
 * here the cloud has demonstrably rolled the operation back, so nothing is in progress. INTERNAL is final
 * for the attacher, which records the message on the VolumeAttachment and retries with backoff.
 */

/**
 * Waits until Cinder shows the volume attached to the server. Fails fast, instead of waiting out the
 * budget, once there is evidence that Nova gave the attach up: the volume left `available` (reserved or
 * attaching) and came back without this server's attachment, or Nova's attachment list for the server no
 * longer holds the volume. A single early `available` reading proves nothing (Cinder may not have
 * reserved the volume yet), so that case is settled by asking Nova.
 */
async function waitForAttach(cloud: CinderCloud, volumeId: string, serverId: string, schedule: WaitSchedule, startedAt: Date): Promise<Volume> {
  const trail = new StatusTrail();
  return watchVolume(cloud, volumeId, schedule, trail, {
    targetStatuses: ['in-use'],
    paceKey: 'attach',
    until: (volume) => attachmentOn(volume, serverId) !== undefined,
    checkFailed: async (volume) => {
      if (attachmentOn(volume, serverId) || ATTACH_IN_PROGRESS.has(volume.status)) return;
      // A stable status without this server's attachment: either Cinder has not reserved the volume yet
      // (Nova lists the attachment) or the attach failed.
      const rolledBack = volume.status === 'available' && trail.includesAny(ATTACH_IN_PROGRESS);
      const novaListsIt = (await cloud.compute.listVolumeAttachments(serverId)).some(
        (attachment) => attachment.volumeId === volumeId,
      );
      if (novaListsIt && !rolledBack) return;
      const cinderView = rolledBack
        ? `the volume went ${trail} without an attachment to the server`
        : `Cinder shows the volume "${volume.status}" without an attachment to the server (statuses seen: ${trail})`;
      const novaView = novaListsIt
        ? "Nova still lists it among the server's attachments"
        : "Nova no longer lists it among the server's attachments";
      throw internal(
        `the attach of volume ${volumeId} to server ${serverId} failed after Nova accepted it: ${cinderView} and ` +
          `${novaView} (Nova rolled the attach back; nova-compute's log for the server has the reason)` +
          (await cinderReport(cloud, volumeId, startedAt)),
      );
    },
  });
}

/**
 * Waits until Cinder no longer shows the volume attached to the server. Fails fast when the detach was
 * rolled back: the volume went `detaching` and returned to `in-use` with the attachment still there.
 */
async function waitForDetach(cloud: CinderCloud, volumeId: string, serverId: string, schedule: WaitSchedule, startedAt: Date): Promise<Volume> {
  const trail = new StatusTrail();
  return watchVolume(cloud, volumeId, schedule, trail, {
    targetStatuses: DETACH_SETTLED,
    paceKey: 'detach',
    until: (volume) => attachmentOn(volume, serverId) === undefined,
    checkFailed: async (volume) => {
      if (!attachmentOn(volume, serverId) || volume.status !== 'in-use' || !trail.includesAny(DETACH_IN_PROGRESS)) return;
      const novaKnows = (await cloud.compute.listVolumeAttachments(serverId).catch(() => undefined))?.some(
        (attachment) => attachment.volumeId === volumeId,
      );
      const novaView =
        novaKnows === undefined ? '' : novaKnows ? "; Nova still lists it among the server's attachments" : '; Nova no longer lists it';
      throw internal(
        `the detach of volume ${volumeId} from server ${serverId} failed: the volume went ${trail} and is still ` +
          `attached to the server${novaView} (Nova rolled the detach back; nova-compute's log for the server ` +
          'has the reason, often a guest that does not release the disk)' +
          (await cinderReport(cloud, volumeId, startedAt)),
      );
    },
  });
}

/**
 * A call sent before the answer it waits behind: awaited later, unless that earlier answer ends the RPC
 * first — then its rejection must not surface as an unhandled one.
 */
function startedEarly<T>(call: Promise<T>): Promise<T> {
  call.catch(() => undefined);
  return call;
}
