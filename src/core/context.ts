// What every part of a running node is handed: nothing reaches for a global.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Database, Tx } from '../db/database.js';
import type { Principal } from '../http/auth.js';
import type { Clock } from '../lib/clock.js';
import type { NodeConfig } from './config.js';
import type { Identity } from './identity.js';
import type { JobRunner } from './jobs.js';

export interface PeerCounts {
  reachable: number;
  total: number;
}

/** A node of the network as modules see it. */
export interface PeerInfo {
  nodeId: string;
  role: 'hub' | 'store';
  region: string;
  name: string;
  apiBaseUrl: string;
  /** Whether the failure detector (or a report) currently holds it alive. */
  reachable: boolean;
}

/** What a certificate chain proved about the node that holds it. */
export interface VerifiedIssuer {
  nodeId: string;
  role: 'hub' | 'store';
  region: string;
  /** base64url of the raw Ed25519 public key. */
  publicKey: string;
}

/** The view of the mesh other parts of the node may use; the mesh fills it in. */
export interface MeshView {
  peerCounts(): PeerCounts;
  status(): Promise<Record<string, unknown>>;
  /** 'standalone' when the node has joined no network. */
  mode(): 'standalone' | 'joining' | 'member';
  /** The hubs this node knows (every hub, once registered), sorted by node id. */
  hubs(): PeerInfo[];
  /** A known peer by id. */
  peer(nodeId: string): PeerInfo | undefined;
  /** A signed peer request; rejects on a network failure, a timeout or a non-2xx answer (with `status`). */
  call<T>(nodeId: string, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs?: number): Promise<T>;
  /** This node's certificate chain, encoded for a header, once admitted. */
  encodedChain(): string | undefined;
  /** Checks an encoded chain against the root key, validity and revocations. */
  verifyChain(encoded: string): VerifiedIssuer | undefined;
  /** Subscribes to a topic and pulls what `peer` holds of it before resolving. */
  pullTopic(topic: string, peer: string): Promise<void>;
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
  /**
   * Called after events are committed here, made by this node or applied from
   * a peer: what a module caches in memory of replicated state is dropped by
   * it. Called after commit, so a reader that fills a cache afterwards reads
   * the new state.
   */
  afterCommit(listener: (events: readonly ReplicatedEvent[]) => void): void;
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
  /** How a bearer token becomes a principal; the accounts module fills it in. */
  bearer: { resolve(token: string): Promise<Principal | undefined> };
}

export function nodeTypeOf(role: NodeConfig['role']): 'STORE' | 'SUPPLY_HUB' {
  return role === 'hub' ? 'SUPPLY_HUB' : 'STORE';
}
