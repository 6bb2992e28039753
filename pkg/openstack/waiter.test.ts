import { silentLogger } from '../log/logger';
import { NotFoundError, ResourceErrorStateError, WaitTimeoutError } from './errors';
import { realSleep } from './http/executor';
import { BatchingFetcher, DEFAULT_WAIT_SCHEDULES, type ResourceSource, scheduleTotalMs, StatusWaiter } from './waiter';

interface Thing {
  id: string;
  status: string;
  fault?: string;
}

/** A fake resource store whose statuses advance one step per read of the whole store. */
function fakeSource(statuses: Record<string, string[]>, withList = true) {
  const reads: Record<string, number> = {};
  const calls = { get: 0, list: 0 };
  const current = (id: string): Thing => {
    const steps = statuses[id];
    if (!steps) throw new NotFoundError(`thing ${id} not found`);
    const index = Math.min(reads[id] ?? 0, steps.length - 1);
    reads[id] = (reads[id] ?? 0) + 1;
    if (steps[index] === 'GONE') throw new NotFoundError(`thing ${id} not found`);
    return { id, status: steps[index], fault: 'disk on fire' };
  };
  const source: ResourceSource<Thing> = {
    kind: 'thing',
    get: async (id) => {
      calls.get += 1;
      return current(id);
    },
    list: withList
      ? async (ids) => {
          calls.list += 1;
          const out = new Map<string, Thing>();
          for (const id of ids) {
            try {
              out.set(id, current(id));
            } catch {
              // absent from the listing
            }
          }
          return out;
        }
      : undefined,
    statusOf: (thing) => thing.status,
    faultOf: async (thing) => thing.fault,
    defaultErrorStatuses: ['error'],
  };
  return { source, calls };
}

const schedule = { initialDelayMs: 5, factor: 2, checks: 4 };
const sleeps: number[] = [];
const deps = {
  logger: silentLogger,
  sleep: async (ms: number) => {
    sleeps.push(ms);
    await new Promise((resolve) => setImmediate(resolve));
  },
};

beforeEach(() => {
  sleeps.length = 0;
});

describe('StatusWaiter', () => {
  it('checks first, then sleeps on an exponential schedule', async () => {
    const { source } = fakeSource({ a: ['creating', 'creating', 'creating', 'available'] });
    const waiter = new StatusWaiter(source, deps);
    await expect(waiter.wait('a', ['available'], schedule)).resolves.toMatchObject({ status: 'available' });
    expect(sleeps).toEqual([5, 10, 20]);
  });

  it('caps delays at maxDelayMs', async () => {
    const { source } = fakeSource({ a: ['x', 'x', 'x', 'x', 'ok'] });
    const waiter = new StatusWaiter(source, deps);
    await waiter.wait('a', ['ok'], { initialDelayMs: 5, factor: 10, checks: 5, maxDelayMs: 60 });
    expect(sleeps).toEqual([5, 50, 60, 60]);
  });

  it('fails fast on an error status with the fault', async () => {
    const { source } = fakeSource({ a: ['creating', 'error'] });
    const waiter = new StatusWaiter(source, deps);
    const error = await waiter.wait('a', ['available'], schedule).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ResourceErrorStateError);
    expect((error as ResourceErrorStateError).fault).toBe('disk on fire');
    expect(sleeps).toHaveLength(1);
  });

  it('honours custom error statuses and the until condition', async () => {
    const { source } = fakeSource({ a: ['in-use', 'in-use', 'available'] });
    const waiter = new StatusWaiter(source, deps);
    let seen = 0;
    const until = () => {
      seen += 1;
      return seen >= 2;
    };
    await expect(waiter.wait('a', ['in-use'], schedule, { until })).resolves.toMatchObject({ status: 'in-use' });
    const { source: second } = fakeSource({ b: ['attaching', 'available'] });
    await expect(
      new StatusWaiter(second, deps).wait('b', ['in-use'], schedule, { errorStatuses: ['available'] }),
    ).rejects.toBeInstanceOf(ResourceErrorStateError);
  });

  it('runs out of checks with WaitTimeoutError carrying the last status', async () => {
    const { source } = fakeSource({ a: ['attaching'] });
    const waiter = new StatusWaiter(source, deps);
    const error = await waiter.wait('a', ['in-use'], schedule).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).lastStatus).toBe('attaching');
    expect(sleeps).toHaveLength(3);
  });

  it('treats NotFound as success only when waiting for a delete', async () => {
    const { source } = fakeSource({ a: ['deleting', 'GONE'] });
    await expect(new StatusWaiter(source, deps).wait('a', [], schedule, { gone: true })).resolves.toMatchObject({
      status: 'deleting',
    });
    const { source: other } = fakeSource({ b: ['GONE'] });
    await expect(new StatusWaiter(other, deps).wait('b', ['available'], schedule)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('observe hook', () => {
  it('sees every reading in order, including the one that ends the wait', async () => {
    const { source } = fakeSource({ a: ['reserved', 'attaching', 'in-use'] });
    const seen: string[] = [];
    await new StatusWaiter(source, deps).wait('a', ['in-use'], schedule, { observe: (thing) => void seen.push(thing.status) });
    expect(seen).toEqual(['reserved', 'attaching', 'in-use']);
  });

  it("ends the wait with the reading it answers 'done' for, even in a status the wait did not target", async () => {
    const { source } = fakeSource({ a: ['reserved', 'available', 'in-use'] });
    const result = await new StatusWaiter(source, deps).wait('a', ['in-use'], schedule, {
      observe: async (thing) => (thing.status === 'available' ? 'done' : undefined),
    });
    expect(result.status).toBe('available');
    expect(sleeps).toHaveLength(1);
  });

  it('fails the wait with the error it throws, before the status checks', async () => {
    const { source } = fakeSource({ a: ['reserved', 'available'] });
    const rolledBack = new Error('the attach was rolled back');
    const error = await new StatusWaiter(source, deps)
      .wait('a', ['in-use'], schedule, {
        observe: async (thing) => {
          await new Promise((resolve) => setImmediate(resolve));
          if (thing.status === 'available') throw rolledBack;
        },
        // Without the hook this status would end the wait as an error state instead.
        errorStatuses: ['available'],
      })
      .catch((err: unknown) => err);
    expect(error).toBe(rolledBack);
  });

  it('is called for each reading of each coalesced wait', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const { source, calls } = fakeSource(Object.fromEntries(ids.map((id) => [id, ['reserved', 'attaching', 'in-use']])));
    const waiter = new StatusWaiter(source, deps);
    const seen: Record<string, string[]> = {};
    await Promise.all(
      ids.map((id) =>
        waiter.wait(id, ['in-use'], schedule, {
          observe: (thing) => void (seen[thing.id] ??= []).push(thing.status),
        }),
      ),
    );
    expect(calls).toEqual({ get: 0, list: 3 });
    expect(seen).toEqual(Object.fromEntries(ids.map((id) => [id, ['reserved', 'attaching', 'in-use']])));
  });
});

describe('BatchingFetcher', () => {
  it('does not delay or batch while fewer than minBatch waits run', async () => {
    const { source, calls } = fakeSource({ a: ['creating', 'available'], b: ['creating', 'available'] });
    const waiter = new StatusWaiter(source, deps);
    await Promise.all(['a', 'b'].map((id) => waiter.wait(id, ['available'], schedule)));
    expect(calls).toEqual({ get: 4, list: 0 });
  });

  it('lets waits started at different moments meet within the window', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const { source, calls } = fakeSource(Object.fromEntries(ids.map((id) => [id, ['available']])));
    // A window far longer than the gaps between the starts below, however loaded the machine: with 30 ms,
    // a busy CI host spread the five starts over several windows and the test failed by timing alone.
    const waiter = new StatusWaiter(source, { ...deps, coalescing: { windowMs: 1_000, minBatch: 5 } });
    // Five other waits are already running.
    for (let i = 0; i < 5; i += 1) waiter.fetcher.beginWait();
    const waits: Promise<Thing>[] = [];
    for (const id of ids) {
      waits.push(waiter.wait(id, ['available'], schedule));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(waits);
    expect(calls).toEqual({ get: 0, list: 1 });
  });

  it('serves the requests that came in during a list call with the next list at once, without another window', async () => {
    jest.useFakeTimers();
    try {
      const { source } = fakeSource({ a: ['available'], b: ['available'], c: ['available'], d: ['available'] });
      const answers: (() => void)[] = [];
      const listed: string[][] = [];
      const slow: ResourceSource<Thing> = {
        ...source,
        list: async (ids) => {
          listed.push([...ids]);
          await new Promise<void>((resolve) => answers.push(resolve));
          return source.list!(ids);
        },
      };
      const fetcher = new BatchingFetcher(slow, { minBatch: 2, windowMs: 60_000 });
      for (let i = 0; i < 4; i += 1) fetcher.beginWait();
      const first = Promise.all([fetcher.fetch('a'), fetcher.fetch('b')]);
      await jest.advanceTimersByTimeAsync(60_000); // the window of the first tick
      expect(listed).toEqual([['a', 'b']]);
      // While that list is out, two more checks arrive: they wait for it, then go at once.
      const second = Promise.all([fetcher.fetch('c'), fetcher.fetch('d')]);
      answers.shift()!();
      await first;
      await jest.advanceTimersByTimeAsync(0);
      expect(listed).toEqual([['a', 'b'], ['c', 'd']]);
      answers.shift()!();
      await expect(second).resolves.toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('serves many concurrent waits with one list call per tick', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const { source, calls } = fakeSource(Object.fromEntries(ids.map((id) => [id, ['creating', 'creating', 'available']])));
    const waiter = new StatusWaiter(source, deps);
    const results = await Promise.all(ids.map((id) => waiter.wait(id, ['available'], schedule)));
    expect(results.every((thing) => thing.status === 'available')).toBe(true);
    expect(calls).toEqual({ get: 0, list: 3 });
  });

  it('uses one GET per ID below the batch threshold or without a list call', async () => {
    const { source, calls } = fakeSource({ a: ['available'], b: ['available'] });
    const fetcher = new BatchingFetcher(source, { minBatch: 3 });
    await Promise.all([fetcher.fetch('a'), fetcher.fetch('b')]);
    expect(calls).toEqual({ get: 2, list: 0 });
    const { source: noList, calls: noListCalls } = fakeSource({ a: ['available'], b: ['available'], c: ['x'] }, false);
    const plain = new BatchingFetcher(noList, { minBatch: 2 });
    for (let i = 0; i < 3; i += 1) plain.beginWait();
    await Promise.all(['a', 'b', 'c'].map((id) => plain.fetch(id)));
    expect(noListCalls).toEqual({ get: 3, list: 0 });
  });

  it('shares one fetch among concurrent waits on the same ID', async () => {
    const { source, calls } = fakeSource({ a: ['available'], b: ['available'] });
    const fetcher = new BatchingFetcher(source, { minBatch: 2 });
    fetcher.beginWait();
    fetcher.beginWait();
    await Promise.all([fetcher.fetch('a'), fetcher.fetch('a'), fetcher.fetch('b')]);
    expect(calls).toEqual({ get: 0, list: 1 });
  });

  it('falls back to GETs when the list call fails', async () => {
    const { source, calls } = fakeSource({ a: ['available'], b: ['available'] });
    const failing: ResourceSource<Thing> = {
      ...source,
      list: async () => {
        calls.list += 1;
        throw new Error('list broke');
      },
    };
    const fetcher = new BatchingFetcher(failing, { minBatch: 2 });
    fetcher.beginWait();
    fetcher.beginWait();
    await expect(Promise.all([fetcher.fetch('a'), fetcher.fetch('b')])).resolves.toHaveLength(2);
    expect(calls).toEqual({ get: 2, list: 1 });
  });

  it('can be switched off', async () => {
    const { source, calls } = fakeSource({ a: ['available'], b: ['available'] });
    const fetcher = new BatchingFetcher(source, { enabled: false });
    await Promise.all([fetcher.fetch('a'), fetcher.fetch('b')]);
    expect(calls).toEqual({ get: 2, list: 0 });
  });
});

describe('schedules', () => {
  it('match CPO totals', () => {
    expect(scheduleTotalMs(DEFAULT_WAIT_SCHEDULES.diskAttached) / 1000).toBeCloseTo(59.2, 0);
    expect(scheduleTotalMs(DEFAULT_WAIT_SCHEDULES.diskDetached) / 1000).toBeCloseTo(39.6, 0);
    expect(scheduleTotalMs(DEFAULT_WAIT_SCHEDULES.volumeStatus) / 1000).toBeCloseTo(13.6, 0);
    expect(scheduleTotalMs(DEFAULT_WAIT_SCHEDULES.snapshotReady) / 1000).toBeCloseTo(20.8, 0);
  });
});

describe('a wait asleep between checks', () => {
  it('checks at once when a list call made for other waits shows it at its goal, and sleeps on through other statuses', async () => {
    const others = ['o1', 'o2', 'o3', 'o4', 'o5'];
    const statuses: Record<string, string> = { slow: 'creating', ...Object.fromEntries(others.map((id) => [id, 'creating'])) };
    let listings = 0;
    let readsOfSlow = 0;
    // Like Cinder's detail listing: every resource of the project, whatever was asked.
    const source: ResourceSource<Thing> = {
      kind: 'thing',
      get: async (id) => {
        if (id === 'slow') readsOfSlow += 1;
        return { id, status: statuses[id] };
      },
      list: async (ids) => {
        listings += 1;
        if (ids.includes('slow')) readsOfSlow += 1;
        if (listings === 3) statuses.slow = 'available';
        if (listings === 5) for (const id of others) statuses[id] = 'available';
        return new Map(Object.entries(statuses).map(([id, status]) => [id, { id, status }]));
      },
      statusOf: (thing) => thing.status,
      defaultErrorStatuses: ['error'],
    };
    // The slow wait's sleep never ends by itself (it ignores the signal): only a listing can wake it.
    const sleep = (ms: number) => new Promise<void>((resolve) => (ms >= 60_000 ? undefined : setImmediate(resolve)));
    const waiter = new StatusWaiter(source, { logger: silentLogger, sleep, coalescing: { minBatch: 5, windowMs: 0 } });
    const seen: string[] = [];
    const slow = waiter.wait('slow', ['available'], { initialDelayMs: 60_000, factor: 1, checks: 3 }, { observe: (thing) => void seen.push(thing.status) });
    const rest = others.map((id) => waiter.wait(id, ['available'], { initialDelayMs: 1, factor: 1, checks: 50 }));
    await expect(slow).resolves.toMatchObject({ status: 'available' });
    await Promise.all(rest);
    // Two checks: the first, and the listing that showed it available, whose reading it took (no fetch
    // of its own after waking); the listings that showed it still creating did not wake it.
    expect(seen).toEqual(['creating', 'available']);
    expect(readsOfSlow).toBe(1);
  });

  it('is shown only list calls started after it began watching (an earlier one may predate its own request)', async () => {
    let lists = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const source: ResourceSource<Thing> = {
      kind: 'thing',
      get: async (id) => ({ id, status: 'get' }),
      list: async (ids) => {
        lists += 1;
        const number = lists;
        if (number === 1) await held;
        return new Map([...ids, 'w'].map((id) => [id, { id, status: `list ${number}` }]));
      },
      statusOf: (thing) => thing.status,
      defaultErrorStatuses: [],
    };
    const fetcher = new BatchingFetcher(source, { minBatch: 2, windowMs: 0 });
    fetcher.beginWait();
    fetcher.beginWait();
    const first = Promise.all([fetcher.fetch('a'), fetcher.fetch('b')]);
    while (lists < 1) await new Promise((resolve) => setTimeout(resolve, 1));
    const seen: string[] = [];
    const stop = fetcher.watch('w', (thing) => seen.push(thing.status));
    release();
    await first;
    await Promise.all([fetcher.fetch('a'), fetcher.fetch('b')]);
    stop();
    await Promise.all([fetcher.fetch('a'), fetcher.fetch('b')]);
    expect(lists).toBe(3);
    expect(seen).toEqual(['list 2']);
  });

  it('a real sleep ends at once when cut, leaving no timer behind', async () => {
    const cut = new AbortController();
    const sleeping = realSleep(3_600_000, cut.signal);
    cut.abort();
    await expect(sleeping).resolves.toBeUndefined();
  });
});
