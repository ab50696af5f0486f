// What the replication engine needs from storage. The node implements it on
// its SQL database (sql-store.ts: PGlite or PostgreSQL); the simulation in
// memory (memory-store.ts). The engine is the same code over both.
import type { ReplEvent } from './event.js';
import type { VersionVector } from './vector.js';

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
