/** Printing for the benchmarks: aligned tables and the few number formats they share. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type Cell = string | number;

/** Prints a header row and rows with columns padded to their widest cell (numbers right-aligned). */
export function printTable(title: string, header: string[], rows: Cell[][]): void {
  const text = (cell: Cell): string => (typeof cell === 'number' ? String(cell) : cell);
  const widths = header.map((name, column) => Math.max(name.length, ...rows.map((row) => text(row[column] ?? '').length)));
  const line = (cells: Cell[]): string =>
    cells
      .map((cell, column) => (typeof cell === 'number' ? text(cell).padStart(widths[column]) : text(cell).padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

/** `figure / baseline` as `0.42x`; `-` when there is no baseline to divide by. */
export function ratio(figure: number, baseline: number): string {
  if (baseline === 0) return figure === 0 ? '1.00x' : '-';
  return `${(figure / baseline).toFixed(2)}x`;
}

export function mebibytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Figures each bench hands in for `npm run bench -- --json FILE` (and the plot in docs/benchmarks.md). */
const figures: Record<string, unknown> = {};

export function recordFigures(bench: string, data: unknown): void {
  figures[bench] = data;
}

export function recordedFigures(): Readonly<Record<string, unknown>> {
  return figures;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** `12.3%` of a whole; `-` without one. */
export function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((part / whole) * 100).toFixed(1)}%`;
}

/** A bench file run on its own (`node --import tsx tests/bench/X.bench.ts`): a temp work dir, removed after; failures set the exit code. */
export function runAlone(bench: (workDir: string) => Promise<unknown>): void {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'csi-bench-'));
  bench(workDir)
    .finally(() => fs.rmSync(workDir, { recursive: true, force: true }))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
