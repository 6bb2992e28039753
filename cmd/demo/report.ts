/**
 * Human-readable progress for the demo: one line per step as it finishes (status, name, time, what was
 * observed), group headings, and a closing summary table.
 */
import type { StepObserver, StepRecord, StepStatus } from '../../pkg/stack';

export interface Style {
  color: boolean;
}

const SYMBOLS: Record<StepStatus, string> = { ok: '✔', failed: '✘', skipped: '–' };
const COLORS: Record<StepStatus, string> = { ok: '32', failed: '31', skipped: '33' };

function paint(style: Style, code: string, text: string): string {
  return style.color ? `\u001b[${code}m${text}\u001b[0m` : text;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function stepLine(record: StepRecord, style: Style): string {
  const symbol = paint(style, COLORS[record.status], SYMBOLS[record.status]);
  const name = record.name.padEnd(44);
  const time = (record.status === 'skipped' ? '' : formatDuration(record.durationMs)).padStart(8);
  const detail = record.status === 'ok' ? record.detail : paint(style, COLORS[record.status], record.detail);
  return `  ${symbol} ${name} ${time}  ${detail}`;
}

/** Prints a heading when a new group starts and a line when each step ends. */
export function createPrinter(write: (line: string) => void, style: Style): StepObserver {
  let currentGroup: string | undefined;
  const reasonsShown = new Set<string>();
  const heading = (group: string): void => {
    if (group === currentGroup) return;
    currentGroup = group;
    write('');
    write(paint(style, '1', `▶ ${group}`));
  };
  return {
    onStepStart: (group) => heading(group),
    onStepEnd: (record) => {
      heading(record.group);
      // A skip reason is printed once; later steps skipped for it just say so.
      if (record.status === 'skipped' && reasonsShown.has(record.detail)) {
        write(stepLine({ ...record, detail: 'skipped (same reason as above)' }, style));
        return;
      }
      if (record.status === 'skipped') reasonsShown.add(record.detail);
      write(stepLine(record, style));
    },
  };
}

export interface GroupSummary {
  group: string;
  ok: number;
  skipped: number;
  failed: number;
  durationMs: number;
}

export function summarize(records: readonly StepRecord[]): GroupSummary[] {
  const groups = new Map<string, GroupSummary>();
  for (const record of records) {
    const summary = groups.get(record.group) ?? { group: record.group, ok: 0, skipped: 0, failed: 0, durationMs: 0 };
    summary[record.status] += 1;
    summary.durationMs += record.durationMs;
    groups.set(record.group, summary);
  }
  return [...groups.values()];
}

export function summaryTable(records: readonly StepRecord[], style: Style): string[] {
  const rows = summarize(records);
  const total = rows.reduce(
    (sum, row) => ({
      group: 'total',
      ok: sum.ok + row.ok,
      skipped: sum.skipped + row.skipped,
      failed: sum.failed + row.failed,
      durationMs: sum.durationMs + row.durationMs,
    }),
    { group: 'total', ok: 0, skipped: 0, failed: 0, durationMs: 0 },
  );
  const width = Math.max(8, ...rows.map((row) => row.group.length));
  const line = (cells: string[]): string =>
    `  ${cells[0].padEnd(width)}  ${cells[1].padStart(4)}  ${cells[2].padStart(7)}  ${cells[3].padStart(6)}  ${cells[4].padStart(9)}  ${cells[5]}`;
  const verdict = (row: GroupSummary): string =>
    row.failed > 0
      ? paint(style, COLORS.failed, 'FAILED')
      : row.skipped > 0
        ? paint(style, COLORS.skipped, row.ok > 0 ? 'passed (partly skipped)' : 'skipped')
        : paint(style, COLORS.ok, 'passed');
  const toCells = (row: GroupSummary): string[] => [
    row.group,
    String(row.ok),
    String(row.skipped),
    String(row.failed),
    formatDuration(row.durationMs),
    verdict(row),
  ];
  const rule = `  ${'-'.repeat(width + 50)}`;
  return [
    line(['group', 'ok', 'skipped', 'failed', 'time', 'result']),
    rule,
    ...rows.map((row) => line(toCells(row))),
    rule,
    line(toCells(total)),
  ];
}

/** Distinct reasons for skipped steps, with how many steps each one covers. */
export function skipReasons(records: readonly StepRecord[]): string[] {
  const counts = new Map<string, number>();
  for (const record of records) {
    if (record.status === 'skipped') counts.set(record.detail, (counts.get(record.detail) ?? 0) + 1);
  }
  return [...counts.entries()].map(([reason, count]) => `${count} step${count === 1 ? '' : 's'}: ${reason}`);
}
