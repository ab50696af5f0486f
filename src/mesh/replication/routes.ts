// The replication endpoints of the peer protocol: push a batch of events,
// sync by version vectors (paged), and a snapshot for a new node.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { typed } from '../../http/app.js';
import { Forbidden } from '../../http/errors.js';
import type { PeerPrincipal } from '../../http/auth.js';
import type { Mesh } from '../mesh.js';
import { topicSchema } from './event.js';
import type { NodeReplicator } from './wiring.js';

const vectorSchema = z.record(topicSchema, z.record(z.string().max(128), z.number().int().min(0)));
const security = [{ peer: [] }];
/** A batch of a few hundred events with their payloads. */
const bodyLimit = 8 * 1024 * 1024;

function requireReplicationPeer(mesh: Mesh, who: PeerPrincipal): void {
  if (who.role === 'store' && who.region !== mesh.ctx.config.region) {
    throw new Forbidden(`A store of region ${who.region} does not replicate with region ${mesh.ctx.config.region}.`);
  }
}

export function registerReplicationRoutes(app: FastifyInstance, mesh: Mesh, replicator: NodeReplicator): void {
  const r = typed(app);
  r.post(
    '/p2p/v1/events',
    {
      bodyLimit,
      config: { access: 'peer' },
      schema: {
        tags: ['peer'],
        summary: 'Push a batch of events; the answer is our vector for their topics',
        body: z.strictObject({ events: z.array(z.unknown()).max(1000) }),
        security,
      },
    },
    async (request) => {
      requireReplicationPeer(mesh, request.peer!);
      return replicator.serveEvents(request.body.events, request.peer!.nodeId);
    },
  );

  r.post(
    '/p2p/v1/sync',
    {
      bodyLimit,
      config: { access: 'peer' },
      schema: {
        tags: ['peer'],
        summary: 'Send a version vector, receive the events it misses (paged) and our vector',
        body: z.strictObject({ vector: vectorSchema, limit: z.number().int().min(1).max(1000).default(200) }),
        security,
      },
    },
    async (request) => {
      requireReplicationPeer(mesh, request.peer!);
      return replicator.serveSync(request.peer!.nodeId, request.body);
    },
  );

  r.get(
    '/p2p/v1/snapshot',
    {
      config: { access: 'peer' },
      schema: {
        tags: ['peer'],
        summary: 'State for a new node to bootstrap from: our vector and the events up to it, paged',
        querystring: z.strictObject({
          topics: z.string().max(10_000),
          limit: z.coerce.number().int().min(1).max(1000).default(500),
        }),
        security,
      },
    },
    async (request) => {
      requireReplicationPeer(mesh, request.peer!);
      const topics = request.query.topics.split(',').filter(Boolean);
      const parsed = z.array(topicSchema).max(1000).safeParse(topics);
      if (!parsed.success) throw new Forbidden('topics: a comma-separated list of topics');
      const empty = Object.fromEntries(parsed.data.map((t) => [t, {}]));
      return replicator.serveSync(request.peer!.nodeId, { vector: empty, limit: request.query.limit });
    },
  );
}
