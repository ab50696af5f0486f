// What the replication engine needs from storage. The node implements it on
// its SQL database (sql-store.ts: PGlite or PostgreSQL); the simulation in
// memory (memory-store.ts). The engine is the same code over both.
import { eventKey, type ReplEvent } from './event.js';
import type { VersionVector } from './vector.js';

/** What `insertMany` did with a batch. */
export interface InsertedBatch {
  /** The events that were not held before (each once), ascending by topic, origin, then seq: the order to apply them in. */
  fresh: ReplEvent[];
  /** The contiguous seq, after the batch, of each (topic, origin) that got a fresh event. */
  vector: VersionVector;
}

export interface StoredEvent extends ReplEvent {
  /** When this node stored it (ms); for the age of undelivered events. */
  storedAt: number;
}

export interface ReplicationStore<Tx> {
  /** Runs `fn` in one transaction: a module's change and its events commit together or not at all. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** The next seq of `origin` on `topic`; gapless, because it rolls back with the transaction. */
  nextSeq(tx: Tx, origin: string, topic: string): Promise<number>;
  /** Stores the event unless (origin, topic, seq) is already held; true if it was new. Keeps the contiguous vector. */
  insert(tx: Tx, event: ReplEvent, storedAt: number): Promise<boolean>;
  /**
   * Stores a received batch in `tx`: each event not held yet by (topic, origin, seq), once,
   * then the contiguous vector of every (topic, origin) that got one, advanced under its row
   * lock (so concurrent receivers cannot leave it behind what is held).
   */
  insertMany(tx: Tx, events: readonly ReplEvent[], storedAt: number): Promise<InsertedBatch>;
  /** Highest contiguous seq per origin, for the given topics (all held topics when omitted). */
  vector(topics?: readonly string[]): Promise<VersionVector>;
  /** Events of `origin` on `topic` with after < seq <= upTo, ascending by seq, at most `limit`. */
  range(topic: string, origin: string, after: number, upTo: number, limit: number): Promise<StoredEvent[]>;
  /** The newest hlc this origin stamped (to restart its clock above it). */
  latestHlc(origin: string): Promise<string | undefined>;
  /** Extra topics this node holds beyond its role's (a store's visitors' user:<id>). */
  subscriptions(): Promise<string[]>;
  subscribe(topic: string): Promise<void>;
  /** Counts for status: events held. */
  count(): Promise<number>;
}

/** The order a batch is stored, locked and applied in: by topic, origin (code-unit order), then seq. */
export function compareEvents(a: ReplEvent, b: ReplEvent): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.origin !== b.origin) return a.origin < b.origin ? -1 : 1;
  return a.seq - b.seq;
}

/** A batch as stored: each (topic, origin, seq) once (the first copy wins), in `compareEvents` order. */
export function uniqueSorted(events: readonly ReplEvent[]): ReplEvent[] {
  const byKey = new Map<string, ReplEvent>();
  for (const e of events) if (!byKey.has(eventKey(e))) byKey.set(eventKey(e), e);
  return [...byKey.values()].sort(compareEvents);
}
