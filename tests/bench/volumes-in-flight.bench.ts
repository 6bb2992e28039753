/**
 * Bench 7: 200 volumes in flight. The real controller service (in this process, behind its gRPC socket,
 * default flags: learned waiting, coalescing) takes N volumes at once through CreateVolume →
 * ControllerPublishVolume → ControllerUnpublishVolume → DeleteVolume, spread over S simulated servers, with
 * the calm production transition times of bench 1. Then ListVolumes pages through 1,000 volumes.
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
import { startSimulator, type Simulator } from '../../pkg/simulator';
import { cinderStackDriver } from '../../pkg/cinder/stack-driver';
import { startPluginInProcess, type PluginProcess } from '../../pkg/stack';
import { GiB } from '../../pkg/units/bytes';
import { createCloud, noopMetrics } from '../../pkg/openstack';
import { passwordCredentials } from '../../pkg/simulator/testing/cloud';
import { mean, mebibytes, printTable, ratio, recordFigures, runAlone, seconds } from './report';
import { TRANSITION_LATENCY } from './status-latency.bench';

const RWO: VolumeCapability = { access_mode: { mode: 'SINGLE_NODE_WRITER' }, mount: { fs_type: 'ext4', mount_flags: [] } };
const SEED = 4_242;
/** The wall time may be at most this much above the cloud-bound lower bound. */
const TARGET_RATIO = 1.2;
const NODE_SIDE_REASON =
  'node side not driven: one node plugin per simulated server is too heavy on 2 cores and NodeStage needs root and loop devices (bench 4 measures the node finding the device)';

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
  peakRssBytes: number;
  eventLoopDelayP99Ms: number;
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

/** Per step, mean over volumes: the cloud's own time (its transitions during the step), the RPC's time, and from the last transition finishing to the RPC returning. */
function stepFigures(sim: Simulator, lifecycles: Lifecycle[]): Record<Step, { callMs: number; cloudMs: number; overheadMs: number }> {
  const figures = {} as Record<Step, { callMs: number; cloudMs: number; overheadMs: number }>;
  for (const step of STEPS) {
    const samples = lifecycles.map(({ volumeId, steps }) => {
      const timing = steps.find((entry) => entry.step === step)!;
      const records = sim.transitions.entries({ id: volumeId }).filter((record) => record.scheduledAt >= timing.started && record.scheduledAt <= timing.ended);
      const cloudMs = records.reduce((sum, record) => sum + ((record.finishedAt ?? record.scheduledAt) - record.scheduledAt), 0);
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

/** Sum of a volume's own transition times (create, attach steps, detach, delete): its cloud-bound chain. */
function chainMs(sim: Simulator, volumeId: string): number {
  return sim.transitions.entries({ id: volumeId }).reduce((sum, record) => sum + ((record.finishedAt ?? record.scheduledAt) - record.scheduledAt), 0);
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

/** Volumes for the listing, made straight on the cloud (not through the plugin) with quick creates. */
async function seedVolumes(sim: Simulator, count: number): Promise<void> {
  sim.control.setLatency(5, 'volume.create');
  const cloud = createCloud(passwordCredentials(sim), { metrics: noopMetrics });
  try {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const index = next++;
        await cloud.blockStorage.createVolume({ size: 1, name: `bench-listed-${index}` });
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
  } finally {
    cloud.close();
  }
  await sim.whenIdle();
}

export async function runVolumesInFlightBench(options: VolumesInFlightOptions): Promise<VolumesInFlightFigures> {
  console.log(`\n== 7. ${options.volumes} volumes in flight across ${options.servers} servers, ListVolumes over ${options.listedVolumes} ==`);
  console.log(
    `create → ControllerPublish → ControllerUnpublish → delete, all at once, controller with default flags (in this process, with the simulator); ` +
      `transition ms as bench 1; ${NODE_SIDE_REASON}`,
  );
  const dir = fs.mkdtempSync(path.join(options.workDir, 'in-flight-'));
  const total = options.volumes + options.listedVolumes;
  const sim = await startSimulator({
    latencyMs: 50,
    randomSeed: SEED,
    devices: { enabled: false },
    servers: [{ name: 'bench-server-0' }],
    quotas: { blockStorage: { volumes: total + 10, gigabytes: 10 * (total + 10) } },
  });
  let plugin: PluginProcess | undefined;
  let client: CsiClient | undefined;
  try {
    for (const [transition, latency] of Object.entries(TRANSITION_LATENCY)) sim.control.setLatency(latency, transition);
    const serverIds = [
      sim.defaultServer.id,
      ...Array.from({ length: options.servers - 1 }, (_, index) => sim.addServer({ name: `bench-server-${index + 1}` }).id),
    ];
    const cloudConf = path.join(dir, 'cloud.conf');
    await sim.writeCloudConf(cloudConf);
    const socketPath = path.join(dir, 'controller.sock');
    plugin = await startPluginInProcess({
      driver: cinderStackDriver,
      name: 'controller (in flight)',
      socketPath,
      logFile: path.join(dir, 'plugin.log'),
      args: ['--endpoint', `unix://${socketPath}`, '--cloud-config', cloudConf, '--v', '1', '--provide-node-service=false'],
    });
    client = createCsiClient(socketPath);
    const csi = client;
    await csi.controller.ControllerGetCapabilities({});
    sim.requests.clear();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: options.volumes }, (_, index) => lifecycle(csi, `bench-in-flight-${index}`, serverIds[index % serverIds.length])),
    );
    const wallMs = performance.now() - started;
    delay.disable();
    const requests = sim.requests.entries();
    const lifecycles = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const volumeIds = lifecycles.map((done) => done.volumeId);
    const steps = stepFigures(sim, lifecycles);
    const errors = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [String((outcome.reason as Error).message ?? outcome.reason)] : []));
    const boundMs = Math.max(0, ...volumeIds.map((id) => chainMs(sim, id)));

    await seedVolumes(sim, options.listedVolumes);
    sim.requests.clear();
    const listStarted = performance.now();
    const listed = await listAll(csi, options.pageSize);
    const listWallMs = performance.now() - listStarted;
    const figures: VolumesInFlightFigures = {
      volumes: options.volumes,
      servers: options.servers,
      errors,
      wallMs,
      boundMs,
      apiCallsPerLifecycle: {
        cinder: requests.filter((record) => record.service === 'volume').length / options.volumes,
        nova: requests.filter((record) => record.service === 'compute').length / options.volumes,
      },
      steps,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
      list: {
        volumes: options.listedVolumes,
        pages: listed.pages,
        wallMs: listWallMs,
        entries: listed.ids.length,
        distinct: new Set(listed.ids).size,
        cinderRequests: sim.requests.entries({ service: 'volume' }).length,
      },
      nodeSide: NODE_SIDE_REASON,
    };
    printTable(
      `Full controller lifecycles at once (baseline = the cloud-bound lower bound: the slowest volume's own chain of transitions; target ≤ ${TARGET_RATIO}x)`,
      ['volumes', 'servers', 'errors', 'wall s', 'bound s', 'ratio', 'Cinder+Nova calls per lifecycle', 'peak RSS MiB', 'event-loop delay p99 ms'],
      [
        [
          figures.volumes,
          figures.servers,
          figures.errors.length,
          seconds(wallMs),
          seconds(boundMs),
          ratio(wallMs, boundMs),
          `${figures.apiCallsPerLifecycle.cinder.toFixed(1)}+${figures.apiCallsPerLifecycle.nova.toFixed(1)}`,
          mebibytes(figures.peakRssBytes),
          figures.eventLoopDelayP99Ms.toFixed(1),
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
    console.log('peak RSS is of this process: the simulator, the controller and the CSI client together');
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
