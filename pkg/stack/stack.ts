/**
 * A whole CSI stack on one machine for one driver (`options.driver`, e.g. Cinder's): the OpenStack
 * simulator (with loop devices when root), a Nova server standing for "this node", a cloud.conf, and the
 * controller and node plugins as child processes on unix sockets, with typed CSI clients. `stop()`
 * removes everything it made: processes, sockets, mounts under its directory, loop devices (through the
 * simulator) and files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCsiClient, type CsiClient } from '../csi/client';
import { silentLogger } from '../log/logger';
import { startSimulator, type Simulator } from '../simulator';
import { pluginCommand, type StackDriver } from './driver';
import { detachLoopDevicesUnder, filesUnder, loopDevicesUnder, mountsUnder, unmountAllUnder } from './host-state';
import { startPluginInProcess } from './in-process-plugin';
import { startPluginProcess, type PluginProcess } from './plugin-process';

export interface StackOptions {
  /** The driver to run (`cinderStackDriver` from `pkg/cinder/stack-driver.ts`). */
  driver: StackDriver;
  /** Parent of the stack's temporary directory (default os.tmpdir()). */
  parentDir?: string;
  /** Simulator latency per asynchronous status transition (default 20 ms). */
  latencyMs?: number;
  /** Nova server name of "this node" (default `stack-node`). */
  nodeName?: string;
  availabilityZone?: string;
  /** Plugin `--v` (default 4). */
  verbosity?: number;
  /** Plugin logs (default `<workDir>/plugins.log`, removed by stop(); 'inherit' = this process's output). */
  logFile?: string | 'inherit';
  /** Simulator block devices: 'auto' (default: loop devices when root), 'required' (fail without), 'off'. */
  devices?: 'auto' | 'required' | 'off';
  /** Extra flags for each plugin. */
  controllerArgs?: string[];
  nodeArgs?: string[];
  readyTimeoutMs?: number;
  /** Plugins' `--wait-initial-delay-ms` (default 50: the simulator settles in tens of ms). */
  waitInitialDelayMs?: number;
  /** `--cluster` of the controller (default STACK_CLUSTER_ID). */
  clusterId?: string;
  /**
   * Serve controller and node from ONE plugin process on this socket path (`npm run local`); default:
   * two processes on sockets in the stack directory, as in a cluster.
   */
  singleSocket?: string;
  /**
   * 'process' (default): each plugin is the driver's binary in its own process, as deployed.
   * 'in-process': the same services served from this process (breakpoints, faster start).
   */
  pluginMode?: 'process' | 'in-process';
  /**
   * The node plugin's `--kubelet-dir`: staging and target paths must be inside it. Default: the stack's
   * own kubelet-like directory, where `stagingPath` and `targetPath` point.
   */
  kubeletDir?: string;
}

export interface StackLeftovers {
  /** Mount points under the stack directory. */
  mounts: string[];
  /** Loop devices backed by the simulator's images. */
  loopDevices: string[];
  /** Entries left in the simulator's by-id directory. */
  deviceLinks: string[];
  /** Files left under the kubelet-like directory (staging and target paths). */
  kubeletFiles: string[];
  /** Image, serial and other files left in the simulator's device directory (links are listed above). */
  simulatorFiles: string[];
}

export interface Stack {
  readonly driver: StackDriver;
  readonly workDir: string;
  readonly logFile: string | 'inherit';
  readonly cloudConfPath: string;
  /** The node plugin's `--kubelet-dir`. */
  readonly kubeletDir: string;
  /** Where companions of the node plugin listen (`StackDriver.startNodeCompanions`). */
  readonly socketsDir: string;
  readonly simulator: Simulator;
  /** The Nova server ID of this node: what NodeGetInfo must answer and ControllerPublish takes. */
  readonly nodeId: string;
  readonly devicesEnabled: boolean;
  readonly devicesDisabledReason?: string;
  readonly controller: CsiClient;
  readonly node: CsiClient;
  /** The plugin processes (the same one when `singleSocket` is set). */
  controllerProcess(): PluginProcess;
  nodeProcess(): PluginProcess;
  /** A per-volume staging directory path (not created: NodeStage does that). */
  stagingPath(volumeId: string): string;
  /** A per-volume publish target path (not created). */
  targetPath(volumeId: string, name?: string): string;
  /** Stops the node plugin (SIGTERM) and starts it again with the same flags; returns the old exit code. */
  restartNode(): Promise<number | null>;
  /** What is left on the host right now; all empty after a clean lifecycle. */
  leftovers(): Promise<StackLeftovers>;
  /** Idempotent. Runs every cleanup even when one fails, then rejects listing the failures. */
  stop(): Promise<void>;
}

export const STACK_CLUSTER_ID = 'openstack-csi-stack';

function realMkdtemp(parent: string, prefix: string): string {
  fs.mkdirSync(parent, { recursive: true });
  return fs.realpathSync(fs.mkdtempSync(path.join(parent, prefix)));
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const workDir = realMkdtemp(options.parentDir ?? os.tmpdir(), 'csi-stack-');
  const logFile = options.logFile ?? path.join(workDir, 'plugins.log');
  const cloudConfPath = path.join(workDir, 'cloud.conf');
  const devicesDir = path.join(workDir, 'sim-devices');
  const kubeletDir = path.join(workDir, 'kubelet');
  const socketsDir = path.join(workDir, 'sockets');
  fs.mkdirSync(devicesDir, { recursive: true });
  fs.mkdirSync(kubeletDir, { recursive: true });

  const cleanups: (() => Promise<void>)[] = [];
  const runCleanups = async (): Promise<string[]> => {
    const problems: string[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    return problems;
  };
  // Last to run: whatever the plugins or simulator left under our directory.
  cleanups.push(async () => {
    await unmountAllUnder(workDir);
    await detachLoopDevicesUnder(workDir);
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  try {
    const simulator = await startSimulator({
      latencyMs: options.latencyMs ?? 20,
      availabilityZones: [options.availabilityZone ?? 'nova'],
      servers: [{ name: options.nodeName ?? 'stack-node', availabilityZone: options.availabilityZone ?? 'nova' }],
      devices: {
        ...(options.devices === 'required' ? { enabled: true } : options.devices === 'off' ? { enabled: false } : {}),
        workDir: devicesDir,
        byIdDir: path.join(devicesDir, 'dev', 'disk', 'by-id'),
      },
    });
    cleanups.push(() => simulator.stop());
    const server = simulator.defaultServer;
    // Config drives are written asynchronously; the node plugin reads its identity from one at start.
    await simulator.whenIdle();
    await simulator.writeCloudConf(cloudConfPath);

    const { driver } = options;
    if (driver.startNodeCompanions) {
      fs.mkdirSync(socketsDir, { recursive: true });
      const companions = await driver.startNodeCompanions({ socketsDir, logger: silentLogger });
      cleanups.push(() => companions.stop());
    }
    const readyTimeoutMs = options.readyTimeoutMs;
    const plugin = (name: string, socketPath: string, serves: { controller: boolean; node: boolean }) => () => {
      const args = [
        ...driver.pluginArgs({
          socketPath,
          cloudConfPath,
          verbosity: options.verbosity ?? 4,
          waitInitialDelayMs: options.waitInitialDelayMs ?? 50,
          serves,
          clusterId: options.clusterId ?? STACK_CLUSTER_ID,
          kubeletDir: options.kubeletDir ?? kubeletDir,
          simulator,
          server,
          socketsDir,
        }),
        ...(serves.controller ? (options.controllerArgs ?? []) : []),
        ...(serves.node ? (options.nodeArgs ?? []) : []),
      ];
      const common = { name, socketPath, logFile, readyTimeoutMs, args };
      return options.pluginMode === 'in-process'
        ? startPluginInProcess({ ...common, driver })
        : startPluginProcess({ ...common, command: pluginCommand(driver.entryPoint) });
    };

    let controllerProcess: PluginProcess;
    let nodeProcess: PluginProcess;
    let controllerSocket: string;
    let nodeSocket: string;
    let restartNode: () => Promise<number | null>;
    if (options.singleSocket) {
      const socketPath = path.resolve(options.singleSocket);
      const startCombined = plugin('plugin', socketPath, { controller: true, node: true });
      let combined = await startCombined();
      cleanups.push(async () => void (await combined.stop()));
      controllerSocket = nodeSocket = socketPath;
      controllerProcess = nodeProcess = combined;
      restartNode = async () => {
        const code = await combined.stop();
        combined = await startCombined();
        controllerProcess = nodeProcess = combined;
        return code;
      };
    } else {
      controllerSocket = path.join(socketsDir, 'controller.sock');
      nodeSocket = path.join(socketsDir, 'node.sock');
      // One after the other: on two busy cores, two parallel tsx compilations are no faster.
      const controllerStarted = await plugin('controller', controllerSocket, { controller: true, node: false })();
      controllerProcess = controllerStarted;
      cleanups.push(async () => void (await controllerStarted.stop()));
      const startNode = plugin('node', nodeSocket, { controller: false, node: true });
      nodeProcess = await startNode();
      cleanups.push(async () => void (await nodeProcess.stop()));
      restartNode = async () => {
        const code = await nodeProcess.stop();
        nodeProcess = await startNode();
        return code;
      };
    }

    const controller = createCsiClient(controllerSocket);
    const node = createCsiClient(nodeSocket);
    cleanups.push(async () => {
      controller.close();
      node.close();
    });

    let stopping: Promise<void> | undefined;
    const stack: Stack = {
      driver,
      workDir,
      logFile,
      cloudConfPath,
      kubeletDir: options.kubeletDir ?? kubeletDir,
      socketsDir,
      simulator,
      nodeId: server.id,
      devicesEnabled: simulator.devicesEnabled,
      devicesDisabledReason: simulator.devicesDisabledReason,
      controller,
      node,
      controllerProcess: () => controllerProcess,
      nodeProcess: () => nodeProcess,
      stagingPath: (volumeId) => path.join(kubeletDir, 'plugins', 'staging', volumeId),
      targetPath: (volumeId, name = 'mount') => path.join(kubeletDir, 'pods', volumeId, name),
      restartNode: () => restartNode(),
      async leftovers() {
        const byIdEntries = fs.existsSync(simulator.byIdDir) ? fs.readdirSync(simulator.byIdDir) : [];
        return {
          mounts: await mountsUnder(workDir),
          loopDevices: (await loopDevicesUnder(devicesDir)).map((loop) => `${loop.device} (${loop.backingFile})`),
          deviceLinks: byIdEntries,
          kubeletFiles: filesUnder(kubeletDir),
          simulatorFiles: filesUnder(devicesDir).filter(
            (file) => !path.join(devicesDir, file).startsWith(simulator.byIdDir + path.sep),
          ),
        };
      },
      stop() {
        stopping ??= (async () => {
          const problems = await runCleanups();
          if (problems.length > 0) throw new Error(`stack cleanup problems: ${problems.join('; ')}`);
        })();
        return stopping;
      },
    };
    return stack;
  } catch (error) {
    await runCleanups();
    throw error;
  }
}
