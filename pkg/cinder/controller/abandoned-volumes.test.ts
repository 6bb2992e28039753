/**
 * The janitor's bounds on the fake cloud: it gives a volume up after its time (counted once, not taken
 * on again by a rescan), and close() stops every retry. The simulator suite
 * (tests/controller/abandoned-volumes.test.ts) proves the deletes themselves.
 */
import { csiMetricsRegistry } from '../../csi/metrics';
import { silentLogger } from '../../log/logger';
import type { Volume } from '../../openstack/api';
import { METADATA_ABANDONED, METADATA_CLUSTER } from '../constants';
import { ABANDONED_VOLUMES_METRIC, AbandonedVolumes } from './abandoned-volumes';
import { CloudSelector, type CinderCloud } from './clouds';
import { LeftoverVolumes } from './leftover-volumes';
import { createFakeCloud, type FakeCloudState } from './testing/fake-cloud';

function setup(schedule: { firstDelayMs: number; giveUpAfterMs: number }) {
  const { cloud, state } = createFakeCloud('');
  const janitor = new AbandonedVolumes({
    clusterId: 'c1',
    clouds: new CloudSelector(new Map<string, CinderCloud>([['', cloud]])),
    leftovers: new LeftoverVolumes(),
    logger: silentLogger,
    schedule: { ...schedule, maxDelayMs: schedule.firstDelayMs * 2, rescanIntervalMs: 60_000 },
  });
  return { cloud, state, janitor };
}

async function stranded(cloud: CinderCloud, state: FakeCloudState, status: string): Promise<Volume> {
  const created = await cloud.blockStorage.createVolume({ size: 1, name: `pvc-${status}`, metadata: { [METADATA_CLUSTER]: 'c1' } });
  await cloud.blockStorage.getVolume(created.id); // lets the fake's create finish first
  const volume = state.volumes.get(created.id) as Volume;
  volume.status = status;
  return volume;
}

async function givenUpCount(): Promise<number> {
  const metric = await csiMetricsRegistry().getSingleMetric(ABANDONED_VOLUMES_METRIC)?.get();
  return (metric?.values ?? []).filter((value) => value.labels.outcome === 'given_up').reduce((sum, value) => sum + value.value, 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the abandoned-volume janitor', () => {
  it('gives a volume up after its time, counts it once and does not take it on again', async () => {
    const { cloud, state, janitor } = setup({ firstDelayMs: 2, giveUpAfterMs: 40 });
    const volume = await stranded(cloud, state, 'error_deleting');
    const before = await givenUpCount();
    await janitor.abandon(cloud, volume, 'failed-create', 'test', silentLogger);
    expect(volume.metadata[METADATA_ABANDONED]).toBe('failed-create');
    for (let i = 0; i < 200 && janitor.pending().length > 0; i++) await sleep(5);
    expect(janitor.pending()).toEqual([]);
    expect(await givenUpCount()).toBe(before + 1);
    expect(state.volumes.get(volume.id)?.status).toBe('error_deleting');

    await janitor.rescan();
    expect(janitor.pending()).toEqual([]);
    janitor.close();
  });

  it('close() stops the retries: nothing is deleted afterwards', async () => {
    const { cloud, state, janitor } = setup({ firstDelayMs: 20, giveUpAfterMs: 60_000 });
    const volume = await stranded(cloud, state, 'error');
    await janitor.abandon(cloud, volume, 'failed-create', 'test', silentLogger);
    expect(janitor.pending()).toEqual([volume.id]);
    janitor.close();
    await sleep(80);
    expect(state.calls.filter((call) => call.startsWith('deleteVolume'))).toEqual([]);
    expect(state.volumes.get(volume.id)?.status).toBe('error');
  });

  it('only reports a volume without this cluster\'s metadata', async () => {
    const { cloud, state, janitor } = setup({ firstDelayMs: 1, giveUpAfterMs: 60_000 });
    const created = await cloud.blockStorage.createVolume({ size: 1, name: 'users' });
    await cloud.blockStorage.getVolume(created.id);
    const volume = state.volumes.get(created.id) as Volume;
    volume.status = 'error';
    await janitor.abandon(cloud, volume, 'failed-same-name', 'test', silentLogger);
    expect(janitor.pending()).toEqual([]);
    expect(volume.metadata[METADATA_ABANDONED]).toBeUndefined();
    janitor.close();
  });
});
