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

export class TransitionScheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private parked: TransitionSpec[] = [];
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
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.fire(spec);
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

  private async fire(spec: TransitionSpec): Promise<void> {
    if (this.stopped) return;
    const status = spec.currentStatus();
    if (status === undefined) {
      this.notifyIdle();
      return;
    }
    if (this.control.isHeld(spec.kind, spec.id, status)) {
      this.parked.push(spec);
      this.notifyIdle();
      return;
    }
    this.running++;
    try {
      const failure = this.control.takeFailure(spec.kind, spec.id, spec.operation);
      if (failure !== undefined) {
        await spec.fail(failure);
      } else {
        try {
          await spec.complete();
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          this.logger.warn('simulated transition failed', { kind: spec.kind, id: spec.id, operation: spec.operation, err: message });
          await spec.fail(message);
        }
      }
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
    for (const spec of parked) void this.fire(spec);
  }
}
