/**
 * `npm run demo`: a driver's CSI plugin (`--driver cinder|manila`) end to end on the built-in OpenStack simulator. The controller
 * and node plugins run as separate processes on unix sockets and are driven over gRPC the way the
 * Kubernetes sidecars and kubelet drive them; each step prints what it observed and how long it took.
 * As root (with /dev/loop-control) volumes are real loop devices with real filesystems and mounts;
 * otherwise the node-side steps are skipped and the demo says so.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  describeLeftovers,
  loopDevicesUnder,
  REPO_ROOT,
  startStack,
  StepFailed,
  StepRunner,
  type Stack,
  type StackDriver,
} from '../../pkg/stack';
import { DEFAULT_DRIVER, DRIVER_USAGE, driverFromFlag } from '../drivers';
import { createPrinter, formatDuration, skipReasons, summaryTable, type Style } from './report';

interface DemoOptions {
  driver: StackDriver;
  kinds: string[];
  logFile: string;
}

const USAGE = `Usage: npm run demo -- [${DRIVER_USAGE}] [--kinds ext4,xfs,block|nfs] [--log-file PATH]

Runs the driver's volume lifecycle (Cinder: create, attach, stage, publish, write, snapshot, restore,
clone, expand, delete; Manila: an NFS share published twice with the same bytes, snapshot, restore,
expand, delete) against the built-in OpenStack simulator and prints each step with its timing.`;

function parseCommandLine(argv: string[]): DemoOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      driver: { type: 'string', default: DEFAULT_DRIVER },
      kinds: { type: 'string' },
      'log-file': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const driver = driverFromFlag(values.driver);
  const known = driver.lifecycle.kinds;
  const kinds = (values.kinds ?? known.join(',')).split(',').map((kind) => kind.trim()).filter(Boolean);
  const unknown = kinds.filter((kind) => !known.includes(kind));
  if (unknown.length > 0 || kinds.length === 0) {
    throw new Error(`invalid value for --kinds: ${unknown.join(', ') || '(empty)'}; choose from ${known.join(', ')}`);
  }
  return {
    driver,
    kinds,
    logFile: values['log-file']
      ? path.resolve(values['log-file'])
      : path.join(os.tmpdir(), `openstack-csi-demo-${new Date().toISOString().replace(/[:.]/g, '-')}.log`),
  };
}

async function run(options: DemoOptions): Promise<number> {
  const style: Style = { color: process.stdout.isTTY === true && !process.env.NO_COLOR };
  const write = (line: string): void => void process.stdout.write(line + '\n');
  const printer = createPrinter(write, style);
  // After an interrupt the lifecycle still unwinds in the background; only the teardown is worth showing.
  let wasInterrupted = false;
  const runner = new StepRunner({
    onStepStart: (group, name) => (!wasInterrupted || group === 'teardown') && printer.onStepStart?.(group, name),
    onStepEnd: (record) => (!wasInterrupted || record.group === 'teardown') && printer.onStepEnd?.(record),
  });
  const { driver } = options;
  const skipNodeSteps = driver.nodeSideUnavailableReason();
  const started = Date.now();

  const binary = path.relative(REPO_ROOT, path.dirname(driver.entryPoint));
  write(`openstack-csi demo: ${driver.title} end to end, on the built-in OpenStack simulator`);
  write(`  simulator (${driver.cloudServices}) in this process; controller and node plugins`);
  write(`  as separate processes (${binary}) on unix sockets, called over gRPC like the sidecars do.`);
  write(`  plugin logs (JSON): ${options.logFile}`);
  if (skipNodeSteps) {
    write('');
    write(`  Node-side steps (devices or shares, mounts, data, growth) cannot run on this host`);
    write(`  will be skipped: ${skipNodeSteps}. The controller side runs in full.`);
  }
  // A filesystem whose programs are not installed (a fresh machine without xfsprogs): its node steps are
  // skipped with what to install; the other kinds and its controller steps still run.
  const kindSkips = new Map(options.kinds.map((kind) => [kind, skipNodeSteps ?? driver.lifecycle.unsupportedOnHost(kind)]));
  for (const [kind, reason] of kindSkips) {
    if (reason !== undefined && reason !== skipNodeSteps) {
      write('');
      write(`  ${kind}: node-side steps will be skipped: ${reason}.`);
    }
  }

  let stack: Stack | undefined;
  let starting: Promise<Stack> | undefined;
  const interrupted = new Promise<number>((resolve) => {
    const stop = (code: number) => () => {
      wasInterrupted = true;
      resolve(code);
    };
    process.once('SIGINT', stop(130));
    process.once('SIGTERM', stop(143));
  });

  const body = async (): Promise<void> => {
    stack = await runner.run('stack', 'start simulator and plugin processes', async () => {
      starting = startStack({ driver, logFile: options.logFile });
      const started = await starting;
      return {
        detail: `cloud ${started.simulator.authUrl}, controller pid ${started.controllerProcess().pid}, node pid ${started.nodeProcess().pid}` +
          (started.devicesEnabled ? ', loop devices on' : `, loop devices off (${started.devicesDisabledReason ?? 'unknown reason'})`),
        value: started,
      };
    });
    const live = stack as Stack;
    await runner.run('stack', 'GetPluginInfo / Probe', async () => {
      const info = await live.controller.identity.GetPluginInfo({});
      const probes = await Promise.all([live.controller.identity.Probe({}), live.node.identity.Probe({})]);
      const ready = probes.every((probe) => probe.ready?.value !== false);
      if (!ready) throw new Error('a plugin answered Probe with ready=false');
      return { detail: `${info.name} ${info.vendor_version}, both plugins ready`, value: undefined };
    });
    await runner.run('stack', 'NodeGetInfo', async () => {
      const info = await live.node.node.NodeGetInfo({});
      if (info.node_id !== live.nodeId) throw new Error(`node ID ${info.node_id}, expected the Nova server ${live.nodeId}`);
      const segments = Object.entries(info.accessible_topology?.segments ?? {}).map(([key, value]) => `${key}=${value}`);
      return {
        detail: `node ${info.node_id.slice(0, 8)} (Nova server), ${segments.join(', ') || 'no topology'}, max ${info.max_volumes_per_node} volumes`,
        value: undefined,
      };
    });

    for (const kind of options.kinds) {
      try {
        await driver.lifecycle.run(live, kind, runner, { skipNodeSteps: kindSkips.get(kind) });
      } catch (error) {
        if (!(error instanceof StepFailed)) throw error;
        // Recorded; carry on with the next kind so the summary shows the whole picture.
      }
    }
  };

  const outcome = await Promise.race([
    body().then(
      () => undefined,
      (error: unknown) => (error instanceof StepFailed ? undefined : error),
    ),
    interrupted,
  ]);

  // Interrupted while starting: let the start finish (or clean up after itself) so nothing is left behind.
  if (!stack && starting) stack = await starting.catch(() => undefined);
  if (stack) {
    const live = stack as Stack;
    await runner
      .run('teardown', 'stop plugins and simulator', async () => {
        // After an interrupt, volumes in flight are expected; stop() removes them with everything else.
        const leftovers = typeof outcome === 'number' ? [] : describeLeftovers(await live.leftovers());
        await live.stop();
        const codes = `controller exit ${String(live.controllerProcess().exitCode())}, node exit ${String(live.nodeProcess().exitCode())}`;
        if (leftovers.length > 0) throw new Error(`${codes}; left behind by the lifecycle: ${leftovers.join('; ')}`);
        const stillThere = fs.existsSync(live.workDir) ? [live.workDir] : [];
        stillThere.push(...(await loopDevicesUnder(live.workDir)).map((loop) => loop.device));
        if (stillThere.length > 0) throw new Error(`${codes}; stop() left: ${stillThere.join(', ')}`);
        return { detail: `${codes}; no mounts, loop devices or files left`, value: undefined };
      })
      .catch(() => undefined);
  }

  write('');
  write('Summary');
  for (const line of summaryTable(runner.records, style)) write(line);
  const reasons = skipReasons(runner.records);
  if (reasons.length > 0) {
    write('');
    write('Skipped');
    for (const reason of reasons) write(`  ${reason}`);
  }
  write('');
  write(`Plugin logs: ${options.logFile}`);
  if (typeof outcome === 'number') {
    write(`Interrupted after ${formatDuration(Date.now() - started)}.`);
    return outcome;
  }
  if (outcome !== undefined) {
    write(`Demo aborted: ${(outcome as Error).message ?? String(outcome)}`);
    return 1;
  }
  const failed = runner.records.filter((record) => record.status === 'failed').length;
  const skipped = runner.records.filter((record) => record.status === 'skipped').length;
  write(
    failed > 0
      ? `${failed} step${failed === 1 ? '' : 's'} failed (see above and the plugin logs).`
      : skipped > 0
        ? `All steps that ran passed in ${formatDuration(Date.now() - started)}; ${skipped} skipped (reasons above).`
        : `All steps passed in ${formatDuration(Date.now() - started)}.`,
  );
  return failed === 0 ? 0 : 1;
}

async function main(): Promise<void> {
  let options: DemoOptions | 'help';
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  process.exit(await run(options));
}

void main();
