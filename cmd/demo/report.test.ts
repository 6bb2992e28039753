import type { StepRecord } from '../../pkg/stack';
import { createPrinter, formatDuration, skipReasons, summarize, summaryTable } from './report';

const record = (group: string, name: string, status: StepRecord['status'], detail = 'd', durationMs = 10): StepRecord => ({
  group,
  name,
  status,
  detail,
  durationMs,
});

describe('demo report', () => {
  const records = [
    record('ext4', 'CreateVolume', 'ok', 'volume 1', 100),
    record('ext4', 'NodeStageVolume', 'skipped', 'needs root', 0),
    record('ext4', 'NodePublishVolume', 'skipped', 'needs root', 0),
    record('xfs', 'CreateVolume', 'failed', 'gRPC INTERNAL: boom', 1500),
  ];

  it('counts steps and time per group', () => {
    expect(summarize(records)).toEqual([
      { group: 'ext4', ok: 1, skipped: 2, failed: 0, durationMs: 100 },
      { group: 'xfs', ok: 0, skipped: 0, failed: 1, durationMs: 1500 },
    ]);
  });

  it('ends the table with totals and a verdict per group', () => {
    const lines = summaryTable(records, { color: false });
    expect(lines[0]).toMatch(/group\s+ok\s+skipped\s+failed\s+time\s+result/);
    expect(lines.find((line) => line.trim().startsWith('ext4'))).toMatch(/1\s+2\s+0\s+100 ms\s+passed \(partly skipped\)$/);
    expect(lines.find((line) => line.trim().startsWith('xfs'))).toMatch(/FAILED$/);
    expect(lines[lines.length - 1]).toMatch(/total\s+1\s+2\s+1\s+1\.6 s\s+FAILED$/);
  });

  it('lists each skip reason once with its count', () => {
    expect(skipReasons(records)).toEqual(['2 steps: needs root']);
  });

  it('prints a heading per group and a skip reason only the first time', () => {
    const lines: string[] = [];
    const printer = createPrinter((line) => lines.push(line), { color: false });
    for (const r of records) printer.onStepEnd?.(r);
    expect(lines.filter((line) => line.startsWith('▶'))).toEqual(['▶ ext4', '▶ xfs']);
    expect(lines.filter((line) => line.includes('needs root'))).toHaveLength(1);
    expect(lines.some((line) => line.includes('NodePublishVolume') && line.includes('same reason as above'))).toBe(true);
    expect(lines.some((line) => line.includes('✘') && line.includes('gRPC INTERNAL: boom'))).toBe(true);
  });

  it('formats durations for people', () => {
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(2345)).toBe('2.3 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });
});
