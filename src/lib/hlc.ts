// Hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014).
// Stamps replicated events so conflicts resolve the same way on every node
// (DESIGN §3: last-writer-wins by hlc, ties by origin id). A stamp stays close
// to wall-clock time, yet respects causality: anything a node stamps after
// seeing a remote stamp sorts after it, even if the two wall clocks disagree.
// Pure: wall time is passed in, so the simulation can drive it.

export interface Hlc {
  /** Milliseconds since the epoch (the largest physical time seen). */
  wall: number;
  /** Counter that orders events sharing one `wall` millisecond. */
  logical: number;
  /** Id of the node that issued the stamp; breaks exact ties. */
  node: string;
}

const WALL_DIGITS = 15;
const LOGICAL_DIGITS = 6;
/** Largest wall that fits the fixed-width encoding (year ~33658). */
export const MAX_WALL = 10 ** WALL_DIGITS - 1;
/** Largest logical counter that fits the fixed-width encoding. */
export const MAX_LOGICAL = 10 ** LOGICAL_DIGITS - 1;
export const DEFAULT_MAX_DRIFT_MS = 60_000;

const ENCODED = /^(\d{15})-(\d{6})-([\s\S]+)$/;

/** Thrown for a stamp that is not a valid Hlc (bad numbers, empty node, garbage string). */
export class InvalidHlcError extends Error {
  override readonly name = 'InvalidHlcError';
}

/**
 * Thrown by `receive` when a remote stamp is further ahead of our wall clock
 * than allowed. Accepting it would drag our clock (and, through us, everyone's)
 * forward, and every later local write would lose LWW races to it.
 */
export class ClockDriftError extends Error {
  override readonly name = 'ClockDriftError';
  constructor(
    readonly remote: Hlc,
    readonly localWall: number,
    readonly maxDriftMs: number,
  ) {
    super(
      `remote clock of node ${JSON.stringify(remote.node)} is ${remote.wall - localWall} ms ahead of ours ` +
        `(limit ${maxDriftMs} ms); refusing its stamp`,
    );
  }
}

function assertValidHlc(h: Hlc): void {
  if (!Number.isSafeInteger(h.wall) || h.wall < 0 || h.wall > MAX_WALL) {
    throw new InvalidHlcError(`hlc wall must be an integer in [0, ${MAX_WALL}], got ${h.wall}`);
  }
  if (!Number.isSafeInteger(h.logical) || h.logical < 0 || h.logical > MAX_LOGICAL) {
    throw new InvalidHlcError(`hlc logical must be an integer in [0, ${MAX_LOGICAL}], got ${h.logical}`);
  }
  if (typeof h.node !== 'string' || h.node.length === 0) {
    throw new InvalidHlcError(`hlc node must be a non-empty string, got ${JSON.stringify(h.node)}`);
  }
}

/**
 * Fixed-width numbers first, so plain string comparison (UTF-16 code units, as
 * JS `<` and `Array.prototype.sort` do) gives the `compareHlc` order. In
 * PostgreSQL sort such a column with `COLLATE "C"`: locale collations ignore
 * punctuation and case and would reorder node ids.
 */
export function encodeHlc(h: Hlc): string {
  assertValidHlc(h);
  return `${String(h.wall).padStart(WALL_DIGITS, '0')}-${String(h.logical).padStart(LOGICAL_DIGITS, '0')}-${h.node}`;
}

export function decodeHlc(s: string): Hlc {
  const m = typeof s === 'string' ? ENCODED.exec(s) : null;
  if (!m) {
    throw new InvalidHlcError(
      `not an encoded hlc (expected <15-digit wall>-<6-digit logical>-<node>): ${JSON.stringify(s)}`,
    );
  }
  const [, wall = '', logical = '', node = ''] = m;
  return { wall: Number(wall), logical: Number(logical), node };
}

/** Total order: wall, then logical, then node id (code-unit order, like the encoding). */
export function compareHlc(a: Hlc, b: Hlc): -1 | 0 | 1 {
  if (a.wall !== b.wall) return a.wall < b.wall ? -1 : 1;
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return 0;
}

/** Order of two encoded stamps; the same as `compareHlc` on their decodings. */
export function compareEncodedHlc(a: string, b: string): -1 | 0 | 1 {
  return a === b ? 0 : a < b ? -1 : 1;
}

export interface HybridClockOptions {
  /** Refuse remote stamps further ahead of our wall clock than this (default 60 s). */
  maxDriftMs?: number;
  /**
   * The last stamp this node issued before a restart (e.g. the newest hlc in
   * its outbox). Without it a node whose wall clock went back while it was
   * down could reissue stamps it already used.
   */
  last?: Hlc;
}

export class HybridClock {
  private wall = 0;
  private logical = 0;
  private readonly maxDriftMs: number;

  constructor(
    readonly node: string,
    private readonly wallClock: () => number,
    opts: HybridClockOptions = {},
  ) {
    assertValidHlc({ wall: 0, logical: 0, node });
    this.maxDriftMs = opts.maxDriftMs ?? DEFAULT_MAX_DRIFT_MS;
    if (Number.isNaN(this.maxDriftMs) || this.maxDriftMs < 0) {
      throw new RangeError(`maxDriftMs must be >= 0, got ${this.maxDriftMs}`);
    }
    if (opts.last) {
      assertValidHlc(opts.last);
      this.wall = opts.last.wall;
      this.logical = opts.last.logical;
    }
  }

  /** A stamp for a local event: strictly greater than every stamp issued or received before. */
  now(): Hlc {
    const pt = this.physical();
    if (pt > this.wall) return this.set(pt, 0);
    // Wall clock stood still or went backwards: keep our wall, count up.
    return this.set(this.wall, this.logical + 1);
  }

  /**
   * Merge a stamp from a remote event; the result is greater than both our
   * last stamp and `remote`. Throws ClockDriftError (our state unchanged) when
   * `remote.wall` is more than `maxDriftMs` ahead of our wall clock.
   */
  receive(remote: Hlc): Hlc {
    assertValidHlc(remote);
    const pt = this.physical();
    if (remote.wall - pt > this.maxDriftMs) throw new ClockDriftError({ ...remote }, pt, this.maxDriftMs);
    const wall = Math.max(this.wall, remote.wall, pt);
    let logical: number;
    if (wall === this.wall && wall === remote.wall) logical = Math.max(this.logical, remote.logical) + 1;
    else if (wall === this.wall) logical = this.logical + 1;
    else if (wall === remote.wall) logical = remote.logical + 1;
    else logical = 0;
    return this.set(wall, logical);
  }

  /** The last stamp issued or merged, without advancing the clock. */
  peek(): Hlc {
    return { wall: this.wall, logical: this.logical, node: this.node };
  }

  private physical(): number {
    const t = this.wallClock();
    if (!Number.isFinite(t)) throw new RangeError(`wall clock returned ${t}`);
    // Sub-millisecond time (e.g. performance.now()-based) would otherwise
    // fail the integer check; below zero means "before everything", i.e. 0.
    return Math.max(0, Math.floor(t));
  }

  private set(wall: number, logical: number): Hlc {
    // Counter overflow: more than 999 999 stamps within one millisecond (only
    // plausible with a frozen wall clock, e.g. in a simulation or a replay).
    // The encoding has no room for a 7th digit, so we move to the next
    // millisecond with logical 0. That is still greater than every earlier
    // stamp; it runs our hlc 1 ms ahead of the wall clock, which is the same
    // state as after receiving a stamp from a peer 1 ms fast, and the wall
    // clock catches up. Any skew this builds up is bounded by the event rate
    // (1 ms per million events), far below maxDriftMs.
    if (logical > MAX_LOGICAL) {
      wall += 1;
      logical = 0;
    }
    const next = { wall, logical, node: this.node };
    assertValidHlc(next);
    this.wall = wall;
    this.logical = logical;
    return next;
  }
}
