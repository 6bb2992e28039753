import { KeyedLock } from './keyed-lock';
import { imageFileName } from './image-names';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KeyedLock', () => {
  it('runs work on the same key one after another', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const gate = deferred();
    const first = lock.run(['a'], async () => {
      order.push('first start');
      await gate.promise;
      order.push('first end');
    });
    const second = lock.run(['a'], async () => {
      order.push('second');
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual(['first start']);
    gate.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(['first start', 'first end', 'second']);
  });

  it('lets different keys run at the same time', async () => {
    const lock = new KeyedLock();
    const gate = deferred();
    let otherRan = false;
    const blocked = lock.run(['a'], () => gate.promise);
    await lock.run(['b'], async () => {
      otherRan = true;
    });
    expect(otherRan).toBe(true);
    gate.resolve();
    await blocked;
  });

  it('does not deadlock when two callers take the same keys in opposite order, and releases on failure', async () => {
    const lock = new KeyedLock();
    const results = await Promise.allSettled([
      lock.run(['a', 'b'], async () => 'ab'),
      lock.run(['b', 'a'], async () => {
        throw new Error('boom');
      }),
      lock.run(['a'], async () => 'a'),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

describe('imageFileName', () => {
  it('keeps safe keys readable and makes unsafe ones distinct and harmless', () => {
    expect(imageFileName('volume-123')).toBe('volume-123.img');
    const odd = imageFileName('volume/../x');
    expect(odd).toMatch(/^volume_\.\._x-[0-9a-f]{12}\.img$/);
    expect(imageFileName('volume_.._x')).not.toBe(odd);
    expect(imageFileName('..')).not.toMatch(/^\./);
    expect(imageFileName('x'.repeat(500)).length).toBeLessThan(150);
    expect(() => imageFileName('')).toThrow();
  });
});
