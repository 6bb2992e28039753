/**
 * `npm run bench`: the speed, API-cost and memory benchmarks (tests/bench/README.md says how to read
 * them). Loopback only, simulator devices off, no root. `npm run bench -- --only coalescing,memory`
 * runs a subset, `--quick` a shorter run of each, `--json FILE` also writes the figures as JSON (what
 * docs/benchmarks.md and its plot are made from: tests/bench/plot.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runCoalescedWaitsBench } from './coalesced-waits.bench';
import { runDeviceDiscoveryBench } from './device-discovery.bench';
import { runLeanProcessBench } from './lean-process.bench';
import { runManilaBench } from './manila.bench';
import { MEMORY_CONCURRENCY, MEMORY_CYCLE_BATCHES, runMemoryBench } from './memory.bench';
import { runPaceChangeBench } from './pace-change.bench';
import { runVolumesInFlightBench } from './volumes-in-flight.bench';
import { recordedFigures } from './report';
import { FIXED_250_SETTING, LEARNED_SETTING, runStatusLatencyBench } from './status-latency.bench';

type Bench = (workDir: string, quick: boolean) => Promise<unknown>;

const BENCHES = {
  latency: (workDir, quick) =>
    runStatusLatencyBench({
      settings: [FIXED_250_SETTING, LEARNED_SETTING],
      parallelVolumes: 4,
      warmUpRounds: quick ? 1 : 3,
      measuredRounds: quick ? 1 : 3,
      workDir,
    }),
  pace: (_workDir, quick) => runPaceChangeBench({ volumes: 4, calmRounds: quick ? 3 : 4, slowdown: 10, slowRounds: quick ? 1 : 2 }),
  coalescing: (_workDir, quick) => runCoalescedWaitsBench({ volumeCounts: quick ? [1, 10, 100] : [1, 10, 100, 200] }),
  devices: (workDir, quick) => runDeviceDiscoveryBench({ volumes: quick ? 10 : 20, workDir }),
  inflight: (workDir, quick) =>
    runVolumesInFlightBench({ volumes: quick ? 100 : 200, servers: quick ? 10 : 20, listedVolumes: quick ? 300 : 1000, pageSize: 100, workDir }),
  lean: (workDir, quick) => runLeanProcessBench({ cycles: quick ? 20 : 50, workDir }),
  memory: (workDir, quick) =>
    runMemoryBench({ cycleBatches: quick ? [100, 200] : MEMORY_CYCLE_BATCHES, concurrency: MEMORY_CONCURRENCY, workDir }),
  manila: (_workDir, quick) => runManilaBench({ rpcs: 100, volumes: quick ? 2 : 5, firstDelaysMs: [250, 0] }),
} as const satisfies Record<string, Bench>;
type BenchName = keyof typeof BENCHES;

function isBenchName(name: string): name is BenchName {
  return Object.prototype.hasOwnProperty.call(BENCHES, name);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, quick: { type: 'boolean' }, json: { type: 'string' } } });
  const selected = values.only === undefined ? Object.keys(BENCHES) : values.only.split(',').map((name) => name.trim());
  const unknown = selected.filter((name) => !isBenchName(name));
  if (unknown.length > 0) {
    throw new Error(`unknown bench ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
  }
  const quick = values.quick ?? false;
  const header = `openstack-csi benchmarks (${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs${quick ? ', --quick' : ''})`;
  console.log(header);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'csi-bench-'));
  const started = performance.now();
  try {
    for (const name of selected.filter(isBenchName)) await BENCHES[name](workDir, quick);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nbenchmarks done in ${seconds.toFixed(0)} s`);
  if (values.json) {
    const document = { header, seconds, figures: recordedFigures() };
    fs.writeFileSync(values.json, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`figures written to ${values.json}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
