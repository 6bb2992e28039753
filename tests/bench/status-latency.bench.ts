/**
 * Bench 1: how long the controller takes to notice that Cinder/Nova finished, with CPO's wait schedules
 * (`--wait-initial-delay-ms=0`, the baseline) and with shorter first delays, and what that costs in API
 * calls. The real controller service runs in this process behind its gRPC socket (pkg/stack's in-process
 * mode, same wiring as the binary); the simulator's transitions take seconds, as on a real cloud.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCsiClient, type CsiClient } from '../../pkg/csi/client';
import type { VolumeCapability } from '../../pkg/csi/types';
import { startSimulator, type Simulator } from '../../pkg/simulator';
import type { Latency } from '../../pkg/simulator/control';
import { startPluginInProcess } from '../../pkg/stack';
import { cinderStackDriver } from '../../pkg/cinder/stack-driver';
import { mean, printTable, ratio, seconds } from './report';
import { GiB } from '../../pkg/units/bytes';

const RWO: VolumeCapability = {
  access_mode: { mode: 'SINGLE_NODE_WRITER' },
  mount: { fs_type: 'ext4', mount_flags: [] },
};

/**
 * Transition times of a calm production cloud, drawn per transition from the simulator's seeded PRNG.
 * An attach is two transitions in the simulator (reserved → attaching → in-use), so ~1.5 s in all.
 */
export const TRANSITION_LATENCY: Readonly<Record<string, Latency>> = {
  'volume.create': { min: 1500, max: 2500 },
  'volume.attach': { min: 500, max: 1000 },
  'volume.detach': { min: 1000, max: 2000 },
  'volume.extend': { min: 1000, max: 2000 },
  'volume.delete': { min: 500, max: 1000 },
  'snapshot.create': { min: 1500, max: 2500 },
  'snapshot.delete': { min: 300, max: 700 },
};

/** The same seed for every setting: each one meets the same transition times. */
const SEED = 20_241_125;

/**
 * The external-snapshotter calls CreateSnapshot again while `ready_to_use` is false; we emulate its
 * exponential requeue (1 s, doubling). The plugin does not wait here, so this row should not move.
 */
const SNAPSHOT_RETRY_START_MS = 1000;

const OPERATIONS = [
  'CreateVolume',
  'ControllerPublish',
  'ControllerUnpublish',
  'ControllerExpand',
  'CreateSnapshot (until ready)',
  'DeleteSnapshot',
  'DeleteVolume',
] as const;
type Operation = (typeof OPERATIONS)[number];

export interface OperationFigures {
  /** Mean wall time of one call (one volume), ms. */
  meanMs: number;
  /** Cinder and Nova requests per call. */
  cinderCalls: number;
  novaCalls: number;
}

export interface SettingResult {
  firstDelayMs: number;
  operations: Map<Operation, OperationFigures>;
}

export interface StatusLatencyOptions {
  /** `--wait-initial-delay-ms` values; 0 (CPO) is always run first as the baseline. */
  candidates: number[];
  /** Volumes taken through the sequence side by side (below the coalescing threshold of 5). */
  parallelVolumes: number;
  workDir: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one operation for every volume at once; returns the mean per-volume time and calls per volume. */
async function phase(sim: Simulator, count: number, run: (index: number) => Promise<void>): Promise<OperationFigures> {
  sim.requests.clear();
  const durations = await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const started = performance.now();
      await run(index);
      return performance.now() - started;
    }),
  );
  const records = sim.requests.entries();
  return {
    meanMs: mean(durations),
    cinderCalls: records.filter((record) => record.service === 'volume').length / count,
    novaCalls: records.filter((record) => record.service === 'compute').length / count,
  };
}

async function runSequence(client: CsiClient, sim: Simulator, count: number): Promise<Map<Operation, OperationFigures>> {
  const nodeId = sim.defaultServer.id;
  const volumeIds: string[] = [];
  const snapshotIds: string[] = [];
  const results = new Map<Operation, OperationFigures>();
  const step = async (operation: Operation, run: (index: number) => Promise<void>) => {
    results.set(operation, await phase(sim, count, run));
  };

  await step('CreateVolume', async (index) => {
    const created = await client.controller.CreateVolume({
      name: `bench-volume-${index}`,
      capacity_range: { required_bytes: String(GiB) },
      volume_capabilities: [RWO],
    });
    volumeIds[index] = created.volume!.volume_id;
  });
  await step('ControllerPublish', async (index) => {
    await client.controller.ControllerPublishVolume({ volume_id: volumeIds[index], node_id: nodeId, volume_capability: RWO });
  });
  await step('ControllerUnpublish', async (index) => {
    await client.controller.ControllerUnpublishVolume({ volume_id: volumeIds[index], node_id: nodeId });
  });
  await step('ControllerExpand', async (index) => {
    await client.controller.ControllerExpandVolume({
      volume_id: volumeIds[index],
      capacity_range: { required_bytes: String(2 * GiB) },
      volume_capability: RWO,
    });
  });
  await step('CreateSnapshot (until ready)', async (index) => {
    let retryMs = SNAPSHOT_RETRY_START_MS;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const answer = await client.controller.CreateSnapshot({ name: `bench-snapshot-${index}`, source_volume_id: volumeIds[index] });
      snapshotIds[index] = answer.snapshot!.snapshot_id;
      if (answer.snapshot!.ready_to_use) return;
      await sleep(retryMs);
      retryMs *= 2;
    }
    throw new Error(`snapshot of ${volumeIds[index]} never became ready`);
  });
  await step('DeleteSnapshot', async (index) => {
    await client.controller.DeleteSnapshot({ snapshot_id: snapshotIds[index] });
  });
  await step('DeleteVolume', async (index) => {
    await client.controller.DeleteVolume({ volume_id: volumeIds[index] });
  });
  return results;
}

async function runSetting(firstDelayMs: number, options: StatusLatencyOptions): Promise<SettingResult> {
  const dir = fs.mkdtempSync(path.join(options.workDir, `latency-${firstDelayMs}-`));
  const sim = await startSimulator({
    latencyMs: 50,
    randomSeed: SEED,
    devices: { enabled: false },
    servers: [{ name: 'bench-node' }],
    quotas: { blockStorage: { volumes: 100, snapshots: 100, gigabytes: 10_000 } },
  });
  let client: CsiClient | undefined;
  let plugin: Awaited<ReturnType<typeof startPluginInProcess>> | undefined;
  try {
    for (const [transition, latency] of Object.entries(TRANSITION_LATENCY)) sim.control.setLatency(latency, transition);
    await sim.whenIdle();
    const cloudConf = path.join(dir, 'cloud.conf');
    await sim.writeCloudConf(cloudConf);
    const socketPath = path.join(dir, 'controller.sock');
    plugin = await startPluginInProcess({
      driver: cinderStackDriver,
      name: `controller (first delay ${firstDelayMs} ms)`,
      socketPath,
      logFile: path.join(dir, 'plugin.log'),
      args: [
        '--endpoint', `unix://${socketPath}`,
        '--cloud-config', cloudConf,
        '--v', '1',
        '--provide-node-service=false',
        '--wait-initial-delay-ms', String(firstDelayMs),
      ],
    });
    client = createCsiClient(socketPath);
    return { firstDelayMs, operations: await runSequence(client, sim, options.parallelVolumes) };
  } finally {
    client?.close();
    await plugin?.stop();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The snapshotter, not the plugin, decides how soon a snapshot is seen ready; left out of "waited" totals. */
const SIDECAR_DRIVEN: ReadonlySet<Operation> = new Set(['CreateSnapshot (until ready)']);

const totalMs = (result: SettingResult) => [...result.operations.values()].reduce((sum, figures) => sum + figures.meanMs, 0);
const waitedMs = (result: SettingResult) =>
  [...result.operations].filter(([operation]) => !SIDECAR_DRIVEN.has(operation)).reduce((sum, [, figures]) => sum + figures.meanMs, 0);
const totalCalls = (result: SettingResult) =>
  [...result.operations.values()].reduce((sum, figures) => sum + figures.cinderCalls + figures.novaCalls, 0);
const callsText = (figures: OperationFigures) => `${figures.cinderCalls.toFixed(1)}+${figures.novaCalls.toFixed(1)}`;
const settingName = (firstDelayMs: number) => (firstDelayMs === 0 ? 'CPO (0)' : `${firstDelayMs} ms`);

export async function runStatusLatencyBench(options: StatusLatencyOptions): Promise<SettingResult[]> {
  const latencies = Object.entries(TRANSITION_LATENCY)
    .map(([transition, latency]) => (typeof latency === 'number' ? `${transition} ${latency}` : `${transition} ${latency.min}-${latency.max}`))
    .join(', ');
  console.log(`\n== 1. Status-detection latency vs CPO schedules ==`);
  console.log(`${options.parallelVolumes} volumes side by side through the controller over gRPC; transition ms: ${latencies}`);
  const results: SettingResult[] = [];
  for (const firstDelayMs of [0, ...options.candidates.filter((delay) => delay > 0)]) {
    results.push(await runSetting(firstDelayMs, options));
  }
  const [baseline, ...candidates] = results;
  for (const candidate of candidates) {
    printTable(
      `--wait-initial-delay-ms=${candidate.firstDelayMs} vs CPO schedules (seconds per call; calls = Cinder+Nova requests per call)`,
      ['operation', 'CPO s', 'cand. s', 'ratio', 'CPO calls', 'cand. calls', 'calls ratio'],
      OPERATIONS.map((operation) => {
        const base = baseline.operations.get(operation)!;
        const cand = candidate.operations.get(operation)!;
        return [
          operation,
          seconds(base.meanMs),
          seconds(cand.meanMs),
          ratio(cand.meanMs, base.meanMs),
          callsText(base),
          callsText(cand),
          ratio(cand.cinderCalls + cand.novaCalls, base.cinderCalls + base.novaCalls),
        ];
      }),
    );
  }
  printTable(
    'Summary: whole sequence per volume (baseline = CPO schedules; plugin-waited = all but the sidecar-driven CreateSnapshot row)',
    ['first delay', 'total s', 'ratio', 'plugin-waited s', 'ratio', 'API calls', 'calls ratio', 'saved s per extra call'],
    results.map((result) => {
      const savedMs = totalMs(baseline) - totalMs(result);
      const extraCalls = totalCalls(result) - totalCalls(baseline);
      return [
        settingName(result.firstDelayMs),
        seconds(totalMs(result)),
        ratio(totalMs(result), totalMs(baseline)),
        seconds(waitedMs(result)),
        ratio(waitedMs(result), waitedMs(baseline)),
        totalCalls(result).toFixed(1),
        ratio(totalCalls(result), totalCalls(baseline)),
        result === baseline || extraCalls <= 0 ? '-' : (savedMs / 1000 / extraCalls).toFixed(2),
      ];
    }),
  );
  return results;
}

/** Lets this file run alone: `node --import tsx tests/bench/status-latency.bench.ts`. */
if (require.main === module) {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'csi-bench-'));
  runStatusLatencyBench({ candidates: [100, 250, 500], parallelVolumes: 4, workDir })
    .finally(() => fs.rmSync(workDir, { recursive: true, force: true }))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
