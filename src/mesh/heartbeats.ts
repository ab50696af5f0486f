// Failure detection at work: every interval this node heartbeats each peer
// it watches; the detector turns silence into suspect and dead, and a
// suspect is probed indirectly through other peers (SWIM) before it is
// declared dead, so a slow link is not mistaken for a dead node.
import type { Job } from '../node/jobs.js';
import type { Member } from './membership.js';
import type { Mesh } from './mesh.js';
import { publicKeyFromString } from './keys.js';
import { revocationSchema, verifyRevocation, type Revocation } from './revocation.js';

export interface HeartbeatReply {
  nodeId: string;
  registryVersion: string;
  revocations: number;
  /** False when the receiver does not know the sender (e.g. a hub that lost its registry). */
  known: boolean;
}

function timeoutFor(mesh: Mesh): number {
  return Math.max(500, mesh.ctx.config.heartbeatMs);
}

/** One heartbeat to one member; true if it answered. */
export async function ping(mesh: Mesh, member: Member): Promise<{ ok: boolean; rttMs?: number; reply?: HeartbeatReply }> {
  const started = performance.now();
  try {
    const res = await mesh.client.request(
      member.apiBaseUrl,
      'POST',
      '/p2p/v1/heartbeat',
      { card: cardBody(mesh), registryVersion: mesh.membership.version },
      timeoutFor(mesh),
    );
    if (res.status !== 200) return { ok: false };
    return { ok: true, rttMs: performance.now() - started, reply: res.body as HeartbeatReply };
  } catch {
    return { ok: false };
  }
}

export function cardBody(mesh: Mesh) {
  const { name, apiBaseUrl, lat, lon } = mesh.card();
  return { name, apiBaseUrl, lat, lon };
}

async function heartbeatOne(mesh: Mesh, member: Member, busy: Set<string>): Promise<void> {
  busy.add(member.nodeId);
  try {
    const result = await ping(mesh, member);
    if (!result.ok || !result.reply) return;
    const transition = mesh.membership.recordAck(member.nodeId, result.rttMs);
    if (transition) logTransition(mesh, member, transition.from, transition.to);
    await followReply(mesh, member, result.reply);
  } finally {
    busy.delete(member.nodeId);
  }
}

const lastRegistryVersion = new WeakMap<Mesh, string>();

/** What a heartbeat answer tells us beyond "alive": new region members, revocations, a hub that forgot us. */
async function followReply(mesh: Mesh, member: Member, reply: HeartbeatReply): Promise<void> {
  if (member.role !== 'hub' || member.region !== mesh.ctx.config.region) return;
  if (!reply.known && mesh.ctx.config.role === 'store') {
    mesh.registered = false; // the bootstrap job registers again
  }
  if (lastRegistryVersion.get(mesh) !== reply.registryVersion) {
    await refreshRegion(mesh, member);
    lastRegistryVersion.set(mesh, reply.registryVersion);
  }
  if (reply.revocations > mesh.revocations.size) await pullRevocations(mesh, member);
}

/**
 * Learns the region's members and the hubs from its hub. The hubs too: a hub
 * that joins the network after this node registered is otherwise never
 * learned (registration is the only other source), and the network view and
 * cross-region work go through every hub.
 */
export async function refreshRegion(mesh: Mesh, hub: Member): Promise<void> {
  const region = mesh.ctx.config.region;
  for (const filter of [`region=${region}`, 'type=SUPPLY_HUB']) {
    const body = await mesh.client.call<{ items: (Member & { state: string })[] }>(
      hub.apiBaseUrl,
      'GET',
      `/p2p/v1/discover?${filter}&includeUnreachable=true&withChains=true&limit=1000`,
    );
    for (const m of body.items) {
      if (m.nodeId === mesh.ctx.identity.nodeId) continue;
      if (m.chain) await mesh.membership.upsert(m);
    }
  }
}

export async function pullRevocations(mesh: Mesh, from: Member): Promise<void> {
  const body = await mesh.client.call<{ items: unknown[] }>(from.apiBaseUrl, 'GET', '/p2p/v1/revocations');
  await acceptRevocations(mesh, body.items);
}

/** Verifies each revocation against its issuing hub's key and keeps the new ones; returns those. */
export async function acceptRevocations(mesh: Mesh, items: unknown[]): Promise<Revocation[]> {
  const fresh: Revocation[] = [];
  for (const item of items) {
    const parsed = revocationSchema.safeParse(item);
    if (!parsed.success) continue;
    const rev = parsed.data;
    const issuerKey = issuerKeyOf(mesh, rev.issuerId);
    if (!issuerKey || !verifyRevocation(rev, issuerKey)) {
      mesh.ctx.log.warn({ issuer: rev.issuerId, node: rev.nodeId }, 'revocation with an unknown issuer or bad signature ignored');
      continue;
    }
    if (await mesh.addRevocation(rev)) fresh.push(rev);
  }
  return fresh;
}

function issuerKeyOf(mesh: Mesh, issuerId: string) {
  if (issuerId === mesh.ctx.identity.nodeId) return mesh.ctx.identity.publicKey;
  const issuer = mesh.membership.get(issuerId) ?? undefined;
  const hubCert = issuer?.role === 'hub' ? issuer.chain[0] : mesh.chain?.find((c) => c.nodeId === issuerId && c.role === 'hub');
  return hubCert ? publicKeyFromString(hubCert.publicKey) : undefined;
}

export function logTransition(mesh: Mesh, member: Member, from: string, to: string): void {
  const entry = { peer: member.nodeId, peerName: member.name, peerRole: member.role, from, to };
  if (to === 'alive') mesh.ctx.log.info(entry, 'peer is alive again');
  else mesh.ctx.log.warn(entry, to === 'dead' ? 'peer declared dead' : 'peer suspected');
  if (to === 'dead' || (to === 'alive' && from === 'dead')) reportToRegion(mesh, member, to);
}

/**
 * Tells the region what this node saw happen to a member, so nodes that do
 * not watch it themselves know within moments. Sent to every region member
 * directly (not gossiped hop by hop), once per transition; transitions are rare.
 */
function reportToRegion(mesh: Mesh, about: Member, state: 'dead' | 'alive'): void {
  if (about.region !== mesh.ctx.config.region) return;
  const body = { about: about.nodeId, state, since: mesh.ctx.clock.now() };
  for (const m of mesh.membership.region()) {
    if (m.nodeId === about.nodeId) continue;
    mesh.client.request(m.apiBaseUrl, 'POST', '/p2p/v1/report', body, timeoutFor(mesh)).catch(() => undefined);
  }
}

/** Asks helpers to reach a suspect for us; any success clears it. */
async function probeIndirectly(mesh: Mesh, target: Member, via: Member[]): Promise<void> {
  await Promise.all(
    via.map(async (helper) => {
      try {
        const res = await mesh.client.request(helper.apiBaseUrl, 'POST', '/p2p/v1/probe', { target: target.nodeId }, timeoutFor(mesh) * 2);
        const body = res.body as { reachable?: boolean } | undefined;
        if (res.status === 200 && body?.reachable) {
          const t = mesh.membership.recordAck(target.nodeId);
          if (t) logTransition(mesh, target, t.from, t.to);
        }
      } catch {
        // a helper that does not answer tells us nothing about the target
      }
    }),
  );
}

export function heartbeatJobs(mesh: Mesh): Job[] {
  const busy = new Set<string>();
  const interval = mesh.ctx.config.heartbeatMs;
  return [
    {
      name: 'heartbeats',
      intervalMs: interval,
      async run() {
        if (mesh.mode !== 'member') return;
        for (const member of mesh.membership.watched()) {
          // A peer still answering the previous heartbeat is not sent another.
          if (!busy.has(member.nodeId)) void heartbeatOne(mesh, member, busy);
        }
      },
    },
    {
      name: 'failure-detector',
      intervalMs: Math.max(25, Math.floor(interval / 4)),
      async run() {
        const { transitions, probes } = mesh.membership.detector.tick(mesh.ctx.clock.now());
        for (const t of transitions) {
          const member = mesh.membership.get(t.peerId);
          if (member) logTransition(mesh, member, t.from, t.to);
        }
        for (const probe of probes) {
          const target = mesh.membership.get(probe.target);
          const via = probe.via.map((id) => mesh.membership.get(id)).filter((m): m is Member => !!m);
          if (target) void probeIndirectly(mesh, target, via);
        }
      },
    },
  ];
}
