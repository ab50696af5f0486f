// Tables of replication: the event log (which is also the outbox: an event
// written in a module's transaction is delivered from here), the contiguous
// version vector per topic and origin, and a store's extra topics.
import { bigint, bigserial, index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

export const replEvents = pgTable(
  'repl_events',
  {
    origin: text('origin').notNull(),
    topic: text('topic').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hlc: text('hlc').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload'),
    /** The trace the event was made in, carried to every node that holds it. */
    traceId: text('trace_id'),
    /** Local arrival order, for paging and for the age of undelivered events. */
    position: bigserial('position', { mode: 'number' }).notNull(),
    storedAt: bigint('stored_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.topic, t.origin, t.seq] }), index('repl_events_origin_hlc').on(t.origin, t.hlc)],
);

/** Highest contiguous seq held per (topic, origin); for this node's own origin it is also the seq counter. */
export const replVectors = pgTable(
  'repl_vectors',
  {
    topic: text('topic').notNull(),
    origin: text('origin').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.topic, t.origin] })],
);

export const replSubscriptions = pgTable('repl_subscriptions', {
  topic: text('topic').primaryKey(),
});
