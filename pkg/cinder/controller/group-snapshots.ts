/**
 * Volume group snapshots onto Cinder generic groups: put the volumes in a group (named like the group
 * snapshot), take a group snapshot, then take the volumes out again — a volume inside a group cannot
 * be deleted, and the group snapshot keeps its member snapshots without them. The emptied group is
 * deleted with its group snapshot.
 */
import { alreadyExists, failedPrecondition, internal, invalidArgument } from '../../csi/errors';
import type {
  CreateVolumeGroupSnapshotRequest,
  CreateVolumeGroupSnapshotResponse,
  DeleteVolumeGroupSnapshotRequest,
  DeleteVolumeGroupSnapshotResponse,
  GetVolumeGroupSnapshotRequest,
  GetVolumeGroupSnapshotResponse,
  VolumeGroupSnapshot,
} from '../../csi/types';
import type { GroupSnapshot, Snapshot as CinderSnapshot, Volume, VolumeGroup } from '../../openstack/api';
import type { CinderCloud } from './clouds';
import { ResourceErrorStateError } from '../../openstack/errors';
import { SNAPSHOT_DESCRIPTION } from '../constants';
import { goneIsNotFound, goneIsSuccess, mapErrors } from '../../driver-kit/openstack-errors';
import type { ControllerContext, RequestScope } from './context';
import { snapshotFromCinder, timestampOf } from './convert';
import { parseGroupSnapshotParameters } from './parameters';
import { getVolumeOrNotFound } from './volume-lookup';

const PREFERRED_GROUP_TYPE = 'default_group_type';

async function findGroupSnapshotByName(cloud: CinderCloud, name: string): Promise<GroupSnapshot | undefined> {
  const page = await cloud.blockStorage.listGroupSnapshots({ name, allPages: true });
  return page.items.find((groupSnapshot) => groupSnapshot.name === name && groupSnapshot.status !== 'deleting');
}

async function memberSnapshots(cloud: CinderCloud, groupSnapshotId: string): Promise<CinderSnapshot[]> {
  const page = await cloud.blockStorage.listSnapshots({ allPages: true });
  return page.items.filter((snapshot) => snapshot.group_snapshot_id === groupSnapshotId);
}

function toCsi(groupSnapshot: GroupSnapshot, members: CinderSnapshot[]): VolumeGroupSnapshot {
  return {
    group_snapshot_id: groupSnapshot.id,
    snapshots: members.map((member) => ({ ...snapshotFromCinder(member), group_snapshot_id: groupSnapshot.id })),
    creation_time: timestampOf(groupSnapshot.created_at),
    ready_to_use: groupSnapshot.status === 'available' && members.every((member) => member.status === 'available'),
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((id) => right.has(id));
}

export async function createVolumeGroupSnapshot(
  ctx: ControllerContext,
  req: CreateVolumeGroupSnapshotRequest,
  scope: RequestScope,
): Promise<CreateVolumeGroupSnapshotResponse> {
  const name = req.name;
  if (!name) throw invalidArgument('name is required');
  const volumeIds = [...new Set(req.source_volume_ids ?? [])];
  if (volumeIds.length === 0) throw invalidArgument('source_volume_ids must not be empty');
  const params = parseGroupSnapshotParameters(req.parameters);
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const operation = `create group snapshot "${name}"`;
  return mapErrors({ operation, badRequest: 'failed-precondition', waitingFor: `group snapshot "${name}" to become available` }, async () => {
    let groupSnapshot = await findGroupSnapshotByName(cloud, name);
    if (groupSnapshot) {
      const members = await memberSnapshots(cloud, groupSnapshot.id);
      const memberVolumes = members.map((member) => member.volume_id);
      if (!sameSet(memberVolumes, volumeIds)) {
        throw alreadyExists(
          `group snapshot "${name}" already exists (${groupSnapshot.id}) for volumes ${memberVolumes.join(', ')}, not ${volumeIds.join(', ')}`,
        );
      }
    } else {
      const volumes = await Promise.all(volumeIds.map((id) => getVolumeOrNotFound(cloud, id, 'source volume')));
      const group = await groupFor(ctx, cloud, name, volumes, params.groupType, scope);
      groupSnapshot = await cloud.blockStorage.createGroupSnapshot(group.id, name, SNAPSHOT_DESCRIPTION);
      scope.logger.info('group snapshot created', { groupSnapshotId: groupSnapshot.id, groupId: group.id, volumeIds });
    }
    if (groupSnapshot.status !== 'available') {
      const id = groupSnapshot.id;
      try {
        groupSnapshot = await cloud.blockStorage.waitForGroupSnapshot(id, ['available'], {
          schedule: ctx.waits.groupStatus,
          errorStatuses: ['error'],
        });
      } catch (error) {
        if (error instanceof ResourceErrorStateError) {
          // Leave nothing behind that would keep the volumes in a group (and so undeletable).
          await removeGroupSnapshot(ctx, cloud, id, groupSnapshot.group_id, scope);
          throw internal(
            `Cinder failed to create group snapshot ${id} (status "${error.resourceStatus}")${error.fault ? `: ${error.fault}` : ''}; ` +
              'it was deleted, a retry creates a new one',
            error,
          );
        }
        throw error;
      }
    }
    await releaseVolumes(ctx, cloud, groupSnapshot.group_id, scope);
    return { group_snapshot: toCsi(groupSnapshot, await memberSnapshots(cloud, groupSnapshot.id)) };
  });
}

/** A group holding exactly `volumes`: one an earlier attempt left behind (same name), or a new one. */
async function groupFor(
  ctx: ControllerContext,
  cloud: CinderCloud,
  name: string,
  volumes: Volume[],
  groupTypeParameter: string | undefined,
  scope: RequestScope,
): Promise<VolumeGroup> {
  let group: VolumeGroup | undefined;
  for (const volume of volumes) {
    if (!volume.group_id) continue;
    const owner = group?.id === volume.group_id ? group : await cloud.blockStorage.getGroup(volume.group_id);
    if (owner.name !== name || (group && group.id !== owner.id)) {
      throw failedPrecondition(`volume ${volume.id} already belongs to Cinder group ${owner.id}; a volume can be in one group only`);
    }
    group = owner;
  }
  if (!group) {
    const volumeTypes = [...new Set(volumes.map((volume) => volume.volume_type).filter((type): type is string => !!type))];
    const zones = [...new Set(volumes.map((volume) => volume.availability_zone))];
    if (zones.length > 1) {
      throw failedPrecondition(`the volumes are in different availability zones (${zones.join(', ')}); a Cinder group spans one zone`);
    }
    group = await cloud.blockStorage.createGroup({
      groupType: groupTypeParameter ?? (await defaultGroupType(cloud)),
      volumeTypes,
      name,
      description: SNAPSHOT_DESCRIPTION,
      availabilityZone: zones[0],
    });
    scope.logger.info('volume group created', { groupId: group.id, name });
  }
  const groupId = group.id;
  await cloud.blockStorage.waitForGroup(groupId, ['available'], { schedule: ctx.waits.groupStatus, errorStatuses: ['error'] });
  const missing = volumes.filter((volume) => volume.group_id !== groupId).map((volume) => volume.id);
  if (missing.length > 0) {
    await cloud.blockStorage.updateGroup(groupId, { addVolumes: missing });
    await waitMembership(ctx, cloud, groupId, missing, true);
  }
  return cloud.blockStorage.waitForGroup(groupId, ['available'], { schedule: ctx.waits.groupStatus, errorStatuses: ['error'] });
}

async function defaultGroupType(cloud: CinderCloud): Promise<string> {
  const types = await cloud.blockStorage.listGroupTypes();
  const chosen = types.find((type) => type.name === PREFERRED_GROUP_TYPE) ?? types[0];
  if (!chosen) throw failedPrecondition('the cloud offers no Cinder group type; set the VolumeGroupSnapshotClass parameter "group-type"');
  return chosen.id;
}

async function waitMembership(ctx: ControllerContext, cloud: CinderCloud, groupId: string, volumeIds: string[], member: boolean): Promise<void> {
  await Promise.all(
    volumeIds.map((id) =>
      cloud.blockStorage.waitForVolume(id, ['available', 'in-use'], {
        schedule: ctx.waits.groupStatus,
        until: (volume) => (volume.group_id === groupId) === member,
      }),
    ),
  );
}

/** Takes every volume out of the group so they can be deleted independently of the group snapshot. */
async function releaseVolumes(ctx: ControllerContext, cloud: CinderCloud, groupId: string, scope: RequestScope): Promise<void> {
  const group = await goneIsSuccess(() => cloud.blockStorage.getGroup(groupId));
  const inside = group?.volumes ?? [];
  if (inside.length === 0) return;
  await cloud.blockStorage.waitForGroup(groupId, ['available'], { schedule: ctx.waits.groupStatus, errorStatuses: ['error'] });
  await cloud.blockStorage.updateGroup(groupId, { removeVolumes: inside });
  await waitMembership(ctx, cloud, groupId, inside, false);
  scope.logger.debug(4, 'volumes released from group', { groupId, volumeIds: inside });
}

export async function getVolumeGroupSnapshot(
  ctx: ControllerContext,
  req: GetVolumeGroupSnapshotRequest,
): Promise<GetVolumeGroupSnapshotResponse> {
  const id = req.group_snapshot_id;
  if (!id) throw invalidArgument('group_snapshot_id is required');
  const cloud = ctx.clouds.forSecrets(req.secrets);
  return mapErrors({ operation: `get group snapshot ${id}` }, async () => {
    const groupSnapshot = await goneIsNotFound(
      () => cloud.blockStorage.getGroupSnapshot(id),
      `group snapshot ${id} does not exist`,
    );
    const members = await memberSnapshots(cloud, id);
    assertSnapshotIds(id, members, req.snapshot_ids);
    return { group_snapshot: toCsi(groupSnapshot, members) };
  });
}

function assertSnapshotIds(groupSnapshotId: string, members: CinderSnapshot[], snapshotIds: string[] | undefined): void {
  if (!snapshotIds?.length) return;
  const memberIds = members.map((member) => member.id);
  if (!sameSet(memberIds, snapshotIds)) {
    throw failedPrecondition(
      `snapshot_ids ${snapshotIds.join(', ')} do not match the members of group snapshot ${groupSnapshotId} (${memberIds.join(', ')})`,
    );
  }
}

export async function deleteVolumeGroupSnapshot(
  ctx: ControllerContext,
  req: DeleteVolumeGroupSnapshotRequest,
  scope: RequestScope,
): Promise<DeleteVolumeGroupSnapshotResponse> {
  const id = req.group_snapshot_id;
  if (!id) throw invalidArgument('group_snapshot_id is required');
  const cloud = ctx.clouds.forSecrets(req.secrets);
  const waitingFor = `group snapshot ${id} to be deleted`;
  return mapErrors({ operation: `delete group snapshot ${id}`, badRequest: 'failed-precondition', waitingFor }, async () => {
    const groupSnapshot = await goneIsSuccess(() => cloud.blockStorage.getGroupSnapshot(id));
    if (!groupSnapshot) return {};
    assertSnapshotIds(id, await memberSnapshots(cloud, id), req.snapshot_ids);
    await deleteGroupSnapshotAndWait(ctx, cloud, groupSnapshot);
    await deleteGroupIfUnused(ctx, cloud, groupSnapshot.group_id, scope);
    return {};
  });
}

async function deleteGroupSnapshotAndWait(ctx: ControllerContext, cloud: CinderCloud, groupSnapshot: GroupSnapshot): Promise<void> {
  await goneIsSuccess(async () => {
    if (groupSnapshot.status !== 'deleting') await cloud.blockStorage.deleteGroupSnapshot(groupSnapshot.id);
    await cloud.blockStorage.waitForGroupSnapshot(groupSnapshot.id, [], {
      gone: true,
      schedule: ctx.waits.groupStatus,
      errorStatuses: ['error_deleting'],
    });
  });
}

/** Best-effort cleanup after a failed create; the caller reports the failure itself. */
async function removeGroupSnapshot(ctx: ControllerContext, cloud: CinderCloud, id: string, groupId: string, scope: RequestScope): Promise<void> {
  try {
    await deleteGroupSnapshotAndWait(ctx, cloud, await cloud.blockStorage.getGroupSnapshot(id));
  } catch (error) {
    scope.logger.warn('could not delete a failed group snapshot', { groupSnapshotId: id, error });
    return;
  }
  await deleteGroupIfUnused(ctx, cloud, groupId, scope);
}

async function deleteGroupIfUnused(ctx: ControllerContext, cloud: CinderCloud, groupId: string, scope: RequestScope): Promise<void> {
  try {
    await goneIsSuccess(async () => {
      const others = (await cloud.blockStorage.listGroupSnapshots({ allPages: true })).items.filter((gs) => gs.group_id === groupId);
      if (others.length > 0) return;
      await releaseVolumes(ctx, cloud, groupId, scope);
      await cloud.blockStorage.deleteGroup(groupId, false);
      await cloud.blockStorage.waitForGroup(groupId, [], { gone: true, schedule: ctx.waits.groupStatus });
    });
  } catch (error) {
    // The group snapshot is gone, which is what was asked; a leftover empty group only costs quota.
    scope.logger.warn('could not delete the volume group of a deleted group snapshot', { groupId, error });
  }
}
