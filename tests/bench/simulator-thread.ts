/**
 * The simulator in its own worker thread, for benches that must not share an event loop (and a core) with
 * the cloud they drive: the thread runs `startSimulator` and answers a few calls by message (latency, servers,
 * cloud.conf, idle, request counts, transition records, seeding volumes). Transition times come back on this
 * thread's `performance.now()` clock so they compare with the caller's own timings.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createCloud, noopMetrics } from '../../pkg/openstack';
import { startSimulator, type Simulator, type SimulatorOptions, type TransitionRecord } from '../../pkg/simulator';
import { passwordCredentials } from '../../pkg/simulator/testing/cloud';

interface Call {
  id: number;
  op: keyof SimulatorOps;
  args: unknown[];
}

interface Answer {
  id: number;
  result?: unknown;
  error?: string;
}

/** What the thread answers; times in records are epoch milliseconds (performance.timeOrigin + now()). */
interface SimulatorOps {
  setLatency(latencyMs: number | { min: number; max: number }, transition: string): void;
  addServer(name: string): string;
  defaultServerId(): string;
  writeCloudConf(file: string): Promise<void>;
  whenIdle(): Promise<void>;
  clearRequests(): void;
  requestCounts(): Record<string, number>;
  transitions(ids: string[]): Record<string, TransitionRecord[]>;
  seedVolumes(count: number, prefix: string): Promise<void>;
  loopDelayP99Ms(): number;
  stop(): Promise<void>;
}

/** Volumes made straight on the cloud (not through a plugin) with quick creates, 20 at a time. */
async function seedVolumes(sim: Simulator, count: number, prefix: string): Promise<void> {
  sim.control.setLatency(5, 'volume.create');
  const cloud = createCloud(passwordCredentials(sim), { metrics: noopMetrics });
  try {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const index = next++;
        await cloud.blockStorage.createVolume({ size: 1, name: `${prefix}${index}` });
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
  } finally {
    cloud.close();
  }
  await sim.whenIdle();
}

async function serveInThisThread(options: SimulatorOptions): Promise<void> {
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const sim = await startSimulator(options);
  const toEpoch = (ms: number | undefined) => (ms === undefined ? undefined : performance.timeOrigin + ms);
  const ops: SimulatorOps = {
    setLatency: (latencyMs, transition) => sim.control.setLatency(latencyMs, transition),
    addServer: (name) => sim.addServer({ name }).id,
    defaultServerId: () => sim.defaultServer.id,
    writeCloudConf: (file) => sim.writeCloudConf(file),
    whenIdle: () => sim.whenIdle(),
    clearRequests: () => {
      sim.requests.clear();
      delay.reset();
    },
    requestCounts: () => {
      const counts: Record<string, number> = {};
      for (const record of sim.requests.entries()) counts[record.service] = (counts[record.service] ?? 0) + 1;
      return counts;
    },
    transitions: (ids) =>
      Object.fromEntries(
        ids.map((id) => [
          id,
          sim.transitions.entries({ id }).map((record) => ({ ...record, scheduledAt: toEpoch(record.scheduledAt)!, finishedAt: toEpoch(record.finishedAt) })),
        ]),
      ),
    seedVolumes: (count, prefix) => seedVolumes(sim, count, prefix),
    loopDelayP99Ms: () => delay.percentile(99) / 1e6,
    stop: async () => {
      delay.disable();
      await sim.stop();
    },
  };
  parentPort!.on('message', (call: Call) => {
    const op = ops[call.op] as (...args: unknown[]) => unknown;
    Promise.resolve()
      .then(() => op(...call.args))
      .then(
        (result) => parentPort!.postMessage({ id: call.id, result } satisfies Answer),
        (error: unknown) => parentPort!.postMessage({ id: call.id, error: error instanceof Error ? error.stack ?? error.message : String(error) } satisfies Answer),
      );
  });
  parentPort!.postMessage({ id: 0, result: 'ready' } satisfies Answer);
}

export type SimulatorThread = {
  [K in keyof SimulatorOps]: (...args: Parameters<SimulatorOps[K]>) => Promise<Awaited<ReturnType<SimulatorOps[K]>>>;
} & { readonly threadId: number };

/** Starts the simulator in a worker thread and resolves once it serves. */
export async function startSimulatorThread(options: SimulatorOptions): Promise<SimulatorThread> {
  // A worker's entry is loaded without the parent's `--import tsx` hooks: register tsx's CommonJS hook first.
  const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, { eval: true, workerData: { simulatorThread: options } });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
    worker.once('error', reject);
  });
  worker.on('message', (answer: Answer) => {
    const waiter = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.error !== undefined) waiter?.reject(new Error(`simulator thread: ${answer.error}`));
    else waiter?.resolve(answer.result);
  });
  worker.on('exit', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('simulator thread exited'));
    pending.clear();
  });
  await ready;
  const call =
    (op: keyof SimulatorOps) =>
    (...args: unknown[]) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, op, args } satisfies Call);
      });
  const thread = { threadId: worker.threadId } as Record<string, unknown>;
  const stop = call('stop');
  for (const op of [
    'setLatency',
    'addServer',
    'defaultServerId',
    'writeCloudConf',
    'whenIdle',
    'clearRequests',
    'requestCounts',
    'transitions',
    'seedVolumes',
    'loopDelayP99Ms',
  ] satisfies (keyof SimulatorOps)[]) {
    thread[op] = call(op);
  }
  thread.stop = async () => {
    await stop();
    await worker.terminate();
  };
  return thread as SimulatorThread;
}

if (!isMainThread && (workerData as { simulatorThread?: SimulatorOptions } | null)?.simulatorThread) {
  void serveInThisThread((workerData as { simulatorThread: SimulatorOptions }).simulatorThread);
}
