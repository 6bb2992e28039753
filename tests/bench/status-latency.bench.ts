/**
 * Bench 1: how long the controller takes to notice that Cinder/Nova finished, with CPO's wait schedules
 * (`--wait-initial-delay-ms=0`, the baseline), a fixed shorter first delay and learned waiting, and what
 * that costs in API calls. The real controller service runs in this process behind its gRPC socket
 * (pkg/stack's in-process mode, same wiring as the binary); the simulator's transitions take seconds, as on
 * a real cloud, and the simulator records when each one really finished: the limit no client can beat.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createCsiClient, type CsiClient } from '../../pkg/csi/client';
import type { VolumeCapability } from '../../pkg/csi/types';
import { startSimulator, type Simulator } from '../../pkg/simulator';
import type { Latency } from '../../pkg/simulator/control';
import { startPluginInProcess } from '../../pkg/stack';
import { cinderStackDriver } from '../../pkg/cinder/stack-driver';
import { mean, median, percent, printTable, ratio, recordFigures, runAlone, seconds } from './report';
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

/** The same seed for every setting: each one meets the same transition times (`BENCH_SEED` draws others). */
const SEED = Number(process.env.BENCH_SEED) || 20_241_125;

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
  /** Mean time the cloud's own transitions took (first scheduled → last finished), ms. */
  cloudMs: number;
  /** Mean time from the cloud finishing to the RPC returning, ms: what the plugin adds. */
  overheadMs: number;
  /** Cinder and Nova requests per call. */
  cinderCalls: number;
  novaCalls: number;
}

/** One way of waiting, as plugin flags. */
export interface WaitSetting {
  name: string;
  args: string[];
}

export const CPO_SETTING: WaitSetting = { name: 'CPO (0)', args: ['--wait-initial-delay-ms', '0'] };
export const FIXED_250_SETTING: WaitSetting = {
  name: 'fixed 250 ms',
  args: ['--wait-initial-delay-ms', '250', '--wait-learn-pace=false'],
};
export const LEARNED_SETTING: WaitSetting = {
  name: 'learned',
  args: ['--wait-initial-delay-ms', '1000', '--wait-learn-pace=true'],
};

export interface SettingResult {
  setting: WaitSetting;
  operations: Map<Operation, OperationFigures>;
}

export interface StatusLatencyOptions {
  /** Settings compared with CPO's schedules (always run first as the baseline). */
  settings: WaitSetting[];
  /** Volumes taken through the sequence side by side (below the coalescing threshold of 5). */
  parallelVolumes: number;
  /** Sequences run first, not measured: a setting that learns does so here (a long-running plugin has). */
  warmUpRounds: number;
  /** Sequences measured after the warm-up. */
  measuredRounds: number;
  workDir: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PhaseSample {
  durationMs: number;
  cloudMs: number;
  overheadMs: number;
}

/**
 * Runs one operation for every volume at once. `resourceOf` names the resource whose transitions the
 * operation waits for; the simulator's transition log gives when they were asked for and really finished.
 */
async function phase(
  sim: Simulator,
  count: number,
  run: (index: number) => Promise<void>,
  resourceOf: (index: number) => string,
): Promise<{ samples: PhaseSample[]; cinderCalls: number; novaCalls: number }> {
  sim.requests.clear();
  const phaseStart = performance.now();
  const timings = await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const started = performance.now();
      await run(index);
      return { started, ended: performance.now() };
    }),
  );
  const samples = timings.map(({ started, ended }, index) => {
    const transitions = sim.transitions.entries({ id: resourceOf(index) }).filter((record) => record.scheduledAt >= phaseStart);
    const finished = transitions.map((record) => record.finishedAt ?? ended);
    const cloudStart = Math.min(...transitions.map((record) => record.scheduledAt));
    const cloudEnd = Math.max(...finished);
    return transitions.length === 0
      ? { durationMs: ended - started, cloudMs: 0, overheadMs: 0 }
      : { durationMs: ended - started, cloudMs: cloudEnd - cloudStart, overheadMs: ended - cloudEnd };
  });
  const records = sim.requests.entries();
  return {
    samples,
    cinderCalls: records.filter((record) => record.service === 'volume').length / count,
    novaCalls: records.filter((record) => record.service === 'compute').length / count,
  };
}

type PhaseResult = Awaited<ReturnType<typeof phase>>;

async function runSequence(client: CsiClient, sim: Simulator, count: number, round: number): Promise<Map<Operation, PhaseResult>> {
  const nodeId = sim.defaultServer.id;
  const volumeIds: string[] = [];
  const snapshotIds: string[] = [];
  const results = new Map<Operation, PhaseResult>();
  const volumeOf = (index: number) => volumeIds[index];
  const snapshotOf = (index: number) => snapshotIds[index];
  const step = async (operation: Operation, resourceOf: (index: number) => string, run: (index: number) => Promise<void>) => {
    results.set(operation, await phase(sim, count, run, resourceOf));
  };

  await step('CreateVolume', volumeOf, async (index) => {
    const created = await client.controller.CreateVolume({
      name: `bench-volume-${round}-${index}`,
      capacity_range: { required_bytes: String(GiB) },
      volume_capabilities: [RWO],
    });
    volumeIds[index] = created.volume!.volume_id;
  });
  await step('ControllerPublish', volumeOf, async (index) => {
    await client.controller.ControllerPublishVolume({ volume_id: volumeIds[index], node_id: nodeId, volume_capability: RWO });
  });
  await step('ControllerUnpublish', volumeOf, async (index) => {
    await client.controller.ControllerUnpublishVolume({ volume_id: volumeIds[index], node_id: nodeId });
  });
  await step('ControllerExpand', volumeOf, async (index) => {
    await client.controller.ControllerExpandVolume({
      volume_id: volumeIds[index],
      capacity_range: { required_bytes: String(2 * GiB) },
      volume_capability: RWO,
    });
  });
  await step('CreateSnapshot (until ready)', snapshotOf, async (index) => {
    let retryMs = SNAPSHOT_RETRY_START_MS;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const answer = await client.controller.CreateSnapshot({ name: `bench-snapshot-${round}-${index}`, source_volume_id: volumeIds[index] });
      snapshotIds[index] = answer.snapshot!.snapshot_id;
      if (answer.snapshot!.ready_to_use) return;
      await sleep(retryMs);
      retryMs *= 2;
    }
    throw new Error(`snapshot of ${volumeIds[index]} never became ready`);
  });
  await step('DeleteSnapshot', snapshotOf, async (index) => {
    await client.controller.DeleteSnapshot({ snapshot_id: snapshotIds[index] });
  });
  await step('DeleteVolume', volumeOf, async (index) => {
    await client.controller.DeleteVolume({ volume_id: volumeIds[index] });
  });
  return results;
}

/** Means over the measured rounds' volumes. */
function summarize(rounds: Map<Operation, PhaseResult>[]): Map<Operation, OperationFigures> {
  const figures = new Map<Operation, OperationFigures>();
  for (const operation of OPERATIONS) {
    const phases = rounds.map((round) => round.get(operation)!);
    const samples = phases.flatMap((result) => result.samples);
    figures.set(operation, {
      meanMs: mean(samples.map((sample) => sample.durationMs)),
      cloudMs: mean(samples.map((sample) => sample.cloudMs)),
      overheadMs: mean(samples.map((sample) => sample.overheadMs)),
      cinderCalls: mean(phases.map((result) => result.cinderCalls)),
      novaCalls: mean(phases.map((result) => result.novaCalls)),
    });
  }
  return figures;
}

async function runSetting(setting: WaitSetting, options: StatusLatencyOptions): Promise<SettingResult> {
  const dir = fs.mkdtempSync(path.join(options.workDir, 'latency-'));
  // Every setting runs the warm-up too (side by side it costs no wall time), so all meet the same transition times.
  const warmUpRounds = options.warmUpRounds;
  const rounds = warmUpRounds + options.measuredRounds;
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
      name: `controller (${setting.name})`,
      socketPath,
      logFile: path.join(dir, 'plugin.log'),
      args: ['--endpoint', `unix://${socketPath}`, '--cloud-config', cloudConf, '--v', '1', '--provide-node-service=false', ...setting.args],
    });
    client = createCsiClient(socketPath);
    const measured: Map<Operation, PhaseResult>[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const result = await runSequence(client, sim, options.parallelVolumes, round);
      if (round >= warmUpRounds) measured.push(result);
    }
    return { setting, operations: summarize(measured) };
  } finally {
    client?.close();
    await plugin?.stop();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The snapshotter, not the plugin, decides how soon a snapshot is seen ready; left out of "waited" totals. */
const SIDECAR_DRIVEN: ReadonlySet<Operation> = new Set(['CreateSnapshot (until ready)']);
const PLUGIN_WAITED = OPERATIONS.filter((operation) => !SIDECAR_DRIVEN.has(operation));

const totalMs = (result: SettingResult) => [...result.operations.values()].reduce((sum, figures) => sum + figures.meanMs, 0);
const waitedMs = (result: SettingResult) => PLUGIN_WAITED.reduce((sum, operation) => sum + result.operations.get(operation)!.meanMs, 0);
const waitedCloudMs = (result: SettingResult) =>
  PLUGIN_WAITED.reduce((sum, operation) => sum + result.operations.get(operation)!.cloudMs, 0);
const callsOf = (figures: OperationFigures) => figures.cinderCalls + figures.novaCalls;
const totalCalls = (result: SettingResult) => [...result.operations.values()].reduce((sum, figures) => sum + callsOf(figures), 0);
const callsText = (figures: OperationFigures) => `${figures.cinderCalls.toFixed(1)}+${figures.novaCalls.toFixed(1)}`;
/** Detection overhead as a share of the cloud's own transition time. */
const overheadShare = (figures: OperationFigures) => (figures.cloudMs === 0 ? 0 : figures.overheadMs / figures.cloudMs);
/** Median over the plugin-waited operations of each one's overhead share. */
export const medianOverheadShare = (result: SettingResult) =>
  median(PLUGIN_WAITED.map((operation) => overheadShare(result.operations.get(operation)!)));
const overheadText = (figures: OperationFigures) => `${seconds(figures.overheadMs)} (${percent(figures.overheadMs, figures.cloudMs)})`;

export async function runStatusLatencyBench(options: StatusLatencyOptions): Promise<SettingResult[]> {
  const latencies = Object.entries(TRANSITION_LATENCY)
    .map(([transition, latency]) => (typeof latency === 'number' ? `${transition} ${latency}` : `${transition} ${latency.min}-${latency.max}`))
    .join(', ');
  console.log(`\n== 1. Status-detection latency: the cloud's own time, our overhead above it, CPO's ==`);
  console.log(`${options.parallelVolumes} volumes side by side through the controller over gRPC; transition ms: ${latencies}`);
  console.log(
    `${options.measuredRounds} measured sequence(s) per setting (means over ${options.measuredRounds * options.parallelVolumes} calls per operation), ` +
      `after ${options.warmUpRounds} unmeasured one(s) (learned waiting learns there); settings run side by side on their own simulators (same seed)`,
  );
  const results = await Promise.all([CPO_SETTING, ...options.settings].map((setting) => runSetting(setting, options)));
  const [baseline, ...candidates] = results;
  printTable(
    "Per operation: cloud = the simulator's own transition time; overhead = from the cloud finishing to the RPC returning, s (% of cloud)",
    ['operation', 'cloud s', ...results.map((result) => `${result.setting.name} overhead`)],
    OPERATIONS.map((operation) => [
      operation,
      seconds(baseline.operations.get(operation)!.cloudMs),
      ...results.map((result) => overheadText(result.operations.get(operation)!)),
    ]),
  );
  for (const candidate of candidates) {
    printTable(
      `${candidate.setting.name} vs CPO schedules (seconds per call; calls = Cinder+Nova requests per call)`,
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
          ratio(callsOf(cand), callsOf(base)),
        ];
      }),
    );
  }
  printTable(
    'Summary per volume lifecycle (baseline = CPO schedules; plugin-waited = all but the sidecar-driven CreateSnapshot row)',
    ['setting', 'total s', 'ratio', 'plugin-waited s', 'ratio', 'cloud s', 'median overhead', 'API calls', 'calls ratio'],
    results.map((result) => [
      result.setting.name,
      seconds(totalMs(result)),
      ratio(totalMs(result), totalMs(baseline)),
      seconds(waitedMs(result)),
      ratio(waitedMs(result), waitedMs(baseline)),
      seconds(waitedCloudMs(result)),
      `${(medianOverheadShare(result) * 100).toFixed(1)}%`,
      totalCalls(result).toFixed(1),
      ratio(totalCalls(result), totalCalls(baseline)),
    ]),
  );
  recordFigures(
    'latency',
    results.map((result) => ({
      setting: result.setting.name,
      medianOverheadPercent: medianOverheadShare(result) * 100,
      callsPerLifecycle: totalCalls(result),
      operations: Object.fromEntries(result.operations),
    })),
  );
  return results;
}

/** Lets this file run alone: `node --import tsx tests/bench/status-latency.bench.ts`. */
if (require.main === module) {
  runAlone((workDir) => runStatusLatencyBench({ settings: [FIXED_250_SETTING, LEARNED_SETTING], parallelVolumes: 4, warmUpRounds: 2, measuredRounds: 2, workDir }));
}
