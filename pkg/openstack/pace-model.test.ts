import { silentLogger } from '../log/logger';
import type { WaitSchedule } from './api';
import { WaitTimeoutError } from './errors';
import {
  fixedPlan,
  intervalQuantile,
  optimalPlacement,
  PaceDistribution,
  PaceModel,
  placementWithin,
  scheduleCheckTimes,
  type WaitPlan,
} from './pace-model';
import { StatusWaiter, type ResourceSource } from './waiter';

const CPO: WaitSchedule = { initialDelayMs: 1000, factor: 1.1, checks: 10 };

/** Check times of a plan when every check is made exactly when planned. */
function checkTimes(plan: WaitPlan): number[] {
  const times: number[] = [];
  let now = 0;
  for (let check = 1; check <= plan.checks; check += 1) {
    now += plan.delayBefore(check, now);
    times.push(Math.round(now));
  }
  return times;
}

function modelWith(key: string, observations: [number, number][], options = {}): PaceModel {
  const model = new PaceModel(options);
  for (const [notDoneAtMs, doneAtMs] of observations) model.record(key, { notDoneAtMs, doneAtMs });
  return model;
}

describe('intervalQuantile', () => {
  it('is the plain quantile of exact observations', () => {
    const exact = [1000, 2000, 3000, 4000].map((t) => ({ notDoneAtMs: t, doneAtMs: t }));
    expect(intervalQuantile(exact, 0.5)).toBeCloseTo(2000, -1);
    expect(intervalQuantile(exact, 1)).toBeCloseTo(4000, -1);
  });

  it('spreads a coarse observation over its interval', () => {
    // One transition seen pending at 1 s and done at 2.1 s (CPO's checks): uniform over (1, 2.1].
    const coarse = [{ notDoneAtMs: 1000, doneAtMs: 2100 }];
    expect(intervalQuantile(coarse, 0.5)).toBeCloseTo(1550, -1);
    expect(intervalQuantile(coarse, 0.25)).toBeCloseTo(1275, -1);
  });
});

describe('PaceDistribution', () => {
  const uniform = PaceDistribution.of([{ notDoneAtMs: 1000, doneAtMs: 2000 }]);

  it('spreads an interval evenly and counts the checks a wait makes on average', () => {
    expect(uniform.cdf(500)).toBe(0);
    expect(uniform.cdf(1250)).toBeCloseTo(0.25, 5);
    expect(uniform.cdf(2500)).toBe(1);
    expect(uniform.quantile(0)).toBe(1000);
    expect(uniform.quantile(0.75)).toBeCloseTo(1750, 5);
    // Checks at 0, 1 s, 1.5 s, 2 s: the first always, then each while still pending (1, 1, 0.5).
    expect(uniform.expectedChecks([0, 1000, 1500, 2000])).toBeCloseTo(3.5, 5);
  });
});

describe('optimalPlacement', () => {
  const uniform = PaceDistribution.of([{ notDoneAtMs: 1000, doneAtMs: 2000 }]);

  it('ends on the end of the range and spends fewer checks, with more delay, as a check gets dearer', () => {
    const cheap = optimalPlacement(uniform, 50);
    const dear = optimalPlacement(uniform, 200);
    for (const placement of [cheap, dear]) {
      expect(placement.times[placement.times.length - 1]).toBeCloseTo(2000, 5);
      expect(placement.expectedChecks).toBeCloseTo(uniform.expectedChecks(placement.times), 5);
    }
    expect(dear.expectedChecks).toBeLessThan(cheap.expectedChecks);
    expect(dear.expectedDelayMs).toBeGreaterThan(cheap.expectedDelayMs);
    // A single check at the end: every transition waits for it, half the range on average.
    expect(optimalPlacement(uniform, 1e7)).toEqual({ times: [2000], expectedChecks: 1, expectedDelayMs: 500 });
  });

  it('places the checks closer together towards the end (a late check is paid only by slow waits)', () => {
    const { times } = optimalPlacement(uniform, 50);
    const gaps = times.slice(1).map((time, index) => time - times[index]);
    expect(gaps[gaps.length - 1]).toBeLessThan(gaps[0]);
  });

  it('keeps within a calls budget, down to one check at the end', () => {
    const within = placementWithin(uniform, 2.5);
    expect(within.expectedChecks).toBeLessThanOrEqual(2.5);
    expect(within.expectedChecks).toBeGreaterThan(2); // spends what it may, for less delay
    expect(placementWithin(uniform, 0.5).times).toEqual([2000]);
  });
});

describe('PaceModel', () => {
  it("uses the caller's schedule unchanged until it has enough observations", () => {
    const model = modelWith('volume:available', [[1000, 2100], [1000, 2100]]);
    const plan = model.plan('volume:available', CPO);
    expect(plan.learned).toBe(false);
    expect(checkTimes(plan)).toEqual(checkTimes(fixedPlan(CPO)));
    expect(checkTimes(plan)).toEqual(scheduleCheckTimes(CPO).map(Math.round));
  });

  it('sleeps until the transition is likely done, then checks closer and closer until past the longest seen', () => {
    // Creates that took 1.6–2.4 s, each seen within 20 ms.
    const model = modelWith('volume:available', [[1580, 1600], [1780, 1800], [1980, 2000], [2180, 2200], [2380, 2400]]);
    const times = checkTimes(model.plan('volume:available', CPO));
    expect(times[0]).toBeGreaterThan(1500); // no check while the cloud has never been that fast
    const across = times.filter((time) => time <= 2400);
    expect(across.length).toBeGreaterThanOrEqual(4);
    // An early check is paid by every wait, a late one only by the slow ones: the gaps shrink.
    const gaps = across.slice(1).map((time, index) => time - across[index]);
    expect(gaps[gaps.length - 1]).toBeLessThan(gaps[0]);
    // Some check lies past the longest transition seen before the schedule's own times take over.
    expect(times.some((time) => time >= 2400 && time < 4641)).toBe(true);
  });

  it('plans no more calls than the schedule would spend on the same transitions, by its budget', () => {
    // Deletes that took 0.5–1 s: the schedule checks at once (always pending) and after 1 s, two calls.
    const model = modelWith('volume:gone', [[500, 520], [600, 620], [700, 720], [800, 820], [900, 920], [980, 1000]], { callsBudget: 0.9 });
    const estimate = PaceDistribution.of(model.observations('volume:gone'));
    const schedule = estimate.expectedChecks(scheduleCheckTimes(CPO));
    expect(schedule).toBeCloseTo(2, 5);
    const learned = estimate.expectedChecks(checkTimes(model.plan('volume:gone', CPO)));
    expect(learned).toBeLessThanOrEqual(0.9 * schedule);
    // A looser budget buys more checks (and sees the end sooner), never more than it allows.
    const loose = modelWith('volume:gone', [[500, 520], [600, 620], [700, 720], [800, 820], [900, 920], [980, 1000]], { callsBudget: 1.5 });
    const looseChecks = estimate.expectedChecks(checkTimes(loose.plan('volume:gone', CPO)));
    expect(looseChecks).toBeGreaterThan(learned);
    expect(looseChecks).toBeLessThanOrEqual(1.5 * schedule);
  });

  it('does not spend checks that save little: on a slow cloud far fewer than the schedule makes', () => {
    // Creates that took 15–25 s: CPO's schedule checks 14 times by 26 s; 0.95 of that would buy little.
    const schedule: WaitSchedule = { initialDelayMs: 1000, factor: 1.1, checks: 15 };
    const model = modelWith('k', [15_000, 17_000, 19_000, 21_000, 23_000, 25_000].map((end) => [end - 20, end]));
    const byEnd = checkTimes(model.plan('k', schedule)).filter((time) => time <= 26_000);
    expect(scheduleCheckTimes(schedule).filter((time) => time <= 26_000)).toHaveLength(14);
    expect(byEnd.length).toBeLessThanOrEqual(5);
    expect(byEnd[0]).toBeGreaterThan(14_000);
  });

  it('costs a wait that outlasts everything seen at most two checks more than the schedule (a slowdown)', () => {
    const schedule: WaitSchedule = { initialDelayMs: 1000, factor: 1.1, checks: 15 };
    const model = modelWith('k', [[1580, 1600], [1780, 1800], [1980, 2000], [2180, 2200], [2380, 2400]]);
    const times = checkTimes(model.plan('k', schedule));
    const patience = scheduleCheckTimes(schedule);
    const upTo = (list: readonly number[], t: number) => list.filter((time) => time <= t + 0.5).length;
    const resumed = patience.filter((time) => time > 2400 && times.includes(Math.round(time)));
    expect(resumed.length).toBeGreaterThan(3);
    for (const t of resumed) expect(upTo(times, t)).toBeLessThanOrEqual(upTo(patience, t) + 2);
    expect(times.length).toBeLessThanOrEqual(patience.length + 2);
  });

  it('never gives up before the schedule would: the last check is the schedule\'s last', () => {
    const model = modelWith('k', [[100, 120], [110, 130], [120, 140]]);
    const times = checkTimes(model.plan('k', CPO));
    const patience = scheduleCheckTimes(CPO);
    expect(times[times.length - 1]).toBeCloseTo(patience[patience.length - 1], 0);
    // After the learned checks, the schedule's own check times follow, none closer to the
    // check before than the schedule's own gap there (1 s would be only ~0.85 s after the last learned one).
    expect(times).not.toContain(1000);
    for (const time of patience.filter((t) => t > 2000)) expect(times).toContain(Math.round(time));
  });

  it('moves its first check earlier when waits keep finding the transition already done', () => {
    const model = modelWith('k', [[1900, 2000], [2000, 2100], [2100, 2200]]);
    const first = model.plan('k', CPO);
    const firstCheck = checkTimes(first)[0];
    // The cloud got faster: the first check finds it done, three times.
    for (let wait = 0; wait < 3; wait += 1) model.record('k', { notDoneAtMs: first.likelyFromMs!, doneAtMs: firstCheck });
    expect(first.likelyFromMs!).toBeLessThan(firstCheck);
    expect(checkTimes(model.plan('k', CPO))[0]).toBeLessThan(firstCheck);
  });

  it('keeps at most the window of recent observations', () => {
    const model = new PaceModel({ window: 3 });
    for (const t of [1000, 1100, 1200, 1300, 1400]) model.record('k', { notDoneAtMs: t - 10, doneAtMs: t });
    expect(model.observations('k').map((o) => o.doneAtMs)).toEqual([1200, 1300, 1400]);
  });

  it('keeps the waits that began last, not the ones that ended last (in a burst those are the slowest)', () => {
    const model = new PaceModel({ window: 3 });
    // Four waits begun together, in this order; each one begun later happened to finish sooner.
    const burst = [
      { beganAt: 10, doneAtMs: 2400 },
      { beganAt: 20, doneAtMs: 2100 },
      { beganAt: 30, doneAtMs: 1800 },
      { beganAt: 40, doneAtMs: 1500 },
    ];
    for (const wait of [...burst].reverse()) model.record('k', { notDoneAtMs: wait.doneAtMs - 20, ...wait });
    expect(model.observations('k').map((o) => o.beganAt).sort()).toEqual([20, 30, 40]);
  });

  it('drops its history when a transition outlasts everything seen by far (the cloud slowed down)', () => {
    const model = modelWith('k', [[1900, 2000], [2000, 2100], [2100, 2200]]);
    model.record('k', { notDoneAtMs: 18_000, doneAtMs: 21_000 });
    expect(model.observations('k')).toEqual([{ notDoneAtMs: 18_000, doneAtMs: 21_000 }]);
    // Too few observations of the new pace: back on the caller's schedule.
    expect(model.plan('k', CPO).learned).toBe(false);
  });

  it('drops its history when a transition ends well before the usual time (the cloud sped up)', () => {
    const model = modelWith('k', [[1900, 2000], [2000, 2100], [2100, 2200]]);
    model.record('k', { notDoneAtMs: 0, doneAtMs: 400 });
    expect(model.observations('k')).toHaveLength(1);
  });

  it('keeps kinds of waits apart and forgets one on request', () => {
    const model = modelWith('a', [[900, 1000], [900, 1000], [900, 1000]]);
    expect(model.plan('a', CPO).learned).toBe(true);
    expect(model.plan('b', CPO).learned).toBe(false);
    model.forget('a');
    expect(model.plan('a', CPO).learned).toBe(false);
  });
});

describe('StatusWaiter with a PaceModel', () => {
  interface Thing {
    id: string;
    status: string;
  }

  /** A resource that becomes `available` at a fixed time of a fake clock that only sleeps move. */
  function fakeCloud(doneAtMs: number) {
    let clock = 0;
    const reads: number[] = [];
    const source: ResourceSource<Thing> = {
      kind: 'thing',
      get: async (id) => {
        reads.push(clock);
        return { id, status: clock >= doneAtMs ? 'available' : 'creating' };
      },
      statusOf: (thing) => thing.status,
      defaultErrorStatuses: ['error'],
    };
    const pace = new PaceModel();
    const waiter = new StatusWaiter(source, {
      logger: silentLogger,
      sleep: async (ms) => {
        clock += ms;
      },
      now: () => clock,
      pace,
      coalescing: { enabled: false },
    });
    return { waiter, reads, pace, reset: () => ((clock = 0), (reads.length = 0)) };
  }

  it('learns from its waits and then checks near the transition time with fewer reads', async () => {
    const cloud = fakeCloud(1800);
    await cloud.waiter.wait('x', ['available'], CPO);
    expect(cloud.reads).toEqual([0, 1000, 2100]); // first waits: the schedule as it is
    for (let warmUp = 0; warmUp < 4; warmUp += 1) {
      cloud.reset();
      await cloud.waiter.wait('x', ['available'], CPO);
    }
    cloud.reset();
    await cloud.waiter.wait('x', ['available'], CPO);
    expect(cloud.reads[0]).toBeGreaterThan(1000); // sleeps through the time the cloud always needed
    expect(cloud.reads.length).toBeLessThanOrEqual(3);
    expect(cloud.reads[cloud.reads.length - 1] - 1800).toBeLessThan(300); // sees it closer than CPO's 2.1 s
  });

  it('spends fewer reads than the schedule over many waits and still sees the transitions sooner', async () => {
    // Transitions of 0.55–0.95 s: the schedule reads at once (always pending) and after 1 s.
    const ends = Array.from({ length: 40 }, (_, index) => 550 + ((index * 37) % 400));
    const tally = async (pace: boolean) => {
      let clock = 0;
      let doneAt = 0;
      let reads = 0;
      let lateness = 0;
      const source: ResourceSource<Thing> = {
        kind: 'thing',
        get: async (id) => {
          reads += 1;
          return { id, status: clock >= doneAt ? 'available' : 'creating' };
        },
        statusOf: (thing) => thing.status,
        defaultErrorStatuses: ['error'],
      };
      const waiter = new StatusWaiter(source, {
        logger: silentLogger,
        sleep: async (ms) => {
          clock += ms;
        },
        now: () => clock,
        pace: pace ? new PaceModel() : undefined,
        coalescing: { enabled: false },
      });
      for (const [index, end] of ends.entries()) {
        clock = 0;
        doneAt = end;
        if (index === 10) reads = 0; // the first waits learn
        await waiter.wait('x', ['available'], CPO);
        if (index >= 10) lateness += clock - end;
      }
      return { reads, lateness };
    };
    const schedule = await tally(false);
    const learned = await tally(true);
    expect(schedule.reads).toBe(60); // two reads per wait
    expect(learned.reads).toBeLessThanOrEqual(0.9 * schedule.reads);
    expect(learned.lateness).toBeLessThan(schedule.lateness / 2);
  });

  it("still waits the schedule's whole patience when the cloud stops finishing, then returns to the schedule", async () => {
    const cloud = fakeCloud(1800);
    for (let warmUp = 0; warmUp < 4; warmUp += 1) {
      cloud.reset();
      await cloud.waiter.wait('x', ['available'], CPO);
    }
    // Same model, a resource that now never finishes: the wait times out only at the schedule's end.
    const never = fakeCloud(Number.POSITIVE_INFINITY);
    for (const observation of cloud.pace.observations('thing:available')) never.pace.record('thing:available', observation);
    await expect(never.waiter.wait('x', ['available'], CPO)).rejects.toBeInstanceOf(WaitTimeoutError);
    const patience = scheduleCheckTimes(CPO);
    expect(never.reads[never.reads.length - 1]).toBeCloseTo(patience[patience.length - 1], 0);
    // A timeout forgets the pace: the next wait is on the schedule again.
    expect(never.pace.plan('thing:available', CPO).learned).toBe(false);
  });
});
