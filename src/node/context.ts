// What every part of a running node is handed: nothing reaches for a global.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Database } from '../db/database.js';
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
}

export function nodeTypeOf(role: NodeConfig['role']): 'STORE' | 'SUPPLY_HUB' {
  return role === 'hub' ? 'SUPPLY_HUB' : 'STORE';
}
