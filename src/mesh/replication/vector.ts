// Version vectors per topic: origin → highest contiguous seq held. Pure.
// Comparing two nodes' vectors tells each what the other lacks; apply is
// idempotent, so a vector that is behind only costs a duplicate send.

/** origin → highest contiguous seq */
export type OriginVector = Record<string, number>;
/** topic → origin vector */
export type VersionVector = Record<string, OriginVector>;

export interface Lack {
  topic: string;
  origin: string;
  /** The peer has every seq up to and including this one. */
  after: number;
  /** We have up to this one (contiguously). */
  upTo: number;
}

/** What `theirs` lacks of `ours`, per topic and origin. */
export function lacking(ours: VersionVector, theirs: VersionVector): Lack[] {
  const out: Lack[] = [];
  for (const topic of Object.keys(ours).sort()) {
    const mine = ours[topic] ?? {};
    const other = theirs[topic] ?? {};
    for (const origin of Object.keys(mine).sort()) {
      const have = mine[origin] ?? 0;
      const after = other[origin] ?? 0;
      if (have > after) out.push({ topic, origin, after, upTo: have });
    }
  }
  return out;
}

/** Entry-wise maximum: what is known to be held after learning both. */
export function mergeVectors(a: VersionVector, b: VersionVector): VersionVector {
  const out: VersionVector = {};
  for (const topic of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const merged: OriginVector = { ...(a[topic] ?? {}) };
    for (const [origin, seq] of Object.entries(b[topic] ?? {})) merged[origin] = Math.max(merged[origin] ?? 0, seq);
    out[topic] = merged;
  }
  return out;
}

export function countLacking(lacks: Lack[]): number {
  return lacks.reduce((n, l) => n + (l.upTo - l.after), 0);
}
