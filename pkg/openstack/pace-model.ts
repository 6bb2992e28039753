/**
 * Learned waiting. A fixed exponential schedule sees a status change on average half a gap late, and its
 * gaps grow with the wait, so it either adds a large share to the cloud's own transition time or spends
 * many calls. A cloud's transitions of one kind (create, attach, delete … of one volume type) take a
 * fairly steady time, so the model keeps, per cloud and per kind of wait, the recent transition times it
 * observed, sleeps until the transition is likely done and then checks closely.
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
}

export interface PaceModelOptions {
  /** Observations kept per kind of wait (default 16): recent enough to follow a cloud that changes pace. */
  window?: number;
  /** Observations before a kind's waits are planned from them (default 3). */
  minSamples?: number;
  /**
   * Checks spread across the likely range (default 5), at probability steps that shrink linearly (e.g.
   * 30 %, 25 %, 20 %, 15 %, 10 %): an early check is paid by every wait, a late one only by the slow ones,
   * so for the same expected calls shrinking steps see the change sooner than equal ones.
   */
  checksAcross?: number;
  /** Checks after the likely range, one step apart, before the caller's schedule takes over (default 0: the widened estimate already reaches past the longest seen). */
  tailChecks?: number;
  /** Smallest gap between two checks (default 20 ms). */
  minGapMs?: number;
}

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
 * Quantile `p` of the mixture of uniform distributions over the observed intervals (a point interval is
 * a point mass). Found by bisection on the mixture's CDF, which is piecewise linear and non-decreasing.
 */
export function intervalQuantile(observations: readonly PaceObservation[], p: number): number {
  if (observations.length === 0) throw new Error('no observations');
  const low = Math.min(...observations.map((o) => o.notDoneAtMs));
  const high = Math.max(...observations.map((o) => o.doneAtMs));
  const cdf = (t: number): number =>
    observations.reduce((sum, o) => {
      if (t >= o.doneAtMs) return sum + 1;
      if (t <= o.notDoneAtMs) return sum;
      return sum + (t - o.notDoneAtMs) / (o.doneAtMs - o.notDoneAtMs);
    }, 0) / observations.length;
  const target = Math.min(1, Math.max(0, p));
  let lo = low;
  let hi = high;
  for (let step = 0; step < 50 && hi - lo > 0.5; step += 1) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Cumulative probabilities of `count` checks whose steps shrink linearly (weights count+1 … 2), ending at 1. */
export function probabilitySteps(count: number): number[] {
  const weights = Array.from({ length: count }, (_, index) => count + 1 - index);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let cumulative = 0;
  return weights.map((weight, index) => (index === count - 1 ? 1 : (cumulative += weight) / total));
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
  private readonly window: number;
  private readonly minSamples: number;
  private readonly checksAcross: number;
  private readonly tailChecks: number;
  private readonly minGapMs: number;

  constructor(options: PaceModelOptions = {}) {
    this.window = Math.max(1, options.window ?? 16);
    this.minSamples = Math.max(1, options.minSamples ?? 3);
    this.checksAcross = Math.max(1, options.checksAcross ?? 5);
    this.tailChecks = Math.max(0, options.tailChecks ?? 0);
    this.minGapMs = Math.max(1, options.minGapMs ?? 20);
  }

  /** The observations kept for a kind of wait, oldest first (a copy). */
  observations(key: string): PaceObservation[] {
    return [...(this.history.get(key) ?? [])];
  }

  /** Records how long one wait's transition took; a pace change replaces the history. */
  record(key: string, observation: PaceObservation): void {
    const notDoneAtMs = Math.max(0, observation.notDoneAtMs);
    const clean = { notDoneAtMs, doneAtMs: Math.max(notDoneAtMs, observation.doneAtMs) };
    const kept = this.history.get(key) ?? [];
    if (kept.length > 0 && this.paceChanged(kept, clean)) kept.length = 0;
    kept.push(clean);
    if (kept.length > this.window) kept.splice(0, kept.length - this.window);
    this.history.set(key, kept);
  }

  /** Forgets a kind of wait (e.g. after a timeout): its next waits use the caller's schedule again. */
  forget(key: string): void {
    this.history.delete(key);
  }

  /**
   * When to check in the next wait of this kind. With too few observations: the schedule as it is.
   * Otherwise: `checksAcross` checks at shrinking probability steps of the observed distribution (the last
   * at its end), `tailChecks` more one mean step apart, then the schedule's own check times after those, up to
   * its last one.
   */
  plan(key: string, schedule: WaitSchedule): WaitPlan {
    const kept = this.history.get(key) ?? [];
    if (kept.length < this.minSamples) return fixedPlan(schedule);
    const observations = widened(kept);
    const patience = scheduleCheckTimes(schedule);
    const lastAllowed = patience[patience.length - 1];
    const times: number[] = [];
    const add = (time: number) => {
      const previous = times.length > 0 ? times[times.length - 1] : undefined;
      const at = Math.min(time, lastAllowed);
      if (previous === undefined ? at >= 0 : at - previous >= this.minGapMs) times.push(at);
    };
    const start = intervalQuantile(observations, 0);
    const steps = probabilitySteps(this.checksAcross);
    for (const p of steps) add(intervalQuantile(observations, p));
    const end = times.length > 0 ? times[times.length - 1] : 0;
    const gap = Math.max(this.minGapMs, (end - start) / this.checksAcross);
    for (let step = 1; step <= this.tailChecks; step += 1) add(end + gap * step);
    // Past everything seen, the cloud is slower than it was: back to the schedule's own gaps, none closer
    // to the last check than the schedule's gap there, so a slowdown costs few more calls than the schedule.
    let previous = 0;
    for (const time of patience) {
      const last = times.length > 0 ? times[times.length - 1] : 0;
      if (time > last && time - last >= time - previous) add(time);
      previous = time;
    }
    if (times.length === 0 || times[times.length - 1] < lastAllowed) times.push(lastAllowed);
    const firstCheck = times[0];
    return timedPlan(times, Math.max(0, start - Math.max(0, firstCheck - start)));
  }

  /** A transition that outlasted every kept one by far, or ended well before all of them. */
  private paceChanged(kept: readonly PaceObservation[], next: PaceObservation): boolean {
    const longest = Math.max(...kept.map((o) => o.doneAtMs));
    if (next.notDoneAtMs > PACE_CHANGE_FACTOR * longest) return true;
    const middle = [...kept].map(midpoint).sort((a, b) => a - b)[Math.floor(kept.length / 2)];
    return next.doneAtMs * PACE_CHANGE_FACTOR < middle;
  }
}
