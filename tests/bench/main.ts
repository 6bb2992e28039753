/**
 * `npm run bench`: the speed, API-cost and memory benchmarks (tests/bench/README.md says how to read
 * them). Loopback only, simulator devices off, no root. `npm run bench -- --only coalescing,memory`
 * runs a subset.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runCoalescedWaitsBench } from './coalesced-waits.bench';
import { runManilaBench } from './manila.bench';
import { runMemoryBench } from './memory.bench';
import { runStatusLatencyBench } from './status-latency.bench';

const BENCHES = {
  latency: (workDir: string) => runStatusLatencyBench({ candidates: [100, 250, 500], parallelVolumes: 4, workDir }),
  coalescing: () => runCoalescedWaitsBench({ volumeCounts: [10, 50, 100], firstDelaysMs: [0, 250] }),
  memory: (workDir: string) => runMemoryBench({ cycleBatches: [100, 100, 300, 500], concurrency: 4, workDir }),
  manila: () => runManilaBench({ rpcs: 100, volumes: 5, firstDelaysMs: [250, 0] }),
} as const;
type BenchName = keyof typeof BENCHES;

function isBenchName(name: string): name is BenchName {
  return Object.prototype.hasOwnProperty.call(BENCHES, name);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const selected = values.only === undefined ? Object.keys(BENCHES) : values.only.split(',').map((name) => name.trim());
  const unknown = selected.filter((name) => !isBenchName(name));
  if (unknown.length > 0) {
    throw new Error(`unknown bench ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
  }
  console.log(`openstack-csi benchmarks (${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs)`);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'csi-bench-'));
  const started = performance.now();
  try {
    for (const name of selected.filter(isBenchName)) await BENCHES[name](workDir);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  console.log(`\nbenchmarks done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
