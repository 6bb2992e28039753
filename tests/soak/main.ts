/**
 * `npm run soak`: full volume lifecycles against the real controller and node plugin processes and the
 * built-in OpenStack simulator, under each fault mix, with sidecar-like retries; prints per mix what
 * completed, the gRPC codes seen, and any leaked or duplicated volume, attachment, mount or loop device.
 * Exits 1 when anything leaked, doubled or never finished. Needs root and loop devices.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isVolumeKind, VOLUME_KINDS, type VolumeKind } from '../../pkg/stack';
import { FAULT_MIXES, findMix, type FaultMix } from './mixes';
import { printReport } from './report';
import { runSoak, soakFailed, type SoakOptions } from './soak';
import { DEFAULT_RETRY_POLICY } from './sidecar';

const USAGE = `Usage: npm run soak -- [--minutes N] [--lifecycles N] [--parallel N] [--mix NAME[,NAME...]] [--seed N]
                        [--kinds ext4,xfs,block] [--rpc-budget-seconds N] [--json FILE] [--log-file FILE]

Runs N volume lifecycles per fault mix (create, attach, stage, publish, write, unpublish, unstage,
detach, delete) against the plugin processes and the OpenStack simulator, retrying every RPC like the
Kubernetes sidecars do, and reports leaks and duplicates per mix. Needs root and /dev/loop-control.

  --minutes N             time budget of the whole run (default 5); each mix gets an equal share and
                          runs at least one lifecycle
  --lifecycles N          lifecycles per mix at most (default 3)
  --parallel N            lifecycles running at once within a mix (default 1)
  --mix NAMES             mixes to run, comma-separated (default all): ${FAULT_MIXES.map((mix) => mix.name).join(', ')}
  --seed N                replays a run's fault schedule (default: random, printed)
  --rpc-budget-seconds N  how long one RPC is retried before the lifecycle gives up (default ${DEFAULT_RETRY_POLICY.budgetMs / 1000})
  --json FILE             also write the full report as JSON`;

interface CommandLine {
  options: SoakOptions;
  jsonFile?: string;
}

function positiveNumber(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`--${flag} must be a positive number, got "${value}"`);
  return number;
}

function parseCommandLine(argv: string[]): CommandLine | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      minutes: { type: 'string', default: '5' },
      lifecycles: { type: 'string', default: '3' },
      parallel: { type: 'string', default: '1' },
      mix: { type: 'string' },
      seed: { type: 'string' },
      kinds: { type: 'string', default: VOLUME_KINDS.join(',') },
      'rpc-budget-seconds': { type: 'string', default: String(DEFAULT_RETRY_POLICY.budgetMs / 1000) },
      json: { type: 'string' },
      'log-file': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const mixes: FaultMix[] = [];
  for (const name of values.mix ? values.mix.split(',').map((part) => part.trim()).filter(Boolean) : FAULT_MIXES.map((mix) => mix.name)) {
    const mix = findMix(name);
    if (!mix) throw new Error(`unknown mix "${name}"; choose from ${FAULT_MIXES.map((known) => known.name).join(', ')}`);
    mixes.push(mix);
  }
  if (mixes.length === 0) throw new Error('--mix names no mix');
  const kinds = values.kinds.split(',').map((kind) => kind.trim()).filter(Boolean);
  const unknownKinds = kinds.filter((kind) => !isVolumeKind(kind));
  if (kinds.length === 0 || unknownKinds.length > 0) {
    throw new Error(`invalid --kinds ${unknownKinds.join(', ') || '(empty)'}; choose from ${VOLUME_KINDS.join(', ')}`);
  }
  const lifecycles = positiveNumber('lifecycles', values.lifecycles);
  const parallel = positiveNumber('parallel', values.parallel);
  if (!Number.isInteger(lifecycles) || !Number.isInteger(parallel)) throw new Error('--lifecycles and --parallel must be whole numbers');
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got "${values.seed}"`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return {
    options: {
      mixes,
      lifecyclesPerMix: lifecycles,
      parallel,
      budgetMs: positiveNumber('minutes', values.minutes) * 60_000,
      seed,
      kinds: kinds as VolumeKind[],
      logFile: values['log-file'] ? path.resolve(values['log-file']) : path.join(os.tmpdir(), `openstack-csi-soak-${stamp}.log`),
      retry: { ...DEFAULT_RETRY_POLICY, budgetMs: positiveNumber('rpc-budget-seconds', values['rpc-budget-seconds']) * 1000 },
      note: (line) => console.log(line),
    },
    jsonFile: values.json ? path.resolve(values.json) : undefined,
  };
}

async function main(): Promise<void> {
  let commandLine: CommandLine | 'help';
  try {
    commandLine = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`soak: ${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (commandLine === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (process.getuid?.() !== 0 || !fs.existsSync('/dev/loop-control')) {
    process.stderr.write('soak: needs root and /dev/loop-control (real loop devices, filesystems and mounts)\n');
    process.exit(2);
  }
  const { options, jsonFile } = commandLine;
  // First Ctrl-C: finish the lifecycle at hand, take down, audit and clean up; a second one quits at once.
  let interrupted = false;
  options.stopRequested = () => interrupted;
  process.once('SIGINT', () => {
    interrupted = true;
    console.log('soak: interrupted; finishing the current lifecycle, then cleaning up (Ctrl-C again to quit now)');
    process.once('SIGINT', () => process.exit(130));
  });
  console.log(`soak: seed ${options.seed} (replay with --seed ${options.seed}), ${options.mixes.length} mixes, up to ${options.lifecyclesPerMix} lifecycles each, ${options.budgetMs / 60_000} min budget`);
  const report = await runSoak(options);
  printReport(report);
  if (jsonFile) {
    fs.mkdirSync(path.dirname(jsonFile), { recursive: true });
    fs.writeFileSync(jsonFile, JSON.stringify(report, null, 2) + '\n');
    console.log(`Report: ${jsonFile}`);
  }
  process.exit(soakFailed(report) ? 1 : 0);
}

void main();
