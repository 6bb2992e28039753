/**
 * Asynchronous status transitions: each runs after the configured latency, waits while its resource is held
 * in its current status, and ends in the error path when a failure was injected or its work threw.
 */
import type { Logger } from '../log/logger';
import type { ControlState, ResourceKind } from './control';

export interface TransitionSpec {
  kind: ResourceKind;
  id: string;
  operation: string;
  /** Current status of the resource; undefined when it is gone (the transition is dropped). */
  currentStatus(): string | undefined;
  /** Moves the resource on; may do device work first. */
  complete(): void | Promise<void>;
  /** Puts the resource in its error state with this fault message. */
  fail(fault: string): void | Promise<void>;
}

/** One transition as it really ran: when the API asked for it and when the resource reached its next status. */
export interface TransitionRecord {
  kind: ResourceKind;
  id: string;
  operation: string;
  /** `performance.now()` when the API scheduled it (the request that started it was being answered). */
  scheduledAt: number;
  /** `performance.now()` when the resource showed its new status (or its error); undefined while pending. */
  finishedAt?: number;
  outcome?: 'completed' | 'failed' | 'dropped';
}

/**
 * What the cloud itself took, per transition: the benches subtract it from what a client waited to get the
 * client's own detection overhead. Bounded like the request log.
 */
export class TransitionLog {
  private records: TransitionRecord[] = [];

  constructor(private readonly maxRecords = 100_000) {}

  add(record: TransitionRecord): void {
    this.records.push(record);
    if (this.records.length > this.maxRecords) this.records.splice(0, this.records.length - this.maxRecords);
  }

  entries(filter?: { kind?: ResourceKind; id?: string; operation?: string }): TransitionRecord[] {
    return this.records.filter(
      (r) =>
        (!filter?.kind || r.kind === filter.kind) &&
        (!filter?.id || r.id === filter.id) &&
        (!filter?.operation || r.operation === filter.operation),
    );
  }

  clear(): void {
    this.records = [];
  }
}

export class TransitionScheduler {
  readonly log = new TransitionLog();
  private readonly timers = new Set<NodeJS.Timeout>();
  private parked: { spec: TransitionSpec; record: TransitionRecord }[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly control: ControlState,
    private readonly logger: Logger,
  ) {
    control.onRelease = () => this.releaseParked();
  }

  schedule(spec: TransitionSpec): void {
    if (this.stopped) return;
    const delay = this.control.latencyFor(spec.kind, spec.operation);
    const record: TransitionRecord = { kind: spec.kind, id: spec.id, operation: spec.operation, scheduledAt: performance.now() };
    this.log.add(record);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.fire(spec, record);
    }, delay);
    this.timers.add(timer);
  }

  /** Resolves when no transition is pending or running (held ones do not count). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.parked = [];
    this.notifyIdle();
  }

  private isIdle(): boolean {
    return this.timers.size === 0 && this.running === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async fire(spec: TransitionSpec, record: TransitionRecord): Promise<void> {
    if (this.stopped) return;
    const status = spec.currentStatus();
    if (status === undefined) {
      record.outcome = 'dropped';
      this.notifyIdle();
      return;
    }
    if (this.control.isHeld(spec.kind, spec.id, status)) {
      this.parked.push({ spec, record });
      this.notifyIdle();
      return;
    }
    this.running++;
    try {
      const failure = this.control.takeFailure(spec.kind, spec.id, spec.operation);
      if (failure !== undefined) {
        await spec.fail(failure);
        record.outcome = 'failed';
      } else {
        try {
          await spec.complete();
          record.outcome = 'completed';
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          this.logger.warn('simulated transition failed', { kind: spec.kind, id: spec.id, operation: spec.operation, err: message });
          await spec.fail(message);
          record.outcome = 'failed';
        }
      }
      record.finishedAt = performance.now();
    } catch (err) {
      this.logger.error('transition error handler failed', { kind: spec.kind, id: spec.id, err });
    } finally {
      this.running--;
      this.notifyIdle();
    }
  }

  private releaseParked(): void {
    const parked = this.parked;
    this.parked = [];
    for (const { spec, record } of parked) void this.fire(spec, record);
  }
}
