// Revoking a store: its hub signs a revocation and spreads it to the peers
// it talks to (its region's stores and the other hubs, which pass it on to
// theirs). Any node refuses the revoked certificate from then on.
import { NotFound } from '../../http/errors.js';
import type { Mesh } from '../mesh.js';
import { issueRevocation, type Revocation } from './revocation.js';

export async function revokeMember(mesh: Mesh, nodeId: string, reason: string): Promise<Revocation> {
  const member = mesh.membership.get(nodeId);
  const cert = member?.chain[0];
  if (!member || !cert || cert.issuerId !== mesh.ctx.identity.nodeId) {
    throw new NotFound(`No store certified by this hub has node id ${nodeId}.`);
  }
  const rev = issueRevocation({ nodeId, serial: cert.serial, reason }, mesh.ctx.identity.nodeId, mesh.ctx.identity.privateKey, mesh.ctx.clock.now());
  await mesh.addRevocation(rev);
  spreadRevocations(mesh, [rev]);
  return rev;
}

/** Fire and forget: a peer that misses it pulls it later (heartbeat replies carry the count). */
export function spreadRevocations(mesh: Mesh, revocations: Revocation[], except?: string): void {
  if (mesh.ctx.config.role !== 'hub') return;
  for (const peer of mesh.membership.watched()) {
    if (peer.nodeId === except) continue;
    mesh.client.request(peer.apiBaseUrl, 'POST', '/p2p/v1/revocations', { items: revocations }).catch(() => undefined);
  }
}
