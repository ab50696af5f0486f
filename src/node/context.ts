// What every part of a running node is handed: nothing reaches for a global.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Database, Tx } from '../db/database.js';
import type { Clock } from '../lib/clock.js';
import type { NodeConfig } from './config.js';
import type { Identity } from './identity.js';
import type { JobRunner } from './jobs.js';

export interface PeerCounts {
  reachable: number;
  total: number;
}

/** The view of the mesh other parts of the node may read; the mesh fills it in. */
export interface MeshView {
  peerCounts(): PeerCounts;
  status(): Promise<Record<string, unknown>>;
}

/** A replicated change as modules see it (the engine is src/mesh/replication). */
export interface ReplicatedEvent {
  origin: string;
  topic: string;
  seq: number;
  hlc: string;
  type: string;
  payload: unknown;
}

/** What modules use of replication: change and event in one transaction, and appliers for remote events. */
export interface ReplicationApi {
  transaction<T>(
    fn: (tx: Tx, emit: (e: { topic: string; type: string; payload: unknown }) => Promise<ReplicatedEvent>) => Promise<T>,
  ): Promise<T>;
  on(type: string, applier: (tx: Tx, event: ReplicatedEvent) => Promise<void>): void;
  subscribe(topic: string): Promise<void>;
}

export interface NodeContext {
  config: NodeConfig;
  identity: Identity;
  database: Database;
  log: Logger;
  clock: Clock;
  metrics: Registry;
  jobs: JobRunner;
  /** The URL this node is reached at, known once it listens. */
  publicUrl: string;
  mesh: MeshView;
  replication: ReplicationApi;
}

export function nodeTypeOf(role: NodeConfig['role']): 'STORE' | 'SUPPLY_HUB' {
  return role === 'hub' ? 'SUPPLY_HUB' : 'STORE';
}
