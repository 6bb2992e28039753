/**
 * Bench: the shipped artifact. `npm run build` output (`dist`, rebuilt here when a source is newer) started
 * with plain `node`, as the image runs it: start-to-serving time (spawn until GetPluginInfo answers) beside a
 * bare `node -e 0`, idle RSS of the controller and the node plugin beside a bare node process, and the CPU
 * seconds the controller spends per CreateVolume/DeleteVolume cycle.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { createCsiClient, type CsiClient } from '../../pkg/csi/client';
import { startSimulator, type Simulator } from '../../pkg/simulator';
import { mebibytes, printTable, ratio, recordFigures, runAlone, seconds } from './report';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
export const DIST_MAIN = path.join(ROOT, 'dist', 'cmd', 'cinder-csi-plugin', 'main.js');
const IDLE_SETTLE_MS = 1000;
const CLOCK_TICKS = 100; // USER_HZ of /proc/<pid>/stat on Linux

export interface LeanProcessOptions {
  /** CreateVolume/DeleteVolume cycles for the CPU figure. */
  cycles: number;
  workDir: string;
}

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds `dist` when it is missing or older than a source file, so the figures are of this tree. */
export async function ensureBuilt(): Promise<void> {
  const built = fs.existsSync(DIST_MAIN) ? fs.statSync(DIST_MAIN).mtimeMs : 0;
  const newest = Math.max(newestSourceMtime(path.join(ROOT, 'pkg')), newestSourceMtime(path.join(ROOT, 'cmd')));
  if (built >= newest) return;
  console.log('building dist (npm run build) ...');
  await run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
  });
}

export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

export function cpuSecondsOf(pid: number): number {
  // Fields after the command name (which may hold spaces) start at the state, field 3; utime/stime are 14/15.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

interface Started {
  child: ChildProcess;
  client: CsiClient;
  startMs: number;
}

async function startFromDist(name: string, args: string[], dir: string): Promise<Started> {
  const socketPath = path.join(dir, `${name}.sock`);
  const began = performance.now();
  const child = spawn(process.execPath, [DIST_MAIN, '--endpoint', `unix://${socketPath}`, ...args], { stdio: 'ignore' });
  const client = createCsiClient(socketPath);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before serving`);
    if (fs.existsSync(socketPath)) {
      try {
        await client.identity.GetPluginInfo({});
        break;
      } catch {
        // not answering yet
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return { child, client, startMs: performance.now() - began };
}

async function stop(started: Started): Promise<void> {
  started.client.close();
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
}

async function bareNode(): Promise<{ startMs: number; rss: number }> {
  const began = performance.now();
  await run(process.execPath, ['-e', '0']);
  const startMs = performance.now() - began;
  const { stdout } = await run(process.execPath, ['-e', `setTimeout(() => console.log(process.memoryUsage().rss), ${IDLE_SETTLE_MS})`]);
  return { startMs, rss: Number(stdout.trim()) };
}

/** The libraries every plugin process needs at start (HTTP client, gRPC server), loaded by a bare node: the floor. */
const FLOOR_MODULES = ['axios', '@grpc/grpc-js', '@grpc/proto-loader'];

async function libraryFloorRss(): Promise<number> {
  const script = `for (const name of ${JSON.stringify(FLOOR_MODULES)}) require(name); setTimeout(() => console.log(process.memoryUsage().rss), ${IDLE_SETTLE_MS})`;
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: ROOT });
  return Number(stdout.trim());
}

async function cpuPerCycle(sim: Simulator, controller: Started, cycles: number): Promise<number> {
  const before = cpuSecondsOf(controller.child.pid!);
  for (let index = 0; index < cycles; index += 1) {
    const created = await controller.client.controller.CreateVolume({
      name: `bench-lean-${index}`,
      capacity_range: { required_bytes: String(1024 ** 3) },
      volume_capabilities: [{ access_mode: { mode: 'SINGLE_NODE_WRITER' }, mount: { fs_type: 'ext4', mount_flags: [] } }],
    });
    await controller.client.controller.DeleteVolume({ volume_id: created.volume!.volume_id });
  }
  await sim.whenIdle();
  return (cpuSecondsOf(controller.child.pid!) - before) / cycles;
}

export async function runLeanProcessBench(options: LeanProcessOptions): Promise<void> {
  console.log('\n== 5. The shipped artifact: dist started with plain node ==');
  await ensureBuilt();
  const dir = fs.mkdtempSync(path.join(options.workDir, 'lean-'));
  const sim = await startSimulator({ latencyMs: 5, devices: { enabled: false }, quotas: { blockStorage: { volumes: 50, gigabytes: 1000 } } });
  const started: Started[] = [];
  try {
    const cloudConf = path.join(dir, 'cloud.conf');
    await sim.writeCloudConf(cloudConf);
    const bare = await bareNode();
    const floorRss = await libraryFloorRss();
    const controller = await startFromDist('controller', ['--cloud-config', cloudConf, '--provide-node-service=false', '--wait-initial-delay-ms', '10'], dir);
    started.push(controller);
    const node = await startFromDist(
      'node',
      ['--cloud-config', cloudConf, '--provide-controller-service=false', '--metadata-url', sim.metadataUrl, '--device-dir', dir],
      dir,
    );
    started.push(node);
    // The same controller serving --http-endpoint: what loading prom-client for /metrics costs (without the flag it is never loaded).
    const withMetrics = await startFromDist(
      'controller-metrics',
      ['--cloud-config', cloudConf, '--provide-node-service=false', '--http-endpoint', '127.0.0.1:0'],
      dir,
    );
    started.push(withMetrics);
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    const idle = { controller: rssOf(controller.child.pid!), node: rssOf(node.child.pid!), withMetrics: rssOf(withMetrics.child.pid!) };
    const cpu = await cpuPerCycle(sim, controller, options.cycles);
    const targetRss = 60 * 1024 * 1024;
    printTable(
      `Start-to-serving (ratio to a bare \`node -e 0\`) and idle RSS after ${IDLE_SETTLE_MS} ms (ratio to a bare node process; target 60 MiB)`,
      ['process', 'start s', 'vs node -e 0', 'idle RSS MiB', 'vs bare node', 'vs 60 MiB target'],
      [
        ['bare node', seconds(bare.startMs), '1.00x', mebibytes(bare.rss), '1.00x', ratio(bare.rss, targetRss)],
        [`node + ${FLOOR_MODULES.join(', ')}`, '-', '-', mebibytes(floorRss), ratio(floorRss, bare.rss), ratio(floorRss, targetRss)],
        ['controller', seconds(controller.startMs), ratio(controller.startMs, bare.startMs), mebibytes(idle.controller), ratio(idle.controller, bare.rss), ratio(idle.controller, targetRss)],
        ['node', seconds(node.startMs), ratio(node.startMs, bare.startMs), mebibytes(idle.node), ratio(idle.node, bare.rss), ratio(idle.node, targetRss)],
        [
          'controller, --http-endpoint',
          seconds(withMetrics.startMs),
          ratio(withMetrics.startMs, bare.startMs),
          mebibytes(idle.withMetrics),
          ratio(idle.withMetrics, bare.rss),
          ratio(idle.withMetrics, targetRss),
        ],
      ],
    );
    console.log(
      `without --http-endpoint prom-client is not loaded: ${mebibytes(idle.withMetrics - idle.controller)} MiB less than the same controller serving /metrics; ` +
        `the libraries every plugin process loads at start hold a bare node at ${mebibytes(floorRss)} MiB on their own`,
    );
    console.log(`controller CPU per CreateVolume/DeleteVolume cycle: ${(cpu * 1000).toFixed(1)} ms (${options.cycles} cycles, simulator transitions 5 ms)`);
    recordFigures('lean', {
      bare,
      libraryFloorRss: floorRss,
      controller: { startMs: controller.startMs, idleRss: idle.controller, cpuSecondsPerCycle: cpu },
      node: { startMs: node.startMs, idleRss: idle.node },
      controllerWithMetrics: { startMs: withMetrics.startMs, idleRss: idle.withMetrics },
    });
  } finally {
    for (const process of started) await stop(process);
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Lets this file run alone: `node --import tsx tests/bench/lean-process.bench.ts`. */
if (require.main === module) {
  runAlone((workDir) => runLeanProcessBench({ cycles: 50, workDir }));
}
