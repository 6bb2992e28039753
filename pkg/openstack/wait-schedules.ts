/**
 * Every status wait's schedule, in one table: the type, cloud-provider-openstack's figures (its Cinder
 * and Manila drivers' backoff loops, so our waits are never shorter than CPO's) and `withInitialDelays`, which `--wait-initial-delay-ms` applies once, at
 * start, to the whole table. The OpenStack clients, the drivers' controllers and the node's device wait
 * all take their schedules from the scaled table.
 */

/** Exponential wait schedule: first delay, growth factor, number of checks. */
export interface WaitSchedule {
  /** Sleep after the first check that did not see the goal. */
  initialDelayMs: number;
  /** Each further sleep is the previous one times this. */
  factor: number;
  /** How many times to look, in all. */
  checks: number;
  /** Upper bound of one delay. */
  maxDelayMs?: number;
}

/** Named schedules. */
export interface WaitSchedules {
  /** A new Cinder volume reaching `available`. CPO does not wait at all; we reuse the extend budget ×1.5. */
  volumeCreate: WaitSchedule;
  /** Volume target status after extend/retype/delete: 1 s × 1.1, 10 checks. */
  volumeStatus: WaitSchedule;
  /** Volume shows the server in its attachments: 1 s × 1.2, 15 checks. */
  diskAttached: WaitSchedule;
  /** Volume no longer attached: 1 s × 1.2, 13 checks. */
  diskDetached: WaitSchedule;
  /** Snapshot `available`: 1 s × 1.2, 10 checks. */
  snapshotReady: WaitSchedule;
  /** Backup `available`: CPO polls every 7 s for perGB·size + 30 s; drivers usually pass their own. */
  backupReady: WaitSchedule;
  /** Group / group snapshot status. */
  groupStatus: WaitSchedule;
  /** Manila share status: 3 s × 1.2, 10 checks. */
  shareStatus: WaitSchedule;
  /** Manila access rule active / access_key present: 5 s × 1.2, 10 checks. */
  shareAccess: WaitSchedule;
  /** Manila snapshot status. */
  shareSnapshotReady: WaitSchedule;
  /** Node: an attached volume's device path appears: 1 s × 1.1, 15 checks (≈28 s of sleeping). */
  nodeDevicePath: WaitSchedule;
}

const VOLUME_STATUS: WaitSchedule = { initialDelayMs: 1000, factor: 1.1, checks: 10 };

export const DEFAULT_WAIT_SCHEDULES: Readonly<WaitSchedules> = Object.freeze({
  volumeCreate: { ...VOLUME_STATUS, checks: 15 },
  volumeStatus: VOLUME_STATUS,
  diskAttached: { initialDelayMs: 1000, factor: 1.2, checks: 15 },
  diskDetached: { initialDelayMs: 1000, factor: 1.2, checks: 13 },
  snapshotReady: { initialDelayMs: 1000, factor: 1.2, checks: 10 },
  backupReady: { initialDelayMs: 7000, factor: 1, checks: 60 },
  groupStatus: { initialDelayMs: 1000, factor: 1.2, checks: 15 },
  shareStatus: { initialDelayMs: 3000, factor: 1.2, checks: 10 },
  shareAccess: { initialDelayMs: 5000, factor: 1.2, checks: 10 },
  shareSnapshotReady: { initialDelayMs: 3000, factor: 1.2, checks: 10 },
  nodeDevicePath: { initialDelayMs: 1000, factor: 1.1, checks: 15 },
});

/** The table with some schedules replaced (tests pass faster ones). */
export function resolveWaitSchedules(overrides?: Partial<WaitSchedules>): WaitSchedules {
  return { ...DEFAULT_WAIT_SCHEDULES, ...(overrides ?? {}) };
}

/** Sum of the sleeps of a schedule (checks − 1 delays), for messages. */
export function scheduleTotalMs(schedule: WaitSchedule): number {
  let delay = schedule.initialDelayMs;
  let total = 0;
  for (let check = 1; check < schedule.checks; check += 1) {
    total += delay;
    delay = Math.min(delay * schedule.factor, schedule.maxDelayMs ?? Number.POSITIVE_INFINITY);
  }
  return total;
}

/** Hard bound on checks, for a factor of 1 with a tiny first delay. */
const MAX_CHECKS = 10_000;

/**
 * `--wait-initial-delay-ms`: poll sooner without giving up sooner. The schedule keeps its growth factor
 * and gets as many checks as it needs for its total sleep to reach the original's, so a slow cloud is
 * tolerated exactly as long as with CPO's schedules while a fast one (the simulator, a quiet cloud) is
 * seen as soon as it is done. 0, or a delay not shorter than the original's, keeps the schedule.
 */
export function withInitialDelay(schedule: WaitSchedule, initialDelayMs: number): WaitSchedule {
  if (initialDelayMs <= 0 || initialDelayMs >= schedule.initialDelayMs) return schedule;
  const budget = scheduleTotalMs(schedule);
  let total = 0;
  let delay = initialDelayMs;
  let checks = 1;
  while (total < budget && checks < MAX_CHECKS) {
    total += delay;
    delay = Math.min(delay * schedule.factor, schedule.maxDelayMs ?? Number.POSITIVE_INFINITY);
    checks += 1;
  }
  return { ...schedule, initialDelayMs, checks };
}

/** `withInitialDelay` over every schedule of a table. */
export function withInitialDelays<Schedules extends { [K in keyof Schedules]: WaitSchedule }>(
  schedules: Readonly<Schedules>,
  initialDelayMs: number,
): Schedules {
  const result: Partial<Schedules> = {};
  for (const name of Object.keys(schedules) as (keyof Schedules)[]) {
    result[name] = withInitialDelay(schedules[name], initialDelayMs) as Schedules[typeof name];
  }
  return result as Schedules;
}
