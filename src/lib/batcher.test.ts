import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('batcher', () => {
  it('runs a lone call at once, and calls arriving meanwhile together next', async () => {
    const seen: number[][] = [];
    const gates: (() => void)[] = [];
    const b = new Batcher<number, number>(async (items) => {
      seen.push(items);
      await new Promise<void>((r) => gates.push(r));
      return items.map((i) => i * 10);
    }, { maxBatch: 10, concurrency: 1 });
    const first = b.submit(1);
    await tick();
    expect(seen).toEqual([[1]]);
    const later = [b.submit(2), b.submit(3), b.submit(4)];
    await tick();
    expect(seen).toEqual([[1]]); // still waiting for the first
    gates.shift()!();
    expect(await first).toBe(10);
    await tick();
    expect(seen).toEqual([[1], [2, 3, 4]]);
    gates.shift()!();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(b.stats).toEqual({ batches: 2, items: 4, largest: 3 });
  });

  it('never puts more than maxBatch in one batch, and keeps up to `concurrency` running', async () => {
    const sizes: number[] = [];
    let running = 0;
    let most = 0;
    const b = new Batcher<number, number>(async (items) => {
      sizes.push(items.length);
      running += 1;
      most = Math.max(most, running);
      await tick();
      running -= 1;
      return items;
    }, { maxBatch: 3, concurrency: 2 });
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => b.submit(i)));
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(most).toBe(2);
  });

  it('fails only the item whose result is an Error, and the whole batch when run throws', async () => {
    const b = new Batcher<number, number>(async (items) => {
      if (items.includes(99)) throw new Error('database down');
      return items.map((i) => (i % 2 ? new Error(`odd ${i}`) : i));
    }, { maxBatch: 10, concurrency: 1 });
    const [even, odd] = await Promise.allSettled([b.submit(2), b.submit(3)]);
    expect(even).toEqual({ status: 'fulfilled', value: 2 });
    expect(odd).toMatchObject({ status: 'rejected', reason: new Error('odd 3') });
    await expect(b.submit(99)).rejects.toThrow('database down');
    expect(await b.submit(4)).toBe(4); // it goes on after a failed batch
  });
});
