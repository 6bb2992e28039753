/**
 * A named, timed step with an outcome, so the demo can print a table and the e2e suite can say which
 * step failed. A step's action returns a one-line description of what it observed.
 */
import { performance } from 'node:perf_hooks';
import { codeName } from '../csi/errors';

export type StepStatus = 'ok' | 'failed' | 'skipped';

export interface StepRecord {
  /** Group the step belongs to, e.g. "ext4". */
  group: string;
  name: string;
  status: StepStatus;
  /** What was observed (ok), why it failed, or why it was skipped. */
  detail: string;
  durationMs: number;
}

export interface StepObserver {
  onStepStart?(group: string, name: string): void;
  onStepEnd?(record: StepRecord): void;
}

/** Thrown by an action to record the step as skipped rather than failed. */
export class StepSkipped extends Error {
  override readonly name = 'StepSkipped';
}

export class StepFailed extends Error {
  override readonly name = 'StepFailed';
  constructor(
    readonly record: StepRecord,
    options?: { cause?: unknown },
  ) {
    super(`step "${record.group}: ${record.name}" failed: ${record.detail}`, options);
  }
}

/** grpc-js errors carry the status name in `code`/`details`; show them as a CSI user would see them. */
export function describeError(error: unknown): string {
  if (error && typeof error === 'object' && 'details' in error && 'code' in error) {
    const { code, details } = error as { code: number; details: string };
    return `gRPC ${codeName(code)}: ${details}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export class StepRunner {
  readonly records: StepRecord[] = [];

  constructor(private readonly observer: StepObserver = {}) {}

  /** Runs one step; records it; rethrows failures as StepFailed. Skips return undefined. */
  async run<T>(group: string, name: string, action: () => Promise<{ detail: string; value: T }>): Promise<T | undefined> {
    this.observer.onStepStart?.(group, name);
    const started = performance.now();
    let record: StepRecord;
    let value: T | undefined;
    let failure: unknown;
    try {
      const result = await action();
      value = result.value;
      record = { group, name, status: 'ok', detail: result.detail, durationMs: performance.now() - started };
    } catch (error) {
      const skipped = error instanceof StepSkipped;
      if (!skipped) failure = error;
      record = {
        group,
        name,
        status: skipped ? 'skipped' : 'failed',
        detail: describeError(error),
        durationMs: performance.now() - started,
      };
    }
    this.records.push(record);
    this.observer.onStepEnd?.(record);
    if (failure !== undefined) throw new StepFailed(record, { cause: failure });
    return value;
  }

  /** Records a step that did not run at all (e.g. the whole group needs root). */
  skip(group: string, name: string, reason: string): void {
    const record: StepRecord = { group, name, status: 'skipped', detail: reason, durationMs: 0 };
    this.records.push(record);
    this.observer.onStepEnd?.(record);
  }
}
