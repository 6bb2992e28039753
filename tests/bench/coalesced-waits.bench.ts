/**
 * Bench 2: N volumes created at once, each waited for `available` with the production client. Counts the
 * Cinder requests the waits make and how late each wait saw its volume ready (from the simulator's record
 * of when the create really finished), for CPO's per-volume polling (coalescing off, CPO's schedule: the
 * baseline), coalescing with CPO's schedule, and coalescing with learned waiting (the plugin's default).
 */
import { createCloud, noopMetrics, type OpenStackCloud } from '../../pkg/openstack';
import { DEFAULT_WAIT_SCHEDULES as CONTROLLER_WAITS } from '../../pkg/openstack/wait-schedules';
import { startSimulator, type Simulator } from '../../pkg/simulator';
import { passwordCredentials } from '../../pkg/simulator/testing/cloud';
import { mean, percent, printTable, ratio, recordFigures, seconds } from './report';

const CREATE_LATENCY = { min: 1500, max: 2500 };
const SEED = 7_331;
/** Rounds of a few volumes before the measured ones, so learned waiting has seen this cloud's pace. */
const WARM_UP = { rounds: 3, volumes: 4 };
/**
 * One volume is one wait: its overhead is one draw, too noisy to be the baseline the other rows are held
 * to (it moved 0.10–0.34 s between runs). Its row is the mean of this many single-volume rounds.
 */
const SINGLE_VOLUME_ROUNDS = 8;
/** Create requests sent at once; the waits, the subject here, all still run concurrently. */
const CREATE_PARALLELISM = 25;

/** A tiny semaphore: at most `limit` of the calls run at once. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      queue.shift()?.();
    }
  };
}

export interface WaitCount {
  /** Cinder GETs made by the waits (per-ID GETs and list pages). */
  cinderRequests: number;
  listCalls: number;
  getCalls: number;
  /** From the first create until the last wait returned. */
  wallMs: number;
  /** Mean time the creates took in the cloud and mean time from each finishing to its wait returning. */
  cloudMs: number;
  overheadMs: number;
}

interface WaitConfig {
  name: string;
  coalescing: boolean;
  learned: boolean;
}

const CONFIGS: WaitConfig[] = [
  { name: 'CPO per-volume polling', coalescing: false, learned: false },
  { name: 'coalesced, CPO schedule', coalescing: true, learned: false },
  { name: 'coalesced, learned', coalescing: true, learned: true },
];

export interface CoalescingRow {
  volumes: number;
  results: WaitCount[];
}

export interface CoalescedWaitsOptions {
  volumeCounts: number[];
}

async function createAndWait(sim: Simulator, cloud: OpenStackCloud, volumes: number, label: string): Promise<WaitCount> {
  const stats = cloud.blockStorage.volumeWaiter.fetcher.stats;
  const before = { ...stats };
  sim.requests.clear();
  const started = performance.now();
  const limit = limiter(CREATE_PARALLELISM);
  const waits = await Promise.all(
    Array.from({ length: volumes }, async (_, index) => {
      const volume = await limit(() => cloud.blockStorage.createVolume({ size: 1, name: `bench-coalesce-${label}-${index}` }));
      await cloud.blockStorage.waitForVolume(volume.id, ['available'], { schedule: CONTROLLER_WAITS.volumeCreate });
      const ended = performance.now();
      const [create] = sim.transitions.entries({ id: volume.id, operation: 'create' });
      return { cloudMs: create.finishedAt! - create.scheduledAt, overheadMs: ended - create.finishedAt! };
    }),
  );
  const wallMs = performance.now() - started;
  return {
    cinderRequests: sim.requests.entries({ service: 'volume', method: 'GET' }).length,
    listCalls: stats.listCalls - before.listCalls,
    getCalls: stats.getCalls - before.getCalls,
    wallMs,
    cloudMs: mean(waits.map((wait) => wait.cloudMs)),
    overheadMs: mean(waits.map((wait) => wait.overheadMs)),
  };
}

/** The mean of each figure over rounds (requests per round, rounded to a tenth). */
function meanCount(rounds: readonly WaitCount[]): WaitCount {
  const of = (pick: (count: WaitCount) => number) => Math.round(mean(rounds.map(pick)) * 10) / 10;
  return {
    cinderRequests: of((count) => count.cinderRequests),
    listCalls: of((count) => count.listCalls),
    getCalls: of((count) => count.getCalls),
    wallMs: mean(rounds.map((count) => count.wallMs)),
    cloudMs: mean(rounds.map((count) => count.cloudMs)),
    overheadMs: mean(rounds.map((count) => count.overheadMs)),
  };
}

/** One simulator and client per configuration, warmed up, then every N in turn (N = 1: several rounds). */
async function runConfig(config: WaitConfig, volumeCounts: number[]): Promise<WaitCount[]> {
  const total = volumeCounts.reduce((sum, count) => sum + count, 0) + SINGLE_VOLUME_ROUNDS + WARM_UP.rounds * WARM_UP.volumes;
  const sim = await startSimulator({
    latencyMs: CREATE_LATENCY,
    randomSeed: SEED,
    devices: { enabled: false },
    quotas: { blockStorage: { volumes: total + 10, gigabytes: 10 * total + 100 } },
  });
  const cloud = createCloud(passwordCredentials(sim), {
    metrics: noopMetrics,
    waitCoalescing: { enabled: config.coalescing },
    waitPace: config.learned,
  });
  try {
    await cloud.projectId();
    for (let round = 0; round < WARM_UP.rounds; round += 1) await createAndWait(sim, cloud, WARM_UP.volumes, `warm-${round}`);
    const results: WaitCount[] = [];
    for (const volumes of volumeCounts) {
      if (volumes !== 1) {
        results.push(await createAndWait(sim, cloud, volumes, `n${volumes}`));
        continue;
      }
      const rounds: WaitCount[] = [];
      for (let round = 0; round < SINGLE_VOLUME_ROUNDS; round += 1) rounds.push(await createAndWait(sim, cloud, 1, `n1-${round}`));
      results.push(meanCount(rounds));
    }
    return results;
  } finally {
    cloud.close();
    await sim.stop();
  }
}

export async function runCoalescedWaitsBench(options: CoalescedWaitsOptions): Promise<CoalescingRow[]> {
  console.log(`\n== 3. Coalesced waits at scale: N concurrent creates waited for "available" ==`);
  console.log(
    `create latency ${CREATE_LATENCY.min}-${CREATE_LATENCY.max} ms; baseline = CPO's per-volume polling (coalescing off, CPO schedule); ` +
      `${WARM_UP.rounds} warm-up rounds of ${WARM_UP.volumes} volumes first; N = 1 is the mean of ${SINGLE_VOLUME_ROUNDS} single-volume rounds; ` +
        'configurations one after another on simulators with the same seed',
  );
  // Configurations one after another (each on its own simulator, same seed: same transition times). Side
  // by side they shared one event loop, and the per-volume polling's 600 GETs at N = 200 delayed the
  // coalesced waits' timers and list calls: measured alone, learned waiting's overhead at 200 fell from
  // ~0.4 s to ~0.11 s. A controller does not share its process with another controller.
  const byConfig: WaitCount[][] = [];
  for (const config of CONFIGS) byConfig.push(await runConfig(config, options.volumeCounts));
  const rows: CoalescingRow[] = options.volumeCounts.map((volumes, index) => ({ volumes, results: byConfig.map((results) => results[index]) }));
  const single = rows.find((row) => row.volumes === 1);
  printTable(
    'Cinder GET requests made by the waits (list = GET /volumes/detail pages), ratio to CPO per-volume polling',
    ['N', ...CONFIGS.flatMap((config, index) => (index === 0 ? [config.name] : [config.name, 'ratio', 'lists+GETs']))],
    rows.map((row) => [
      row.volumes,
      ...row.results.flatMap((result, index) =>
        index === 0
          ? [result.cinderRequests]
          : [result.cinderRequests, ratio(result.cinderRequests, row.results[0].cinderRequests), `${result.listCalls}+${result.getCalls}`],
      ),
    ]),
  );
  printTable(
    `Detection overhead per volume: s (% of the cloud's create time)${single ? '; ratio to the same configuration with one volume' : ''}`,
    ['N', 'cloud s', ...CONFIGS.flatMap((config) => (single ? [config.name, 'vs N=1'] : [config.name])), 'wall s (learned)'],
    rows.map((row) => [
      row.volumes,
      seconds(row.results[0].cloudMs),
      ...row.results.flatMap((result, index) => {
        const text = `${seconds(result.overheadMs)} (${percent(result.overheadMs, result.cloudMs)})`;
        return single ? [text, ratio(result.overheadMs, single.results[index].overheadMs)] : [text];
      }),
      seconds(row.results[row.results.length - 1].wallMs),
    ]),
  );
  recordFigures('coalescing', { configs: CONFIGS.map((config) => config.name), rows });
  return rows;
}

/** Lets this file run alone: `node --import tsx tests/bench/coalesced-waits.bench.ts`. */
if (require.main === module) {
  runCoalescedWaitsBench({ volumeCounts: [1, 10, 100, 200] }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
