/**
 * Share snapshots (`/snapshots`): create (202), show, list with offset paging, delete. A snapshot of an NFS share
 * copies the share's backing directory, so a share created from it starts with the same bytes.
 */
import { ApiFault, badRequest, optionalString, requireObject } from '../http-kit';
import { creatingRecord } from '../listed-record';
import { atLeast } from '../microversion';
import { newestFirst, pagedListBody, queryFilter, type ServiceCall, type ServiceRoutes } from '../service-route';
import { cinderTime, type ShareSnapshotRecord } from '../state';
import { getShare, getSnapshot, manilaUsage, scheduleOn, selfLinks, specTrue, type ManilaSim } from './common';
import { recordShareMessage } from './messages';

export function registerSnapshots(routes: ServiceRoutes, sim: ManilaSim): void {
  routes.add('POST', '/snapshots', (call) => createSnapshot(sim, call));
  routes.add('GET', '/snapshots', (call) => listSnapshots(sim, call, false));
  routes.add('GET', '/snapshots/detail', (call) => listSnapshots(sim, call, true));
  routes.add('GET', '/snapshots/{snapshot_id}', (call) => ({
    status: 200,
    body: { snapshot: snapshotView(sim, call, getSnapshot(sim, call.params.snapshot_id)) },
  }));
  routes.add('DELETE', '/snapshots/{snapshot_id}', (call) => deleteSnapshot(sim, call.params.snapshot_id));
}

function snapshotView(sim: ManilaSim, call: ServiceCall, s: ShareSnapshotRecord): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: s.id,
    share_id: s.shareId,
    share_size: s.shareSize,
    created_at: s.createdAt,
    status: s.status,
    name: s.name,
    description: s.description,
    size: s.size,
    share_proto: s.shareProto,
    links: selfLinks(call, 'snapshots', s.id),
  };
  if (atLeast(call.version, '2.17')) {
    view.user_id = sim.identity.user.id;
    view.project_id = call.projectId;
  }
  return view;
}

function createSnapshot(sim: ManilaSim, call: ServiceCall) {
  const body = requireObject(call.body, 'snapshot');
  const shareId = optionalString(body, 'share_id');
  if (!shareId) throw badRequest('Must specify share_id.');
  const share = getShare(sim, shareId);
  const type = sim.state.shareTypes.get(share.shareTypeId);
  if (!specTrue(type, 'snapshot_support')) {
    // Manila: 422 when the share's type lacks snapshot_support (api/v2/share_snapshots.py).
    throw new ApiFault(422, `Snapshots cannot be created for share '${share.id}' since it does not have that capability.`);
  }
  if (share.status !== 'available') throw badRequest(`Invalid share: Source share status must be available, but current status is: ${share.status}.`);
  const q = sim.manilaQuotas;
  const used = manilaUsage(sim);
  if (q.snapshot_gigabytes >= 0 && used.snapshot_gigabytes + share.size > q.snapshot_gigabytes) {
    throw new ApiFault(413, `SnapshotSizeExceedsAvailableQuota: Requested snapshot exceeds allowed project/user or share type gigabytes quota.`);
  }
  if (q.snapshots >= 0 && used.snapshots + 1 > q.snapshots) {
    throw new ApiFault(413, `SnapshotLimitExceeded: Maximum number of snapshots allowed (${q.snapshots}) exceeded.`);
  }
  const snap: ShareSnapshotRecord = {
    ...creatingRecord(sim.state, body),
    name: optionalString(body, 'name') ?? optionalString(body, 'display_name') ?? null,
    shareId: share.id,
    shareSize: share.size,
    size: share.size,
    shareProto: share.shareProto,
    createdAt: cinderTime(),
    updatedAt: null,
  };
  sim.state.shareSnapshots.set(snap.id, snap);
  scheduleOn(
    sim,
    sim.state.shareSnapshots,
    { kind: 'share_snapshot', id: snap.id, operation: 'create' },
    async () => {
      if (share.shareProto === 'NFS') await sim.manila.backing.snapshot(share.id, snap.id);
      snap.status = 'available';
      snap.updatedAt = cinderTime();
    },
    (fault) => {
      snap.status = 'error';
      snap.updatedAt = cinderTime();
      recordShareMessage(sim, 'SHARE_SNAPSHOT', snap.id, 'create', fault);
    },
  );
  return { status: 202, body: { snapshot: snapshotView(sim, call, snap) } };
}

function listSnapshots(sim: ManilaSim, call: ServiceCall, detail: boolean) {
  const items = newestFirst(sim.state.shareSnapshots.values()).filter(
    queryFilter(call.query, { name: 'name', share_id: 'shareId', status: 'status' }),
  );
  const body = pagedListBody(call, items, 'snapshots', (s) =>
    detail ? snapshotView(sim, call, s) : { id: s.id, name: s.name, links: selfLinks(call, 'snapshots', s.id) },
  );
  return { status: 200, body };
}

function deleteSnapshot(sim: ManilaSim, id: string) {
  const snap = getSnapshot(sim, id);
  if (!['available', 'error'].includes(snap.status)) {
    throw badRequest(`Invalid share snapshot: Share Snapshot status must be one of ('available', 'error').`);
  }
  snap.status = 'deleting';
  scheduleOn(
    sim,
    sim.state.shareSnapshots,
    { kind: 'share_snapshot', id, operation: 'delete' },
    async () => {
      await sim.manila.backing.removeSnapshot(id);
      sim.state.shareSnapshots.delete(id);
    },
    (fault) => {
      snap.status = 'error_deleting';
      recordShareMessage(sim, 'SHARE_SNAPSHOT', id, 'delete', fault);
    },
  );
  return { status: 202 };
}
