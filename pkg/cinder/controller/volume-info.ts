/**
 * Read-only volume RPCs: ValidateVolumeCapabilities, ListVolumes (across clouds), ControllerGetVolume
 * (with a volume condition that also checks Nova still knows the servers the volume is attached to).
 */
import { aborted, invalidArgument } from '../../csi/errors';
import type {
  ControllerGetVolumeRequest,
  ControllerGetVolumeResponse,
  ListVolumesEntry,
  ListVolumesRequest,
  ListVolumesResponse,
  ValidateVolumeCapabilitiesRequest,
  ValidateVolumeCapabilitiesResponse,
  VolumeCondition,
} from '../../csi/types';
import type { Page, Volume } from '../../openstack/api';
import type { CinderCloud } from './clouds';
import { BadRequestError } from '../../openstack/errors';
import { goneIsSuccess, isGone, mapErrors, toCsiError } from '../../driver-kit/openstack-errors';
import { capabilityProblem } from './access-modes';
import { gibToBytes } from '../../driver-kit/gib';
import { unknownKeysFor, type ControllerContext } from './context';
import { isErrorStatus, publishedNodeIds, statusCondition } from './convert';
import { decodeVolumeToken, encodeVolumeToken, type VolumeListPosition } from './pagination';
import { parseVolumeParameters } from './parameters';
import { getVolumeOrNotFound } from './volume-lookup';
import { zoneTopology } from './topology';

export async function validateVolumeCapabilities(
  ctx: ControllerContext,
  req: ValidateVolumeCapabilitiesRequest,
): Promise<ValidateVolumeCapabilitiesResponse> {
  const volumeId = req.volume_id;
  if (!volumeId) throw invalidArgument('volume_id is required');
  if (!req.volume_capabilities?.length) throw invalidArgument('volume_capabilities must not be empty');
  const cloud = ctx.clouds.forSecrets(req.secrets);
  return mapErrors({ operation: `validate capabilities of volume ${volumeId}` }, async () => {
    const volume = await getVolumeOrNotFound(cloud, volumeId);
    for (const capability of req.volume_capabilities) {
      const problem = capabilityProblem(capability, volume.multiattach);
      if (problem) return { message: problem };
    }
    try {
      parseVolumeParameters(req.parameters, unknownKeysFor(ctx, ctx.logger));
    } catch (error) {
      return { message: error instanceof Error ? error.message : String(error) };
    }
    return {
      confirmed: {
        volume_context: req.volume_context,
        volume_capabilities: req.volume_capabilities,
        parameters: req.parameters,
        mutable_parameters: req.mutable_parameters,
      },
    };
  });
}

function entryOf(ctx: ControllerContext, volume: Volume): ListVolumesEntry {
  return {
    volume: {
      volume_id: volume.id,
      capacity_bytes: gibToBytes(volume.size),
      accessible_topology: ctx.withTopology && !ctx.ignoreVolumeAZ && volume.availability_zone ? [zoneTopology(volume.availability_zone)] : [],
    },
    status: { published_node_ids: publishedNodeIds(volume), volume_condition: statusCondition(volume) },
  };
}

export async function listVolumes(ctx: ControllerContext, req: ListVolumesRequest): Promise<ListVolumesResponse> {
  const maxEntries = req.max_entries ?? 0;
  if (maxEntries < 0) throw invalidArgument(`max_entries must not be negative (got ${maxEntries})`);
  const cloudNames = ctx.clouds.cloudNames();
  const start: VolumeListPosition = req.starting_token
    ? decodeVolumeToken(req.starting_token, cloudNames)
    : { cloudName: cloudNames[0] ?? '' };
  const entries: ListVolumesEntry[] = [];
  const startIndex = cloudNames.indexOf(start.cloudName);
  for (let index = startIndex; index >= 0 && index < cloudNames.length; index++) {
    const cloudName = cloudNames[index];
    const cloud = ctx.clouds.get(cloudName) as CinderCloud;
    let marker = index === startIndex ? start.marker : undefined;
    // Cinder may cap a page below the requested limit (osapi_max_limit): keep reading this cloud.
    for (;;) {
      const remaining = maxEntries === 0 ? undefined : maxEntries - entries.length;
      const page = await listPage(cloud, cloudName, marker, remaining, req.starting_token);
      entries.push(...page.items.map((volume) => entryOf(ctx, volume)));
      if (remaining === undefined) break;
      if (entries.length >= maxEntries) {
        if (page.nextMarker) return { entries, next_token: encodeVolumeToken({ cloudName, marker: page.nextMarker }) };
        const nextCloud = cloudNames[index + 1];
        return { entries, next_token: nextCloud === undefined ? '' : encodeVolumeToken({ cloudName: nextCloud }) };
      }
      if (!page.nextMarker) break;
      marker = page.nextMarker;
    }
  }
  return { entries, next_token: '' };
}

async function listPage(
  cloud: CinderCloud,
  cloudName: string,
  marker: string | undefined,
  limit: number | undefined,
  startingToken: string,
): Promise<Page<Volume>> {
  try {
    return await cloud.blockStorage.listVolumes(limit === undefined ? { marker, allPages: true } : { marker, limit });
  } catch (error) {
    // A marker Cinder no longer knows (the volume was deleted meanwhile) cannot be resumed from.
    if (marker && (isGone(error) || error instanceof BadRequestError)) {
      throw aborted(`starting_token "${startingToken}" is no longer valid: ${error.message}`, error);
    }
    throw toCsiError(error, { operation: `list volumes of cloud "${cloudName}"` });
  }
}

export async function controllerGetVolume(
  ctx: ControllerContext,
  req: ControllerGetVolumeRequest,
): Promise<ControllerGetVolumeResponse> {
  const volumeId = req.volume_id;
  if (!volumeId) throw invalidArgument('volume_id is required');
  return mapErrors({ operation: `get volume ${volumeId}` }, async () => {
    const { cloud, volume } = await ctx.clouds.locateVolume(volumeId);
    const entry = entryOf(ctx, volume);
    return {
      volume: entry.volume,
      status: { published_node_ids: publishedNodeIds(volume), volume_condition: await volumeCondition(cloud, volume) },
    };
  });
}

/** Abnormal for `error*` statuses and for attachments to servers Nova no longer knows (deleted nodes). */
async function volumeCondition(cloud: CinderCloud, volume: Volume): Promise<VolumeCondition> {
  if (isErrorStatus(volume.status)) return statusCondition(volume);
  const missing: string[] = [];
  for (const serverId of publishedNodeIds(volume)) {
    if ((await goneIsSuccess(() => cloud.compute.getServer(serverId))) === undefined) missing.push(serverId);
  }
  if (missing.length > 0) {
    return {
      abnormal: true,
      message: `volume is attached to server${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which Nova no longer knows`,
    };
  }
  return statusCondition(volume);
}
