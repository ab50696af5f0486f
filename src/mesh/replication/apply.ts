// Applying a received batch (DESIGN §3): the whole batch in one transaction,
// stored with a few statements (store.insertMany: the events not held yet,
// then each touched vector once under its row lock), and the appliers run
// for the fresh events only, in (topic, origin, seq) order, in the same
// transaction: a change never commits without its event, nor an event
// without its change, and an event held already is never applied again.
//
// When an applier throws, the batch's transaction rolls back as a whole and
// the batch is applied again one event per transaction, so a poison event
// costs only itself: the others commit, it is logged and stays unheld (the
// vector stops below it, so the sender keeps it in its backlog), and the
// caller rethrows so that the sender backs off instead of resending at once.
// Any other failure (the database, a crash) rolls the batch back and is
// thrown as it is: nothing committed, the sender retries it all.
import { findBadText } from '../../lib/text.js';
import { childTrace, runInTrace } from '../../lib/trace.js';
import { ClockDriftError, decodeHlc, type Hlc } from '../../lib/hlc.js';
import { eventKey, eventSchema, type ReplEvent } from './event.js';
import { uniqueSorted, type ReplicationStore } from './store.js';
import { mergeVectors, type VersionVector } from './vector.js';

export type Applier<Tx> = (tx: Tx, event: ReplEvent) => Promise<void>;

/** An applier threw on this event: its change cannot be made here (yet). */
export class ApplierError extends Error {
  override readonly name = 'ApplierError';

  constructor(
    readonly event: ReplEvent,
    override readonly cause: unknown,
  ) {
    super(`applying ${event.type} ${eventKey(event)} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

export interface Admitted {
  /** Valid events of held topics, each (topic, origin, seq) once, in arrival order. */
  batch: ReplEvent[];
  /** Copies of an event earlier in the same batch. */
  duplicates: number;
  /** Not an event, a topic not held here, or a stamp that does not decode. */
  rejected: number;
  /** Keys of events stamped beyond the drift limit: stored, but the clock did not follow. */
  drifted: Set<string>;
}

/**
 * Validates a received batch and follows each admitted event's stamp
 * (`follow` is the clock's receive; it throws ClockDriftError beyond the limit).
 */
export function admit(events: readonly unknown[], holds: (topic: string) => boolean, follow: (stamp: Hlc) => void): Admitted {
  const out: Admitted = { batch: [], duplicates: 0, rejected: 0, drifted: new Set() };
  const seen = new Set<string>();
  for (const raw of events) {
    const parsed = eventSchema.safeParse(raw);
    // A replica never stores what its owner would refuse: text breaking the rule (lib/text.ts) is rejected too.
    if (!parsed.success || !holds(parsed.data.topic) || findBadText(parsed.data.payload, 'payload', 1).length > 0) {
      out.rejected += 1;
      continue;
    }
    const ev = parsed.data;
    let stamp: Hlc;
    try {
      stamp = decodeHlc(ev.hlc);
    } catch {
      out.rejected += 1;
      continue;
    }
    const key = eventKey(ev);
    if (seen.has(key)) {
      out.duplicates += 1;
      continue;
    }
    seen.add(key);
    try {
      follow(stamp); // for an event held already a no-op in effect: the stamp was seen before
    } catch (err) {
      if (!(err instanceof ClockDriftError)) throw err;
      out.drifted.add(key);
    }
    out.batch.push(ev);
  }
  return out;
}

export interface BatchOutcome {
  /** Events stored and applied here by this call (committed), in apply order. */
  applied: ReplEvent[];
  /** Events already held. */
  duplicates: number;
  /** Events whose applier threw: not held, to come again. */
  failed: number;
  /** The contiguous seq after the batch of each (topic, origin) that got an event. */
  vector: VersionVector;
  /** The first failure, when not all could be applied; what `applied` lists committed nonetheless. */
  error?: unknown;
  /** Whether the batch went one event per transaction after an applier threw. */
  perEvent: boolean;
}

/**
 * Applies validated events of held topics (each (topic, origin, seq) once
 * in `events`) and reports what happened; throws nothing itself.
 */
export async function applyBatch<Tx>(
  store: ReplicationStore<Tx>,
  appliers: ReadonlyMap<string, Applier<Tx>>,
  events: readonly ReplEvent[],
  storedAt: () => number,
  onPoison: (err: ApplierError) => void,
): Promise<BatchOutcome> {
  const once = (list: readonly ReplEvent[]) =>
    store.transaction(async (tx) => {
      const r = await store.insertMany(tx, list, storedAt());
      for (const ev of r.fresh) {
        const apply = appliers.get(ev.type);
        if (!apply) continue;
        try {
          // The applier (and whatever it logs) runs in the trace the event was made in.
          await (ev.traceId ? runInTrace(childTrace({ traceId: ev.traceId, flags: '01' }), () => apply(tx, ev)) : apply(tx, ev));
        } catch (err) {
          throw new ApplierError(ev, err);
        }
      }
      return r;
    });

  try {
    const r = await once(events);
    return { applied: r.fresh, duplicates: events.length - r.fresh.length, failed: 0, vector: r.vector, perEvent: false };
  } catch (err) {
    if (!(err instanceof ApplierError)) return { applied: [], duplicates: 0, failed: 0, vector: {}, error: err, perEvent: false };
    if (events.length === 1) {
      onPoison(err);
      return { applied: [], duplicates: 0, failed: 1, vector: {}, error: err, perEvent: false };
    }
  }

  const out: BatchOutcome = { applied: [], duplicates: 0, failed: 0, vector: {}, perEvent: true };
  for (const ev of uniqueSorted(events)) {
    try {
      const r = await once([ev]);
      if (r.fresh.length === 0) out.duplicates += 1;
      out.applied.push(...r.fresh);
      out.vector = mergeVectors(out.vector, r.vector);
    } catch (err) {
      out.error ??= err;
      if (!(err instanceof ApplierError)) break; // the store failed: the rest waits for the sender's retry
      out.failed += 1;
      onPoison(err);
    }
  }
  return out;
}
