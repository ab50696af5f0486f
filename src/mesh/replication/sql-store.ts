// The replication store on the node's SQL database (PGlite or PostgreSQL):
// the event log is also the outbox, written in the module's transaction.
// Vectors are kept per (topic, origin) under a row lock, so concurrent
// inserts on PostgreSQL cannot leave a vector behind what is held. A received
// batch is stored with a few statements for the whole batch (insertMany).
import { and, asc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.js';
import { eventKey, type ReplEvent } from './event.js';
import { replEvents, replSubscriptions, replVectors } from './schema.js';
import { uniqueSorted, type InsertedBatch, type ReplicationStore, type StoredEvent } from './store.js';
import type { VersionVector } from './vector.js';

/** Rows per multi-row insert (7 parameters each: well under PostgreSQL's 65,535). */
const INSERT_ROWS = 500;
/** Events examined per statement when the vector advances. */
const WALK_ROWS = 1000;

export class SqlReplicationStore implements ReplicationStore<Tx> {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async nextSeq(tx: Tx, origin: string, topic: string): Promise<number> {
    // The row lock of this upsert serializes emitters on one topic; a rollback gives the number back.
    const rows = await tx
      .insert(replVectors)
      .values({ topic, origin, seq: 1 })
      .onConflictDoUpdate({ target: [replVectors.topic, replVectors.origin], set: { seq: sql`${replVectors.seq} + 1` } })
      .returning({ seq: replVectors.seq });
    return rows[0]!.seq;
  }

  async insert(tx: Tx, e: ReplEvent, storedAt: number): Promise<boolean> {
    return (await this.insertMany(tx, [e], storedAt)).fresh.length > 0;
  }

  /**
   * Statements per batch: one multi-row insert of the events (per 500), one upsert that locks
   * the vector rows of the groups that got fresh events (in a fixed order, so concurrent
   * receivers cannot deadlock on them), and one update per group whose vector moves.
   * Events go in before the locks: a group whose events were all held (an echo of our own
   * events, say) takes no lock at all. Under the lock, `current` is the committed vector;
   * every committer advanced it over what it held, so only a fresh `current + 1` moves it.
   */
  async insertMany(tx: Tx, events: readonly ReplEvent[], storedAt: number): Promise<InsertedBatch> {
    const batch = uniqueSorted(events);
    const stored = new Set<string>();
    for (let i = 0; i < batch.length; i += INSERT_ROWS) {
      const rows = await tx
        .insert(replEvents)
        .values(batch.slice(i, i + INSERT_ROWS).map((e) => ({ origin: e.origin, topic: e.topic, seq: e.seq, hlc: e.hlc, type: e.type, payload: e.payload ?? null, traceId: e.traceId ?? null, storedAt })))
        .onConflictDoNothing()
        .returning({ topic: replEvents.topic, origin: replEvents.origin, seq: replEvents.seq });
      for (const r of rows) stored.add(eventKey(r));
    }
    const fresh = batch.filter((e) => stored.has(eventKey(e)));
    const vector: VersionVector = {};
    if (fresh.length === 0) return { fresh, vector };
    const groups = new Map<string, { topic: string; origin: string; seqs: Set<number> }>();
    for (const e of fresh) {
      const at = `${e.topic}|${e.origin}`;
      let g = groups.get(at);
      if (!g) groups.set(at, (g = { topic: e.topic, origin: e.origin, seqs: new Set() }));
      g.seqs.add(e.seq);
    }
    const locked = await tx
      .insert(replVectors)
      .values([...groups.values()].map((g) => ({ topic: g.topic, origin: g.origin, seq: 0 })))
      .onConflictDoUpdate({ target: [replVectors.topic, replVectors.origin], set: { seq: sql`${replVectors.seq}` } })
      .returning({ topic: replVectors.topic, origin: replVectors.origin, seq: replVectors.seq });
    const current = new Map(locked.map((r) => [`${r.topic}|${r.origin}`, r.seq]));
    for (const [at, g] of groups) {
      let upTo = current.get(at) ?? 0;
      if (g.seqs.has(upTo + 1)) upTo = await this.advance(tx, g.topic, g.origin, upTo);
      if (upTo > 0) (vector[g.topic] ??= {})[g.origin] = upTo;
    }
    return { fresh, vector };
  }

  /** Moves the (locked) vector over the events held contiguously after `from` (this batch's and any beyond a closed gap). */
  private async advance(tx: Tx, topic: string, origin: string, from: number): Promise<number> {
    let upTo = from;
    for (;;) {
      // Rows of the contiguous run after upTo are exactly those with seq - row_number() = upTo.
      const run = sql`(select coalesce(max(r.seq), ${upTo}) from (
        select e.seq, e.seq - row_number() over (order by e.seq) as g from repl_events e
        where e.topic = ${topic} and e.origin = ${origin} and e.seq > ${upTo} order by e.seq limit ${WALK_ROWS}
      ) r where r.g = ${upTo})`;
      const rows = await tx
        .update(replVectors)
        .set({ seq: run })
        .where(and(eq(replVectors.topic, topic), eq(replVectors.origin, origin)))
        .returning({ seq: replVectors.seq });
      const next = rows[0]!.seq;
      if (next < upTo + WALK_ROWS) return next;
      upTo = next;
    }
  }

  async vector(topics?: readonly string[]): Promise<VersionVector> {
    if (topics && topics.length === 0) return {};
    const rows = await this.db
      .select()
      .from(replVectors)
      .where(topics ? inArray(replVectors.topic, [...topics]) : undefined);
    const out: VersionVector = {};
    for (const r of rows) if (r.seq > 0) (out[r.topic] ??= {})[r.origin] = r.seq;
    return out;
  }

  async range(topic: string, origin: string, after: number, upTo: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db
      .select()
      .from(replEvents)
      .where(and(eq(replEvents.topic, topic), eq(replEvents.origin, origin), gt(replEvents.seq, after), lte(replEvents.seq, upTo)))
      .orderBy(asc(replEvents.seq))
      .limit(limit);
    return rows.map(({ position: _p, traceId, ...r }) => (traceId ? { ...r, traceId } : r));
  }

  async latestHlc(origin: string): Promise<string | undefined> {
    // "C" collation: encoded stamps sort by byte, not by a locale's rules.
    const rows = await this.db
      .select({ hlc: sql<string | null>`max(${replEvents.hlc} collate "C")` })
      .from(replEvents)
      .where(eq(replEvents.origin, origin));
    return rows[0]?.hlc ?? undefined;
  }

  async subscriptions(): Promise<string[]> {
    return (await this.db.select().from(replSubscriptions)).map((r) => r.topic);
  }

  async subscribe(topic: string): Promise<void> {
    await this.db.insert(replSubscriptions).values({ topic }).onConflictDoNothing();
  }

  async count(): Promise<number> {
    const rows = await this.db.select({ n: sql<number>`count(*)::int` }).from(replEvents);
    return rows[0]?.n ?? 0;
  }
}
