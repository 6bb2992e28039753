/**
 * Status waiting shared by all services. A waiter polls on an exponential schedule, fails fast on error
 * statuses with the resource's own fault message, and fetches through a BatchingFetcher so that many
 * concurrent waits on one resource type share one list call per tick instead of one GET each. A caller's
 * `observe` hook sees each wait's every reading, however it was fetched. With a PaceModel the checks are
 * timed from the transition times this cloud showed before (pace-model.ts), within the schedule's patience.
 */
import type { Logger } from '../log/logger';
import type { WaitOptions } from './api';
import { scheduleTotalMs, type WaitSchedule } from './wait-schedules';
import { NotFoundError, ResourceErrorStateError, WaitTimeoutError } from './errors';
import type { Sleep } from './http/executor';
import { fixedPlan, type PaceModel } from './pace-model';

// The schedule type and table live in wait-schedules.ts (one table for every wait); re-exported for
// the modules that import them from here.
export { DEFAULT_WAIT_SCHEDULES, resolveWaitSchedules, scheduleTotalMs, type WaitSchedules } from './wait-schedules';

/** How one resource type is read. */
export interface ResourceSource<T> {
  /** e.g. `volume`, `share snapshot`. */
  kind: string;
  /** One resource; rejects with NotFoundError when it does not exist. */
  get(id: string): Promise<T>;
  /**
   * Many resources in one call (a detail listing). IDs missing from the answer are fetched one by one,
   * so a listing that cannot filter by ID may return a superset or miss some.
   */
  list?(ids: readonly string[]): Promise<Map<string, T>>;
  statusOf(resource: T): string;
  /**
   * The cloud's explanation of an error state (fault, user message), best effort. With `sinceMs`, only
   * explanations recorded after that moment (used to explain a timeout, e.g. a failed attach).
   */
  faultOf?(resource: T, sinceMs?: number): Promise<string | undefined>;
  defaultErrorStatuses: readonly string[];
}

export interface CoalescingOptions {
  /** Default true. */
  enabled?: boolean;
  /**
   * Fewest IDs in one tick for which a list call replaces the GETs (default 5). A list returns the
   * whole project, so for a couple of waits single GETs are cheaper.
   */
  minBatch?: number;
  /**
   * How long a tick collects requests before fetching, once at least `minBatch` waits are running
   * (default 50 ms: waits started at different moments still meet in one list call).
   */
  windowMs?: number;
}

/** What a BatchingFetcher reads through: one key at a time, and optionally many keys in one call. */
export type BatchSource<T> = Pick<ResourceSource<T>, 'get' | 'list'>;

/**
 * When the one list call fails: `get-each` falls back to one `get` per key (a wait's next poll would
 * retry anyway); `reject` hands the list call's error to every caller in the batch.
 */
export type ListFailure = 'get-each' | 'reject';

const DEFAULT_MIN_BATCH = 5;
const DEFAULT_WINDOW_MS = 50;

interface Watcher<T> {
  seen: (resource: T) => void;
  /** How many list calls had started when it began watching. */
  afterList: number;
}

interface Waiting<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects concurrent fetches of one resource type and serves them with one list call when worthwhile.
 * Keys are IDs for status waits; Cinder's by-name lookups use names (cinder.ts).
 */
export class BatchingFetcher<T> {
  private pending = new Map<string, Waiting<T>[]>();
  private timer?: NodeJS.Timeout;
  private listing = false;
  private activeWaits = 0;
  /** Calls made, for diagnostics and tests. */
  readonly stats = { listCalls: 0, getCalls: 0 };
  private readonly enabled: boolean;
  private readonly minBatch: number;
  private readonly windowMs: number;
  /** Per key, who wants to see that key's readings in list calls made for others (`watch`). */
  private readonly watchers = new Map<string, Set<Watcher<T>>>();
  /** List calls started so far: a watcher sees only those started after it began watching. */
  private listsStarted = 0;

  constructor(
    private readonly source: BatchSource<T>,
    options: CoalescingOptions = {},
    private readonly listFailure: ListFailure = 'get-each',
  ) {
    this.enabled = options.enabled ?? true;
    this.minBatch = Math.max(2, options.minBatch ?? DEFAULT_MIN_BATCH);
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  }

  /** A wait started; while fewer than `minBatch` run, a tick does not wait for the window. */
  beginWait(): void {
    this.activeWaits += 1;
  }

  endWait(): void {
    this.activeWaits = Math.max(0, this.activeWaits - 1);
  }

  /**
   * Calls `seen` with each reading of `id` that a list call brings (a list answers the whole project, so
   * it often holds resources it was not asked for), until the returned function is called. Only list
   * calls started after this call count: one sent earlier may show the state before the caller's own
   * last request (e.g. `available` before an extend).
   */
  watch(id: string, seen: (resource: T) => void): () => void {
    const forId = this.watchers.get(id) ?? new Set();
    const watcher = { seen, afterList: this.listsStarted };
    forId.add(watcher);
    this.watchers.set(id, forId);
    return () => {
      forId.delete(watcher);
      if (forId.size === 0 && this.watchers.get(id) === forId) this.watchers.delete(id);
    };
  }

  fetch(id: string): Promise<T> {
    if (!this.enabled || !this.source.list) return this.get(id);
    return new Promise<T>((resolve, reject) => {
      const waiters = this.pending.get(id) ?? [];
      waiters.push({ resolve, reject });
      this.pending.set(id, waiters);
      this.schedule();
    });
  }

  private get(id: string): Promise<T> {
    this.stats.getCalls += 1;
    return this.source.get(id);
  }

  private schedule(afterList = false): void {
    // While a list call is out, new requests wait for the next tick so they see fresh data.
    if (this.timer || this.listing) return;
    // Requests of the current event-loop turn always meet; the window only pays off with many waits.
    // Requests that arrived during a list call have already waited for it, which collected them as a
    // window would: when they are enough for a list, another window on top only delays them (with 200
    // waits the lists follow each other, and every check paid list + window + list). A few stragglers
    // still wait for the window, so that they share a list instead of costing a GET each.
    const collected = afterList && this.pending.size >= this.minBatch;
    const delay = this.activeWaits >= this.minBatch && !collected ? this.windowMs : 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    if (batch.size === 0) return;
    const ids = [...batch.keys()];
    if (ids.length < this.minBatch || !this.source.list) {
      for (const id of ids) this.settle(batch.get(id) ?? [], this.get(id));
      return;
    }
    this.listing = true;
    let found: Map<string, T> | undefined;
    let failure: { error: unknown } | undefined;
    let listNumber = 0;
    try {
      this.stats.listCalls += 1;
      this.listsStarted += 1;
      listNumber = this.listsStarted;
      found = await this.source.list(ids);
    } catch (error) {
      found = undefined; // fall back to one GET per ID below, unless told to reject
      if (this.listFailure === 'reject') failure = { error };
    } finally {
      this.listing = false;
    }
    if (found) this.tell(found, listNumber);
    for (const id of ids) {
      if (failure) {
        this.settle(batch.get(id) ?? [], Promise.reject(failure.error));
        continue;
      }
      const resource = found?.get(id);
      this.settle(batch.get(id) ?? [], resource !== undefined ? Promise.resolve(resource) : this.get(id));
    }
    if (this.pending.size > 0) this.schedule(true);
  }

  private tell(found: Map<string, T>, listNumber: number): void {
    for (const [id, forId] of this.watchers) {
      const resource = found.get(id);
      if (resource === undefined) continue;
      for (const watcher of [...forId]) {
        if (watcher.afterList >= listNumber) continue;
        try {
          watcher.seen(resource);
        } catch {
          // a watcher's own failure must not break the batch it looked at
        }
      }
    }
  }

  private settle(waiters: Waiting<T>[], result: Promise<T>): void {
    result.then(
      (value) => waiters.forEach((waiter) => waiter.resolve(value)),
      (error: unknown) => waiters.forEach((waiter) => waiter.reject(error)),
    );
  }
}

export interface StatusWaiterDeps {
  sleep: Sleep;
  logger: Logger;
  coalescing?: CoalescingOptions;
  /** Learned waiting, one model per cloud; without it every wait follows its schedule. */
  pace?: PaceModel;
  /** Monotonic clock for the pace model (default `performance.now`). */
  now?: () => number;
}

export class StatusWaiter<T extends { id: string }> {
  readonly fetcher: BatchingFetcher<T>;

  constructor(
    private readonly source: ResourceSource<T>,
    private readonly deps: StatusWaiterDeps,
  ) {
    this.fetcher = new BatchingFetcher(source, deps.coalescing);
  }

  /** Which of this cloud's waits share a pace: the resource kind and goal, refined by the caller's label. */
  private paceKey(targetStatuses: readonly string[], options: WaitOptions<T>): string {
    const goal = options.gone ? 'gone' : `${targetStatuses.join('|')}${options.until ? '+condition' : ''}`;
    return `${this.source.kind}:${goal}${options.paceKey ? `:${options.paceKey}` : ''}`;
  }

  async wait(
    id: string,
    targetStatuses: readonly string[],
    defaultSchedule: WaitSchedule,
    options: WaitOptions<T> = {},
  ): Promise<T> {
    this.fetcher.beginWait();
    try {
      return await this.poll(id, targetStatuses, options.schedule ?? defaultSchedule, options);
    } finally {
      this.fetcher.endWait();
    }
  }

  /**
   * Sleeps until the next check, or until a list call made for other waits shows this resource where the
   * wait would end: that reading (as fresh as any coalesced check's) is then the next check's, so with
   * many waits in flight a wait does not sleep through its own transition. No extra call, and no more
   * checks than the plan's.
   */
  private async sleepUnlessListed(id: string, delayMs: number, looksFinished: (resource: T) => boolean): Promise<T | undefined> {
    const cut = new AbortController();
    let reading: T | undefined;
    const stopWatching = this.fetcher.watch(id, (resource) => {
      if (reading === undefined && looksFinished(resource)) {
        reading = resource;
        cut.abort();
      }
    });
    try {
      // A sleep that ignores the signal (a test's) is raced so that the wake still ends it.
      const listed = new Promise<void>((resolve) => cut.signal.addEventListener('abort', () => resolve(), { once: true }));
      await Promise.race([this.deps.sleep(delayMs, cut.signal), listed]);
      return reading;
    } finally {
      stopWatching();
      cut.abort();
    }
  }

  private async poll(
    id: string,
    targetStatuses: readonly string[],
    schedule: WaitSchedule,
    options: WaitOptions<T>,
  ): Promise<T> {
    const errorStatuses = options.errorStatuses ?? this.source.defaultErrorStatuses;
    const { kind } = this.source;
    const startedAt = Date.now();
    const { pace } = this.deps;
    const now = this.deps.now ?? (() => performance.now());
    const paceKey = this.paceKey(targetStatuses, options);
    const plan = pace?.plan(paceKey, schedule) ?? fixedPlan(schedule);
    const began = now();
    /** Send times (ms since `began`) of the last check that saw the transition pending and of the current one. */
    let pendingAt: number | undefined;
    let sentAt = 0;
    const finished = (resource: T): T => {
      // A first check at once that already finds the goal says nothing about the cloud's pace.
      if (pendingAt !== undefined || plan.learned) {
        pace?.record(paceKey, { notDoneAtMs: pendingAt ?? plan.likelyFromMs ?? 0, doneAtMs: sentAt, beganAt: began });
      }
      return resource;
    };
    /** A reading this wait would end on (its goal or an error status); a delete's end is never read from a list. */
    const looksFinished = (resource: T): boolean => {
      if (options.gone) return false;
      const status = this.source.statusOf(resource);
      return errorStatuses.includes(status) || (targetStatuses.includes(status) && (!options.until || options.until(resource)));
    };
    let last: T | undefined;
    for (let check = 1; check <= plan.checks; check += 1) {
      const delay = plan.delayBefore(check, now() - began);
      let listed: T | undefined;
      if (delay > 0) {
        this.deps.logger.debug(5, 'waiting for status', {
          kind,
          id,
          status: last ? this.source.statusOf(last) : undefined,
          want: targetStatuses,
          check,
          delayMs: Math.round(delay),
        });
        listed = await this.sleepUnlessListed(id, delay, looksFinished);
      }
      if (check > 1) pendingAt = sentAt;
      sentAt = now() - began;
      let resource: T;
      try {
        resource = listed ?? (await this.fetcher.fetch(id));
      } catch (err) {
        if (options.gone && err instanceof NotFoundError) {
          // Waiting for a delete: the last state seen, or a marker when it was already gone.
          return finished(last ?? ({ id, status: 'deleted' } as unknown as T));
        }
        throw err;
      }
      last = resource;
      if (options.observe && (await options.observe(resource)) === 'done') return finished(resource);
      const status = this.source.statusOf(resource);
      if (errorStatuses.includes(status)) {
        const fault = await this.source.faultOf?.(resource).catch(() => undefined);
        throw new ResourceErrorStateError(
          `${kind} ${id} is in status "${status}"${fault ? `: ${fault}` : ''}`,
          id,
          status,
          fault,
        );
      }
      if (!options.gone && targetStatuses.includes(status) && (!options.until || options.until(resource))) {
        return finished(resource);
      }
    }
    // The cloud took longer than the whole patience: what was learned no longer describes it.
    pace?.forget(paceKey);
    const checks = plan.checks;
    const lastStatus = last ? this.source.statusOf(last) : undefined;
    const goal = options.gone ? 'be deleted' : `reach status ${targetStatuses.map((s) => `"${s}"`).join(' or ')}`;
    const extra = lastStatus && targetStatuses.includes(lastStatus) && options.until ? ' (status reached, condition not met)' : '';
    // A timeout often hides a failure the cloud recorded (a failed attach leaves the volume `available`).
    const recent = last ? await this.source.faultOf?.(last, startedAt).catch(() => undefined) : undefined;
    throw new WaitTimeoutError(
      `timed out after ${checks} checks (${Math.round(scheduleTotalMs(schedule) / 1000)} s) waiting for ${kind} ${id} to ${goal}; last status "${lastStatus ?? 'unknown'}"${extra}${recent ? `; the cloud reports: ${recent}` : ''}`,
      id,
      lastStatus,
    );
  }
}
