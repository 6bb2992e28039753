/**
 * Learned waiting. A fixed exponential schedule sees a status change on average half a gap late, and its
 * gaps grow with the wait, so it either adds a large share to the cloud's own transition time or spends
 * many calls. A cloud's transitions of one kind (create, attach, delete … of one volume type) take a
 * fairly steady time, so the model keeps, per cloud and per kind of wait, the recent transition times it
 * observed, sleeps until the transition is likely done and then checks closely.
 *
 * Calls are budgeted: a learned wait may spend, on average, at most `callsBudget` (0.95) of the checks the
 * caller's schedule would spend on the same distribution of transition times, and no check that saves less
 * than `checkCost` (3 %) of the median transition time; within that it places its checks where they see
 * the transition soonest on average (`optimalPlacement`: an early check is paid by every wait, a late one
 * only by the slow ones, so the checks crowd towards the end of the range).
 *
 * Bounds and safety:
 * - Until a kind has `minSamples` observations, the caller's schedule is used unchanged (CPO's by default).
 * - Every learned plan ends on the caller's schedule: after the learned checks and a short close tail it
 *   keeps the schedule's own check times, up to its last one, so the total patience is never shorter.
 * - A wait that outlasts everything seen (the cloud slowed down), or finishes well before it (sped up),
 *   replaces the history: the next waits learn the new pace instead of averaging it with the old one.
 *
 * Times are in ms since the wait began, measured when a check was sent. An observation is an interval:
 * the transition was not done at the last check that saw it pending and was done at the first that saw it
 * done. The estimated distribution is the mixture of these intervals (uniform over each), so coarse
 * observations (the first waits on CPO's schedule) and close ones (later waits) combine soundly.
 */
import type { WaitSchedule } from './api';

export interface PaceObservation {
  /** Last check that saw the transition pending (0 when none did). */
  notDoneAtMs: number;
  /** First check that saw it done. */
  doneAtMs: number;
  /**
   * When the wait began (any monotonic clock). The window keeps the waits that began last, not those
   * that ended last: of 100 waits begun together the last 16 to end are the 16 slowest, and a model
   * that kept them would sleep past most transitions of the next burst.
   */
  beganAt?: number;
}

export interface PaceModelOptions {
  /** Observations kept per kind of wait (default 16): recent enough to follow a cloud that changes pace. */
  window?: number;
  /** Observations before a kind's waits are planned from them (default 3). */
  minSamples?: number;
  /**
   * Checks after the likely range, one step apart, before the caller's schedule takes over (default 1: a
   * transition just past the estimate is then seen a step late instead of a whole schedule gap late; it
   * costs a call only in the rare waits that get there).
   */
  tailChecks?: number;
  /** Smallest gap between two checks (default 20 ms). */
  minGapMs?: number;
  /**
   * Calls a learned wait may spend, as a share of what the caller's schedule would spend on the same
   * transitions (default 0.95). Both are expected check counts under the estimated distribution; the plan
   * sees the transition soonest among those within it, so learned waiting is cheaper than the schedule by
   * construction, not by luck (as far as the estimate describes the cloud).
   */
  callsBudget?: number;
  /**
   * Least delay a check must save on average, as a share of the median transition time (default 0.03).
   * The budget alone would spend all it may: on a cloud whose transitions take 20 s CPO's schedule makes
   * ten checks, and 0.95 of that buys delay nobody notices, paid in full by every wait when the cloud
   * changes pace again.
   */
  checkCost?: number;
  /**
   * Most checks before the caller's schedule takes over, the tail included (default 8). A wait that
   * outlasts everything seen (the cloud slowed down) pays all of them, then skips schedule checks until
   * it is at most two ahead of the schedule's count.
   */
  maxLearnedChecks?: number;
}

/** Default share of the schedule's expected calls a learned plan may spend. */
const DEFAULT_CALLS_BUDGET = 0.95;
/** Default least delay a check must save, as a share of the median transition time. */
const DEFAULT_CHECK_COST = 0.03;

/** How many checks more than the schedule a wait that outlasts the learned range may have made. */
const MAX_CHECKS_AHEAD = 2;

/** A pace change: the new observation lies this far outside the kept ones. */
const PACE_CHANGE_FACTOR = 2;

/** When each check of a wait is made. */
export interface WaitPlan {
  /** Checks in all (the wait times out after the last). */
  readonly checks: number;
  /** Sleep before check `check` (1-based), given the time since the wait began. */
  delayBefore(check: number, elapsedMs: number): number;
  /** Whether the plan came from observations (false: the caller's schedule as it is). */
  readonly learned: boolean;
  /**
   * Learned plans: where a wait whose first check already finds the transition done records it as
   * having finished (from here to that check). Such a wait learns only "done by then"; recorded as done
   * at 0 it would be too coarse to count, and nothing would ever move the first check earlier. This
   * lower end lies as far below the earliest time the model expected as the first check lies above it,
   * so a cloud that got faster pulls the estimate down a step with each such wait.
   */
  readonly likelyFromMs?: number;
}

/** The caller's schedule as given: first check at once, then the schedule's delays. */
export function fixedPlan(schedule: WaitSchedule): WaitPlan {
  const delays = scheduleDelays(schedule);
  return {
    checks: delays.length,
    learned: false,
    delayBefore: (check) => delays[check - 1] ?? 0,
  };
}

/** Sleep before each check of a schedule: 0, initial delay, initial × factor, … (capped by maxDelayMs). */
export function scheduleDelays(schedule: WaitSchedule): number[] {
  const checks = Math.max(1, schedule.checks);
  const delays = [0];
  let delay = schedule.initialDelayMs;
  for (let check = 2; check <= checks; check += 1) {
    delays.push(delay);
    delay = Math.min(delay * schedule.factor, schedule.maxDelayMs ?? Number.POSITIVE_INFINITY);
  }
  return delays;
}

/** Check times (ms since the wait began) of a schedule. */
export function scheduleCheckTimes(schedule: WaitSchedule): number[] {
  let time = 0;
  return scheduleDelays(schedule).map((delay) => (time += delay));
}

/** Index of the observation whose wait began first (without a begin time: recorded first). */
function earliestBegun(observations: readonly PaceObservation[]): number {
  let earliest = 0;
  observations.forEach((o, index) => {
    if ((o.beganAt ?? Number.NEGATIVE_INFINITY) < (observations[earliest].beganAt ?? Number.NEGATIVE_INFINITY)) earliest = index;
  });
  return earliest;
}

const sameSchedule = (a: WaitSchedule, b: WaitSchedule) =>
  a.initialDelayMs === b.initialDelayMs && a.factor === b.factor && a.checks === b.checks && a.maxDelayMs === b.maxDelayMs;

/** Plan that checks at fixed times since the wait began. */
function timedPlan(checkTimes: readonly number[], likelyFromMs: number): WaitPlan {
  return {
    checks: checkTimes.length,
    learned: true,
    likelyFromMs,
    delayBefore: (check, elapsedMs) => Math.max(0, (checkTimes[check - 1] ?? 0) - elapsedMs),
  };
}

/**
 * An estimated distribution of transition times from interval observations (each says "ended somewhere
 * in here"): the mixture of uniform distributions over them, as weights on the cells between their ends.
 */
export class PaceDistribution {
  private constructor(
    /** Cell `i` spans `edges[i]` to `edges[i + 1]`. */
    private readonly edges: readonly number[],
    private readonly masses: readonly number[],
  ) {}

  static of(observations: readonly PaceObservation[]): PaceDistribution {
    if (observations.length === 0) throw new Error('no observations');
    // A point observation (seen done the moment it was last seen pending) gets a sliver of width.
    const intervals = observations.map((o) => ({ low: Math.min(o.notDoneAtMs, o.doneAtMs - POINT_WIDTH_MS), high: o.doneAtMs }));
    const edges = [...new Set(intervals.flatMap((i) => [i.low, i.high]))].sort((a, b) => a - b);
    const masses = new Array<number>(edges.length - 1).fill(0);
    const share = 1 / intervals.length;
    // Its ends are edges, so an interval covers whole cells.
    const cells = intervals.map(({ low, high }) => ({ first: edges.indexOf(low), last: edges.indexOf(high) - 1 }));
    for (const { first, last } of cells) {
      const width = edges[last + 1] - edges[first];
      for (let cell = first; cell <= last; cell += 1) masses[cell] += (share * (edges[cell + 1] - edges[cell])) / width;
    }
    return new PaceDistribution(edges, masses);
  }

  /** Probability that the transition has ended by `t`. */
  cdf(t: number): number {
    let sum = 0;
    for (let cell = 0; cell < this.masses.length; cell += 1) {
      const low = this.edges[cell];
      const high = this.edges[cell + 1];
      if (t >= high) sum += this.masses[cell];
      else if (t > low) sum += (this.masses[cell] * (t - low)) / (high - low);
      else break;
    }
    return Math.min(1, sum);
  }

  /** The earliest time by which the transition has ended with probability `p` (0: where weight begins). */
  quantile(p: number): number {
    const target = Math.min(1, Math.max(0, p));
    let sum = 0;
    for (let cell = 0; cell < this.masses.length; cell += 1) {
      const mass = this.masses[cell];
      if (target === 0) {
        if (mass > 0) return this.edges[cell];
        continue;
      }
      if (sum + mass >= target - 1e-12 && mass > 0) {
        const low = this.edges[cell];
        return low + ((this.edges[cell + 1] - low) * Math.max(0, target - sum)) / mass;
      }
      sum += mass;
    }
    return this.edges[this.edges.length - 1];
  }

  /**
   * Checks a wait with these check times makes on average: the first always, each later one only when
   * the transition had not ended by the check before it.
   */
  expectedChecks(checkTimes: readonly number[]): number {
    let checks = checkTimes.length > 0 ? 1 : 0;
    for (let check = 0; check < checkTimes.length - 1; check += 1) checks += 1 - this.cdf(checkTimes[check]);
    return checks;
  }
}

/** Width given to a point observation (ms). */
const POINT_WIDTH_MS = 0.5;

/** Quantile `p` of the mixture of uniform distributions over the observed intervals. */
export function intervalQuantile(observations: readonly PaceObservation[], p: number): number {
  return PaceDistribution.of(observations).quantile(p);
}

/** Points of the grid the optimal placement chooses its checks from, at equal probability steps. */
const PLACEMENT_GRID = 48;

/** Check times within the estimate's range, with the calls they cost and the delay they leave, on average. */
export interface Placement {
  times: number[];
  expectedChecks: number;
  expectedDelayMs: number;
}

/**
 * The checks across the estimate's range that see the transition soonest on average when each check is
 * priced at `checkCostMs` of delay: a check is paid only by the waits still pending at the check before
 * it, and the delay is the time from the transition ending to the next check. Solved exactly on a grid
 * of equal probability steps (dynamic programming from the end, which is always checked).
 */
export function optimalPlacement(estimate: PaceDistribution, checkCostMs: number): Placement {
  return placeOnGrid(placementGrid(estimate), checkCostMs);
}

/**
 * The placement that sees the transition soonest without spending more than `budget` checks on average,
 * nor more than `maxChecks` in all: the price of a check is found by bisection (a dearer check means
 * fewer checks, placed where they pay).
 */
export function placementWithin(estimate: PaceDistribution, budget: number, maxChecks = Number.POSITIVE_INFINITY): Placement {
  const fits = (placement: Placement) => placement.expectedChecks <= budget && placement.times.length <= maxChecks;
  const grid = placementGrid(estimate);
  let cheap = 1e-3;
  let dear = 1e7;
  let best = placeOnGrid(grid, dear);
  if (!fits(best)) return best;
  for (let step = 0; step < 40 && dear / cheap > 1.01; step += 1) {
    const price = Math.sqrt(cheap * dear);
    const placement = placeOnGrid(grid, price);
    if (fits(placement)) {
      best = placement;
      dear = price;
    } else {
      cheap = price;
    }
  }
  return best;
}

interface PlacementGrid {
  /** times[k]: when the transition has ended with probability k / PLACEMENT_GRID. */
  times: number[];
  /** Sums from the start of each step's mean end time (uniform within a step: its midpoint). */
  meanSum: number[];
}

function placementGrid(estimate: PaceDistribution): PlacementGrid {
  const times = Array.from({ length: PLACEMENT_GRID + 1 }, (_, k) => estimate.quantile(k / PLACEMENT_GRID));
  const meanSum = [0];
  for (let k = 1; k <= PLACEMENT_GRID; k += 1) meanSum.push(meanSum[k - 1] + (times[k - 1] + times[k]) / 2);
  return { times, meanSum };
}

function placeOnGrid({ times: grid, meanSum }: PlacementGrid, checkCostMs: number): Placement {
  const points = PLACEMENT_GRID;
  /** Expected delay of the transitions ending in steps i+1..j when the check after i is at grid[j]. */
  const delay = (i: number, j: number) => ((j - i) * grid[j] - (meanSum[j] - meanSum[i])) / points;
  const cost = new Array<number>(points + 1).fill(0);
  const next = new Array<number>(points + 1).fill(points);
  for (let i = points - 1; i >= 0; i -= 1) {
    const price = checkCostMs * (1 - i / points);
    let best = Number.POSITIVE_INFINITY;
    for (let j = i + 1; j <= points; j += 1) {
      const total = price + delay(i, j) + cost[j];
      if (total < best) {
        best = total;
        next[i] = j;
      }
    }
    cost[i] = best;
  }
  const times: number[] = [];
  let expectedChecks = 0;
  let expectedDelayMs = 0;
  for (let i = 0; i < points; i = next[i]) {
    times.push(grid[next[i]]);
    expectedChecks += 1 - i / points;
    expectedDelayMs += delay(i, next[i]);
  }
  return { times, expectedChecks, expectedDelayMs };
}

const midpoint = (o: PaceObservation) => (o.notDoneAtMs + o.doneAtMs) / 2;

/**
 * Few observations understate how far the times really spread (n draws from a range cover about
 * (n − 1)/(n + 1) of it), so each is widened by the observed range / n on both sides: with 4 kept the
 * estimate reaches a fifth of the range past the extremes seen, with 16 a sixteenth.
 */
function widened(observations: readonly PaceObservation[]): PaceObservation[] {
  const mids = observations.map(midpoint);
  const margin = (Math.max(...mids) - Math.min(...mids)) / observations.length;
  return observations.map((o) => ({ notDoneAtMs: Math.max(0, o.notDoneAtMs - margin), doneAtMs: o.doneAtMs + margin }));
}

export class PaceModel {
  private readonly history = new Map<string, PaceObservation[]>();
  /** The last plan per kind of wait, until its history changes (many waits start between two records). */
  private readonly plans = new Map<string, { schedule: WaitSchedule; plan: WaitPlan }>();
  private readonly window: number;
  private readonly minSamples: number;
  private readonly tailChecks: number;
  private readonly minGapMs: number;
  private readonly callsBudget: number;
  private readonly checkCost: number;
  private readonly maxLearnedChecks: number;

  constructor(options: PaceModelOptions = {}) {
    this.window = Math.max(1, options.window ?? 16);
    this.minSamples = Math.max(1, options.minSamples ?? 3);
    this.tailChecks = Math.max(0, options.tailChecks ?? 1);
    this.minGapMs = Math.max(1, options.minGapMs ?? 20);
    this.callsBudget = Math.max(0, options.callsBudget ?? DEFAULT_CALLS_BUDGET);
    this.checkCost = Math.max(0, options.checkCost ?? DEFAULT_CHECK_COST);
    this.maxLearnedChecks = Math.max(1, options.maxLearnedChecks ?? 8);
  }

  /** The observations kept for a kind of wait, oldest first (a copy). */
  observations(key: string): PaceObservation[] {
    return [...(this.history.get(key) ?? [])];
  }

  /** Records how long one wait's transition took; a pace change replaces the history. */
  record(key: string, observation: PaceObservation): void {
    const notDoneAtMs = Math.max(0, observation.notDoneAtMs);
    const clean: PaceObservation = { notDoneAtMs, doneAtMs: Math.max(notDoneAtMs, observation.doneAtMs) };
    if (observation.beganAt !== undefined) clean.beganAt = observation.beganAt;
    const kept = this.history.get(key) ?? [];
    if (kept.length > 0 && this.paceChanged(kept, clean)) kept.length = 0;
    kept.push(clean);
    while (kept.length > this.window) kept.splice(earliestBegun(kept), 1);
    this.history.set(key, kept);
    this.plans.delete(key);
  }

  /** Forgets a kind of wait (e.g. after a timeout): its next waits use the caller's schedule again. */
  forget(key: string): void {
    this.history.delete(key);
    this.plans.delete(key);
  }

  /**
   * When to check in the next wait of this kind. With too few observations: the schedule as it is.
   * Otherwise the checks that see the transition soonest within the calls budget (at least one, at the
   * end of the likely range), a close tail, then the schedule's own check times up to its last one.
   */
  plan(key: string, schedule: WaitSchedule): WaitPlan {
    const kept = this.history.get(key) ?? [];
    if (kept.length < this.minSamples) return fixedPlan(schedule);
    const cached = this.plans.get(key);
    if (cached && sameSchedule(cached.schedule, schedule)) return cached.plan;
    const plan = this.learnedPlan(kept, schedule);
    this.plans.set(key, { schedule, plan });
    return plan;
  }

  private learnedPlan(kept: readonly PaceObservation[], schedule: WaitSchedule): WaitPlan {
    // The widened estimate covers the times not seen yet; the budget is what the schedule would spend on it.
    const estimate = PaceDistribution.of(widened(kept));
    const patience = scheduleCheckTimes(schedule);
    const budget = this.callsBudget * estimate.expectedChecks(patience);
    const start = estimate.quantile(0);
    // A wait that outlasts everything seen (the cloud slowed down) pays every learned check.
    const maxChecks = Math.max(1, this.maxLearnedChecks - this.tailChecks);
    const worthwhile = optimalPlacement(estimate, this.checkCost * estimate.quantile(0.5));
    const fits = worthwhile.expectedChecks <= budget && worthwhile.times.length <= maxChecks;
    const placement = fits ? worthwhile : placementWithin(estimate, budget, maxChecks);
    const times = this.afterLearned(placement.times, start, patience);
    const firstCheck = times[0];
    return timedPlan(times, Math.max(0, start - Math.max(0, firstCheck - start)));
  }

  /**
   * The learned checks, `tailChecks` more one mean step apart, then the schedule's own check times after
   * those, up to its last one.
   */
  private afterLearned(learned: readonly number[], start: number, patience: readonly number[]): number[] {
    const lastAllowed = patience[patience.length - 1];
    const times: number[] = [];
    const add = (time: number) => {
      const previous = times.length > 0 ? times[times.length - 1] : undefined;
      const at = Math.min(time, lastAllowed);
      if (previous === undefined ? at >= 0 : at - previous >= this.minGapMs) times.push(at);
    };
    for (const time of learned) add(time);
    const end = times.length > 0 ? times[times.length - 1] : 0;
    const gap = Math.max(this.minGapMs, (end - start) / Math.max(1, learned.length));
    for (let step = 1; step <= this.tailChecks; step += 1) add(end + gap * step);
    // Past everything seen, the cloud is slower than it was: back to the schedule's own check times, none
    // closer to the last check than the schedule's gap there, and none while this wait is more than
    // MAX_CHECKS_AHEAD checks ahead of the schedule: a slowdown costs at most that many calls more.
    let previous = 0;
    patience.forEach((time, index) => {
      const last = times.length > 0 ? times[times.length - 1] : 0;
      if (time > last && time - last >= time - previous && index + 1 + MAX_CHECKS_AHEAD > times.length) add(time);
      previous = time;
    });
    if (times.length === 0 || times[times.length - 1] < lastAllowed) times.push(lastAllowed);
    return times;
  }

  /** A transition that outlasted every kept one by far, or ended well before all of them. */
  private paceChanged(kept: readonly PaceObservation[], next: PaceObservation): boolean {
    const longest = Math.max(...kept.map((o) => o.doneAtMs));
    if (next.notDoneAtMs > PACE_CHANGE_FACTOR * longest) return true;
    const middle = [...kept].map(midpoint).sort((a, b) => a - b)[Math.floor(kept.length / 2)];
    return next.doneAtMs * PACE_CHANGE_FACTOR < middle;
  }
}
