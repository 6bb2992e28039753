/**
 * Cinder controller over real gRPC against the simulator: CreateSnapshot (snapshot and backup),
 * DeleteSnapshot, ListSnapshots, GetSnapshot, and volume group snapshots.
 */
import { Code } from '../../pkg/csi/errors';
import { eventually, failure, GiB, requestCount, RWO, harnessForFile, pagedIds } from './harness';

const h = harnessForFile();

async function newVolume(name: string): Promise<string> {
  const response = await h().client.controller.CreateVolume({ name, capacity_range: { required_bytes: String(GiB) }, volume_capabilities: [RWO] });
  return response.volume!.volume_id;
}

async function readySnapshot(snapshotId: string): Promise<void> {
  await eventually(async () => (await h().client.controller.GetSnapshot({ snapshot_id: snapshotId })).snapshot?.ready_to_use === true, `snapshot ${snapshotId} ready`);
}

describe('CreateSnapshot (Cinder snapshot)', () => {
  it('returns while creating with ready_to_use=false, then answers truthfully; idempotent by name', async () => {
    const volumeId = await newVolume('sn-src');
    const hold = h().sim.control.holdStatus({ kind: 'snapshot', status: 'creating' });
    const request = {
      name: 'sn-1',
      source_volume_id: volumeId,
      parameters: {
        'csi.storage.k8s.io/volumesnapshot/name': 'snap',
        'csi.storage.k8s.io/volumesnapshot/namespace': 'apps',
        'csi.storage.k8s.io/volumesnapshotcontent/name': 'snapcontent-1',
      },
    };
    const first = await h().client.controller.CreateSnapshot(request);
    expect(first.snapshot?.ready_to_use).toBe(false);
    expect(first.snapshot?.source_volume_id).toBe(volumeId);
    expect(first.snapshot?.size_bytes).toBe(String(GiB));
    const cinder = await h().cloud.blockStorage.getSnapshot(first.snapshot!.snapshot_id);
    expect(cinder.status).toBe('creating');
    expect(cinder.metadata).toEqual({
      'cinder.csi.openstack.org/cluster': 'ctrl-test',
      'csi.storage.k8s.io/volumesnapshot/name': 'snap',
      'csi.storage.k8s.io/volumesnapshot/namespace': 'apps',
      'csi.storage.k8s.io/volumesnapshotcontent/name': 'snapcontent-1',
    });
    const createdAt = Math.floor(Date.parse(`${cinder.created_at.replace(/Z?$/, 'Z')}`) / 1000);
    expect(Number(first.snapshot?.creation_time?.seconds)).toBe(createdAt);

    const stillCreating = await h().client.controller.CreateSnapshot(request);
    expect(stillCreating.snapshot?.snapshot_id).toBe(first.snapshot?.snapshot_id);
    expect(stillCreating.snapshot?.ready_to_use).toBe(false);
    h().sim.control.releaseHold(hold);
    await eventually(async () => (await h().cloud.blockStorage.getSnapshot(first.snapshot!.snapshot_id)).status === 'available', 'Cinder snapshot available');
    const ready = await h().client.controller.CreateSnapshot(request);
    expect(ready.snapshot?.snapshot_id).toBe(first.snapshot?.snapshot_id);
    expect(ready.snapshot?.ready_to_use).toBe(true);
    expect((await h().cloud.blockStorage.listSnapshots({ name: 'sn-1' })).items).toHaveLength(1);
  });

  it('answers ALREADY_EXISTS for the same name on another volume, NOT_FOUND for a missing source', async () => {
    const a = await newVolume('sn-a');
    const b = await newVolume('sn-b');
    await h().client.controller.CreateSnapshot({ name: 'sn-mismatch', source_volume_id: a });
    const mismatch = await failure(h().client.controller.CreateSnapshot({ name: 'sn-mismatch', source_volume_id: b }));
    expect(mismatch.code).toBe(Code.ALREADY_EXISTS);
    const missing = await failure(h().client.controller.CreateSnapshot({ name: 'sn-missing', source_volume_id: '00000000-0000-4000-8000-00000000dead' }));
    expect(missing.code).toBe(Code.NOT_FOUND);
    const badParameter = await failure(h().client.controller.CreateSnapshot({ name: 'sn-bad', source_volume_id: a, parameters: { 'force-create': 'maybe' } }));
    expect(badParameter.code).toBe(Code.INVALID_ARGUMENT);
  });

  it('snapshots an in-use volume only with force-create', async () => {
    const volumeId = await newVolume('sn-inuse');
    await h().client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id, volume_capability: RWO });
    const refused = await failure(h().client.controller.CreateSnapshot({ name: 'sn-inuse-1', source_volume_id: volumeId }));
    expect(refused.code).toBe(Code.FAILED_PRECONDITION);
    const forced = await h().client.controller.CreateSnapshot({ name: 'sn-inuse-2', source_volume_id: volumeId, parameters: { 'force-create': 'true' } });
    expect(forced.snapshot?.snapshot_id).toBeTruthy();
    await readySnapshot(forced.snapshot!.snapshot_id);
    await h().client.controller.DeleteSnapshot({ snapshot_id: forced.snapshot!.snapshot_id });
    await h().client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: h().nodes.a.id });
  });

  it('reports a snapshot that failed and removes it so a retry starts clean', async () => {
    const volumeId = await newVolume('sn-fail-src');
    h().sim.control.failNextTransition({ kind: 'snapshot', operation: 'create', fault: 'backend snapshot failed' });
    const first = await h().client.controller.CreateSnapshot({ name: 'sn-fail', source_volume_id: volumeId });
    await eventually(async () => (await h().cloud.blockStorage.getSnapshot(first.snapshot!.snapshot_id)).status === 'error', 'snapshot in error');
    const error = await failure(h().client.controller.CreateSnapshot({ name: 'sn-fail', source_volume_id: volumeId }));
    expect(error.code).toBe(Code.INTERNAL);
    await eventually(async () => (await h().cloud.blockStorage.listSnapshots({ name: 'sn-fail' })).items.every((s) => s.status === 'deleting'), 'failed snapshot deleted');
  });
});

describe('CreateSnapshot (backup)', () => {
  it('backs up through an intermediate snapshot, reports ready truthfully, and cleans up', async () => {
    const volumeId = await newVolume('bk-src');
    const request = { name: 'bk-1', source_volume_id: volumeId, parameters: { type: 'backup', 'backup-max-duration-seconds-per-gb': '5' } };
    const hold = h().sim.control.holdStatus({ kind: 'backup', status: 'creating' });
    const first = await h().client.controller.CreateSnapshot(request);
    const backupId = first.snapshot!.snapshot_id;
    const backup = await h().cloud.blockStorage.getBackup(backupId);
    expect(backup.volume_id).toBe(volumeId);
    expect(backup.snapshot_id).toBeTruthy();
    expect(first.snapshot?.ready_to_use).toBe(false);
    h().sim.control.releaseHold(hold);
    await eventually(async () => (await h().cloud.blockStorage.getBackup(backupId)).status === 'available', 'backup available');
    const ready = await h().client.controller.CreateSnapshot(request);
    expect(ready.snapshot).toMatchObject({ snapshot_id: backupId, ready_to_use: true, source_volume_id: volumeId });
    await eventually(async () => (await h().cloud.blockStorage.listSnapshots({ name: 'bk-1' })).items.length === 0, 'intermediate snapshot removed');

    const got = await h().client.controller.GetSnapshot({ snapshot_id: backupId });
    expect(got.snapshot?.snapshot_id).toBe(backupId);
    const restored = await h().client.controller.CreateVolume({ name: 'bk-restore', volume_capabilities: [RWO], volume_content_source: { snapshot: { snapshot_id: backupId } } });
    expect(restored.volume?.volume_context).toEqual({ 'cinder.csi.openstack.org/resizeRequired': 'true' });

    await h().client.controller.DeleteSnapshot({ snapshot_id: backupId });
    await expect(h().cloud.blockStorage.getBackup(backupId)).rejects.toThrow(/could not be found/);
    await h().client.controller.DeleteSnapshot({ snapshot_id: backupId });
  });
});

describe('DeleteSnapshot, ListSnapshots, GetSnapshot', () => {
  it('deletes and waits until gone; gone is OK', async () => {
    const volumeId = await newVolume('ds-src');
    const created = await h().client.controller.CreateSnapshot({ name: 'ds-1', source_volume_id: volumeId });
    await readySnapshot(created.snapshot!.snapshot_id);
    await h().client.controller.DeleteSnapshot({ snapshot_id: created.snapshot!.snapshot_id });
    await expect(h().cloud.blockStorage.getSnapshot(created.snapshot!.snapshot_id)).rejects.toThrow(/could not be found/);
    await h().client.controller.DeleteSnapshot({ snapshot_id: created.snapshot!.snapshot_id });
    const missing = await failure(h().client.controller.GetSnapshot({ snapshot_id: created.snapshot!.snapshot_id }));
    expect(missing.code).toBe(Code.NOT_FOUND);
  });

  it('lists by ID, by source volume, and page by page', async () => {
    const volumeId = await newVolume('ls-src');
    const ids: string[] = [];
    for (const name of ['ls-1', 'ls-2', 'ls-3']) {
      const created = await h().client.controller.CreateSnapshot({ name, source_volume_id: volumeId });
      ids.push(created.snapshot!.snapshot_id);
    }
    for (const id of ids) await readySnapshot(id);
    // Backups are CSI snapshots too: listings page through snapshots, then backups.
    const backup = await h().client.controller.CreateSnapshot({ name: 'ls-backup', source_volume_id: volumeId, parameters: { type: 'backup' } });
    const backupId = backup.snapshot!.snapshot_id;

    const byId = await h().client.controller.ListSnapshots({ snapshot_id: ids[1] });
    expect(byId.entries.map((entry) => entry.snapshot!.snapshot_id)).toEqual([ids[1]]);
    expect(byId.entries[0].snapshot?.ready_to_use).toBe(true);
    expect((await h().client.controller.ListSnapshots({ snapshot_id: '00000000-0000-4000-8000-00000000dead' })).entries).toEqual([]);

    const bySource = await h().client.controller.ListSnapshots({ source_volume_id: volumeId });
    const bySourceIds = bySource.entries.map((entry) => entry.snapshot!.snapshot_id);
    expect(bySourceIds).toEqual(expect.arrayContaining([...ids, backupId]));
    expect(bySource.entries.every((entry) => entry.snapshot?.source_volume_id === volumeId)).toBe(true);
    expect((await h().client.controller.ListSnapshots({ snapshot_id: backupId })).entries.map((entry) => entry.snapshot!.snapshot_id)).toEqual([backupId]);

    const everything = (await h().client.controller.ListSnapshots({})).entries.map((entry) => entry.snapshot!.snapshot_id);
    const paged = await pagedIds(async (request) => {
      const page = await h().client.controller.ListSnapshots(request);
      return { ids: page.entries.map((entry) => entry.snapshot!.snapshot_id), next_token: page.next_token };
    }, 2);
    expect(paged).toEqual(everything);
    expect(everything).toEqual(expect.arrayContaining([...ids, backupId]));
    expect(everything.indexOf(backupId)).toBe(everything.length - 1);
    expect((await failure(h().client.controller.ListSnapshots({ starting_token: 'garbage' }))).code).toBe(Code.ABORTED);
  });

  it('gets a concurrent duplicate CreateSnapshot ABORTED', async () => {
    const volumeId = await newVolume('sn-dup-src');
    // A backup waits for its intermediate snapshot: hold that to keep the first call in flight.
    const hold = h().sim.control.holdStatus({ kind: 'snapshot', status: 'creating' });
    const request = { name: 'sn-dup', source_volume_id: volumeId, parameters: { type: 'backup' } };
    const first = h().client.controller.CreateSnapshot(request);
    await eventually(async () => (await h().cloud.blockStorage.listSnapshots({ name: 'sn-dup' })).items.length === 1, 'the first call to reach Cinder');
    const duplicate = await failure(h().client.controller.CreateSnapshot(request));
    expect(duplicate.code).toBe(Code.ABORTED);
    h().sim.control.releaseHold(hold);
    const done = await first;
    expect((await h().cloud.blockStorage.getBackup(done.snapshot!.snapshot_id)).volume_id).toBe(volumeId);
  });
});

describe('volume group snapshots', () => {
  it('snapshots several volumes together, gets and deletes the group snapshot, and leaves the volumes deletable', async () => {
    const a = await newVolume('gs-a');
    const b = await newVolume('gs-b');
    const created = await h().client.groupController.CreateVolumeGroupSnapshot({ name: 'gs-1', source_volume_ids: [a, b] });
    const group = created.group_snapshot!;
    expect(group.ready_to_use).toBe(true);
    expect(group.snapshots.map((snapshot) => snapshot.source_volume_id).sort()).toEqual([a, b].sort());
    expect(group.snapshots.every((snapshot) => snapshot.group_snapshot_id === group.group_snapshot_id && snapshot.ready_to_use)).toBe(true);
    expect(Number(group.creation_time?.seconds)).toBeGreaterThan(0);
    for (const id of [a, b]) expect((await h().cloud.blockStorage.getVolume(id)).group_id ?? null).toBeNull();

    const again = await h().client.groupController.CreateVolumeGroupSnapshot({ name: 'gs-1', source_volume_ids: [b, a] });
    expect(again.group_snapshot?.group_snapshot_id).toBe(group.group_snapshot_id);
    const mismatch = await failure(h().client.groupController.CreateVolumeGroupSnapshot({ name: 'gs-1', source_volume_ids: [a] }));
    expect(mismatch.code).toBe(Code.ALREADY_EXISTS);

    const got = await h().client.groupController.GetVolumeGroupSnapshot({ group_snapshot_id: group.group_snapshot_id });
    expect(got.group_snapshot?.snapshots.map((snapshot) => snapshot.snapshot_id).sort()).toEqual(group.snapshots.map((s) => s.snapshot_id).sort());
    const member = await failure(h().client.controller.DeleteSnapshot({ snapshot_id: group.snapshots[0].snapshot_id }));
    expect(member.code).toBe(Code.FAILED_PRECONDITION);

    await h().client.groupController.DeleteVolumeGroupSnapshot({ group_snapshot_id: group.group_snapshot_id });
    expect((await failure(h().client.groupController.GetVolumeGroupSnapshot({ group_snapshot_id: group.group_snapshot_id }))).code).toBe(Code.NOT_FOUND);
    await h().client.groupController.DeleteVolumeGroupSnapshot({ group_snapshot_id: group.group_snapshot_id });
    await eventually(async () => (await h().cloud.blockStorage.listSnapshots({ volumeId: a })).items.length === 0, 'member snapshots deleted');
    await h().client.controller.DeleteVolume({ volume_id: a });
    await h().client.controller.DeleteVolume({ volume_id: b });
    expect(requestCount(h().sim, 'POST', /\/groups\/[^/]+\/action$/)).toBeGreaterThanOrEqual(1);
  });

  it('reports a failed group snapshot and cleans up so the volumes stay deletable', async () => {
    const a = await newVolume('gsf-a');
    const b = await newVolume('gsf-b');
    h().sim.control.failNextTransition({ kind: 'group_snapshot', operation: 'create', fault: 'consistency point failed' });
    const error = await failure(h().client.groupController.CreateVolumeGroupSnapshot({ name: 'gs-fail', source_volume_ids: [a, b] }));
    expect(error.code).toBe(Code.INTERNAL);
    expect(error.details).toContain('Cinder failed to create group snapshot');
    const leftovers = (await h().cloud.blockStorage.listGroupSnapshots({ name: 'gs-fail' })).items;
    expect(leftovers).toEqual([]);
    for (const id of [a, b]) expect((await h().cloud.blockStorage.getVolume(id)).group_id ?? null).toBeNull();
    await eventually(async () => (await h().cloud.blockStorage.listSnapshots({ volumeId: a })).items.length === 0, 'member snapshots deleted');
    await h().client.controller.DeleteVolume({ volume_id: a });
    await h().client.controller.DeleteVolume({ volume_id: b });
  });

  it('validates its input', async () => {
    expect((await failure(h().client.groupController.CreateVolumeGroupSnapshot({ name: 'gs-empty', source_volume_ids: [] }))).code).toBe(Code.INVALID_ARGUMENT);
    expect(
      (await failure(h().client.groupController.CreateVolumeGroupSnapshot({ name: 'gs-missing', source_volume_ids: ['00000000-0000-4000-8000-00000000dead'] }))).code,
    ).toBe(Code.NOT_FOUND);
    expect(
      (await failure(h().client.groupController.CreateVolumeGroupSnapshot({ name: 'gs-param', source_volume_ids: ['x'], parameters: { groupType: 'x' } }))).code,
    ).toBe(Code.INVALID_ARGUMENT);
  });
});
