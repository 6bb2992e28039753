/**
 * Clone (CreateVolume with another share as content source). Manila has no clone call, so the clone is
 * made through a transient snapshot of the source, named `csi-clone-<volume name>` so a retry finds and
 * reuses it: create it, wait `available`, create the share from it, wait, then delete the snapshot, also
 * when anything failed (a failed attempt leaves nothing behind but what a retry reuses). The source's
 * share type must allow snapshots and shares from them, else INVALID_ARGUMENT saying so.
 */
import { failedPrecondition, invalidArgument, unavailable } from '../../csi/errors';
import { goneIsNotFound, goneIsSuccess } from '../../driver-kit/openstack-errors';
import { ResourceErrorStateError } from '../../openstack/errors';
import type { Share, ShareSnapshot } from '../../openstack/api';
import type { ManilaCloud } from '../cloud-source';
import { CLONE_SNAPSHOT_PREFIX, SNAPSHOT_DESCRIPTION, type ShareProtocol } from '../constants';
import type { RequestScope } from './context';
import { findSnapshotByName } from './create-snapshot';
import { explainFailure } from './share-failure';
import { snapshotSupportProblem } from './snapshot-support';

/** The source share of a clone request, checked: exists, same protocol, available, snapshots restorable. */
export async function cloneSourceShare(cloud: ManilaCloud, protocol: ShareProtocol, volumeId: string | undefined): Promise<Share | undefined> {
  if (volumeId === undefined) return undefined;
  if (volumeId === '') throw invalidArgument('volume_content_source.volume.volume_id is required');
  const source = await goneIsNotFound(() => cloud.sharedFileSystem.getShare(volumeId), `source volume ${volumeId} does not exist (no Manila share with that ID)`);
  if (source.share_proto.toUpperCase() !== protocol) {
    throw invalidArgument(`source volume ${volumeId} is a ${source.share_proto} share; this plugin serves ${protocol}`);
  }
  if (source.status === 'creating' || source.status === 'creating_from_snapshot') {
    throw unavailable(`source volume ${volumeId} is still being created; retry once it is available`);
  }
  if (source.status !== 'available') throw failedPrecondition(`source volume ${volumeId} is "${source.status}"; only an available share can be cloned`);
  const problem = await snapshotSupportProblem(cloud, source);
  if (problem) throw invalidArgument(`cannot clone: ${problem} (a clone is made through a snapshot of the source)`);
  return source;
}

export function cloneSnapshotName(volumeName: string): string {
  return `${CLONE_SNAPSHOT_PREFIX}${volumeName}`;
}

/** Finds or creates the transient snapshot and waits until it is `available`; one in `error` is deleted and explained. */
export async function transientSnapshot(cloud: ManilaCloud, source: Share, volumeName: string, scope: RequestScope): Promise<ShareSnapshot> {
  const manila = cloud.sharedFileSystem;
  const name = cloneSnapshotName(volumeName);
  const sinceMs = Date.now();
  let snapshot = await findSnapshotByName(cloud, name);
  if (snapshot && snapshot.share_id !== source.id) {
    // An earlier clone attempt of the same volume name from another source: not ours to reuse.
    await goneIsSuccess(() => manila.deleteSnapshot((snapshot as ShareSnapshot).id));
    snapshot = undefined;
  }
  if (!snapshot) {
    snapshot = await manila.createSnapshot(source.id, name, SNAPSHOT_DESCRIPTION);
    scope.logger.info('transient clone snapshot created', { snapshotId: snapshot.id, sourceShareId: source.id });
  }
  try {
    return await manila.waitForSnapshot(snapshot.id, ['available'], { errorStatuses: ['error'] });
  } catch (error) {
    if (!(error instanceof ResourceErrorStateError)) throw error;
    const explained = await explainFailure(cloud, snapshot.id, `transient clone snapshot ${snapshot.id} of share ${source.id} went to status "error"`, sinceMs);
    throw explained;
  }
}

/** Deletes the transient snapshot if it is still there; a failure is logged (a retry or DeleteVolume's caller can see it by name). */
export async function dropTransientSnapshot(cloud: ManilaCloud, volumeName: string, scope: RequestScope): Promise<void> {
  try {
    const snapshot = await findSnapshotByName(cloud, cloneSnapshotName(volumeName));
    if (!snapshot) return;
    await goneIsSuccess(() => cloud.sharedFileSystem.deleteSnapshot(snapshot.id));
    scope.logger.info('transient clone snapshot deleted', { snapshotId: snapshot.id });
  } catch (error) {
    scope.logger.warn('could not delete the transient clone snapshot; a retry of the clone deletes it', {
      snapshotName: cloneSnapshotName(volumeName),
      error,
    });
  }
}
