/**
 * Bench 7: 200 volumes in flight. The shipped controller (the `dist/bin` bundle the image runs, started with plain node, default flags:
 * learned waiting, coalescing) takes N volumes at once through CreateVolume → ControllerPublishVolume →
 * ControllerUnpublishVolume → DeleteVolume, spread over S simulated servers, with the calm production
 * transition times of bench 1. Then ListVolumes pages through 1,000 volumes.
 *
 * Three parties, as in a deployment: the cloud (the simulator, in its own worker thread), the plugin (its own
 * process) and the CSI client standing in for the sidecars (this thread). The controller's own peak RSS
 * (/proc/PID/status VmHWM), CPU time (/proc/PID/stat) and event-loop delay (a preloaded probe, the plugin code
 * unchanged) are what the row prints.
 *
 * The bound no client can beat: each volume's lifecycle is a chain of cloud transitions that cannot overlap
 * (the next call needs the previous state), so the wall time can be no shorter than the slowest volume's
 * chain, from the simulator's own record (`sim.transitions`). The node side (NodeStage/NodePublish) is not
 * driven here: one node plugin per simulated server is too heavy for a 2-core machine, and staging needs root
 * and loop devices; bench 4 measures the node's part (finding the device), and the stack tests stage real
 * loop devices.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createCsiClient, type CsiClient } from '../../pkg/csi/client';
import type { VolumeCapability } from '../../pkg/csi/types';
import type { TransitionRecord } from '../../pkg/simulator';
import { startPluginProcess, type PluginProcess } from '../../pkg/stack';
import { GiB } from '../../pkg/units/bytes';
import { BUNDLE, cpuSecondsOf, ensureBuilt } from './lean-process.bench';
import { mean, mebibytes, printTable, ratio, recordFigures, runAlone, seconds } from './report';
import { startSimulatorThread, type SimulatorThread } from './simulator-thread';
import { TRANSITION_LATENCY } from './status-latency.bench';

const RWO: VolumeCapability = { access_mode: { mode: 'SINGLE_NODE_WRITER' }, mount: { fs_type: 'ext4', mount_flags: [] } };
const SEED = 4_242;
/** The wall time may be at most this much above the cloud-bound lower bound. */
const TARGET_RATIO = 1.2;
/** Unmeasured rounds of lifecycles side by side before the run (below the coalescing threshold, as bench 1): the learned pace a long-running controller has. */
const WARM_UP = { rounds: 2, volumes: 4 };
const NODE_SIDE_REASON =
  'node side not driven: one node plugin per simulated server is too heavy on 2 cores and NodeStage needs root and loop devices (bench 4 measures the node finding the device)';
const BOUND_LEAVES_OUT =
  'the bound counts only the slowest volume\'s own transition times: no request or response time, no Keystone token, no name lookup before the create, and no waiting for Nova\'s per-server attach lock';

/**
 * Preloaded into the controller (`node --require <file> dist/bin/...`): event-loop delay from the start, and on
 * SIGUSR2 its p99/max since the last signal written as JSON to $BENCH_LOOP_FILE (then reset). Plain CommonJS
 * because the shipped artifact runs without tsx; written into the run's directory.
 */
const LOOP_PROBE = `
const { monitorEventLoopDelay } = require('node:perf_hooks');
const fs = require('node:fs');
const target = process.env.BENCH_LOOP_FILE;
if (target) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  process.on('SIGUSR2', () => {
    const figures = { p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6 };
    delay.reset();
    fs.writeFileSync(target + '.tmp', JSON.stringify(figures));
    fs.renameSync(target + '.tmp', target);
  });
}
`;

export interface VolumesInFlightOptions {
  volumes: number;
  servers: number;
  /** Volumes ListVolumes pages through (made directly on the cloud, 5 ms creates). */
  listedVolumes: number;
  /** ListVolumes max_entries per page. */
  pageSize: number;
  workDir: string;
}

export interface VolumesInFlightFigures {
  volumes: number;
  servers: number;
  errors: string[];
  wallMs: number;
  /** The slowest volume's chain of its own transitions: no client can finish sooner. */
  boundMs: number;
  apiCallsPerLifecycle: { cinder: number; nova: number };
  steps: Record<string, { callMs: number; cloudMs: number; overheadMs: number }>;
  /** The controller process: peak RSS (VmHWM), CPU per lifecycle, event-loop delay during the run. */
  controller: { peakRssBytes: number; cpuMsPerLifecycle: number; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number };
  /** Event-loop delay p99 of the CSI client (this thread) and of the simulator's thread, for context. */
  clientEventLoopDelayP99Ms: number;
  simulatorEventLoopDelayP99Ms: number;
  list: { volumes: number; pages: number; wallMs: number; entries: number; distinct: number; cinderRequests: number };
  nodeSide: string;
}

const STEPS = ['CreateVolume', 'ControllerPublish', 'ControllerUnpublish', 'DeleteVolume'] as const;
type Step = (typeof STEPS)[number];

/** When one step of one volume started and returned (performance.now()). */
interface StepTiming {
  step: Step;
  started: number;
  ended: number;
}

interface Lifecycle {
  volumeId: string;
  steps: StepTiming[];
}

async function lifecycle(client: CsiClient, name: string, nodeId: string): Promise<Lifecycle> {
  const steps: StepTiming[] = [];
  const timed = async <T>(step: Step, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await call();
    steps.push({ step, started, ended: performance.now() });
    return result;
  };
  const created = await timed('CreateVolume', () =>
    client.controller.CreateVolume({ name, capacity_range: { required_bytes: String(GiB) }, volume_capabilities: [RWO] }),
  );
  const volumeId = created.volume!.volume_id;
  await timed('ControllerPublish', () => client.controller.ControllerPublishVolume({ volume_id: volumeId, node_id: nodeId, volume_capability: RWO }));
  await timed('ControllerUnpublish', () => client.controller.ControllerUnpublishVolume({ volume_id: volumeId, node_id: nodeId }));
  await timed('DeleteVolume', () => client.controller.DeleteVolume({ volume_id: volumeId }));
  return { volumeId, steps };
}

/** The simulator thread's transition records on this thread's performance.now() clock. */
async function transitionsOf(sim: SimulatorThread, volumeIds: string[]): Promise<Map<string, TransitionRecord[]>> {
  const byId = await sim.transitions(volumeIds);
  const local = (epochMs: number) => epochMs - performance.timeOrigin;
  return new Map(
    Object.entries(byId).map(([id, records]) => [
      id,
      records.map((record) => ({ ...record, scheduledAt: local(record.scheduledAt), finishedAt: record.finishedAt === undefined ? undefined : local(record.finishedAt) })),
    ]),
  );
}

const transitionMs = (record: TransitionRecord) => (record.finishedAt ?? record.scheduledAt) - record.scheduledAt;

/** Per step, mean over volumes: the cloud's own time (its transitions during the step), the RPC's time, and from the last transition finishing to the RPC returning. */
function stepFigures(transitions: Map<string, TransitionRecord[]>, lifecycles: Lifecycle[]): Record<Step, { callMs: number; cloudMs: number; overheadMs: number }> {
  const figures = {} as Record<Step, { callMs: number; cloudMs: number; overheadMs: number }>;
  for (const step of STEPS) {
    const samples = lifecycles.map(({ volumeId, steps }) => {
      const timing = steps.find((entry) => entry.step === step)!;
      const records = (transitions.get(volumeId) ?? []).filter((record) => record.scheduledAt >= timing.started && record.scheduledAt <= timing.ended);
      const cloudMs = records.reduce((sum, record) => sum + transitionMs(record), 0);
      const lastFinished = Math.max(timing.started, ...records.map((record) => record.finishedAt ?? record.scheduledAt));
      return { callMs: timing.ended - timing.started, cloudMs, overheadMs: timing.ended - lastFinished };
    });
    figures[step] = {
      callMs: mean(samples.map((sample) => sample.callMs)),
      cloudMs: mean(samples.map((sample) => sample.cloudMs)),
      overheadMs: mean(samples.map((sample) => sample.overheadMs)),
    };
  }
  return figures;
}

async function listAll(client: CsiClient, pageSize: number): Promise<{ pages: number; ids: string[] }> {
  const ids: string[] = [];
  let pages = 0;
  let token = '';
  do {
    const page = await client.controller.ListVolumes({ max_entries: pageSize, starting_token: token });
    pages += 1;
    for (const entry of page.entries ?? []) ids.push(entry.volume!.volume_id);
    token = page.next_token ?? '';
  } while (token !== '');
  return { pages, ids };
}

function peakRssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

/** Asks the controller's loop probe for its event-loop delay since the last ask (and resets it). */
async function controllerLoopDelay(plugin: PluginProcess, file: string): Promise<{ p99Ms: number; maxMs: number }> {
  fs.rmSync(file, { force: true });
  process.kill(plugin.pid, 'SIGUSR2');
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as { p99Ms: number; maxMs: number };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the controller (pid ${plugin.pid}) did not report its event-loop delay within 5 s`);
}

export async function runVolumesInFlightBench(options: VolumesInFlightOptions): Promise<VolumesInFlightFigures> {
  console.log(`\n== 7. ${options.volumes} volumes in flight across ${options.servers} servers, ListVolumes over ${options.listedVolumes} ==`);
  console.log(
    `create → ControllerPublish → ControllerUnpublish → delete, all at once; the shipped controller (dist/bin bundle, plain node, default flags) in its own process, ` +
      `the simulator in a worker thread, the CSI client (the sidecars) in this one; transition ms as bench 1; ` +
      `${WARM_UP.rounds} unmeasured rounds of ${WARM_UP.volumes} lifecycles first (the pace a long-running controller has learned); ${NODE_SIDE_REASON}`,
  );
  await ensureBuilt();
  const dir = fs.mkdtempSync(path.join(options.workDir, 'in-flight-'));
  const total = options.volumes + options.listedVolumes;
  const sim = await startSimulatorThread({
    latencyMs: 50,
    randomSeed: SEED,
    devices: { enabled: false },
    servers: [{ name: 'bench-server-0' }],
    quotas: { blockStorage: { volumes: total + 10, gigabytes: 10 * (total + 10) } },
  });
  let plugin: PluginProcess | undefined;
  let client: CsiClient | undefined;
  try {
    for (const [transition, latency] of Object.entries(TRANSITION_LATENCY)) await sim.setLatency(latency, transition);
    const serverIds = [await sim.defaultServerId()];
    for (let index = 1; index < options.servers; index += 1) serverIds.push(await sim.addServer(`bench-server-${index}`));
    const cloudConf = path.join(dir, 'cloud.conf');
    await sim.writeCloudConf(cloudConf);
    const socketPath = path.join(dir, 'controller.sock');
    const probe = path.join(dir, 'loop-probe.cjs');
    const loopFile = path.join(dir, 'loop.json');
    fs.writeFileSync(probe, LOOP_PROBE);
    plugin = await startPluginProcess({
      name: 'controller (in flight)',
      socketPath,
      logFile: path.join(dir, 'plugin.log'),
      command: { file: process.execPath, args: [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []), '--require', probe, BUNDLE] },
      env: { ...process.env, BENCH_LOOP_FILE: loopFile },
      args: ['--endpoint', `unix://${socketPath}`, '--cloud-config', cloudConf, '--v', '1', '--provide-node-service=false'],
    });
    const controller = plugin;
    client = createCsiClient(socketPath);
    const csi = client;
    await csi.controller.ControllerGetCapabilities({});
    // A long-running controller has seen this cloud's pace: as bench 1, unmeasured lifecycles come first.
    for (let round = 0; round < WARM_UP.rounds; round += 1) {
      await Promise.all(
        Array.from({ length: WARM_UP.volumes }, (_, index) => lifecycle(csi, `bench-warm-up-${round}-${index}`, serverIds[index % serverIds.length])),
      );
    }
    await sim.whenIdle();
    await sim.clearRequests();
    await controllerLoopDelay(controller, loopFile);
    const cpuBefore = cpuSecondsOf(controller.pid);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: options.volumes }, (_, index) => lifecycle(csi, `bench-in-flight-${index}`, serverIds[index % serverIds.length])),
    );
    const wallMs = performance.now() - started;
    delay.disable();
    const cpuMsPerLifecycle = ((cpuSecondsOf(controller.pid) - cpuBefore) * 1000) / options.volumes;
    const controllerDelay = await controllerLoopDelay(controller, loopFile);
    const simulatorDelayP99Ms = await sim.loopDelayP99Ms();
    const requests = await sim.requestCounts();
    const lifecycles = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const transitions = await transitionsOf(sim, lifecycles.map((done) => done.volumeId));
    const steps = stepFigures(transitions, lifecycles);
    const errors = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [String((outcome.reason as Error).message ?? outcome.reason)] : []));
    const boundMs = Math.max(0, ...[...transitions.values()].map((records) => records.reduce((sum, record) => sum + transitionMs(record), 0)));

    await sim.seedVolumes(options.listedVolumes, 'bench-listed-');
    await sim.clearRequests();
    const listStarted = performance.now();
    const listed = await listAll(csi, options.pageSize);
    const listWallMs = performance.now() - listStarted;
    const figures: VolumesInFlightFigures = {
      volumes: options.volumes,
      servers: options.servers,
      errors,
      wallMs,
      boundMs,
      apiCallsPerLifecycle: { cinder: (requests.volume ?? 0) / options.volumes, nova: (requests.compute ?? 0) / options.volumes },
      steps,
      controller: {
        peakRssBytes: peakRssOf(controller.pid),
        cpuMsPerLifecycle,
        eventLoopDelayP99Ms: controllerDelay.p99Ms,
        eventLoopDelayMaxMs: controllerDelay.maxMs,
      },
      clientEventLoopDelayP99Ms: delay.percentile(99) / 1e6,
      simulatorEventLoopDelayP99Ms: simulatorDelayP99Ms,
      list: {
        volumes: options.listedVolumes,
        pages: listed.pages,
        wallMs: listWallMs,
        entries: listed.ids.length,
        distinct: new Set(listed.ids).size,
        cinderRequests: (await sim.requestCounts()).volume ?? 0,
      },
      nodeSide: NODE_SIDE_REASON,
    };
    printTable(
      `Full controller lifecycles at once (baseline = the cloud-bound lower bound: the slowest volume's own chain of transitions; target ≤ ${TARGET_RATIO}x)`,
      ['volumes', 'servers', 'errors', 'wall s', 'bound s', 'ratio', 'Cinder+Nova calls per lifecycle'],
      [
        [
          figures.volumes,
          figures.servers,
          figures.errors.length,
          seconds(wallMs),
          seconds(boundMs),
          ratio(wallMs, boundMs),
          `${figures.apiCallsPerLifecycle.cinder.toFixed(1)}+${figures.apiCallsPerLifecycle.nova.toFixed(1)}`,
        ],
      ],
    );
    console.log(BOUND_LEAVES_OUT);
    printTable(
      'The controller process during the run (dist/bin bundle, plain node): peak RSS, CPU per lifecycle, event-loop delay; the client\'s and the simulator\'s loops for context',
      ['controller peak RSS MiB', 'controller CPU ms per lifecycle', 'controller loop delay p99 ms', 'max ms', 'client p99 ms', 'simulator p99 ms'],
      [
        [
          mebibytes(figures.controller.peakRssBytes),
          cpuMsPerLifecycle.toFixed(1),
          controllerDelay.p99Ms.toFixed(1),
          controllerDelay.maxMs.toFixed(1),
          figures.clientEventLoopDelayP99Ms.toFixed(1),
          simulatorDelayP99Ms.toFixed(1),
        ],
      ],
    );
    printTable(
      'Per step, mean over the volumes: the call, the cloud\'s own transitions in it, and from the last one finishing to the call returning (s)',
      ['step', 'call s', 'cloud s', 'overhead s'],
      STEPS.map((step) => [step, seconds(steps[step].callMs), seconds(steps[step].cloudMs), seconds(steps[step].overheadMs)]),
    );
    for (const error of new Set(errors)) console.log(`error: ${error}`);
    printTable(
      `ListVolumes paging (max_entries ${options.pageSize}) over the project's volumes`,
      ['volumes', 'pages', 'entries', 'distinct', 'Cinder requests', 'wall s'],
      [[figures.list.volumes, figures.list.pages, figures.list.entries, figures.list.distinct, figures.list.cinderRequests, seconds(listWallMs)]],
    );
    recordFigures('inFlight', figures);
    return figures;
  } finally {
    client?.close();
    await plugin?.stop();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Lets this file run alone: `node --import tsx tests/bench/volumes-in-flight.bench.ts`. */
if (require.main === module) {
  runAlone((workDir) => runVolumesInFlightBench({ volumes: 200, servers: 20, listedVolumes: 1000, pageSize: 100, workDir }));
}
