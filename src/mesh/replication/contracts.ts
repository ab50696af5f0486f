// The replication engine's contracts: what it is handed (transport,
// topology, store, clock, log) and what it answers (sync pages, per-peer
// status). engine.ts is the engine itself.
import type { Backoff } from '../../lib/backoff.js';
import type { Clock } from '../../lib/clock.js';
import type { ReplEvent } from './event.js';
import type { ReplicationStore } from './store.js';
import type { VersionVector } from './vector.js';

export interface SyncRequest {
  /** The caller's vector for every topic it wants (empty objects for topics it holds nothing of yet). */
  vector: VersionVector;
  limit: number;
}

export interface SyncResponse {
  events: ReplEvent[];
  /** The responder's vector for the requested topics it holds. */
  vector: VersionVector;
  more: boolean;
}

export interface ReplicationTransport {
  events(peer: string, events: ReplEvent[]): Promise<{ vector: VersionVector }>;
  sync(peer: string, request: SyncRequest): Promise<SyncResponse>;
}

export interface Topology {
  /** Topics this node holds by its role; 'all' for a hub. Subscriptions come on top. */
  baseTopics(): readonly string[] | 'all';
  /** Direct peers to replicate with now. */
  peers(): readonly string[];
  /** Whether `peer` holds `topic` by its role. */
  peerHolds(peer: string, topic: string): boolean;
}

export interface ReplicationLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ReplicatorOptions<Tx> {
  nodeId: string;
  store: ReplicationStore<Tx>;
  transport: ReplicationTransport;
  topology: Topology;
  clock: Clock;
  log: ReplicationLog;
  batchSize?: number;
  antiEntropyMs?: number;
  tickMs?: number;
  backoff?: { baseMs: number; capMs: number };
}

export interface PeerState {
  vector?: VersionVector;
  lastSyncAt: number;
  nextAt: number;
  busy: boolean;
  backoff: Backoff;
  lastError?: string;
  lastOkAt?: number;
  /** Topics the peer told us it holds (a store's visitors' user topics). */
  asked: Set<string>;
  /** `changes` when the last exchange with it began: nothing new to push while it still is. */
  pushed: number;
}

export interface PeerReplicationStatus {
  peer: string;
  backlog: number | null;
  /** Per topic with a backlog: events the peer lacks and the age of the oldest (replication lag). */
  topics: Record<string, { backlog: number; oldestUndeliveredAgeMs: number | null }>;
  oldestUndeliveredAgeMs: number | null;
  lastOkAt: string | null;
  lastError: string | null;
  retryInMs: number;
}
