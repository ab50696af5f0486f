// The mesh as modules use it (MeshView in node/context.ts): who the hubs
// are, signed calls to a peer, this node's certificate chain for tokens it
// issues, and checks of another node's chain. Modules never see Mesh itself.
import type { MeshView, PeerInfo, VerifiedIssuer } from '../../core/context.js';
import { decodeChain, encodeChain, verifyChain } from '../admission/certificate.js';
import type { Mesh } from '../mesh.js';
import type { Member } from './membership.js';
import { pullTopic } from '../replication/pull.js';
import type { NodeReplicator } from '../replication/wiring.js';
import type { SyncRequest, SyncResponse } from '../replication/engine.js';

function infoOf(mesh: Mesh, m: Member): PeerInfo {
  const state = mesh.membership.state(m.nodeId);
  return { nodeId: m.nodeId, role: m.role, region: m.region, name: m.name, apiBaseUrl: m.apiBaseUrl, reachable: state === undefined || state === 'alive' };
}

export function meshApi(mesh: Mesh, replicator: NodeReplicator): Omit<MeshView, 'status' | 'peerCounts'> {
  const verified = new Map<string, { issuer: VerifiedIssuer; until: number }>();
  const urlOf = (nodeId: string) => {
    const m = mesh.membership.get(nodeId);
    if (!m) throw new Error(`unknown peer ${nodeId}`);
    return m.apiBaseUrl;
  };
  return {
    mode: () => mesh.mode,
    hubs: () =>
      mesh.membership
        .list()
        .filter((m) => m.role === 'hub')
        .sort((a, b) => a.nodeId.localeCompare(b.nodeId))
        .map((m) => infoOf(mesh, m)),
    peer: (nodeId) => {
      const m = mesh.membership.get(nodeId);
      return m ? infoOf(mesh, m) : undefined;
    },
    call: (nodeId, method, path, body, timeoutMs) => mesh.client.call(urlOf(nodeId), method, path, body, timeoutMs ?? 5000),
    encodedChain: () => (mesh.chain ? encodeChain(mesh.chain) : undefined),
    verifyChain: (encoded) => {
      const now = mesh.ctx.clock.now();
      const hit = verified.get(encoded);
      // Signatures never change; validity and revocation are checked again after a minute.
      if (hit && hit.until > now) return hit.issuer;
      if (!mesh.rootPublicKey) return undefined;
      const result = verifyChain(decodeChain(encoded), mesh.rootPublicKey, now, { isRevoked: mesh.isRevoked, skewMs: 30_000 });
      if (!result.ok) return undefined;
      const issuer: VerifiedIssuer = { nodeId: result.leaf.nodeId, role: result.leaf.role, region: result.leaf.region, publicKey: result.leaf.publicKey };
      if (verified.size > 10_000) verified.clear();
      verified.set(encoded, { issuer, until: now + 60_000 });
      return issuer;
    },
    pullTopic: (topic, peer) =>
      pullTopic(replicator, topic, (request: SyncRequest) =>
        mesh.client.call<SyncResponse>(urlOf(peer), 'POST', '/p2p/v1/sync', request, 10_000),
      ),
  };
}
