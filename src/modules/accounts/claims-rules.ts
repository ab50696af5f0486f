// The decisions of name arbitration, with no I/O: who keeps a contested
// username or email, what one claim request changes at an owner hub, and
// what the answers of several owner hubs mean for the account that asked.
// claims.ts runs them against the database and the mesh.
//
// Two kinds of claim (docs/accounts-network.md):
//   live         a sign-up or a rename, asked while the person waits. The
//                owner answers first come, first served: a name held by
//                another account is taken, whatever the stamps say, and a
//                request that meets one taken key writes none of its keys.
//   provisional  an account made while its owner hub was unreachable (or
//                the owner's own sweep acting for an account it holds). It
//                exists already, so the rule of DESIGN §3 settles it key by
//                key: the earliest stamp keeps the name, ties by user id.
import { compareEncodedHlc } from '../../lib/hlc.js';
import type { ClaimOutcome } from './names.js';

/** Who holds, or asks for, a name: an account and its claim stamp (an encoded hlc). */
export interface Holder {
  userId: string;
  stamp: string;
}

/** Negative when `a` has the better right to a name: the earlier stamp, then the smaller user id. */
export function comparePriority(a: Holder, b: Holder): number {
  return compareEncodedHlc(a.stamp, b.stamp) || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);
}

export type KeyDecision =
  /** Nobody holds it: the claimant takes it. */
  | { kind: 'record' }
  /** The claimant holds it already. */
  | { kind: 'same' }
  | { kind: 'taken'; holder: Holder }
  /** A provisional claimant with the better right: the key moves to it and `previous` has lost it. */
  | { kind: 'move'; previous: Holder };

export function decideKey(held: Holder | undefined, claimant: Holder, provisional: boolean): KeyDecision {
  if (!held) return { kind: 'record' };
  if (held.userId === claimant.userId) return { kind: 'same' };
  if (provisional && comparePriority(claimant, held) < 0) return { kind: 'move', previous: held };
  return { kind: 'taken', holder: held };
}

/**
 * What an owner hub answers per key: `held` (the claimant holds it now;
 * `fresh` when this request recorded it), `taken` (another account keeps
 * it), `free` (not recorded because another key of the same live request was
 * taken). The arbiter adds `unreachable` for owners that did not answer.
 */
export interface KeyResult {
  key: string;
  outcome: 'held' | 'taken' | 'free';
  fresh: boolean;
}

export interface KeyAnswer {
  key: string;
  outcome: KeyResult['outcome'] | 'unreachable';
  fresh: boolean;
}

export interface RequestPlan {
  results: KeyResult[];
  /** Rows to write: a new claim, or one moved to the claimant. */
  writes: { key: string; kind: 'record' | 'move' }[];
  /** Accounts that lost a key to this claimant (to be told). */
  losers: { key: string; userId: string }[];
}

/** One request at one owner hub: every key it owns, decided together. */
export function planRequest(held: ReadonlyMap<string, Holder>, keys: readonly string[], claimant: Holder, provisional: boolean): RequestPlan {
  const decided = keys.map((key) => ({ key, d: decideKey(held.get(key), claimant, provisional) }));
  const anyTaken = decided.some((x) => x.d.kind === 'taken');
  if (anyTaken && !provisional) {
    return {
      results: decided.map(({ key, d }) => ({ key, outcome: d.kind === 'taken' ? 'taken' : d.kind === 'same' ? 'held' : 'free', fresh: false })),
      writes: [],
      losers: [],
    };
  }
  const plan: RequestPlan = { results: [], writes: [], losers: [] };
  for (const { key, d } of decided) {
    if (d.kind === 'taken') {
      plan.results.push({ key, outcome: 'taken', fresh: false });
      continue;
    }
    plan.results.push({ key, outcome: 'held', fresh: d.kind === 'record' });
    if (d.kind === 'record' || d.kind === 'move') plan.writes.push({ key, kind: d.kind });
    if (d.kind === 'move') plan.losers.push({ key, userId: d.previous.userId });
  }
  return plan;
}

export const fieldOfKey = (key: string): 'username' | 'email' => (key.startsWith('username:') ? 'username' : 'email');

/**
 * A live claim's answers from every owner. Any key taken: the claim is
 * refused, and the keys it recorded at other owners are to be released (a
 * live claim never moves a key, so releasing harms nobody). Otherwise an
 * owner that did not answer makes the account provisional; what the others
 * recorded stays with it.
 */
export function liveOutcome(answers: readonly KeyAnswer[]): { outcome: ClaimOutcome; release: string[] } {
  const taken = answers.filter((a) => a.outcome === 'taken').map((a) => fieldOfKey(a.key));
  if (taken.length > 0) {
    const field = taken.includes('username') ? 'username' : 'email';
    return { outcome: { outcome: 'taken', field }, release: answers.filter((a) => a.outcome === 'held' && a.fresh).map((a) => a.key) };
  }
  if (answers.some((a) => a.outcome !== 'held')) return { outcome: { outcome: 'unreachable' }, release: [] };
  return { outcome: { outcome: 'confirmed' }, release: [] };
}

/** A provisional account's answers: lost when another account keeps any of its keys, settled when it holds them all. */
export function settleOutcome(answers: readonly KeyAnswer[]): 'confirmed' | 'lost' | 'pending' {
  if (answers.some((a) => a.outcome === 'taken')) return 'lost';
  return answers.length > 0 && answers.every((a) => a.outcome === 'held') ? 'confirmed' : 'pending';
}

/** The wait before a pending account's next attempt: 1 s doubling to `capMs`, with jitter (half to all of it). */
export function retryDelayMs(attempt: number, random: number, capMs = 60_000): number {
  const base = Math.min(capMs, 1000 * 2 ** Math.min(attempt, 20));
  return Math.round(base * (0.5 + random / 2));
}

/** Keys grouped by their owner hub; keys with no owner (no hubs known) under `undefined`. */
export function groupByOwner(keys: readonly string[], ownerOf: (key: string) => string | undefined): Map<string | undefined, string[]> {
  const groups = new Map<string | undefined, string[]>();
  for (const key of keys) {
    const owner = ownerOf(key);
    groups.set(owner, [...(groups.get(owner) ?? []), key]);
  }
  return groups;
}
