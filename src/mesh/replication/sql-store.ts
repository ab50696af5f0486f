// The replication store on the node's SQL database (PGlite or PostgreSQL):
// the event log is also the outbox, written in the module's transaction.
// Vectors are kept per (topic, origin) under a row lock, so concurrent
// inserts on PostgreSQL cannot leave a vector behind what is held.
import { and, asc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.js';
import type { ReplEvent } from './event.js';
import { replEvents, replSubscriptions, replVectors } from './schema.js';
import type { ReplicationStore, StoredEvent } from './store.js';
import type { VersionVector } from './vector.js';

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
    await tx.insert(replVectors).values({ topic: e.topic, origin: e.origin, seq: 0 }).onConflictDoNothing();
    const locked = await tx
      .select({ seq: replVectors.seq })
      .from(replVectors)
      .where(and(eq(replVectors.topic, e.topic), eq(replVectors.origin, e.origin)))
      .for('update');
    const current = locked[0]?.seq ?? 0;
    const inserted = await tx
      .insert(replEvents)
      .values({ origin: e.origin, topic: e.topic, seq: e.seq, hlc: e.hlc, type: e.type, payload: e.payload ?? null, storedAt })
      .onConflictDoNothing()
      .returning({ seq: replEvents.seq });
    // Advance over this event and any already held beyond it (a filled gap). Also on a duplicate,
    // so a vector left behind by an interrupted walk catches up.
    if (e.seq === current + 1) await this.walk(tx, e.topic, e.origin, current);
    return inserted.length > 0;
  }

  private async walk(tx: Tx, topic: string, origin: string, from: number): Promise<void> {
    let contiguous = from;
    for (;;) {
      const rows = await tx
        .select({ seq: replEvents.seq })
        .from(replEvents)
        .where(and(eq(replEvents.topic, topic), eq(replEvents.origin, origin), gt(replEvents.seq, contiguous)))
        .orderBy(asc(replEvents.seq))
        .limit(1000);
      let moved = false;
      for (const r of rows) {
        if (r.seq !== contiguous + 1) break;
        contiguous = r.seq;
        moved = true;
      }
      if (!moved || rows.length < 1000) break;
    }
    if (contiguous > from) {
      await tx.update(replVectors).set({ seq: contiguous }).where(and(eq(replVectors.topic, topic), eq(replVectors.origin, origin)));
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
    return rows.map(({ position: _p, ...r }) => r);
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
