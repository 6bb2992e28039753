/**
 * Bench: learned waiting when the cloud suddenly slows down. Volumes are created and deleted with the
 * production client, each waited for with the controller's schedules, first at a calm pace (the model
 * learns), then with every transition 10x longer. Learned waiting is compared with CPO's schedules (the
 * baseline, no learning) on two simulators with the same seed, side by side: calls per wait, detection
 * overhead above the cloud's own time, and timeouts.
 */
import { DEFAULT_WAIT_SCHEDULES as CONTROLLER_WAITS } from '../../pkg/openstack/wait-schedules';
import { createCloud, noopMetrics, WaitTimeoutError, type OpenStackCloud } from '../../pkg/openstack';
import { startSimulator, type Simulator } from '../../pkg/simulator';
import type { Latency } from '../../pkg/simulator/control';
import { passwordCredentials } from '../../pkg/simulator/testing/cloud';
import { mean, percent, printTable, ratio, recordFigures, seconds } from './report';

const CALM: Readonly<Record<string, { min: number; max: number }>> = {
  'volume.create': { min: 1500, max: 2500 },
  'volume.delete': { min: 500, max: 1000 },
};
const SEED = 4_242;

export interface PaceChangeOptions {
  volumes: number;
  /** Calm rounds before the change (the first ones teach the model). */
  calmRounds: number;
  /** How much longer every transition takes after the change. */
  slowdown: number;
  /** Rounds after the change: the first meets it unprepared, later ones have relearned. */
  slowRounds: number;
}

interface RoundFigures {
  /** Cinder GETs of the waits (everything but the create and delete requests), per wait. */
  callsPerWait: number;
  /** Mean ms from the cloud finishing to the wait returning. */
  overheadMs: number;
  /** Mean ms the cloud's transitions took. */
  cloudMs: number;
  timeouts: number;
}

function scaled(latency: { min: number; max: number }, factor: number): Latency {
  return { min: latency.min * factor, max: latency.max * factor };
}

async function timedWait(sim: Simulator, id: string, wait: () => Promise<unknown>): Promise<{ overheadMs: number; cloudMs: number; timedOut: boolean }> {
  const since = performance.now();
  let timedOut = false;
  try {
    await wait();
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    timedOut = true;
  }
  const ended = performance.now();
  const transitions = sim.transitions.entries({ id }).filter((record) => record.scheduledAt >= since - 1000 && record.finishedAt !== undefined);
  const last = transitions[transitions.length - 1];
  if (!last || timedOut) return { overheadMs: 0, cloudMs: 0, timedOut };
  return { overheadMs: ended - last.finishedAt!, cloudMs: last.finishedAt! - last.scheduledAt, timedOut };
}

/** One round: every volume created and waited for, then deleted and waited for, all side by side. */
async function round(sim: Simulator, cloud: OpenStackCloud, volumes: number, label: string): Promise<RoundFigures> {
  sim.requests.clear();
  const results = await Promise.all(
    Array.from({ length: volumes }, async (_, index) => {
      const volume = await cloud.blockStorage.createVolume({ size: 1, name: `bench-pace-${label}-${index}` });
      const created = await timedWait(sim, volume.id, () =>
        cloud.blockStorage.waitForVolume(volume.id, ['available'], { schedule: CONTROLLER_WAITS.volumeCreate, errorStatuses: ['error'] }),
      );
      if (created.timedOut) return [created];
      await cloud.blockStorage.deleteVolume(volume.id);
      const deleted = await timedWait(sim, volume.id, () =>
        cloud.blockStorage.waitForVolume(volume.id, [], { gone: true, schedule: CONTROLLER_WAITS.volumeStatus }),
      );
      return [created, deleted];
    }),
  );
  const waits = results.flat();
  const finished = waits.filter((wait) => !wait.timedOut);
  const requests = sim.requests.entries({ service: 'volume', method: 'GET' }).length;
  return {
    callsPerWait: requests / waits.length,
    overheadMs: mean(finished.map((wait) => wait.overheadMs)),
    cloudMs: mean(finished.map((wait) => wait.cloudMs)),
    timeouts: waits.length - finished.length,
  };
}

async function runOne(learned: boolean, options: PaceChangeOptions): Promise<{ calm: RoundFigures; slow: RoundFigures[] }> {
  const sim = await startSimulator({
    randomSeed: SEED,
    devices: { enabled: false },
    quotas: { blockStorage: { volumes: options.volumes + 10, gigabytes: 100 * options.volumes } },
  });
  const cloud = createCloud(passwordCredentials(sim), { metrics: noopMetrics, waitPace: learned });
  try {
    await cloud.projectId();
    for (const [transition, latency] of Object.entries(CALM)) sim.control.setLatency(latency, transition);
    let calm: RoundFigures | undefined;
    for (let index = 0; index < options.calmRounds; index += 1) calm = await round(sim, cloud, options.volumes, `calm-${index}`);
    for (const [transition, latency] of Object.entries(CALM)) sim.control.setLatency(scaled(latency, options.slowdown), transition);
    const slow: RoundFigures[] = [];
    for (let index = 0; index < options.slowRounds; index += 1) slow.push(await round(sim, cloud, options.volumes, `slow-${index}`));
    return { calm: calm!, slow };
  } finally {
    cloud.close();
    await sim.stop();
  }
}

export async function runPaceChangeBench(options: PaceChangeOptions): Promise<void> {
  console.log(`\n== 2b. Learned waiting when the cloud changes pace: every transition ${options.slowdown}x longer ==`);
  console.log(
    `${options.volumes} volumes created and deleted side by side per round; calm ms: ` +
      `${Object.entries(CALM).map(([name, latency]) => `${name} ${latency.min}-${latency.max}`).join(', ')}; ` +
      `${options.calmRounds} calm round(s), then ${options.slowRounds} at ${options.slowdown}x; baseline = CPO's schedules`,
  );
  const [cpo, learned] = await Promise.all([runOne(false, options), runOne(true, options)]);
  const rows = [
    { name: 'calm (last round)', cpo: cpo.calm, learned: learned.calm },
    ...cpo.slow.map((figures, index) => ({
      name: index === 0 ? `${options.slowdown}x, first round` : `${options.slowdown}x, round ${index + 1}`,
      cpo: figures,
      learned: learned.slow[index],
    })),
  ];
  printTable(
    'Cinder GETs per wait and detection overhead (s, % of the cloud\'s time); timeouts',
    ['round', 'cloud s', 'CPO calls', 'learned calls', 'ratio', 'CPO overhead', 'learned overhead', 'CPO timeouts', 'learned timeouts'],
    rows.map((row) => [
      row.name,
      seconds(row.cpo.cloudMs),
      row.cpo.callsPerWait.toFixed(2),
      row.learned.callsPerWait.toFixed(2),
      ratio(row.learned.callsPerWait, row.cpo.callsPerWait),
      `${seconds(row.cpo.overheadMs)} (${percent(row.cpo.overheadMs, row.cpo.cloudMs)})`,
      `${seconds(row.learned.overheadMs)} (${percent(row.learned.overheadMs, row.learned.cloudMs)})`,
      row.cpo.timeouts,
      row.learned.timeouts,
    ]),
  );
  recordFigures('paceChange', { slowdown: options.slowdown, rows });
}

/** Lets this file run alone: `node --import tsx tests/bench/pace-change.bench.ts`. */
if (require.main === module) {
  runPaceChangeBench({ volumes: 4, calmRounds: 4, slowdown: 10, slowRounds: 2 }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
