/**
 * The fault soak: for each mix, switch its faults on, run lifecycles through sidecar-like retries until
 * the mix's share of the time is used (at least one, at most `lifecyclesPerMix`), switch the faults off,
 * let the "sidecars" finish what was cut short, then audit the cloud and the host for leaks and
 * duplicates against a picture taken before the mix.
 */
import { janitorSchedule } from '../../pkg/cinder/controller/abandoned-volumes';
import { seededRandom } from '../../pkg/simulator';
import type { VolumeKind } from '../../pkg/stack';
import { Auditor, auditProblems, type MixAudit } from './audit';
import { SOAK_JANITOR_RETRY_MS, startSoakCluster, type SoakCluster } from './cluster';
import { recoverLifecycle, runLifecycle, type LifecycleResult } from './lifecycle';
import type { FaultMix } from './mixes';
import { DEFAULT_RETRY_POLICY, mergeTallies, SidecarCaller, type CodeTally, type RetryPolicy } from './sidecar';

export interface SoakOptions {
  mixes: readonly FaultMix[];
  lifecyclesPerMix: number;
  /** Lifecycles running at once within a mix (default 1). */
  parallel?: number;
  /** Wall-clock budget of the whole run, stack start included. */
  budgetMs: number;
  seed: number;
  kinds: readonly VolumeKind[];
  logFile: string;
  retry?: RetryPolicy;
  /** Progress lines. */
  note?(line: string): void;
  /** Asked before each lifecycle: true ends the run after the current mix's take-down and audit. */
  stopRequested?(): boolean;
}

export interface MixResult {
  name: string;
  description: string;
  /** Lifecycles started; 0 when the time ran out before the mix. */
  lifecycles: LifecycleResult[];
  completed: number;
  /**
   * Faults actually injected, by kind: request faults from the simulator's request log (e.g.
   * `lostResponse POST`), the rest as the mix counted them (`kill -9 node`, `hold attaching`).
   */
  injected: Record<string, number>;
  /** Codes of every attempt while the faults were on. */
  codes: CodeTally;
  /** Codes of the take-down after the faults were off. */
  recoveryCodes: CodeTally;
  restarts: { controller: number; node: number };
  /**
   * `id (name)` of volumes Cinder left in `error_deleting` (a delete the cloud failed): only an operator
   * can make them deletable again, so the soak plays the operator (reset-state to error) before the
   * take-down. Any of them still there at the audit was abandoned by the driver and is listed under
   * leaked volumes.
   */
  operatorResets: string[];
  /** How long the soak waited, after the take-down, for the controller's janitor to delete abandoned volumes. */
  janitorWaitMs?: number;
  audit?: MixAudit;
  /** Anything that went wrong in the harness itself (a restart that failed, an audit that threw). */
  harnessErrors: string[];
  durationMs: number;
}

export interface SoakReport {
  seed: number;
  startedAt: string;
  durationMs: number;
  stackStartMs: number;
  restartMs: { controller: number[]; node: number[] };
  mixes: MixResult[];
  logFile: string;
}

/** A per-mix seed: the same mix gets the same schedule whether it runs alone (`--mix`) or with others. */
export function mixSeed(seed: number, mixName: string): number {
  let hash = seed >>> 0;
  for (const char of mixName) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash;
}

/** Something went wrong: leaks, duplicates, lifecycles that never finished, harness errors. */
export function soakFailed(report: SoakReport): boolean {
  return report.mixes.some(
    (mix) =>
      (mix.audit ? auditProblems(mix.audit) > 0 : mix.lifecycles.length > 0) ||
      mix.harnessErrors.length > 0 ||
      mix.lifecycles.some((lifecycle) => !lifecycle.completed && !lifecycle.recovered),
  );
}

async function runMix(
  cluster: SoakCluster,
  auditor: Auditor,
  mix: FaultMix,
  options: SoakOptions,
  mixDeadline: number,
): Promise<MixResult> {
  const note = options.note ?? (() => undefined);
  const started = Date.now();
  const random = seededRandom(mixSeed(options.seed, mix.name));
  const restartsBefore = { controller: cluster.restarts.controller.length, node: cluster.restarts.node.length };
  const result: MixResult = {
    name: mix.name,
    description: mix.description,
    lifecycles: [],
    completed: 0,
    injected: {},
    codes: {},
    recoveryCodes: {},
    restarts: { controller: 0, node: 0 },
    operatorResets: [],
    harnessErrors: [],
    durationMs: 0,
  };
  const before = await auditor.picture();
  const { simulator } = cluster.stack;
  const active = mix.start({
    simulator,
    cluster,
    random,
    note: (line) => note(`  [${mix.name}] ${line}`),
    injected: (what) => {
      result.injected[what] = (result.injected[what] ?? 0) + 1;
    },
    harnessError: (message) => {
      result.harnessErrors.push(message);
      note(`  [${mix.name}] ${message}`);
    },
  });
  const caller = new SidecarCaller(options.retry ?? DEFAULT_RETRY_POLICY, { onAttempt: (rpc, attempt) => active.onAttempt?.(rpc, attempt) });
  const runTag = (options.seed >>> 0).toString(36);
  let next = 0;
  /** Takes lifecycles off the list until it is done, the mix's time is up or the run is interrupted. */
  const worker = async (): Promise<void> => {
    for (;;) {
      const index = next++;
      if (index >= options.lifecyclesPerMix || (index > 0 && Date.now() >= mixDeadline) || options.stopRequested?.()) return;
      active.beforeLifecycle?.(index);
      const kind = options.kinds[index % options.kinds.length];
      const lifecycle = await runLifecycle(cluster.stack, caller, { name: `soak-${mix.name}-${runTag}-${index}`, kind });
      result.lifecycles[index] = lifecycle;
      note(
        `  [${mix.name}] #${index} ${kind}: ${lifecycle.completed ? 'completed' : `gave up at ${lifecycle.failedStep}: ${lifecycle.failure}`} (${(lifecycle.durationMs / 1000).toFixed(1)} s)`,
      );
    }
  };
  try {
    await Promise.all(Array.from({ length: options.parallel ?? 1 }, worker));
    result.lifecycles = result.lifecycles.filter(Boolean);
  } finally {
    await active.stop();
    simulator.control.clearFaults();
  }
  mergeTallies(result.codes, caller.tally);
  for (const request of simulator.requests.entries()) {
    if (request.time < started || !request.injectedFault) continue;
    const key = `${request.injectedFault} ${request.method}`;
    result.injected[key] = (result.injected[key] ?? 0) + 1;
  }

  try {
    result.operatorResets = await auditor.operatorResetsStranded(before);
    for (const volume of result.operatorResets) note(`  [${mix.name}] operator: reset-state of ${volume} from error_deleting to error`);
  } catch (error) {
    result.harnessErrors.push(`operator reset failed: ${(error as Error).message}`);
  }
  const recovery = new SidecarCaller(options.retry ?? DEFAULT_RETRY_POLICY);
  for (const lifecycle of result.lifecycles) {
    if (lifecycle.completed) continue;
    await recoverLifecycle(cluster.stack, recovery, lifecycle);
    note(`  [${mix.name}] take-down of ${lifecycle.name}: ${lifecycle.recovered ? 'done' : `failed: ${lifecycle.recoveryFailure}`}`);
  }
  mergeTallies(result.recoveryCodes, recovery.tally);
  try {
    // Bounded: twice the janitor's longest backoff, so a janitor that works always gets two looks.
    result.janitorWaitMs = await auditor.janitorSettles(before, 2 * janitorSchedule(SOAK_JANITOR_RETRY_MS).maxDelayMs);
    if (result.janitorWaitMs >= 1000) note(`  [${mix.name}] waited ${(result.janitorWaitMs / 1000).toFixed(1)} s for the controller's janitor`);
  } catch (error) {
    result.harnessErrors.push(`waiting for the janitor failed: ${(error as Error).message}`);
  }
  try {
    result.audit = Auditor.compare(before, await auditor.picture());
  } catch (error) {
    result.harnessErrors.push(`audit failed: ${(error as Error).message}`);
  }
  result.completed = result.lifecycles.filter((lifecycle) => lifecycle.completed).length;
  result.restarts = {
    controller: cluster.restarts.controller.length - restartsBefore.controller,
    node: cluster.restarts.node.length - restartsBefore.node,
  };
  result.durationMs = Date.now() - started;
  return result;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const note = options.note ?? (() => undefined);
  const started = Date.now();
  const deadline = started + options.budgetMs;
  note(`starting the simulator and the plugin processes (logs: ${options.logFile})`);
  const cluster = await startSoakCluster({ logFile: options.logFile });
  const report: SoakReport = {
    seed: options.seed,
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    stackStartMs: Date.now() - started,
    restartMs: cluster.restarts,
    mixes: [],
    logFile: options.logFile,
  };
  try {
    const auditor = new Auditor(cluster);
    for (const [position, mix] of options.mixes.entries()) {
      const remainingMixes = options.mixes.length - position;
      const share = Math.max(0, (deadline - Date.now()) / remainingMixes);
      const stopped = options.stopRequested?.() === true;
      if ((position > 0 && share <= 0) || stopped) {
        note(`[${mix.name}] not run: ${stopped ? 'interrupted' : 'the time budget is spent'}`);
        report.mixes.push({
          name: mix.name, description: mix.description, lifecycles: [], completed: 0, injected: {}, codes: {}, recoveryCodes: {},
          restarts: { controller: 0, node: 0 }, operatorResets: [], harnessErrors: [], durationMs: 0,
        });
        continue;
      }
      note(`[${mix.name}] ${mix.description}`);
      report.mixes.push(await runMix(cluster, auditor, mix, options, Date.now() + share));
    }
  } finally {
    await cluster.stop().catch((error: Error) => note(`cleanup: ${error.message}`));
    report.durationMs = Date.now() - started;
  }
  return report;
}
