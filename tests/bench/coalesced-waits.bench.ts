/**
 * Bench 2: N volumes created at once, each waited for `available` with the production client. Counts the
 * Cinder requests the waits make with coalescing off (one GET per volume per check: what CPO does, the
 * baseline) and on (concurrent waits share one `GET /volumes/detail` per tick).
 */
import { createCloud, noopMetrics, type WaitSchedule } from '../../pkg/openstack';
import { DEFAULT_WAIT_SCHEDULES as CONTROLLER_WAITS, withInitialDelay } from '../../pkg/openstack/wait-schedules';
import { startSimulator } from '../../pkg/simulator';
import { passwordCredentials } from '../../pkg/simulator/testing/cloud';
import { printTable, ratio, seconds } from './report';

const CREATE_LATENCY = { min: 1500, max: 2500 };
const SEED = 7_331;

export interface WaitCount {
  /** Cinder GETs made by the waits (per-ID GETs and list pages). */
  cinderRequests: number;
  listCalls: number;
  getCalls: number;
  /** From the first create until the last wait returned. */
  wallMs: number;
}

export interface CoalescingRow {
  volumes: number;
  scheduleName: string;
  off: WaitCount;
  on: WaitCount;
}

export interface CoalescedWaitsOptions {
  volumeCounts: number[];
  /** First delays of the volume-create schedule to run with (0 = the plugin's CPO-like default). */
  firstDelaysMs: number[];
}

async function createAndWait(volumes: number, schedule: WaitSchedule, coalescing: boolean): Promise<WaitCount> {
  const sim = await startSimulator({
    latencyMs: CREATE_LATENCY,
    randomSeed: SEED,
    devices: { enabled: false },
    quotas: { blockStorage: { volumes: volumes + 10, gigabytes: 100 * volumes } },
  });
  const cloud = createCloud(passwordCredentials(sim), { metrics: noopMetrics, waitCoalescing: { enabled: coalescing } });
  try {
    await cloud.projectId();
    sim.requests.clear();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: volumes }, async (_, index) => {
        const volume = await cloud.blockStorage.createVolume({ size: 1, name: `bench-coalesce-${index}` });
        await cloud.blockStorage.waitForVolume(volume.id, ['available'], { schedule });
      }),
    );
    const wallMs = performance.now() - started;
    const { listCalls, getCalls } = cloud.blockStorage.volumeWaiter.fetcher.stats;
    return {
      cinderRequests: sim.requests.entries({ service: 'volume', method: 'GET' }).length,
      listCalls,
      getCalls,
      wallMs,
    };
  } finally {
    cloud.close();
    await sim.stop();
  }
}

export async function runCoalescedWaitsBench(options: CoalescedWaitsOptions): Promise<CoalescingRow[]> {
  console.log(`\n== 2. Coalesced waits: N concurrent creates waited for "available" ==`);
  console.log(
    `create latency ${CREATE_LATENCY.min}-${CREATE_LATENCY.max} ms; baseline = coalescing off (one GET per volume per check, as CPO)`,
  );
  const rows: CoalescingRow[] = [];
  for (const firstDelayMs of options.firstDelaysMs) {
    const schedule = withInitialDelay(CONTROLLER_WAITS.volumeCreate, firstDelayMs);
    const scheduleName = firstDelayMs === 0 ? 'CPO 1 s' : `${firstDelayMs} ms`;
    for (const volumes of options.volumeCounts) {
      // Off and on side by side on two simulators with the same seed: same transition times, half the wall time.
      const [off, on] = await Promise.all([createAndWait(volumes, schedule, false), createAndWait(volumes, schedule, true)]);
      rows.push({ volumes, scheduleName, off, on });
    }
  }
  printTable(
    'Cinder GET requests made by the waits (list = GET /volumes/detail pages)',
    ['N', 'first delay', 'off (baseline)', 'on', 'ratio', 'on: lists+GETs', 'off wall s', 'on wall s'],
    rows.map((row) => [
      row.volumes,
      row.scheduleName,
      row.off.cinderRequests,
      row.on.cinderRequests,
      ratio(row.on.cinderRequests, row.off.cinderRequests),
      `${row.on.listCalls}+${row.on.getCalls}`,
      seconds(row.off.wallMs),
      seconds(row.on.wallMs),
    ]),
  );
  return rows;
}

/** Lets this file run alone: `node --import tsx tests/bench/coalesced-waits.bench.ts`. */
if (require.main === module) {
  runCoalescedWaitsBench({ volumeCounts: [10, 50, 100], firstDelaysMs: [0, 250] }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
