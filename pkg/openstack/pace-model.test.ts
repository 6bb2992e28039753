import { silentLogger } from '../log/logger';
import type { WaitSchedule } from './api';
import { WaitTimeoutError } from './errors';
import { fixedPlan, intervalQuantile, PaceModel, probabilitySteps, scheduleCheckTimes, type WaitPlan } from './pace-model';
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

describe('PaceModel', () => {
  it("uses the caller's schedule unchanged until it has enough observations", () => {
    const model = modelWith('volume:available', [[1000, 2100], [1000, 2100]]);
    const plan = model.plan('volume:available', CPO);
    expect(plan.learned).toBe(false);
    expect(checkTimes(plan)).toEqual(checkTimes(fixedPlan(CPO)));
    expect(checkTimes(plan)).toEqual(scheduleCheckTimes(CPO).map(Math.round));
  });

  it('sleeps until the transition is likely done, then checks at shrinking probability steps', () => {
    // Creates that took 1.6–2.4 s, each seen within 20 ms.
    const model = modelWith('volume:available', [[1580, 1600], [1780, 1800], [1980, 2000], [2180, 2200], [2380, 2400]]);
    const times = checkTimes(model.plan('volume:available', CPO));
    expect(times[0]).toBeGreaterThan(1500); // no check while the cloud has never been that fast
    // Five steps, the last at the longest seen; one within 20 ms of the one before is skipped.
    const across = times.filter((time) => time >= 1580 && time <= 2400);
    expect(across.length).toBeGreaterThanOrEqual(4);
    expect(across[across.length - 1]).toBeGreaterThan(2350);
    const gaps = across.slice(1).map((time, index) => time - across[index]);
    expect(gaps[gaps.length - 1]).toBeLessThan(gaps[0]);
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

  it('steps probabilities down linearly and ends at 1', () => {
    expect(probabilitySteps(5).map((p) => Number(p.toFixed(2)))).toEqual([0.3, 0.55, 0.75, 0.9, 1]);
    expect(probabilitySteps(1)).toEqual([1]);
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
