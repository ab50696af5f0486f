// Exponential backoff with full jitter, for retrying a peer (e.g. registering
// with a hub at bootstrap). Full jitter spreads the retries of many stores
// that lost their hub at the same moment, so they do not return in lockstep.
// Randomness is passed in so the simulation can replay a run.

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

function assertValidOptions(opts: BackoffOptions): void {
  if (!Number.isFinite(opts.baseMs) || opts.baseMs < 0) {
    throw new RangeError(`backoff baseMs must be a finite number >= 0, got ${opts.baseMs}`);
  }
  if (!Number.isFinite(opts.capMs) || opts.capMs < 0) {
    throw new RangeError(`backoff capMs must be a finite number >= 0, got ${opts.capMs}`);
  }
}

/**
 * The delay in whole milliseconds before retry number `attempt` (0 = first retry):
 * uniform in [0, min(cap, base * 2^attempt)]. A bad attempt number counts as 0,
 * and an rng straying outside [0, 1) is clamped, so the result is always in [0, cap].
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, rng: () => number): number {
  assertValidOptions(opts);
  const n = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  // base * 2^n overflows to Infinity for large n, which min() turns into the cap.
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** n);
  const r = rng();
  const unit = Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0;
  return Math.floor(unit * ceiling);
}

/** A retry counter: each `next()` is the delay before the next retry; `reset()` after a success. */
export class Backoff {
  private attempts = 0;

  constructor(
    private readonly opts: BackoffOptions,
    private readonly rng: () => number,
  ) {
    assertValidOptions(opts);
  }

  /** How many delays have been handed out since construction or the last reset. */
  get attempt(): number {
    return this.attempts;
  }

  next(): number {
    const delay = backoffDelay(this.attempts, this.opts, this.rng);
    this.attempts += 1;
    return delay;
  }

  reset(): void {
    this.attempts = 0;
  }
}
