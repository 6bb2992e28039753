/**
 * The soak's cluster: the stack of `pkg/stack` (simulator with loop devices, controller and node plugin
 * processes on unix sockets) plus what the stack does not offer: SIGKILL of either plugin at any moment
 * and a restart with the same flags on the same socket, as a Deployment or DaemonSet would do.
 */
import { cinderStackDriver } from '../../pkg/cinder/stack-driver';
import { pluginCommand, startPluginProcess, startStack, STACK_CLUSTER_ID, type PluginProcess, type Stack } from '../../pkg/stack';

export type PluginRole = 'controller' | 'node';

export interface SoakCluster {
  readonly stack: Stack;
  /** SIGKILL the plugin, then start it again; resolves once the new process answers Probe. */
  killAndRestart(role: PluginRole): Promise<void>;
  /** Restarts done so far, by role, with the time each new process took to become ready. */
  readonly restarts: Record<PluginRole, number[]>;
  stop(): Promise<void>;
}

export interface SoakClusterOptions {
  logFile: string;
  verbosity?: number;
}

// The stack's own defaults (startStack), repeated so a restarted controller gets the same flags.
const VERBOSITY = 4;
const WAIT_INITIAL_DELAY_MS = 50;
/**
 * The controller's abandoned-volume janitor retries after 500 ms (backoff up to 15 s, gives up after 3 min,
 * rescans every 30 s) instead of 10 s, so that the soak can wait for it after the operator's reset.
 */
export const SOAK_JANITOR_RETRY_MS = 500;
const SOAK_CONTROLLER_FLAGS = ['--abandoned-volume-retry-ms', String(SOAK_JANITOR_RETRY_MS)];

/** The controller's flags as the stack's driver writes them, so a restarted controller matches the first. */
function controllerArgs(stack: Stack, socketPath: string, verbosity: number): string[] {
  return stack.driver.pluginArgs({
    socketPath,
    cloudConfPath: stack.cloudConfPath,
    verbosity,
    waitInitialDelayMs: WAIT_INITIAL_DELAY_MS,
    serves: { controller: true, node: false },
    clusterId: STACK_CLUSTER_ID,
    kubeletDir: stack.kubeletDir,
    simulator: stack.simulator,
    server: stack.simulator.defaultServer,
    socketsDir: stack.socketsDir,
  }).concat(SOAK_CONTROLLER_FLAGS);
}

async function waitForExit(process: PluginProcess): Promise<void> {
  // stop() on a process already dying only waits for its exit event.
  await process.stop(5_000);
}

export async function startSoakCluster(options: SoakClusterOptions): Promise<SoakCluster> {
  const verbosity = options.verbosity ?? VERBOSITY;
  const stack = await startStack({ driver: cinderStackDriver, devices: 'required', logFile: options.logFile, verbosity, waitInitialDelayMs: WAIT_INITIAL_DELAY_MS, controllerArgs: SOAK_CONTROLLER_FLAGS });
  /** A controller started by us after a kill (the stack only knows its first one). */
  let replacement: PluginProcess | undefined;
  const currentController = (): PluginProcess => replacement ?? stack.controllerProcess();
  const restarts: Record<PluginRole, number[]> = { controller: [], node: [] };
  // One kill at a time: a second kill during a restart would hit the process being started.
  let queue: Promise<void> = Promise.resolve();

  const killController = async (): Promise<void> => {
    const victim = currentController();
    process.kill(victim.pid, 'SIGKILL');
    await waitForExit(victim);
    const started = Date.now();
    replacement = await startPluginProcess({
      name: 'controller',
      socketPath: victim.socketPath,
      logFile: options.logFile,
      args: controllerArgs(stack, victim.socketPath, verbosity),
      command: pluginCommand(stack.driver.entryPoint),
    });
    restarts.controller.push(Date.now() - started);
  };

  const killNode = async (): Promise<void> => {
    process.kill(stack.nodeProcess().pid, 'SIGKILL');
    const started = Date.now();
    // restartNode waits for the old process to exit, then starts the node plugin with the same flags.
    await stack.restartNode();
    restarts.node.push(Date.now() - started);
  };

  return {
    stack,
    restarts,
    killAndRestart(role) {
      const next = queue.then(() => (role === 'controller' ? killController() : killNode()));
      queue = next.catch(() => undefined);
      return next;
    },
    async stop() {
      await queue;
      const problems: string[] = [];
      if (replacement) await replacement.stop().catch((error: Error) => problems.push(error.message));
      await stack.stop().catch((error: Error) => problems.push(error.message));
      if (problems.length > 0) throw new Error(`soak cluster cleanup: ${problems.join('; ')}`);
    },
  };
}
