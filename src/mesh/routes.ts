// The peer protocol's endpoints (/p2p/v1): registration with a hub,
// heartbeats, indirect probes, discovery and revocations. Every one but
// health and register is 'peer' (signed); register also admits a store that
// has only a join token, so it checks its own signature (join.ts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { typed } from '../http/app.js';
import { Forbidden, NotFound } from '../http/errors.js';
import type { PeerPrincipal } from '../http/auth.js';
import { haversineMiles } from '../lib/geo.js';
import type { CertChain } from './admission/certificate.js';
import { acceptRevocations, type HeartbeatReply } from './membership/heartbeats.js';
import { admitWithJoinToken } from './admission/join.js';
import type { Mesh } from './mesh.js';
import type { Member } from './membership/membership.js';
import { NO_CHAIN } from './transport/peer-client.js';
import { HEADER_CHAIN } from './transport/request-signing.js';
import { spreadRevocations, revokeMember } from './admission/revoke.js';
import type { Watcher } from './membership/watcher.js';

const cardSchema = z.strictObject({
  name: z.string().min(1).max(100),
  apiBaseUrl: z.url({ protocol: /^https?$/ }),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});

const registerBody = z.strictObject({
  card: cardSchema,
  joinToken: z.string().max(4096).optional(),
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/).optional(),
});

const discoverQuery = z.strictObject({
  type: z.enum(['STORE', 'SUPPLY_HUB']).optional(),
  region: z.string().regex(/^[A-Z]$/).optional(),
  lat: z.coerce.number().min(-90).max(90).optional(),
  lon: z.coerce.number().min(-180).max(180).optional(),
  maxDistance: z.coerce.number().positive().optional(),
  includeUnreachable: z.enum(['true', 'false']).optional(),
  withChains: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

const peer = { access: 'peer' as const };
const security = [{ peer: [] }];

/** Hubs talk to every hub; a store only within its own region. */
function requireSameRegionOrHub(mesh: Mesh, who: PeerPrincipal): void {
  if (who.role === 'store' && who.region !== mesh.ctx.config.region) {
    throw new Forbidden(`A store of region ${who.region} has no business with region ${mesh.ctx.config.region}.`);
  }
}

function asMember(who: PeerPrincipal, card: z.infer<typeof cardSchema>): Member {
  return { ...card, nodeId: who.nodeId, role: who.role, region: who.region, chain: who.chain as CertChain };
}

export function registerMeshRoutes(app: FastifyInstance, mesh: Mesh, watcher: Watcher<HeartbeatReply>): void {
  const r = typed(app);
  const { config } = mesh.ctx;

  r.post(
    '/p2p/v1/register',
    {
      // Public at the access layer: the handler verifies the signature itself, by
      // certificate chain or, for a store that is joining, by join token.
      config: { access: 'public' },
      schema: { tags: ['peer'], summary: 'A node announces itself to a hub (join token or certificate)', body: registerBody, security },
    },
    async (request) => {
      if (config.role !== 'hub') throw new NotFound('Only a supply hub registers nodes.');
      let member: Member;
      let issued: CertChain | undefined;
      if (request.headers[HEADER_CHAIN] === NO_CHAIN) {
        const admitted = await admitWithJoinToken(mesh, request, request.body);
        issued = admitted.chain;
        member = { ...request.body.card, nodeId: admitted.nodeId, role: 'store', region: config.region, chain: admitted.chain };
      } else {
        const who = await mesh.verifyPeer(request);
        requireSameRegionOrHub(mesh, who);
        member = asMember(who, request.body.card);
      }
      await mesh.membership.upsert(member);
      // A sign of life: a peer thought dead coming back is logged and reported to the region.
      watcher.heard(member.nodeId);
      request.log.info({ peer: member.nodeId, peerName: member.name, peerRole: member.role }, 'node registered');
      // A store learns the hubs and its neighbourhood in the region (it learns nearer newcomers when they
      // heartbeat it); a hub learns the hubs. The reply never grows with the region.
      const neighbours = member.role === 'store' ? mesh.membership.nearestStores(member) : [];
      const members = [...mesh.membership.hubs(), ...neighbours].filter((m) => m.nodeId !== member.nodeId);
      return {
        ...(issued ? { chain: issued } : {}),
        rootPublicKey: mesh.rootPublicKey!,
        hub: { ...mesh.card(), chain: mesh.chain! },
        members,
        revocations: mesh.revocations.list(),
      };
    },
  );

  r.post(
    '/p2p/v1/heartbeat',
    {
      config: peer,
      schema: {
        tags: ['peer'],
        summary: 'I am alive; here is how to reach me',
        body: z.strictObject({ card: cardSchema, registryVersion: z.string().max(64).optional() }),
        security,
      },
    },
    async (request) => {
      const who = request.peer!;
      requireSameRegionOrHub(mesh, who);
      // A peer we did not know yet (a store that joined through the hub) becomes known by talking to us.
      const { known } = await watcher.takeHeartbeat(asMember(who, request.body.card));
      const hubs = mesh.membership.hubs().length + (config.role === 'hub' ? 1 : 0);
      return { nodeId: mesh.ctx.identity.nodeId, registryVersion: mesh.membership.version, revocations: mesh.revocations.size, known, hubs };
    },
  );

  r.post(
    '/p2p/v1/probe',
    {
      config: peer,
      schema: { tags: ['peer'], summary: 'Indirect probe: try to reach a peer for the caller', body: z.strictObject({ target: z.string().max(128) }), security },
    },
    async (request) => {
      requireSameRegionOrHub(mesh, request.peer!);
      return watcher.serveProbe(request.body.target);
    },
  );

  r.post(
    '/p2p/v1/report',
    {
      config: peer,
      schema: {
        tags: ['peer'],
        summary: "A region peer's report that a member it watches died or came back",
        body: z.strictObject({ about: z.string().max(128), state: z.enum(['alive', 'dead']), since: z.number().int().nonnegative() }),
        security,
      },
    },
    async (request) => {
      const who = request.peer!;
      requireSameRegionOrHub(mesh, who);
      const taken = watcher.takeReport(who.nodeId, request.body);
      return { taken };
    },
  );

  r.get(
    '/p2p/v1/discover',
    { config: peer, schema: { tags: ['peer'], summary: 'Reachable peers known here, nearest first', querystring: discoverQuery, security } },
    async (request) => {
      const q = request.query;
      const from = q.lat !== undefined && q.lon !== undefined ? { lat: q.lat, lon: q.lon } : mesh.card();
      const role = q.type === 'STORE' ? 'store' : q.type === 'SUPPLY_HUB' ? 'hub' : undefined;
      const unreachableToo = q.includeUnreachable === 'true';
      const items = mesh.membership
        .view(from)
        .filter((m) => (!role || m.role === role) && (!q.region || m.region === q.region))
        .filter((m) => unreachableToo || m.state === 'alive' || m.state === 'unwatched')
        .filter((m) => q.maxDistance === undefined || m.distanceMiles <= q.maxDistance)
        .slice(0, q.limit)
        .map((m) => ({
          ...m,
          nodeType: m.role === 'hub' ? 'SUPPLY_HUB' : 'STORE',
          distanceFromHubMiles: config.role === 'hub' ? Math.round(haversineMiles(mesh.card(), m) * 10) / 10 : undefined,
          ...(q.withChains === 'true' ? { chain: mesh.membership.get(m.nodeId)?.chain } : {}),
        }));
      return { items, nextCursor: null };
    },
  );

  r.get(
    '/p2p/v1/revocations',
    { config: peer, schema: { tags: ['peer'], summary: 'Revocations known here', security } },
    async () => ({ items: mesh.revocations.list() }),
  );

  r.post(
    '/p2p/v1/revocations',
    {
      config: peer,
      schema: { tags: ['peer'], summary: 'Spread revocations (each signed by its issuing hub)', body: z.strictObject({ items: z.array(z.unknown()).max(1000) }), security },
    },
    async (request) => {
      const fresh = await acceptRevocations(mesh, request.body.items);
      if (fresh.length > 0) spreadRevocations(mesh, fresh, request.peer!.nodeId);
      return { accepted: fresh.length };
    },
  );

  r.post(
    '/p2p/v1/revoke',
    {
      config: peer,
      schema: {
        tags: ['peer'],
        summary: "Hub operator: revoke a store's certificate (signed with the hub's own key)",
        body: z.strictObject({ nodeId: z.string().max(128), reason: z.string().min(1).max(500) }),
        security,
      },
    },
    async (request) => {
      if (request.peer!.nodeId !== mesh.ctx.identity.nodeId) throw new Forbidden("Only the hub's operator, holding the hub's key, revokes.");
      const rev = await revokeMember(mesh, request.body.nodeId, request.body.reason);
      return { revocation: rev };
    },
  );
}
