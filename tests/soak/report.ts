/** The soak's tables: one line per mix, then the gRPC codes each RPC saw under each mix. */
import { printTable, type Cell } from '../bench/report';
import { auditProblems } from './audit';
import { LIFECYCLE_STEPS } from './lifecycle';
import type { CodeTally } from './sidecar';
import type { MixResult, SoakReport } from './soak';

const count = (list: string[] | undefined): Cell => (list === undefined ? '?' : list.length);

export function summaryRows(mixes: readonly MixResult[]): Cell[][] {
  return mixes.map((mix) => [
    mix.name,
    `${mix.completed}/${mix.lifecycles.length}`,
    mix.lifecycles.filter((lifecycle) => !lifecycle.completed && lifecycle.recovered === false).length,
    count(mix.audit?.leakedVolumes),
    count(mix.audit?.leakedAttachments),
    count(mix.audit?.leakedMounts),
    count(mix.audit?.leakedLoopDevices),
    count(mix.audit?.leakedFiles),
    count(mix.audit?.duplicateNames),
    count(mix.audit?.duplicateAttachments),
    mix.operatorResets.length,
    `${mix.restarts.controller}/${mix.restarts.node}`,
    (mix.durationMs / 1000).toFixed(0),
  ]);
}

/** `OK 4, UNAVAILABLE 2`, OK first, then by count. */
export function describeCodes(codes: Record<string, number>): string {
  return Object.entries(codes)
    .sort(([a, x], [b, y]) => (a === 'OK' ? -1 : b === 'OK' ? 1 : y - x))
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
}

/** What was injected, e.g. `lostResponse POST 3, reset GET 1`. */
export function describeInjected(injected: Record<string, number>): string {
  return Object.entries(injected)
    .sort(([, x], [, y]) => y - x)
    .map(([what, n]) => `${what} ${n}`)
    .join(', ');
}

export function codeRows(mixes: readonly MixResult[], pick: (mix: MixResult) => CodeTally): Cell[][] {
  const rows: Cell[][] = [];
  for (const mix of mixes) {
    const tally = pick(mix);
    for (const rpc of LIFECYCLE_STEPS) if (tally[rpc]) rows.push([mix.name, rpc, describeCodes(tally[rpc])]);
  }
  return rows;
}

/** Every finding in words: what leaked or doubled, and which lifecycles gave up where. */
export function findings(mixes: readonly MixResult[]): string[] {
  const lines: string[] = [];
  for (const mix of mixes) {
    for (const lifecycle of mix.lifecycles) {
      if (lifecycle.completed) continue;
      lines.push(
        `${mix.name}: ${lifecycle.name} (${lifecycle.kind}${lifecycle.volumeId ? `, ${lifecycle.volumeId}` : ''}) gave up at ${lifecycle.failedStep}: ${lifecycle.failure}; ` +
          (lifecycle.recovered ? 'taken down afterwards' : `take-down failed: ${lifecycle.recoveryFailure}`),
      );
    }
    if (mix.audit && auditProblems(mix.audit) > 0) {
      for (const [what, list] of Object.entries(mix.audit)) for (const entry of list as string[]) lines.push(`${mix.name}: ${what}: ${entry}`);
    }
    for (const volume of mix.operatorResets) lines.push(`${mix.name}: Cinder left ${volume} in error_deleting; the operator reset it`);
    for (const error of mix.harnessErrors) lines.push(`${mix.name}: harness: ${error}`);
  }
  return lines;
}

export function printReport(report: SoakReport): void {
  printTable(
    `Soak (seed ${report.seed}, ${(report.durationMs / 1000).toFixed(0)} s, stack start ${(report.stackStartMs / 1000).toFixed(1)} s)`,
    ['mix', 'completed', 'not taken down', 'leaked vol', 'leaked att', 'mounts', 'loops', 'files', 'dup names', 'dup att', 'operator resets', 'restarts c/n', 's'],
    summaryRows(report.mixes),
  );
  const injected = report.mixes.filter((mix) => Object.keys(mix.injected).length > 0).map((mix) => [mix.name, describeInjected(mix.injected)]);
  if (injected.length > 0) printTable('Faults injected', ['mix', 'faults'], injected);
  printTable('gRPC codes per RPC attempt, faults on', ['mix', 'RPC', 'codes'], codeRows(report.mixes, (mix) => mix.codes));
  const recovery = codeRows(report.mixes, (mix) => mix.recoveryCodes);
  if (recovery.length > 0) printTable('gRPC codes of the take-down after the faults were off', ['mix', 'RPC', 'codes'], recovery);
  const restarts = [...report.restartMs.controller, ...report.restartMs.node];
  if (restarts.length > 0) {
    console.log(`\nRestarts: controller ${report.restartMs.controller.length}, node ${report.restartMs.node.length}; ready again after ` +
      `${(Math.min(...restarts) / 1000).toFixed(1)}–${(Math.max(...restarts) / 1000).toFixed(1)} s`);
  }
  const lines = findings(report.mixes);
  console.log(lines.length === 0 ? '\nNo leaks, no duplicates, every lifecycle completed.' : '\nFindings:');
  for (const line of lines) console.log(`  ${line}`);
  console.log(`\nPlugin logs: ${report.logFile}`);
}
