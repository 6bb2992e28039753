/**
 * CreateSnapshot: the source share's type must support snapshots and shares from snapshots (else the
 * snapshot could never be restored); idempotent by name; `ready_to_use` follows Manila's status, and a
 * snapshot Manila puts in `error` is deleted and explained.
 */
import { alreadyExists, failedPrecondition, internal, invalidArgument } from '../../csi/errors';
import type { CreateSnapshotRequest, CreateSnapshotResponse } from '../../csi/types';
import { goneIsSuccess, mapErrors } from '../../driver-kit/openstack-errors';
import type { ShareSnapshot } from '../../openstack/api';
import type { ManilaCloud } from '../cloud-source';
import { SNAPSHOT_DESCRIPTION } from '../constants';
import type { ManilaControllerContext, RequestScope } from './context';
import { explainFailure } from './share-failure';
import { getShareOrNotFound } from './share-lookup';
import { snapshotSupportProblem } from './snapshot-support';
import { csiSnapshot } from './snapshot-view';

export async function createSnapshot(
  ctx: ManilaControllerContext,
  req: CreateSnapshotRequest,
  scope: RequestScope,
): Promise<CreateSnapshotResponse> {
  if (!req.name) throw invalidArgument('name is required');
  if (!req.source_volume_id) throw invalidArgument('source_volume_id is required');
  const cloud = ctx.clouds.forSecrets(req.secrets);
  return mapErrors({ operation: `create snapshot "${req.name}"`, badRequest: 'failed-precondition' }, async () => {
    const share = await getShareOrNotFound(cloud, req.source_volume_id);
    const problem = await snapshotSupportProblem(cloud, share);
    if (problem) throw failedPrecondition(`${problem}, so its snapshots could not be restored`);
    const sinceMs = Date.now();
    let snapshot = await findSnapshotByName(cloud, req.name);
    if (snapshot && snapshot.share_id !== share.id) {
      throw alreadyExists(`snapshot "${req.name}" already exists for volume ${snapshot.share_id}, not ${share.id}`);
    }
    if (!snapshot) {
      snapshot = await cloud.sharedFileSystem.createSnapshot(share.id, req.name, SNAPSHOT_DESCRIPTION);
      scope.logger.info('share snapshot created', { snapshotId: snapshot.id, shareId: share.id });
    }
    if (snapshot.status === 'error') {
      const explained = await explainFailure(cloud, snapshot.id, `snapshot ${snapshot.id} went to status "error"`, sinceMs);
      await goneIsSuccess(() => cloud.sharedFileSystem.deleteSnapshot((snapshot as ShareSnapshot).id));
      throw explained;
    }
    return { snapshot: csiSnapshot(snapshot) };
  });
}

export async function findSnapshotByName(cloud: ManilaCloud, name: string): Promise<ShareSnapshot | undefined> {
  const page = await cloud.sharedFileSystem.listSnapshots({ name, allPages: true });
  const matches = page.items.filter((snapshot) => snapshot.name === name && snapshot.status !== 'deleting');
  if (matches.length > 1) throw internal(`${matches.length} share snapshots are named "${name}"; delete the extra ones`);
  return matches[0];
}
