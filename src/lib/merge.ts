// Merge rules for replicated state (DESIGN §3), as state-based CRDTs: every
// `*Merge(a, b)` is commutative, associative and idempotent, so replicas that
// have seen the same events agree whatever order the events arrived in.
// - LWW register / LWW map: last writer (greatest hlc) wins, per field, for
//   profiles and settings.
// - OR-set with unique tags: favorites and role assignments; add wins over a
//   concurrent remove, because a remove only deletes the tags it observed.
// States are plain JSON (for events and database rows) and never mutated.
// Keys and tags are kept sorted so equal states also serialize identically.

import { canonicalJson } from './canonical-json.js';
import { compareEncodedHlc } from './hlc.js';

// ---------------------------------------------------------------- helpers

function compareStrings(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Own-property lookup: a field or element named "__proto__" or "constructor" is data, not the prototype. */
function own<V>(record: Record<string, V>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Builds a record with sorted keys; fromEntries defines own properties, so "__proto__" stays a key. */
function sortedRecord<V>(entries: Iterable<[string, V]>): Record<string, V> {
  return Object.fromEntries([...entries].sort(([a], [b]) => compareStrings(a, b)));
}

function sortedUnique(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(compareStrings);
}

// ---------------------------------------------------------------- LWW register

export interface LwwRegister<T> {
  value: T;
  /** Encoded Hlc (see hlc.ts) of the write. */
  hlc: string;
}

/**
 * The register with the greater hlc. Encoded stamps compare as plain strings
 * in compareHlc order, and the node id inside breaks ties between origins.
 *
 * Identical hlc with different values should not happen (a node never issues
 * a stamp twice) but can after a bug or a node restored from an old backup.
 * Keeping "the first argument" would then make the result depend on arrival
 * order and replicas would diverge forever, so we rank the values by their
 * canonical JSON: arbitrary, but the same on every node.
 */
export function lwwMerge<T>(a: LwwRegister<T>, b: LwwRegister<T>): LwwRegister<T> {
  const byHlc = compareEncodedHlc(a.hlc, b.hlc);
  if (byHlc !== 0) return byHlc > 0 ? a : b;
  return compareStrings(canonicalJson(a.value ?? null), canonicalJson(b.value ?? null)) >= 0 ? a : b;
}

// ---------------------------------------------------------------- LWW map

/** One LWW register per field, so concurrent edits to different fields both survive. */
export type LwwMap = Record<string, LwwRegister<unknown>>;

/** The map with `field` written at `hlc`; the map itself if the write loses to what it holds. */
export function lwwMapSet(map: LwwMap, field: string, value: unknown, hlc: string): LwwMap {
  const current = own(map, field);
  const incoming: LwwRegister<unknown> = { value, hlc };
  if (current && lwwMerge(current, incoming) === current) return map;
  return sortedRecord([...Object.entries(map).filter(([k]) => k !== field), [field, incoming]]);
}

export function lwwMapMerge(a: LwwMap, b: LwwMap): LwwMap {
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]);
  return sortedRecord(
    [...fields].map((field): [string, LwwRegister<unknown>] => {
      const x = own(a, field);
      const y = own(b, field);
      // At least one side has the field, since it came from their keys.
      return [field, x && y ? lwwMerge(x, y) : (x ?? (y as LwwRegister<unknown>))];
    }),
  );
}

/** The plain values, e.g. a profile as the API returns it. */
export function lwwMapValue(map: LwwMap): Record<string, unknown> {
  return sortedRecord(Object.entries(map).map(([k, r]): [string, unknown] => [k, r.value]));
}

// ---------------------------------------------------------------- OR-set

/**
 * Observed-remove set. Each add carries a globally unique tag (the encoded
 * hlc of the add event is a good one: it holds the node id and never repeats
 * on a node). An element is present while it has a tag not in `removes`.
 *
 * Normal form: `adds` holds only live tags (a tombstoned tag is dropped from
 * it, elements with no live tag are dropped), so reading is cheap. Tombstones
 * stay forever, so a remove that arrives before its add still wins over that
 * add; dropping them safely needs causal stability, which we do not track.
 */
export interface OrSet {
  /** element -> live tags, sorted unique; keys sorted. */
  adds: Record<string, string[]>;
  /** Tombstoned tags, sorted unique. */
  removes: string[];
}

export function orSetEmpty(): OrSet {
  return { adds: {}, removes: [] };
}

/** Drops tombstoned tags and empty elements, sorts; the one place states are built. */
function normalize(adds: Iterable<[string, Iterable<string>]>, removes: Iterable<string>): OrSet {
  const removed = sortedUnique(removes);
  const dead = new Set(removed);
  const live: [string, string[]][] = [];
  for (const [element, tags] of adds) {
    const kept = sortedUnique([...tags].filter((t) => !dead.has(t)));
    if (kept.length > 0) live.push([element, kept]);
  }
  return { adds: sortedRecord(live), removes: removed };
}

/** Tags of `element` that are not tombstoned (also right for a state not in normal form, e.g. a hand-edited row). */
function liveTags(set: OrSet, element: string, dead: ReadonlySet<string> = new Set(set.removes)): string[] {
  const tags = own(set.adds, element) ?? [];
  return tags.filter((t) => !dead.has(t));
}

export function orSetAdd(set: OrSet, element: string, tag: string): OrSet {
  const tags = own(set.adds, element) ?? [];
  return normalize([...Object.entries(set.adds), [element, [...tags, tag]]], set.removes);
}

/**
 * Removes `element` as this replica sees it: tombstones the tags observed
 * now and returns them, for the remove event to carry. A concurrent add
 * elsewhere has a tag not among them, so it survives (add wins).
 */
export function orSetRemove(set: OrSet, element: string): { set: OrSet; removedTags: string[] } {
  const removedTags = sortedUnique(liveTags(set, element));
  if (removedTags.length === 0) return { set, removedTags };
  return { set: orSetApplyRemove(set, removedTags), removedTags };
}

/** Applies a remove event (from any replica): tombstones exactly these tags. */
export function orSetApplyRemove(set: OrSet, tags: readonly string[]): OrSet {
  return normalize(Object.entries(set.adds), [...set.removes, ...tags]);
}

export function orSetHas(set: OrSet, element: string): boolean {
  return liveTags(set, element).length > 0;
}

export function orSetValues(set: OrSet): string[] {
  const dead = new Set(set.removes);
  return Object.keys(set.adds)
    .filter((element) => liveTags(set, element, dead).length > 0)
    .sort(compareStrings);
}

export function orSetMerge(a: OrSet, b: OrSet): OrSet {
  const elements = new Set([...Object.keys(a.adds), ...Object.keys(b.adds)]);
  return normalize(
    [...elements].map((e): [string, string[]] => [e, [...(own(a.adds, e) ?? []), ...(own(b.adds, e) ?? [])]]),
    [...a.removes, ...b.removes],
  );
}
