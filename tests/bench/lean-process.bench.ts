/**
 * Bench: the shipped artifact. The plugin bundle `npm run build` makes (`dist/bin/cinder-csi-plugin.js`,
 * rebuilt here when a source is newer), started with plain `node` as the image runs it, with the image's
 * Node (the Dockerfile's base major, fetched as CI fetches it) and with this process's Node:
 * start-to-serving time (spawn until GetPluginInfo answers) beside a bare `node -e 0`, idle RSS and
 * private memory of the controller and the node plugin beside a bare node process, and the CPU seconds
 * the controller spends per CreateVolume/DeleteVolume cycle.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { createCsiClient, type CsiClient } from '../../pkg/csi/client';
import { startSimulator, type Simulator } from '../../pkg/simulator';
import { nodeMajor, readFinalStage } from '../image/dockerfile';
import { mebibytes, median, printTable, ratio, recordFigures, runAlone, seconds, type Cell } from './report';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
/** The controller binary as the image runs it (the esbuild bundle); bench 7 starts it too. */
export const BUNDLE = path.join(ROOT, 'dist', 'bin', 'cinder-csi-plugin.js');
const UNBUNDLED = path.join(ROOT, 'dist', 'cmd', 'cinder-csi-plugin', 'main.js');
const IDLE_SETTLE_MS = 1000;
const START_SAMPLES = 3;
const CLOCK_TICKS = 100; // USER_HZ of /proc/<pid>/stat on Linux
const TARGET_RSS = 60 * 1024 * 1024;

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
    else if (/\.(ts|json)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` (tools/build.ts) when the bundle is missing or older than a source file. */
export async function ensureBuilt(): Promise<void> {
  const built = Math.min(...[BUNDLE, UNBUNDLED].map((file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0)));
  const newest = Math.max(...['pkg', 'cmd', 'tools'].map((dir) => newestSourceMtime(path.join(ROOT, dir))));
  if (built >= newest) return;
  console.log('building dist and the bundles (npm run build) ...');
  await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tools', 'build.ts')], { cwd: ROOT });
}

interface Runtime {
  label: string;
  execPath: string;
  /** What the image sets for node (its ENV NODE_OPTIONS), so the figures are of the process it runs. */
  env: NodeJS.ProcessEnv;
}

/** The image's Node (the Dockerfile's base major: this one, or fetched as .ci/run does), then this one. */
async function runtimes(): Promise<{ runtimes: Runtime[]; note?: string }> {
  const image = readFinalStage(path.join(ROOT, 'Dockerfile'));
  const major = nodeMajor(image.baseImage);
  const env = { ...process.env, NODE_OPTIONS: image.env.NODE_OPTIONS ?? '' };
  const here: Runtime = { label: `node ${process.version}`, execPath: process.execPath, env };
  if (Number(process.versions.node.split('.')[0]) === major) return { runtimes: [{ ...here, label: `${here.label} (the image's)` }] };
  try {
    const { stdout } = await run('npx', ['--yes', `node@${major}`, '-p', 'process.execPath'], { cwd: ROOT });
    const execPath = stdout.trim();
    const { stdout: version } = await run(execPath, ['--version']);
    return { runtimes: [{ label: `node ${version.trim()} (the image's)`, execPath, env }, here] };
  } catch (error) {
    return { runtimes: [here], note: `the image's Node ${major} is not available here (${(error as Error).message.split('\n')[0]}): figures are of ${process.version} only` };
  }
}

interface Memory {
  rss: number;
  /** Pages of this process alone (Private_Clean + Private_Dirty): the node binary's shared pages left out. */
  private: number;
}

function memoryOf(pid: number): Memory {
  const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0) * 1024;
  return { rss: kib('Rss'), private: kib('Private_Clean') + kib('Private_Dirty') };
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

async function startPlugin(runtime: Runtime, file: string, name: string, args: string[], dir: string): Promise<Started> {
  const socketPath = path.join(dir, `${name}.sock`);
  fs.rmSync(socketPath, { force: true });
  const began = performance.now();
  const child = spawn(runtime.execPath, [file, '--endpoint', `unix://${socketPath}`, ...args], { stdio: 'ignore', env: runtime.env });
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
  if (started.child.exitCode !== null) return;
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
}

/** Starts the plugin START_SAMPLES times; keeps the last one running. Start time = the median. */
async function startSampled(runtime: Runtime, file: string, name: string, args: string[], dir: string): Promise<Started> {
  const times: number[] = [];
  for (let sample = 1; ; sample += 1) {
    const started = await startPlugin(runtime, file, name, args, dir);
    times.push(started.startMs);
    if (sample === START_SAMPLES) return { ...started, startMs: median(times) };
    await stop(started);
  }
}

interface Row {
  process: string;
  startMs?: number;
  memory: Memory;
}

/** A bare node: `node -e 0` start time (median of START_SAMPLES) and the memory of an idle one. */
async function bareNode(runtime: Runtime, preload: string, label: string): Promise<Row> {
  const times: number[] = [];
  for (let sample = 0; sample < START_SAMPLES && preload === ''; sample += 1) {
    const began = performance.now();
    await run(runtime.execPath, ['-e', '0'], { env: runtime.env });
    times.push(performance.now() - began);
  }
  const child = spawn(runtime.execPath, ['-e', `${preload}; setInterval(() => {}, 1000)`], { stdio: 'ignore', env: runtime.env });
  await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
  const memory = memoryOf(child.pid!);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return { process: label, startMs: times.length > 0 ? median(times) : undefined, memory };
}

async function cpuPerCycle(sim: Simulator, controller: Started, cycles: number): Promise<number> {
  const before = cpuSecondsOf(controller.child.pid!);
  for (let index = 0; index < cycles; index += 1) {
    const created = await controller.client.controller.CreateVolume({
      name: `bench-lean-${controller.child.pid}-${index}`,
      capacity_range: { required_bytes: String(1024 ** 3) },
      volume_capabilities: [{ access_mode: { mode: 'SINGLE_NODE_WRITER' }, mount: { fs_type: 'ext4', mount_flags: [] } }],
    });
    await controller.client.controller.DeleteVolume({ volume_id: created.volume!.volume_id });
  }
  await sim.whenIdle();
  return (cpuSecondsOf(controller.child.pid!) - before) / cycles;
}

interface RuntimeFigures {
  runtime: string;
  rows: Row[];
  cpuSecondsPerCycle: number;
}

async function measureRuntime(runtime: Runtime, sim: Simulator, cloudConf: string, dir: string, cycles: number): Promise<RuntimeFigures> {
  const bare = await bareNode(runtime, '', 'bare node');
  // What any gRPC-over-HTTP/2 server pays before its own code: node with its http2 module (and tls) loaded.
  const http2 = await bareNode(runtime, "require('http2')", "bare node + require('http2')");
  const controllerArgs = ['--cloud-config', cloudConf, '--provide-node-service=false', '--wait-initial-delay-ms', '10'];
  const plugins: Array<{ label: string; file: string; args: string[] }> = [
    { label: 'controller', file: BUNDLE, args: controllerArgs },
    {
      label: 'node',
      file: BUNDLE,
      args: ['--cloud-config', cloudConf, '--provide-controller-service=false', '--metadata-url', sim.metadataUrl, '--device-dir', dir],
    },
    // The only case that loads prom-client (from node_modules): what serving /metrics costs.
    { label: 'controller, --http-endpoint', file: BUNDLE, args: [...controllerArgs, '--http-endpoint', '127.0.0.1:0'] },
    // tsc's one-file-per-module output of the same code: what the bundle saves.
    { label: 'controller, unbundled (dist/cmd)', file: UNBUNDLED, args: controllerArgs },
  ];
  const started: Started[] = [];
  try {
    for (const [index, plugin] of plugins.entries()) started.push(await startSampled(runtime, plugin.file, `p${index}`, plugin.args, dir));
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    const rows: Row[] = [bare, http2, ...plugins.map((plugin, index) => ({ process: plugin.label, startMs: started[index].startMs, memory: memoryOf(started[index].child.pid!) }))];
    const cpu = await cpuPerCycle(sim, started[0], cycles);
    return { runtime: runtime.label, rows, cpuSecondsPerCycle: cpu };
  } finally {
    for (const process of started) await stop(process);
  }
}

function printRuntime(figures: RuntimeFigures, cycles: number): void {
  const [bare] = figures.rows;
  const cells = (row: Row): Cell[] => [
    row.process,
    row.startMs === undefined ? '-' : seconds(row.startMs),
    row.startMs === undefined ? '-' : ratio(row.startMs, bare.startMs!),
    mebibytes(row.memory.rss),
    mebibytes(row.memory.private),
    ratio(row.memory.rss, bare.memory.rss),
    ratio(row.memory.rss, TARGET_RSS),
  ];
  printTable(
    `${figures.runtime}: start-to-serving (median of ${START_SAMPLES}; ratio to a bare \`node -e 0\`; target 0.3 s) and memory after ${IDLE_SETTLE_MS} ms idle (ratio to a bare node; target 60 MiB RSS)`,
    ['process', 'start s', 'vs node -e 0', 'idle RSS MiB', 'private MiB', 'vs bare node', 'vs 60 MiB target'],
    figures.rows.map(cells),
  );
  console.log(`controller CPU per CreateVolume/DeleteVolume cycle: ${(figures.cpuSecondsPerCycle * 1000).toFixed(1)} ms (${cycles} cycles, simulator transitions 5 ms)`);
}

export async function runLeanProcessBench(options: LeanProcessOptions): Promise<void> {
  console.log('\n== 5. The shipped artifact: the plugin bundle (dist/bin) started with plain node ==');
  await ensureBuilt();
  const { runtimes: measured, note } = await runtimes();
  if (note) console.log(note);
  const nodeOptions = measured[0].env.NODE_OPTIONS;
  console.log(`NODE_OPTIONS as the image sets it: ${nodeOptions ? `"${nodeOptions}"` : '(none)'}; private = Private_Clean + Private_Dirty of /proc/PID/smaps_rollup (RSS without the pages shared with other processes, e.g. of the node binary)`);
  const dir = fs.mkdtempSync(path.join(options.workDir, 'lean-'));
  const sim = await startSimulator({ latencyMs: 5, devices: { enabled: false }, quotas: { blockStorage: { volumes: 50, gigabytes: 1000 } } });
  try {
    const cloudConf = path.join(dir, 'cloud.conf');
    await sim.writeCloudConf(cloudConf);
    const all: RuntimeFigures[] = [];
    for (const runtime of measured) {
      const figures = await measureRuntime(runtime, sim, cloudConf, dir, options.cycles);
      printRuntime(figures, options.cycles);
      all.push(figures);
    }
    recordFigures('lean', { nodeOptions: nodeOptions ?? '', runtimes: all });
  } finally {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Lets this file run alone: `node --import tsx tests/bench/lean-process.bench.ts`. */
if (require.main === module) {
  runAlone((workDir) => runLeanProcessBench({ cycles: 50, workDir }));
}
