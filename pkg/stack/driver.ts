/**
 * What the run harness (demo, `npm run local`, e2e, sanity) needs to know of a driver, so that
 * `pkg/stack` runs any driver without importing one: its binary, its flags for a simulated node and
 * cloud, how to build its services in this process, and the lifecycle the demo and e2e drive it through.
 * Each driver provides one (`pkg/cinder/stack-driver.ts`); `cmd/drivers.ts` maps `--driver` to it.
 */
import type { PluginServices } from '../driver-kit/plugin-services';
import type { Logger } from '../log/logger';
import type { Simulator } from '../simulator';
import type { LifecycleOptions } from './lifecycle';
import type { Stack } from './stack';
import type { StepRunner } from './steps';

/** Everything a driver needs to write its plugin's command line inside a stack. */
export interface PluginSetup {
  socketPath: string;
  cloudConfPath: string;
  verbosity: number;
  waitInitialDelayMs: number;
  serves: { controller: boolean; node: boolean };
  /** Cluster ID written to the cloud's resources by the controller. */
  clusterId: string;
  /** The node plugin's kubelet root: staging and target paths must lie inside it. */
  kubeletDir: string;
  simulator: Simulator;
  /** The Nova server standing for this node. */
  server: { id: string; name: string };
  /** The stack's directory for unix sockets: where companions (`startNodeCompanions`) listen. */
  socketsDir: string;
}

/** What a driver runs beside its node plugin inside a stack (e.g. Manila's stand-in partner plugin). */
export interface NodeCompanions {
  stop(): Promise<void>;
}

/** A plugin built from its command line, to be served inside this process. */
export interface InProcessPlugin {
  endpoint: string;
  verbosity: number;
  build(logger: Logger): Promise<PluginServices>;
}

export interface StackDriver {
  /** The `--driver` value, e.g. `cinder`. */
  readonly name: string;
  /** For people, e.g. `the Cinder CSI plugin`. */
  readonly title: string;
  /** The simulated cloud services it talks to, for people, e.g. `Keystone, Cinder, Nova, instance metadata`. */
  readonly cloudServices: string;
  /**
   * Why this host cannot run the node side (mounts, devices), or undefined: the demo then skips the node
   * steps with this reason and runs the controller side in full.
   */
  nodeSideUnavailableReason(): string | undefined;
  /** One line for `npm run local`: what serves the node side in this stack, or why it will fail. */
  describeNodeSide(stack: Stack): string;
  /** The plugin binary's entry point (a .ts file run with `node --import tsx`). */
  readonly entryPoint: string;
  /** Log `component` of an in-process plugin, as the binary names itself. */
  readonly component: string;
  /** The plugin's flags for this stack (endpoint, cloud config, which services, node and cluster). */
  pluginArgs(setup: PluginSetup): string[];
  /**
   * Started before the node plugin, stopped after it (the node plugin may need them to be ready);
   * `pluginArgs` points the node plugin at them through `setup.socketsDir`. Harness only, never deployed.
   */
  startNodeCompanions?(setup: { socketsDir: string; logger: Logger }): Promise<NodeCompanions>;
  /** Parses the binary's flags the way the binary does; throws on bad flags or `--help`. */
  parseInProcess(args: readonly string[]): InProcessPlugin;
  /** What the demo and e2e drive the plugin through. */
  readonly lifecycle: {
    /** Values of the demo's `--kinds`, default all. */
    readonly kinds: readonly string[];
    run(stack: Stack, kind: string, runner: StepRunner, options?: LifecycleOptions): Promise<void>;
    /** Why this host cannot run `kind`'s node steps (a missing tool, named with its package), or undefined. */
    unsupportedOnHost(kind: string): string | undefined;
  };
}

/** The command that runs a driver's binary in its own process. */
export function pluginCommand(entryPoint: string): { file: string; args: string[] } {
  // `node --import tsx` rather than `npx tsx`: one process, so SIGTERM reaches the plugin itself.
  return { file: process.execPath, args: ['--import', 'tsx', entryPoint] };
}

/**
 * The driver a `--driver` value names, out of the drivers this build can run. A driver that is planned
 * but not there yet (`upcoming`) gets its own message, so nobody mistakes it for a typo.
 */
export function chooseDriver(
  value: string,
  available: readonly StackDriver[],
  upcoming: readonly string[] = [],
): StackDriver {
  const driver = available.find((candidate) => candidate.name === value);
  if (driver) return driver;
  const names = available.map((candidate) => candidate.name).join(', ');
  if (upcoming.includes(value)) {
    throw new Error(`--driver ${value}: the ${value} driver is not implemented yet; available: ${names}`);
  }
  throw new Error(`invalid value "${value}" for --driver: choose from ${names}`);
}
