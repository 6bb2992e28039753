/**
 * No name blocked forever, one volume per name: the controller over real gRPC against the simulator,
 * with its fault injection making the cleanup of a failed create fail, and two controller service
 * instances on one simulator creating the same name at once (a leader-election failover).
 */
import { LEFTOVER_VOLUMES_METRIC } from '../../pkg/cinder/controller/leftover-volumes';
import { Code } from '../../pkg/csi/errors';
import type { CreateVolumeRequest } from '../../pkg/csi/generated/csi/v1/CreateVolumeRequest';
import type { CreateVolumeRequest__Output } from '../../pkg/csi/generated/csi/v1/CreateVolumeRequest';
import { csiMetricsRegistry } from '../../pkg/csi/metrics';
import { silentLogger } from '../../pkg/log/logger';
import { CinderClient } from '../../pkg/openstack/cinder';
import { controllerServiceOn, eventually, failure, GiB, harnessForFile, RWO } from './harness';

const h = harnessForFile();

function request(name: string): CreateVolumeRequest {
  return { name, capacity_range: { required_bytes: String(GiB) }, volume_capabilities: [RWO] };
}

async function leftoverCount(): Promise<number> {
  const metric = await csiMetricsRegistry().getSingleMetric(LEFTOVER_VOLUMES_METRIC)?.get();
  return (metric?.values ?? []).reduce((sum, value) => sum + value.value, 0);
}

const volumesNamed = async (name: string) => (await h().cloud.blockStorage.listVolumes({ name, allPages: true })).items.filter((v) => v.name === name);

describe('a volume the plugin gave up on does not stand for its name', () => {
  it('error_deleting after the cleanup delete failed in Cinder: says so, creates anew at once, reports the leftover once', async () => {
    h().sim.control.failNextTransition({ kind: 'volume', operation: 'create', fault: 'No valid backend was found.' });
    h().sim.control.failNextTransition({ kind: 'volume', operation: 'delete', fault: 'backend unreachable' });
    const first = await failure(h().client.controller.CreateVolume(request('nc-error-deleting')));
    expect(first.code).toBe(Code.INTERNAL);
    expect(first.details).toContain('No valid backend was found.');
    // Cinder accepted the delete but had not done it: the message must not claim the volume was deleted.
    expect(first.details).toContain('its deletion was requested');
    expect(first.details).not.toMatch(/was deleted/);
    await eventually(async () => (await volumesNamed('nc-error-deleting'))[0]?.status === 'error_deleting', 'the cleanup delete to fail');
    const [leftover] = await volumesNamed('nc-error-deleting');

    const before = await leftoverCount();
    const retry = await h().client.controller.CreateVolume(request('nc-error-deleting'), { deadline: Date.now() + 20_000 });
    expect(retry.volume!.volume_id).not.toBe(leftover.id);
    expect((await h().cloud.blockStorage.getVolume(retry.volume!.volume_id)).status).toBe('available');
    expect(await leftoverCount()).toBe(before + 1);
    // Later calls answer the same volume; the leftover is not reported again.
    const again = await h().client.controller.CreateVolume(request('nc-error-deleting'));
    expect(again.volume!.volume_id).toBe(retry.volume!.volume_id);
    expect(await leftoverCount()).toBe(before + 1);
  });

  it('error after the cleanup delete itself was refused: the message says so, and later calls keep one volume for the name', async () => {
    h().sim.control.failNextTransition({ kind: 'volume', operation: 'create', fault: 'No valid backend was found.' });
    h().sim.control.addFault({ match: { method: 'DELETE', path: /\/volumes\/[^/]+$/ }, action: { type: 'error', status: 403, message: 'Policy does not allow volume:delete' } });
    const before = await leftoverCount();
    const first = await failure(h().client.controller.CreateVolume(request('nc-error-kept')));
    expect(first.code).toBe(Code.INTERNAL);
    expect(first.details).toMatch(/deleting it failed too \(.*\), so the controller retries the delete in the background; a retry creates a new volume/);
    expect(await leftoverCount()).toBe(before + 1);

    const retry = await h().client.controller.CreateVolume(request('nc-error-kept'));
    const again = await h().client.controller.CreateVolume(request('nc-error-kept'));
    expect(again.volume!.volume_id).toBe(retry.volume!.volume_id);
    const statuses = (await volumesNamed('nc-error-kept')).map((v) => v.status).sort();
    expect(statuses).toEqual(['available', 'error']);
    // Reported when the create failed; the retries saw the same leftover and did not count it again.
    expect(await leftoverCount()).toBe(before + 1);
  });
});

describe('two controllers create the same name at once', () => {
  it('both answer the same volume, the other one is deleted, and later calls keep answering it', async () => {
    const cloud = h().cloud;
    const controllerFor = () => controllerServiceOn(new Map([['', cloud]])).controller;
    const [a, b] = [controllerFor(), controllerFor()];
    const scope = { requestId: 'r', method: 'CreateVolume', logger: silentLogger };
    await cloud.blockStorage.listVolumes({ name: 'warm-up-token' });
    const names = Array.from({ length: 4 }, (_, i) => `nc-race-${i}`);
    const posts = () => h().sim.requests.entries({ method: 'POST' }).filter((r) => /\/volumes$/.test(r.path)).length;
    const postsBefore = posts();
    const answers = await Promise.all(
      names.map((name) => Promise.all([a, b].map((controller) => controller.CreateVolume!(request(name) as CreateVolumeRequest__Output, scope)))),
    );
    // The two instances raced: at least one name got two volumes created (else this test proves nothing).
    expect(posts() - postsBefore).toBeGreaterThan(names.length);
    for (const [index, [fromA, fromB]] of answers.entries()) {
      expect(fromB.volume!.volume_id).toBe(fromA.volume!.volume_id);
      const live = (await volumesNamed(names[index])).filter((v) => v.status !== 'deleting');
      expect(live.map((v) => v.id)).toEqual([fromA.volume!.volume_id]);
      const later = await h().client.controller.CreateVolume(request(names[index]));
      expect(later.volume!.volume_id).toBe(fromA.volume!.volume_id);
    }
  });

  it('with many creates in flight the name lookups share listings, and each name still ends with one volume', async () => {
    const cloud = h().cloud;
    expect(cloud.blockStorage).toBeInstanceOf(CinderClient);
    const lookups = (cloud.blockStorage as CinderClient).volumesByName.stats;
    const listingsBefore = lookups.listCalls;
    const controllerFor = () => controllerServiceOn(new Map([['', cloud]])).controller;
    const [a, b] = [controllerFor(), controllerFor()];
    const scope = { requestId: 'r', method: 'CreateVolume', logger: silentLogger };
    const names = Array.from({ length: 8 }, (_, i) => `nc-batch-${i}`);
    const answers = await Promise.all(
      names.map((name) => Promise.all([a, b].map((controller) => controller.CreateVolume!(request(name) as CreateVolumeRequest__Output, scope)))),
    );
    // 16 lookups before the creates and up to 16 after: served by shared listings, not one GET each.
    expect(lookups.listCalls).toBeGreaterThan(listingsBefore);
    for (const [index, [fromA, fromB]] of answers.entries()) {
      expect(fromB.volume!.volume_id).toBe(fromA.volume!.volume_id);
      const live = (await volumesNamed(names[index])).filter((v) => v.status !== 'deleting');
      expect(live.map((v) => v.id)).toEqual([fromA.volume!.volume_id]);
    }
  });

  it('a name already carried by two volumes answers the oldest instead of INTERNAL', async () => {
    const cloud = h().cloud;
    const older = await cloud.blockStorage.createVolume({ name: 'nc-two', size: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const newer = await cloud.blockStorage.createVolume({ name: 'nc-two', size: 1 });
    expect(newer.id).not.toBe(older.id);
    const answer = await h().client.controller.CreateVolume(request('nc-two'));
    expect(answer.volume!.volume_id).toBe(older.id);
    expect((await h().client.controller.CreateVolume(request('nc-two'))).volume!.volume_id).toBe(older.id);
  });
});
