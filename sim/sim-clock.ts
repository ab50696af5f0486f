// Virtual time for the simulation. One scheduler holds every pending timer of
// every node in a priority queue ordered by (time, insertion counter), so a
// run does the same things in the same order every time; between two timers
// it lets every pending promise settle, so the async code under test runs to
// its next wait exactly as it would on a real event loop. Each node sees the
// global time through its own skewed `Clock`, and its timers die with it.
import type { Clock } from '../src/lib/clock.js';

export { prng } from '../src/lib/prng.js';

/** A seed for an independent stream, so adding a draw in one stream does not shift the others. */
export function deriveSeed(seed: number, stream: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Uniform integer in [lo, hi]. */
export function randInt(rng: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

export function pick<T>(rng: () => number, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Whoever owns timers: when it dies (a crashed node), its timers never fire. */
export interface Owner {
  alive: boolean;
}

/** A class rather than an object with a closure: a run makes tens of thousands, and this is the handle `at` returns. */
class Timer {
  cancelled = false;

  constructor(
    readonly at: number,
    readonly order: number,
    readonly fn: () => void,
    readonly owner: Owner | undefined,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}

let drains = 0;

/**
 * Lets every promise that can settle now settle. Node runs the nextTick queue
 * only once the microtask queue is empty, so resolving through it is enough,
 * and about three times cheaper than a turn of the event loop; now and then a
 * real turn (setImmediate) lets the test runner's own timers and I/O through.
 */
function drain(): Promise<void> {
  drains += 1;
  return new Promise((resolve) => (drains % 1024 === 0 ? setImmediate(resolve) : process.nextTick(resolve)));
}

export class SimScheduler {
  private heap: Timer[] = [];
  private counter = 0;
  /** Timers that fired, for the run's summary. */
  fired = 0;

  constructor(public now: number) {}

  at(time: number, fn: () => void, owner?: Owner): { cancel(): void } {
    const timer = new Timer(Math.max(time, this.now), this.counter++, fn, owner);
    this.push(timer);
    return timer;
  }

  after(ms: number, fn: () => void, owner?: Owner): { cancel(): void } {
    return this.at(this.now + Math.max(0, ms), fn, owner);
  }

  /** A promise settled `ms` of virtual time from now (never, if the owner dies first). */
  sleep(ms: number, owner?: Owner): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve, owner));
  }

  /**
   * Fires timers in order until virtual time `end`, or until `isDone` (asked
   * every `checkEveryMs`) says so; returns the virtual time it stopped at.
   */
  async run(end: number, isDone?: () => boolean, checkEveryMs = 1000): Promise<number> {
    await drain();
    let nextCheck = this.now + checkEveryMs;
    for (;;) {
      const top = this.heap[0];
      const nextAt = top?.at ?? Infinity;
      if (isDone && nextCheck <= end && nextCheck <= nextAt) {
        this.now = nextCheck;
        if (isDone()) return this.now;
        nextCheck += checkEveryMs;
        continue;
      }
      if (top === undefined || nextAt > end) {
        this.now = end;
        return end;
      }
      this.pop();
      if (top.cancelled || (top.owner && !top.owner.alive)) continue;
      this.now = top.at;
      this.fired += 1;
      top.fn();
      await drain();
    }
  }

  /** A node's view of time: skewed by `skewMs`, timers owned by `owner`, randomness from `random`. */
  clockFor(owner: Owner, skewMs: () => number, random: () => number): Clock {
    return {
      now: () => this.now + skewMs(),
      random,
      setTimeout: (fn, ms) => this.after(ms, fn, owner),
    };
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as Timer;
      if (!before(t, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = t;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const child = r < h.length && before(h[r] as Timer, h[l] as Timer) ? r : l;
      if (!before(h[child] as Timer, last)) break;
      h[i] = h[child] as Timer;
      i = child;
    }
    h[i] = last;
  }
}
