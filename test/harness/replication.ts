// Replication as a real-process test or benchmark sees it: announcements
// (the first replicated module) written and read through a node's HTTP API
// with the operator token, each node's replication status (counters, version
// vector, per-peer backlog), and the peer protocol's snapshot read with a
// peer client that signs as a node whose data directory this is.
import { loadAdmission } from '../../src/mesh/admission/admission.js';
import type { CertChain } from '../../src/mesh/admission/certificate.js';
import { PeerClient } from '../../src/mesh/transport/peer-client.js';
import type { ReplEvent } from '../../src/mesh/replication/event.js';
import type { VersionVector } from '../../src/mesh/replication/vector.js';
import { loadOrCreateIdentity } from '../../src/core/identity.js';
import { getJson, OPERATOR_TOKEN, type NodeHandle } from './network.js';
import type { Announcement } from '../../src/modules/announcements/index.js';

export type { Announcement } from '../../src/modules/announcements/index.js';

export interface ReplicationStatus {
  nodeId: string;
  replication: {
    emitted: number;
    applied: number;
    duplicates: number;
    rejected: number;
    vector: VersionVector;
    peers: { peer: string; backlog: number | null; oldestUndeliveredAgeMs: number | null; lastOkAt: string | null; lastError: string | null; retryInMs: number }[];
  };
}

export interface Snapshot {
  events: ReplEvent[];
  vector: VersionVector;
  more: boolean;
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function send<T>(node: NodeHandle, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new HttpError(`${method} ${node.name} ${path} answered ${res.status}: ${text}`, res.status);
  return JSON.parse(text) as T;
}

/** Publishes as the operator (super admin); resolves once the node answered 201, i.e. after commit. */
export function publish(node: NodeHandle, input: { scope: 'global' | 'region'; title: string; body: string }): Promise<Announcement> {
  return send<Announcement>(node, 'POST', '/api/v1/announcements', input);
}

export function editAnnouncement(
  node: NodeHandle,
  announcementId: string,
  fields: { title?: string; body?: string; retracted?: boolean },
): Promise<Announcement> {
  return send<Announcement>(node, 'PATCH', `/api/v1/announcements/${announcementId}`, fields);
}

/** What the node holds of the chain's and its region's announcements (at most 200, the API's page), retracted ones too. */
export async function announcementsOf(node: NodeHandle): Promise<Announcement[]> {
  return (await send<{ items: Announcement[] }>(node, 'GET', '/api/v1/announcements?limit=200&includeRetracted=true')).items;
}

export function replicationOf(node: NodeHandle): Promise<ReplicationStatus> {
  return getJson<ReplicationStatus>(`${node.url}/api/v1/node/status`);
}

/** The vector restricted to some topics, with empty origin maps dropped: comparable across nodes. */
export function vectorOf(vector: VersionVector, topics: readonly string[]): VersionVector {
  const out: VersionVector = {};
  for (const t of topics) {
    const v = vector[t];
    if (v && Object.keys(v).length > 0) out[t] = Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
  }
  return out;
}

/** How many events a vector says are held (the sum of its contiguous seqs). */
export function eventsIn(vector: VersionVector): number {
  return Object.values(vector).reduce((n, v) => n + Object.values(v).reduce((a, b) => a + b, 0), 0);
}

/** A peer client speaking as the node whose data directory this is (its own key and certificate chain). */
export function peerClientOf(node: NodeHandle): PeerClient {
  const identity = loadOrCreateIdentity(node.dataDir);
  const { chain } = loadAdmission(node.dataDir);
  if (!chain) throw new Error(`${node.name} holds no certificate`);
  const fixed: CertChain = chain;
  return new PeerClient({ nodeId: identity.nodeId, privateKey: identity.privateKey, chain: () => fixed, now: () => Date.now() });
}

/** GET /p2p/v1/snapshot of `target`, signed by `client`: the first `limit` events of the topics and the target's vector. */
export function snapshotOf(client: PeerClient, target: NodeHandle, topics: readonly string[], limit = 1000): Promise<Snapshot> {
  return client.call<Snapshot>(target.url, 'GET', `/p2p/v1/snapshot?topics=${topics.join(',')}&limit=${limit}`, undefined, 10_000);
}

/** The payload of an announcement.set event. */
export function announcementIdOf(event: ReplEvent): string {
  return (event.payload as { announcementId: string }).announcementId;
}
