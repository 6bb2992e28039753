import { scheduleTotalMs, withInitialDelay, withInitialDelays } from './wait-schedules';

describe('withInitialDelay', () => {
  const diskAttached = { initialDelayMs: 1000, factor: 1.2, checks: 15 };

  it('keeps the schedule when no shorter first delay is asked for', () => {
    expect(withInitialDelay(diskAttached, 0)).toBe(diskAttached);
    expect(withInitialDelay(diskAttached, 5000)).toBe(diskAttached);
  });

  it('polls sooner with at least the same total patience and the same growth', () => {
    const fast = withInitialDelay(diskAttached, 50);
    expect(fast.initialDelayMs).toBe(50);
    expect(fast.factor).toBe(1.2);
    expect(scheduleTotalMs(fast)).toBeGreaterThanOrEqual(scheduleTotalMs(diskAttached));
    // One check fewer would fall short: the budget is met, not overshot by whole extra checks.
    expect(scheduleTotalMs({ ...fast, checks: fast.checks - 1 })).toBeLessThan(scheduleTotalMs(diskAttached));
  });

  it('respects maxDelayMs and terminates for a factor of 1', () => {
    const capped = withInitialDelay({ initialDelayMs: 7000, factor: 1, checks: 60 }, 100);
    expect(scheduleTotalMs(capped)).toBeGreaterThanOrEqual(7000 * 59);
    const bounded = withInitialDelay({ initialDelayMs: 1000, factor: 2, checks: 10, maxDelayMs: 2000 }, 100);
    expect(scheduleTotalMs(bounded)).toBeGreaterThanOrEqual(scheduleTotalMs({ initialDelayMs: 1000, factor: 2, checks: 10, maxDelayMs: 2000 }));
  });

  it('applies to every named schedule', () => {
    const all = withInitialDelays({ a: diskAttached, b: { initialDelayMs: 1000, factor: 1.1, checks: 10 } }, 20);
    expect(Object.keys(all)).toEqual(['a', 'b']);
    expect(all.a.initialDelayMs).toBe(20);
    expect(all.b.initialDelayMs).toBe(20);
  });
});
