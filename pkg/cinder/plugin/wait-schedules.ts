/**
 * `--wait-initial-delay-ms`: poll OpenStack sooner without giving up sooner. Each schedule keeps its
 * growth factor and gets as many checks as it needs for its total sleep to reach the original's, so a
 * slow cloud is tolerated exactly as long as with CPO's schedules while a fast one (the simulator, a
 * quiet cloud) is seen as soon as it is done.
 */
import type { WaitSchedule } from '../../openstack';
import { scheduleTotalMs } from '../../openstack';

/** Hard bound on checks, for a factor of 1 with a tiny first delay. */
const MAX_CHECKS = 10_000;

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
