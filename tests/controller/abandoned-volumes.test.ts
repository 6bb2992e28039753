/**
 * The abandoned-volume janitor against the simulator: a failed create whose cleanup delete Cinder failed
 * is marked, left alone while `error_deleting`, and deleted once an operator resets it; a restarted
 * controller finds the volumes its cluster marked; a user's volume is never touched. Also DeleteVolume's
 * answer for a volume Cinder left in `error_deleting`.
 */
import { ABANDONED_VOLUMES_METRIC } from '../../pkg/cinder/controller/abandoned-volumes';
import { METADATA_ABANDONED, METADATA_CLUSTER } from '../../pkg/cinder/constants';
import { Code } from '../../pkg/csi/errors';
import { csiMetricsRegistry } from '../../pkg/csi/metrics';
import type { Volume } from '../../pkg/openstack';
import { rawClient } from '../../pkg/simulator/testing/raw-http';
import { controllerServiceOn, eventually, failure, GiB, harnessForFile, RWO } from './harness';

/** The janitor's first retry after 50 ms (gives up after 18 s, rescans every 3 s). */
const RETRY_MS = 50;
const h = harnessForFile({ controller: { abandonedVolumeRetryMs: RETRY_MS } });

async function volumeOrGone(id: string): Promise<Volume | undefined> {
  return (await h().cloud.blockStorage.listVolumes({ allPages: true })).items.find((volume) => volume.id === id);
}

/** What the operator does: `openstack volume set --state <status> <id>` (admin reset-state). */
async function operatorResets(id: string, status: string): Promise<void> {
  const call = await rawClient(h().sim, 'volume');
  const answer = await call('POST', `/volumes/${id}/action`, { body: { 'os-reset_status': { status } } });
  expect(answer.status).toBe(202);
}

async function deletedCount(): Promise<number> {
  const metric = await csiMetricsRegistry().getSingleMetric(ABANDONED_VOLUMES_METRIC)?.get();
  return (metric?.values ?? []).filter((value) => value.labels.outcome === 'deleted').reduce((sum, value) => sum + value.value, 0);
}

/** Lets the janitor run a good number of its retries. */
const severalRetries = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, RETRY_MS * 12));

describe('the janitor deletes volumes the controller abandoned', () => {
  it('a failed create whose cleanup Cinder failed: marked, left alone in error_deleting, deleted after the operator reset', async () => {
    const { sim, client, cloud } = h();
    sim.control.failNextTransition({ kind: 'volume', operation: 'create', fault: 'No valid backend was found.' });
    sim.control.failNextTransition({ kind: 'volume', operation: 'delete', fault: 'backend unreachable' });
    const answer = await failure(client.controller.CreateVolume({ name: 'jn-stranded', capacity_range: { required_bytes: String(GiB) }, volume_capabilities: [RWO] }));
    expect(answer.code).toBe(Code.INTERNAL);
    const [stranded] = (await cloud.blockStorage.listVolumes({ name: 'jn-stranded', allPages: true })).items;
    await eventually(async () => (await volumeOrGone(stranded.id))?.metadata[METADATA_ABANDONED] === 'failed-create', 'the janitor to mark the volume');

    await severalRetries();
    expect((await volumeOrGone(stranded.id))?.status).toBe('error_deleting');

    const before = await deletedCount();
    await operatorResets(stranded.id, 'error');
    await eventually(async () => (await volumeOrGone(stranded.id)) === undefined, 'the janitor to delete the volume');
    // Counted when the janitor sees it gone, on its next look.
    await eventually(async () => (await deletedCount()) === before + 1, 'the janitor to count the deleted volume');
  });

  it('a failed create whose cleanup delete was refused: retried until Cinder takes the delete', async () => {
    const { sim, client } = h();
    sim.control.failNextTransition({ kind: 'volume', operation: 'create', fault: 'No valid backend was found.' });
    const refuse = sim.control.addFault({ match: { method: 'DELETE', path: /\/volumes\/[^/]+$/ }, action: { type: 'error', status: 403, message: 'Policy does not allow volume:delete' } });
    await failure(client.controller.CreateVolume({ name: 'jn-refused', capacity_range: { required_bytes: String(GiB) }, volume_capabilities: [RWO] }));
    const [kept] = (await h().cloud.blockStorage.listVolumes({ name: 'jn-refused', allPages: true })).items;
    expect(kept.metadata[METADATA_ABANDONED]).toBe('failed-create');
    await severalRetries();
    expect((await volumeOrGone(kept.id))?.status).toBe('error');

    sim.control.removeFault(refuse);
    await eventually(async () => (await volumeOrGone(kept.id)) === undefined, 'the janitor to delete the volume');
  });
});

describe('a restarted controller', () => {
  it('finds the volumes its cluster marked and deletes them; another cluster\'s marked volume and a user\'s volume are left alone', async () => {
    const { cloud } = h();
    const marked = (cluster: string) => ({ [METADATA_CLUSTER]: cluster, [METADATA_ABANDONED]: 'failed-create' });
    const ours = await cloud.blockStorage.createVolume({ size: 1, name: 'jn-ours', metadata: marked('ctrl-test') });
    const theirs = await cloud.blockStorage.createVolume({ size: 1, name: 'jn-theirs', metadata: marked('other-cluster') });
    const users = await cloud.blockStorage.createVolume({ size: 1, name: 'jn-users' });
    await h().sim.whenIdle();
    for (const volume of [ours, theirs, users]) await operatorResets(volume.id, 'error');

    const restarted = controllerServiceOn(new Map([['', cloud]]), { abandonedVolumeRetryMs: RETRY_MS });
    try {
      restarted.abandoned.start();
      await eventually(async () => (await volumeOrGone(ours.id)) === undefined, 'the restarted controller to delete its marked volume');
      await severalRetries();
      expect((await volumeOrGone(theirs.id))?.status).toBe('error');
      expect((await volumeOrGone(users.id))?.status).toBe('error');
    } finally {
      restarted.close();
    }
    expect(restarted.abandoned.pending()).toEqual([]);
  });
});

describe("a user's own volume", () => {
  it('in error, named like a CreateVolume request, is never taken on by the janitor', async () => {
    const { cloud, client } = h();
    const users = await cloud.blockStorage.createVolume({ size: 1, name: 'jn-named-like-ours' });
    await h().sim.whenIdle();
    await operatorResets(users.id, 'error');
    const created = await client.controller.CreateVolume({ name: 'jn-named-like-ours', capacity_range: { required_bytes: String(GiB) }, volume_capabilities: [RWO] });
    expect(created.volume!.volume_id).not.toBe(users.id);
    await severalRetries();
    const left = await volumeOrGone(users.id);
    expect(left?.status).toBe('error');
    expect(left?.metadata[METADATA_ABANDONED]).toBeUndefined();
  });
});

describe('DeleteVolume of a volume Cinder left in error_deleting', () => {
  it('says what happened and the operator command, then deletes once the operator reset it', async () => {
    const { cloud, client } = h();
    const volume = await cloud.blockStorage.createVolume({ size: 1, name: 'jn-delete-stuck' });
    await h().sim.whenIdle();
    h().sim.control.failNextTransition({ kind: 'volume', id: volume.id, operation: 'delete', fault: 'backend unreachable' });
    const first = await failure(client.controller.DeleteVolume({ volume_id: volume.id }));
    expect(first.code).toBe(Code.INTERNAL);
    expect(first.details).toContain(`openstack volume set --state error ${volume.id}`);

    const again = await failure(client.controller.DeleteVolume({ volume_id: volume.id }));
    expect(again.code).toBe(Code.FAILED_PRECONDITION);
    expect(again.details).toContain(`volume ${volume.id} is "error_deleting": Cinder failed an earlier delete of it`);
    expect(again.details).toContain(`openstack volume set --state error ${volume.id}`);
    expect(again.details).not.toContain('returned 400');

    await operatorResets(volume.id, 'error');
    await client.controller.DeleteVolume({ volume_id: volume.id });
    expect(await volumeOrGone(volume.id)).toBeUndefined();
  });
});
