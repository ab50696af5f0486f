// Replication in a running node: the engine over the node's SQL database,
// carried by the signed peer protocol, with topology from membership.
// A hub holds every topic and replicates with the other hubs and its
// region's stores; a store holds global, its region, node:<self> and its
// visitors' user:<id>, and replicates with its hub and its region's stores
// (so the region converges while the hub is down).
import type { Tx } from '../../db/database.js';
import type { Mesh } from '../mesh.js';
import { Replicator, type ReplicationTransport, type SyncRequest, type SyncResponse, type Topology } from './engine.js';
import { topicArg, topicKind, type ReplEvent } from './event.js';
import { SqlReplicationStore } from './sql-store.js';
import type { VersionVector } from './vector.js';

export type NodeReplicator = Replicator<Tx>;

function topologyOf(mesh: Mesh): Topology {
  const { config, identity } = mesh.ctx;
  const base = config.role === 'hub' ? ('all' as const) : ['global', `region:${config.region}`, `node:${identity.nodeId}`];
  return {
    baseTopics: () => base,
    peers: () => (mesh.mode === 'member' ? mesh.membership.watched().map((m) => m.nodeId) : []),
    peerHolds(peer, topic) {
      const m = mesh.membership.get(peer);
      if (!m) return false;
      if (m.role === 'hub') return true;
      switch (topicKind(topic)) {
        case 'global':
          return true;
        case 'region':
          return topicArg(topic) === m.region;
        case 'node':
          return topicArg(topic) === m.nodeId;
        case 'user':
          return false; // learned when the store asks for it
      }
    },
  };
}

function transportOf(mesh: Mesh): ReplicationTransport {
  const urlOf = (peer: string) => {
    const m = mesh.membership.get(peer);
    if (!m) throw new Error(`unknown peer ${peer}`);
    return m.apiBaseUrl;
  };
  return {
    events: (peer, events: ReplEvent[]) => mesh.client.call<{ vector: VersionVector }>(urlOf(peer), 'POST', '/p2p/v1/events', { events }, 10_000),
    sync: (peer, request: SyncRequest) => mesh.client.call<SyncResponse>(urlOf(peer), 'POST', '/p2p/v1/sync', request, 10_000),
  };
}

export function createReplicator(mesh: Mesh): NodeReplicator {
  const { ctx } = mesh;
  const log = ctx.log.child({ component: 'replication' });
  return new Replicator<Tx>({
    nodeId: ctx.identity.nodeId,
    store: new SqlReplicationStore(ctx.database.db),
    transport: transportOf(mesh),
    topology: topologyOf(mesh),
    clock: ctx.clock,
    log: {
      debug: (o, m) => log.debug(o, m),
      info: (o, m) => log.info(o, m),
      warn: (o, m) => log.warn(o, m),
    },
  });
}
