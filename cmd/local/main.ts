/**
 * `npm run local -- --endpoint unix:///path/csi.sock [--driver cinder]`: a complete CSI endpoint on this machine for
 * any CSI client (csc, csi-sanity, a sidecar): the OpenStack simulator as the cloud and ONE plugin
 * process serving Identity, Controller and Node on the given socket, until SIGTERM/SIGINT. Staging and
 * target paths must be inside the kubelet directory: the stack's own unless `--kubelet-dir DIR` names the
 * client's. On exit the plugin, the simulator and everything they made under this command's temporary
 * directory are removed (mounts a client left elsewhere are the client's).
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseEndpoint } from '../../pkg/csi/endpoint';
import { startStack, type Stack, type StackDriver } from '../../pkg/stack';
import { DEFAULT_DRIVER, DRIVER_USAGE, driverFromFlag } from '../drivers';

interface LocalOptions {
  driver: StackDriver;
  socketPath: string;
  logFile: string | 'inherit';
  latencyMs: number;
  verbosity: number;
  /** The node plugin's --kubelet-dir; undefined = the stack's own kubelet directory. */
  kubeletDir?: string;
}

const USAGE = `Usage: npm run local -- --endpoint unix:///path/csi.sock [${DRIVER_USAGE}] [--kubelet-dir DIR] [--log-file PATH] [--latency-ms N] [--v N]

Starts the OpenStack simulator and the driver's CSI plugin (controller + node) on one unix socket and
serves until SIGTERM or SIGINT. Plugin logs go to stderr unless --log-file is given.

The node plugin only stages and publishes at paths inside its kubelet directory (as in a cluster,
where that is /var/lib/kubelet). By default that is a directory of this command's (printed at start);
a client with its own directories (csi-sanity, csc, another kubelet root) passes their common parent:
  npm run local -- --endpoint unix:///tmp/csi/csi.sock --kubelet-dir /tmp/csi-paths`;

function nonNegativeInteger(flag: string, raw: string): number {
  if (!/^\d+$/.test(raw)) throw new Error(`invalid value "${raw}" for --${flag}: must be a non-negative integer`);
  return Number(raw);
}

function kubeletDirFlag(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!path.isAbsolute(raw)) throw new Error(`invalid value "${raw}" for --kubelet-dir: must be an absolute path`);
  return path.resolve(raw);
}

function parseCommandLine(argv: string[]): LocalOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      endpoint: { type: 'string' },
      driver: { type: 'string', default: DEFAULT_DRIVER },
      'log-file': { type: 'string' },
      'kubelet-dir': { type: 'string' },
      'latency-ms': { type: 'string', default: '20' },
      v: { type: 'string', default: '2' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const driver = driverFromFlag(values.driver);
  if (values.endpoint === undefined) throw new Error('--endpoint is required, e.g. --endpoint unix:///tmp/csi/csi.sock');
  const endpoint = parseEndpoint(values.endpoint);
  if (endpoint.kind !== 'unix') throw new Error(`--endpoint must be a unix socket (unix:///path), not ${values.endpoint}`);
  return {
    driver,
    socketPath: endpoint.path,
    logFile: values['log-file'] ? path.resolve(values['log-file']) : 'inherit',
    latencyMs: nonNegativeInteger('latency-ms', values['latency-ms']),
    verbosity: nonNegativeInteger('v', values.v),
    kubeletDir: kubeletDirFlag(values['kubelet-dir']),
  };
}

async function main(): Promise<void> {
  let options: LocalOptions | 'help';
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`local: ${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const say = (line: string): void => void process.stderr.write(`[local] ${line}\n`);
  let stack: Stack | undefined;
  let stopping = false;
  const shutdown = async (reason: string, exitCode: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      say(`${reason}: stopping the plugin and the simulator`);
      try {
        await stack?.stop();
        say('stopped; loop devices and temporary files removed');
      } catch (error) {
        say(`cleanup problem: ${(error as Error).message}`);
        exitCode = exitCode || 1;
      }
    }
    process.exit(exitCode);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.once('SIGINT', () => void shutdown('SIGINT', 0));

  say(`starting the OpenStack simulator and ${options.driver.title}…`);
  try {
    stack = await startStack({
      driver: options.driver,
      singleSocket: options.socketPath,
      logFile: options.logFile,
      latencyMs: options.latencyMs,
      verbosity: options.verbosity,
      clusterId: 'local',
      nodeName: 'local-node',
      kubeletDir: options.kubeletDir,
    });
  } catch (error) {
    say(`could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  const live = stack;
  say(`CSI endpoint     unix://${options.socketPath} (Identity, Controller, Node)`);
  say(`node ID          ${live.nodeId} (Nova server "local-node", zone nova)`);
  say(`cloud            ${live.simulator.authUrl} (credentials in ${live.cloudConfPath})`);
  say(options.driver.describeNodeSide(live));
  say(
    `kubelet dir      ${live.kubeletDir} ` +
      '(staging and target paths must be inside it; --kubelet-dir DIR to use your own)',
  );
  if (options.logFile !== 'inherit') say(`plugin logs      ${options.logFile}`);
  say(`try: csi-sanity --csi.endpoint=${options.socketPath}   or   csc identity plugin-info -e unix://${options.socketPath}`);
  say('serving until SIGTERM or SIGINT');

  // If the plugin dies there is nothing left to serve. If our parent dies (`npm run` passes SIGTERM to
  // its shell, which exits without passing it on), nobody is left to stop us: clean up rather than linger.
  const parentPid = process.ppid;
  const watch = setInterval(() => {
    const plugin = live.controllerProcess();
    if (stopping) return;
    if (!plugin.running()) void shutdown(`the plugin exited (code ${String(plugin.exitCode())})`, 1);
    else if (process.ppid !== parentPid) void shutdown(`parent process ${parentPid} exited`, 0);
  }, 1000);
  watch.unref();
  await new Promise<never>(() => {
    // Held open by the running simulator; the signal handlers end the process.
  });
}

void main();
