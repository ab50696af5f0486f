import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from './backoff.js';
import { prng } from './prng.js';

const opts = { baseMs: 100, capMs: 10_000 };
const almostOne = (): number => 0.999_999;

const seeded = prng;

describe('backoffDelay', () => {
  it('doubles the ceiling with each attempt', () => {
    expect(backoffDelay(0, opts, almostOne)).toBe(99);
    expect(backoffDelay(1, opts, almostOne)).toBe(199);
    expect(backoffDelay(3, opts, almostOne)).toBe(799);
  });

  it('scales the ceiling by the random draw (full jitter)', () => {
    expect(backoffDelay(2, opts, () => 0.5)).toBe(200);
    expect(backoffDelay(2, opts, () => 0)).toBe(0);
  });

  it('never exceeds the cap however many attempts have failed', () => {
    for (const attempt of [7, 8, 20, 1023, 1024, 1_000_000]) {
      expect(backoffDelay(attempt, opts, () => 1)).toBe(10_000);
    }
  });

  it('stays within [0, cap] for thousands of seeded draws', () => {
    const rng = seeded(42);
    for (let attempt = 0; attempt < 5000; attempt++) {
      const d = backoffDelay(attempt % 40, opts, rng);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(opts.capMs);
    }
  });

  it('treats negative, fractional and NaN attempts sensibly', () => {
    expect(backoffDelay(-3, opts, () => 0.5)).toBe(50);
    expect(backoffDelay(Number.NaN, opts, () => 0.5)).toBe(50);
    expect(backoffDelay(1.9, opts, () => 0.5)).toBe(100);
  });

  it('never goes negative or past the cap when the rng misbehaves', () => {
    expect(backoffDelay(2, opts, () => -0.5)).toBe(0);
    expect(backoffDelay(2, opts, () => 7)).toBe(400);
    expect(backoffDelay(2, opts, () => Number.NaN)).toBe(0);
  });

  it('refuses a negative or non-finite base or cap', () => {
    expect(() => backoffDelay(0, { baseMs: -1, capMs: 10 }, almostOne)).toThrow(RangeError);
    expect(() => backoffDelay(0, { baseMs: 1, capMs: Number.POSITIVE_INFINITY }, almostOne)).toThrow(
      RangeError,
    );
  });
});

describe('Backoff', () => {
  it('grows its delays and counts its attempts', () => {
    const b = new Backoff(opts, almostOne);
    expect(b.attempt).toBe(0);
    expect([b.next(), b.next(), b.next()]).toEqual([99, 199, 399]);
    expect(b.attempt).toBe(3);
  });

  it('starts over from the base after reset', () => {
    const b = new Backoff(opts, almostOne);
    for (let i = 0; i < 10; i++) b.next();
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(99);
  });

  it('settles at the cap after many failures', () => {
    const b = new Backoff({ baseMs: 500, capMs: 30_000 }, () => 1);
    let last = 0;
    for (let i = 0; i < 200; i++) last = b.next();
    expect(last).toBe(30_000);
  });

  it('refuses invalid options at construction', () => {
    expect(() => new Backoff({ baseMs: 10, capMs: -1 }, almostOne)).toThrow(RangeError);
  });
});
