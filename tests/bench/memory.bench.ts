/**
 * Bench 3: memory of a controller plugin process (the real binary, `cmd/cinder-csi-plugin`, run by
 * pkg/stack's process runner) idle and after create/delete cycles against the simulator. The process
 * reports `process.memoryUsage()` after a forced GC through a preloaded probe (memory-probe.ts), so the
 * heap figures are what it retains, not garbage not yet collected. No target is enforced.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createCsiClient, type CsiClient } from '../../pkg/csi/client';
import type { VolumeCapability } from '../../pkg/csi/types';
import { startSimulator } from '../../pkg/simulator';
import { CINDER_PLUGIN_MAIN as PLUGIN_MAIN } from '../../pkg/cinder/stack-driver';
import { startPluginProcess, type PluginProcess } from '../../pkg/stack';
import { mebibytes, printTable, ratio, recordFigures, runAlone } from './report';

/** Samples after 500, 1,000, 2,000 … 5,000 cycles: the first batch holds the warm-up, the rest show whether retained heap stays flat. */
export const MEMORY_CYCLE_BATCHES = [500, 500, 1000, 1000, 1000, 1000];
/** Cycles side by side: enough to keep the 5,000 cycles near a minute and a half on 2 cores (waits coalesce above 4). */
export const MEMORY_CONCURRENCY = 10;

const PROBE = path.join(__dirname, 'memory-probe.ts');
const RWO: VolumeCapability = { access_mode: { mode: 'SINGLE_NODE_WRITER' }, mount: { fs_type: 'ext4', mount_flags: [] } };

export interface MemorySample {
  label: string;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

export interface MemoryOptions {
  /** Cycles before each sample after idle, e.g. [100, 100] = samples after 100 and 200 cycles. */
  cycleBatches: number[];
  /** Cycles run side by side (below the coalescing threshold, like a quiet cluster). */
  concurrency: number;
  workDir: string;
}

async function sample(plugin: PluginProcess, file: string, label: string): Promise<MemorySample> {
  fs.rmSync(file, { force: true });
  process.kill(plugin.pid, 'SIGUSR2');
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (fs.existsSync(file)) {
      const usage = JSON.parse(fs.readFileSync(file, 'utf8')) as NodeJS.MemoryUsage;
      return { label, rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external };
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the plugin (pid ${plugin.pid}) did not report its memory within 5 s`);
}

async function cycles(client: CsiClient, first: number, count: number, concurrency: number): Promise<void> {
  let next = first;
  const end = first + count;
  const worker = async () => {
    while (next < end) {
      const index = next++;
      const created = await client.controller.CreateVolume({
        name: `bench-memory-${index}`,
        capacity_range: { required_bytes: String(1024 ** 3) },
        volume_capabilities: [RWO],
      });
      await client.controller.DeleteVolume({ volume_id: created.volume!.volume_id });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export async function runMemoryBench(options: MemoryOptions): Promise<MemorySample[]> {
  const total = options.cycleBatches.reduce((sum, count) => sum + count, 0);
  console.log(`\n== 6. Memory of a controller plugin process (idle, then ${total} CreateVolume/DeleteVolume cycles) ==`);
  const dir = fs.mkdtempSync(path.join(options.workDir, 'memory-'));
  const memoryFile = path.join(dir, 'memory.json');
  const sim = await startSimulator({
    latencyMs: 5,
    devices: { enabled: false },
    quotas: { blockStorage: { volumes: total + 10, gigabytes: 10 * (total + 10) } },
  });
  let plugin: PluginProcess | undefined;
  let client: CsiClient | undefined;
  try {
    const cloudConf = path.join(dir, 'cloud.conf');
    await sim.writeCloudConf(cloudConf);
    const socketPath = path.join(dir, 'controller.sock');
    plugin = await startPluginProcess({
      name: 'controller',
      socketPath,
      logFile: path.join(dir, 'plugin.log'),
      command: { file: process.execPath, args: ['--expose-gc', '--import', 'tsx', '--import', PROBE, PLUGIN_MAIN] },
      env: { ...process.env, BENCH_MEMORY_FILE: memoryFile },
      args: [
        '--endpoint', `unix://${socketPath}`,
        '--cloud-config', cloudConf,
        '--v', '2',
        '--provide-node-service=false',
        '--wait-initial-delay-ms', '10',
      ],
    });
    client = createCsiClient(socketPath);
    // Idle = started, ready, one CSI call answered, no cloud call yet: a controller before work arrives.
    await client.controller.ControllerGetCapabilities({});
    const samples = [await sample(plugin, memoryFile, 'idle')];
    let done = 0;
    for (const batch of options.cycleBatches) {
      await cycles(client, done, batch, options.concurrency);
      done += batch;
      samples.push(await sample(plugin, memoryFile, `after ${done} cycles`));
    }
    const [idle] = samples;
    printTable(
      'Process memory after a forced GC, MiB (baseline = idle; growth = retained heap added per cycle in that batch)',
      ['state', 'RSS', 'RSS ratio', 'heap used', 'heap ratio', 'growth KiB/cycle', 'heap total', 'external'],
      samples.map((row, index) => [
        row.label,
        mebibytes(row.rss),
        ratio(row.rss, idle.rss),
        mebibytes(row.heapUsed),
        ratio(row.heapUsed, idle.heapUsed),
        index === 0 ? '-' : ((row.heapUsed - samples[index - 1].heapUsed) / 1024 / options.cycleBatches[index - 1]).toFixed(2),
        mebibytes(row.heapTotal),
        mebibytes(row.external),
      ]),
    );
    recordFigures('memory', samples);
    return samples;
  } finally {
    client?.close();
    await plugin?.stop();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Lets this file run alone: `node --import tsx tests/bench/memory.bench.ts`. */
if (require.main === module) {
  runAlone((workDir) => runMemoryBench({ cycleBatches: MEMORY_CYCLE_BATCHES, concurrency: MEMORY_CONCURRENCY, workDir }));
}
