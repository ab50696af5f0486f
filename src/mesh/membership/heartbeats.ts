// Failure detection in a node: the shared logic (watcher.ts: heartbeats,
// detector ticks, indirect probes, reports to the region) over the signed
// peer protocol, driven by the node's jobs. What a heartbeat answer tells
// beyond "alive" (a new registry version, revocations, a hub that forgot
// this node) is followed here, as only a node has a registry to refresh.
import type { Job } from '../../core/jobs.js';
import { NEIGHBOURHOOD, type Member } from './membership.js';
import type { Mesh } from '../mesh.js';
import { publicKeyFromString } from '../../core/keys.js';
import { revocationSchema, verifyRevocation, type Revocation } from '../admission/revocation.js';
import { heartbeatTimeoutMs, tickIntervalMs, Watcher, type MembershipTransport } from './watcher.js';

export interface HeartbeatReply {
  nodeId: string;
  registryVersion: string;
  revocations: number;
  /** False when the receiver does not know the sender (e.g. a hub that lost its registry). */
  known: boolean;
  /** How many hubs the receiver knows, itself included: a store that knows fewer asks at once. */
  hubs?: number;
}

function timeoutFor(mesh: Mesh): number {
  return heartbeatTimeoutMs(mesh.ctx.config.heartbeatMs);
}

/** One heartbeat to one member; true if it answered. */
async function ping(mesh: Mesh, member: Member): Promise<{ ok: boolean; rttMs?: number; reply?: HeartbeatReply }> {
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

/** The watcher's transport in a node: the signed peer protocol over HTTP. */
function httpMembershipTransport(mesh: Mesh): MembershipTransport<HeartbeatReply> {
  return {
    async heartbeat(member) {
      const result = await ping(mesh, member);
      // An answer without a body has no reply to follow, so it does not count as one.
      return result.ok && result.reply && result.rttMs !== undefined ? { ok: true, rttMs: result.rttMs, reply: result.reply } : { ok: false };
    },
    async probe(via, target) {
      const res = await mesh.client.request(via.apiBaseUrl, 'POST', '/p2p/v1/probe', { target: target.nodeId }, timeoutFor(mesh) * 2);
      const body = res.body as { reachable?: boolean } | undefined;
      return res.status === 200 && body?.reachable === true;
    },
    async report(peer, body) {
      await mesh.client.request(peer.apiBaseUrl, 'POST', '/p2p/v1/report', body, timeoutFor(mesh));
    },
  };
}

/** The node's watcher: the shared failure-detection logic (watcher.ts) over HTTP, the node's clock and log. */
export function createWatcher(mesh: Mesh): Watcher<HeartbeatReply> {
  const { log, clock } = mesh.ctx;
  return new Watcher<HeartbeatReply>({
    membership: mesh.membership,
    transport: httpMembershipTransport(mesh),
    clock,
    intervalMs: mesh.ctx.config.heartbeatMs,
    log: { info: (o, m) => log.info(o, m), warn: (o, m) => log.warn(o, m) },
    onReply: (member, reply) => followReply(mesh, member, reply),
  });
}

export function cardBody(mesh: Mesh) {
  const { name, apiBaseUrl, lat, lon } = mesh.card();
  return { name, apiBaseUrl, lat, lon };
}

const lastRegistryVersion = new WeakMap<Mesh, { version: string; at: number }>();
/** The least time between two registry refreshes of one node. */
const REFRESH_MS = 10_000;

/** What a heartbeat answer tells us beyond "alive": new region members, revocations, a hub that forgot us. */
async function followReply(mesh: Mesh, member: Member, reply: HeartbeatReply): Promise<void> {
  if (member.role !== 'hub' || member.region !== mesh.ctx.config.region) return;
  if (!reply.known && mesh.ctx.config.role === 'store') {
    mesh.registered = false; // the bootstrap job registers again
  }
  // A region of thousands changes its registry all day: the neighbourhood is asked again at most every REFRESH_MS.
  const last = lastRegistryVersion.get(mesh);
  const missingHub = reply.hubs !== undefined && reply.hubs > mesh.membership.hubs().length;
  if (last?.version !== reply.registryVersion && (!last || missingHub || mesh.ctx.clock.now() - last.at >= REFRESH_MS)) {
    await refreshRegion(mesh, member);
    lastRegistryVersion.set(mesh, { version: reply.registryVersion, at: mesh.ctx.clock.now() });
  }
  if (reply.revocations > mesh.revocations.size) await pullRevocations(mesh, member);
}

/**
 * Learns its neighbourhood (the region stores nearest this node) and the
 * hubs from its hub. The hubs too: a hub that joins the network after this
 * node registered is otherwise never learned (registration is the only other
 * source), and the network view and cross-region work go through every hub.
 * A bounded answer, whatever the size of the region.
 */
export async function refreshRegion(mesh: Mesh, hub: Member): Promise<void> {
  const { region, lat, lon } = mesh.ctx.config;
  const near = `type=STORE&region=${region}&lat=${lat}&lon=${lon}&limit=${NEIGHBOURHOOD + 1}`;
  for (const filter of mesh.ctx.config.role === 'store' ? [near, 'type=SUPPLY_HUB&limit=1000'] : [`region=${region}&limit=1000`, 'type=SUPPLY_HUB&limit=1000']) {
    const body = await mesh.client.call<{ items: (Member & { state: string })[] }>(
      hub.apiBaseUrl,
      'GET',
      `/p2p/v1/discover?${filter}&includeUnreachable=true&withChains=true`,
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

/** The node's jobs drive the watcher: a heartbeat round every interval, the detector four times as often. */
export function heartbeatJobs(mesh: Mesh, watcher: Watcher<HeartbeatReply>): Job[] {
  const interval = mesh.ctx.config.heartbeatMs;
  return [
    {
      name: 'heartbeats',
      intervalMs: interval,
      async run() {
        if (mesh.mode === 'member') watcher.heartbeatRound();
      },
    },
    {
      name: 'failure-detector',
      intervalMs: tickIntervalMs(interval),
      async run() {
        watcher.tick();
      },
    },
  ];
}
