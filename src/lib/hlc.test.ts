import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClockDriftError,
  HybridClock,
  InvalidHlcError,
  MAX_LOGICAL,
  MAX_WALL,
  compareEncodedHlc,
  compareHlc,
  decodeHlc,
  encodeHlc,
  type Hlc,
} from './hlc.js';

/** A wall clock the test moves by hand. */
function manualClock(start: number): { now: () => number; set: (t: number) => void } {
  let t = start;
  return { now: () => t, set: (v) => (t = v) };
}

const T0 = 1_700_000_000_000;

const hlcArb: fc.Arbitrary<Hlc> = fc.record({
  // Small ranges as well as the full one, so equal walls and logicals are common.
  wall: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: MAX_WALL })),
  logical: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: MAX_LOGICAL })),
  node: fc.oneof(
    fc.constantFrom('a', 'b', 'a-b', 'ab', 'B', 'z'),
    fc.string({ minLength: 1, maxLength: 8, unit: 'binary' }),
  ),
});

describe('encoding', () => {
  it('writes fixed-width wall and logical, then the node id', () => {
    expect(encodeHlc({ wall: T0, logical: 7, node: 'store-1' })).toBe('001700000000000-000007-store-1');
  });

  it('round-trips every valid stamp', () => {
    fc.assert(
      fc.property(hlcArb, (h) => {
        expect(decodeHlc(encodeHlc(h))).toEqual(h);
      }),
    );
  });

  it('sorts encoded strings in compareHlc order', () => {
    fc.assert(
      fc.property(hlcArb, hlcArb, (a, b) => {
        const ea = encodeHlc(a);
        const eb = encodeHlc(b);
        const byString = ea === eb ? 0 : ea < eb ? -1 : 1;
        expect(byString).toBe(compareHlc(a, b));
        expect(compareEncodedHlc(ea, eb)).toBe(compareHlc(a, b));
      }),
    );
  });

  it('sorting a list of encodings sorts the stamps', () => {
    fc.assert(
      fc.property(fc.array(hlcArb, { maxLength: 20 }), (stamps) => {
        const viaStrings = stamps.map(encodeHlc).sort().map(decodeHlc);
        expect(viaStrings).toEqual([...stamps].sort(compareHlc));
      }),
    );
  });

  it('refuses garbage with a clear error', () => {
    for (const bad of ['', 'hello', '1700000000000-0-a', '001700000000000-000007-', '001700000000000-0000007-a', 'x01700000000000-000007-a']) {
      expect(() => decodeHlc(bad)).toThrow(InvalidHlcError);
    }
    expect(() => decodeHlc('nope')).toThrow(/not an encoded hlc/);
  });

  it('refuses stamps that do not fit the encoding', () => {
    expect(() => encodeHlc({ wall: -1, logical: 0, node: 'a' })).toThrow(/wall/);
    expect(() => encodeHlc({ wall: 1.5, logical: 0, node: 'a' })).toThrow(/wall/);
    expect(() => encodeHlc({ wall: MAX_WALL + 1, logical: 0, node: 'a' })).toThrow(/wall/);
    expect(() => encodeHlc({ wall: 0, logical: MAX_LOGICAL + 1, node: 'a' })).toThrow(/logical/);
    expect(() => encodeHlc({ wall: 0, logical: 0, node: '' })).toThrow(/node/);
  });
});

describe('compareHlc', () => {
  it('orders by wall, then logical, then node id', () => {
    expect(compareHlc({ wall: 2, logical: 0, node: 'a' }, { wall: 1, logical: 9, node: 'z' })).toBe(1);
    expect(compareHlc({ wall: 1, logical: 1, node: 'a' }, { wall: 1, logical: 2, node: 'a' })).toBe(-1);
    expect(compareHlc({ wall: 1, logical: 1, node: 'a' }, { wall: 1, logical: 1, node: 'a' })).toBe(0);
  });

  it('breaks exact ties by node id', () => {
    const a = { wall: T0, logical: 3, node: 'store-a' };
    const b = { wall: T0, logical: 3, node: 'store-b' };
    expect(compareHlc(a, b)).toBe(-1);
    expect(compareHlc(b, a)).toBe(1);
    expect(encodeHlc(a) < encodeHlc(b)).toBe(true);
  });
});

describe('HybridClock', () => {
  it('follows the wall clock while it moves forward', () => {
    const wall = manualClock(T0);
    const clock = new HybridClock('n1', wall.now);
    expect(clock.now()).toEqual({ wall: T0, logical: 0, node: 'n1' });
    expect(clock.now()).toEqual({ wall: T0, logical: 1, node: 'n1' });
    wall.set(T0 + 5);
    expect(clock.now()).toEqual({ wall: T0 + 5, logical: 0, node: 'n1' });
  });

  it('stays monotonic when the wall clock goes backwards', () => {
    const wall = manualClock(T0);
    const clock = new HybridClock('n1', wall.now);
    const first = clock.now();
    wall.set(T0 - 10_000);
    const second = clock.now();
    const third = clock.now();
    expect(compareHlc(second, first)).toBe(1);
    expect(compareHlc(third, second)).toBe(1);
    expect(third).toEqual({ wall: T0, logical: 2, node: 'n1' });
  });

  it('peek returns the last stamp without advancing', () => {
    const clock = new HybridClock('n1', () => T0);
    const stamp = clock.now();
    expect(clock.peek()).toEqual(stamp);
    expect(clock.peek()).toEqual(stamp);
  });

  it('receive yields a stamp greater than both the local last and the remote', () => {
    const clock = new HybridClock('n1', () => T0);
    clock.now();
    const remoteAhead = { wall: T0 + 1_000, logical: 4, node: 'n2' };
    const merged = clock.receive(remoteAhead);
    expect(merged).toEqual({ wall: T0 + 1_000, logical: 5, node: 'n1' });
    // Later local events keep the causal order even though our wall is behind.
    expect(compareHlc(clock.now(), merged)).toBe(1);
  });

  it('refuses a remote stamp too far ahead, leaving its state unchanged', () => {
    const clock = new HybridClock('n1', () => T0, { maxDriftMs: 5_000 });
    const before = clock.now();
    expect(() => clock.receive({ wall: T0 + 5_001, logical: 0, node: 'bad' })).toThrow(ClockDriftError);
    expect(clock.peek()).toEqual(before);
    expect(clock.receive({ wall: T0 + 5_000, logical: 0, node: 'ok' }).wall).toBe(T0 + 5_000);
  });

  it('reports the drift in the error', () => {
    const clock = new HybridClock('n1', () => T0);
    try {
      clock.receive({ wall: T0 + 120_000, logical: 0, node: 'fast' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ClockDriftError);
      const drift = err as ClockDriftError;
      expect(drift.localWall).toBe(T0);
      expect(drift.maxDriftMs).toBe(60_000);
      expect(drift.remote.node).toBe('fast');
      expect(drift.message).toMatch(/120000 ms ahead/);
    }
  });

  it('moves to the next millisecond when the logical counter would overflow', () => {
    const clock = new HybridClock('n1', () => T0, { last: { wall: T0, logical: MAX_LOGICAL - 1, node: 'n1' } });
    expect(clock.now()).toEqual({ wall: T0, logical: MAX_LOGICAL, node: 'n1' });
    expect(clock.now()).toEqual({ wall: T0 + 1, logical: 0, node: 'n1' });
    const viaReceive = clock.receive({ wall: T0 + 1, logical: MAX_LOGICAL, node: 'n2' });
    expect(viaReceive).toEqual({ wall: T0 + 2, logical: 0, node: 'n1' });
  });

  it('resumes after a restart without reissuing stamps', () => {
    const last = { wall: T0, logical: 9, node: 'n1' };
    const clock = new HybridClock('n1', () => T0 - 60_000, { last });
    expect(compareHlc(clock.now(), last)).toBe(1);
  });

  it('refuses a bad node id, drift limit or remote stamp', () => {
    expect(() => new HybridClock('', () => T0)).toThrow(InvalidHlcError);
    expect(() => new HybridClock('n1', () => T0, { maxDriftMs: -1 })).toThrow(RangeError);
    expect(() => new HybridClock('n1', () => T0).receive({ wall: 1, logical: -1, node: 'x' })).toThrow(InvalidHlcError);
    expect(() => new HybridClock('n1', () => Number.NaN).now()).toThrow(RangeError);
  });

  it('every stamp exceeds everything seen before, whatever the wall clock and peers do', () => {
    type Step =
      | { kind: 'tick'; delta: number }
      | { kind: 'local' }
      | { kind: 'receive'; ahead: number; logical: number; node: string };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('tick' as const), delta: fc.integer({ min: -5_000, max: 5_000 }) }),
      fc.record({ kind: fc.constant('local' as const) }),
      fc.record({
        kind: fc.constant('receive' as const),
        ahead: fc.integer({ min: -10_000, max: 60_000 }),
        logical: fc.integer({ min: 0, max: MAX_LOGICAL }),
        node: fc.constantFrom('n0', 'n2', 'n3'),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const wall = manualClock(T0);
        const clock = new HybridClock('n1', wall.now);
        let last = clock.peek();
        for (const s of steps) {
          if (s.kind === 'tick') {
            wall.set(wall.now() + s.delta);
            continue;
          }
          let stamp: Hlc;
          if (s.kind === 'local') {
            stamp = clock.now();
          } else {
            const remote = { wall: Math.max(0, wall.now() + s.ahead), logical: s.logical, node: s.node };
            stamp = clock.receive(remote);
            expect(compareHlc(stamp, remote)).toBe(1);
          }
          expect(compareHlc(stamp, last)).toBe(1);
          expect(stamp.node).toBe('n1');
          expect(clock.peek()).toEqual(stamp);
          last = stamp;
        }
      }),
    );
  });
});
