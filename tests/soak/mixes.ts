/**
 * The fault mixes of the soak: each one switches a kind of trouble on in the simulator (or at the plugin
 * processes) for the duration of its lifecycles and off again before the leak audit. Every random choice
 * comes from the mix's seeded generator, so a run can be replayed with `--seed` (request interleaving on
 * a busy machine still varies, so a replay repeats the schedule of faults, not every request).
 */
import type { Simulator } from '../../pkg/simulator';
import type { PluginRole, SoakCluster } from './cluster';

export interface MixContext {
  simulator: Simulator;
  cluster: SoakCluster;
  random: () => number;
  /** A line for the progress output. */
  note(line: string): void;
  /** Something the harness itself failed to do (e.g. restart a plugin); fails the run. */
  harnessError(message: string): void;
  /** Counts a fault the mix injected itself (request faults are counted from the simulator's log). */
  injected(what: string): void;
}

/** A mix while it is on. */
export interface ActiveMix {
  /** Before lifecycle `index` starts. */
  beforeLifecycle?(index: number): void;
  /** As each RPC attempt starts. */
  onAttempt?(rpc: string, attempt: number): void;
  /** Switches everything off; resolves once no fault of the mix can fire any more (a restart included). */
  stop(): Promise<void>;
}

export interface FaultMix {
  name: string;
  description: string;
  start(context: MixContext): ActiveMix;
}

/** The OpenStack APIs the plugins call (metadata is read only at node start, Keystone is hit on re-auth). */
const CLOUD_SERVICES = ['volume', 'compute'] as const;
const MUTATING_METHODS = ['POST', 'PUT', 'DELETE'] as const;

const between = (random: () => number, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** Adds each rule now and removes them all at stop. */
function withFaults(context: MixContext, add: (control: Simulator['control']) => string[]): ActiveMix {
  const ids = add(context.simulator.control);
  return {
    async stop() {
      for (const id of ids) context.simulator.control.removeFault(id);
    },
  };
}

/** Calls `fire` at random intervals until stopped. */
function everyRandomInterval(random: () => number, minMs: number, maxMs: number, fire: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = (): void => {
    timer = setTimeout(() => {
      if (stopped) return;
      fire();
      arm();
    }, between(random, minMs, maxMs));
  };
  arm();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

const CONTROLLER_RPCS = ['CreateVolume', 'ControllerPublishVolume', 'ControllerUnpublishVolume', 'DeleteVolume'];
const NODE_RPCS = ['NodeStageVolume', 'NodePublishVolume', 'NodeUnpublishVolume', 'NodeUnstageVolume'];

/**
 * One SIGKILL per lifecycle: at a random RPC of the role's plugin, a random few milliseconds into its
 * first attempt (mid-call, while the plugin talks to the cloud or mounts), then a restart.
 */
function killDuring(role: PluginRole, rpcs: string[]): (context: MixContext) => ActiveMix {
  return ({ cluster, random, note, harnessError, injected }) => {
    let target: { rpc: string; delayMs: number } | undefined;
    const pending = new Set<Promise<void>>();
    const timers = new Set<NodeJS.Timeout>();
    return {
      beforeLifecycle() {
        target = { rpc: pick(random, rpcs), delayMs: between(random, 0, 300) };
      },
      onAttempt(rpc, attempt) {
        if (!target || rpc !== target.rpc || attempt !== 1) return;
        const { delayMs } = target;
        target = undefined;
        const timer = setTimeout(() => {
          timers.delete(timer);
          note(`kill -9 ${role} ${delayMs} ms into ${rpc}`);
          injected(`kill -9 ${role}`);
          const restart = cluster.killAndRestart(role).catch((error: Error) => harnessError(`restart of ${role} failed: ${error.message}`));
          pending.add(restart);
          void restart.finally(() => pending.delete(restart));
        }, delayMs);
        timers.add(timer);
      },
      async stop() {
        target = undefined;
        for (const timer of timers) clearTimeout(timer);
        await Promise.all([...pending]);
      },
    };
  };
}

export const FAULT_MIXES: readonly FaultMix[] = [
  {
    name: 'none',
    description: 'no faults: the baseline',
    start: () => ({ async stop() {} }),
  },
  {
    name: '5xx',
    description: '15% of Cinder and Nova requests answer 500/503, 5% of Keystone requests 503',
    start: (context) =>
      withFaults(context, (control) => [
        control.addFault({ match: { service: 'volume' }, action: { type: 'error', status: 500 }, probability: 0.15 }),
        control.addFault({ match: { service: 'compute' }, action: { type: 'error', status: 503 }, probability: 0.15 }),
        control.addFault({ match: { service: 'identity' }, action: { type: 'error', status: 503 }, probability: 0.05 }),
      ]),
  },
  {
    name: 'resets',
    description: '15% of Cinder and Nova requests, 5% of Keystone requests: TCP connection reset before any work',
    start: (context) =>
      withFaults(context, (control) => [
        ...CLOUD_SERVICES.map((service) => control.addFault({ match: { service }, action: { type: 'reset' }, probability: 0.15 })),
        control.addFault({ match: { service: 'identity' }, action: { type: 'reset' }, probability: 0.05 }),
      ]),
  },
  {
    name: 'rate-limits',
    description: '10% 429 and 5% 413 with Retry-After: 1 on Cinder and Nova',
    start: (context) =>
      withFaults(context, (control) =>
        CLOUD_SERVICES.flatMap((service) => [
          control.addFault({ match: { service }, action: { type: 'rateLimit', status: 429, retryAfterSeconds: 1 }, probability: 0.1 }),
          control.addFault({ match: { service }, action: { type: 'rateLimit', status: 413, retryAfterSeconds: 1 }, probability: 0.05 }),
        ]),
      ),
  },
  {
    name: 'token-expiry',
    description: 'every issued Keystone token expires every 0.2–1.5 s',
    start: ({ simulator, random, injected }) => {
      const stop = everyRandomInterval(random, 200, 1_500, () => {
        simulator.control.expireAllTokens();
        injected('tokens expired');
      });
      return {
        async stop() {
          stop();
        },
      };
    },
  },
  {
    name: 'stuck',
    description: 'each lifecycle: volumes stuck in one of creating/reserved/attaching/detaching/deleting for 1–20 s',
    start: ({ simulator, random, injected }) => {
      const statuses = ['creating', 'reserved', 'attaching', 'detaching', 'deleting'];
      let hold: string | undefined;
      let timer: NodeJS.Timeout | undefined;
      const release = (): void => {
        clearTimeout(timer);
        if (hold) simulator.control.releaseHold(hold);
        hold = undefined;
      };
      return {
        beforeLifecycle() {
          release();
          const status = pick(random, statuses);
          const held = simulator.control.holdStatus({ kind: 'volume', status });
          injected(`hold ${status}`);
          hold = held;
          timer = setTimeout(() => {
            if (hold === held) release();
          }, between(random, 1_000, 20_000));
        },
        async stop() {
          release();
        },
      };
    },
  },
  {
    name: 'error-states',
    description: 'each lifecycle: one or two volume transitions (create/attach/detach/delete) end in their error state',
    start: ({ simulator, random, injected }) => {
      const operations = ['create', 'attach', 'detach', 'delete'];
      return {
        beforeLifecycle() {
          for (let count = between(random, 1, 2); count > 0; count -= 1) {
            const operation = pick(random, operations);
            simulator.control.failNextTransition({ kind: 'volume', operation, fault: `soak: injected ${operation} failure` });
            injected(`${operation} failure armed`);
          }
        },
        // Failure rules no transition used up are cleared with every other fault before the take-down.
        async stop() {},
      };
    },
  },
  {
    name: 'lost-responses',
    description: '40% of mutating Cinder and Nova requests are carried out but the reply is lost (connection reset)',
    start: (context) =>
      withFaults(context, (control) =>
        CLOUD_SERVICES.flatMap((service) =>
          MUTATING_METHODS.map((method) => control.addFault({ match: { service, method }, action: { type: 'lostResponse' }, probability: 0.4 })),
        ),
      ),
  },
  {
    name: 'kill-controller',
    description: 'kill -9 of the controller plugin mid-RPC once per lifecycle, then a restart',
    start: killDuring('controller', CONTROLLER_RPCS),
  },
  {
    name: 'kill-node',
    description: 'kill -9 of the node plugin mid-RPC once per lifecycle, then a restart',
    start: killDuring('node', NODE_RPCS),
  },
];

export function findMix(name: string): FaultMix | undefined {
  return FAULT_MIXES.find((mix) => mix.name === name);
}
