// The node's own endpoints: who it is, whether it is alive, and (for admins)
// how it sees the network around it.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { typed } from '../http/app.js';
import { nodeTypeOf, type NodeContext } from '../core/context.js';
import { sourceOf, writeBackup } from './backup.js';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const nodeTypeSchema = z.enum(['STORE', 'SUPPLY_HUB']);

const nodeInfoSchema = z.object({
  nodeId: z.uuid(),
  nodeType: nodeTypeSchema,
  displayName: z.string(),
  region: z.string(),
  storeId: z.uuid().optional(),
  apiBaseUrl: z.string(),
  location: z.object({ lat: z.number(), lon: z.number() }),
  startedAt: z.string(),
});

const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  nodeId: z.uuid(),
  nodeType: nodeTypeSchema,
  displayName: z.string(),
  region: z.string(),
  timestamp: z.string(),
  database: z.enum(['ok', 'down']),
  peers: z.object({ reachable: z.number().int(), total: z.number().int() }),
});

export function registerNodeRoutes(app: FastifyInstance, ctx: NodeContext, startedAt: Date): void {
  const r = typed(app);
  const { config, identity } = ctx;

  r.get(
    '/api/v1/node',
    {
      config: { access: 'public' },
      schema: { tags: ['node'], summary: "This node's identity", response: { 200: nodeInfoSchema } },
    },
    async () => ({
      nodeId: identity.nodeId,
      nodeType: nodeTypeOf(config.role),
      displayName: config.name,
      region: config.region,
      // A store node is the store: its store id is its node id.
      ...(config.role === 'store' ? { storeId: identity.nodeId } : {}),
      apiBaseUrl: ctx.publicUrl,
      location: { lat: config.lat, lon: config.lon },
      startedAt: startedAt.toISOString(),
    }),
  );

  r.get(
    '/p2p/v1/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['peer'],
        summary: 'Public liveness; reveals nothing secret',
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_request, reply) => {
      const dbOk = await ctx.database.ping();
      const body = {
        status: dbOk ? ('ok' as const) : ('degraded' as const),
        nodeId: identity.nodeId,
        nodeType: nodeTypeOf(config.role),
        displayName: config.name,
        region: config.region,
        timestamp: new Date(ctx.clock.now()).toISOString(),
        database: dbOk ? ('ok' as const) : ('down' as const),
        peers: ctx.mesh.peerCounts(),
      };
      return reply.status(dbOk ? 200 : 503).send(body);
    },
  );

  r.get(
    '/api/v1/node/status',
    {
      config: { access: { roles: ['ADMIN'] } },
      schema: {
        tags: ['node'],
        summary: 'Admin: peers with state, last seen and latency; queues and lag',
        security: [{ bearer: [] }],
      },
    },
    async () => ({
      nodeId: identity.nodeId,
      nodeType: nodeTypeOf(config.role),
      displayName: config.name,
      region: config.region,
      database: { kind: ctx.database.kind, ok: await ctx.database.ping() },
      uptimeSeconds: Math.round((ctx.clock.now() - startedAt.getTime()) / 1000),
      memory: { rssBytes: process.memoryUsage().rss, heapUsedBytes: process.memoryUsage().heapUsed },
      // What the event loop holds: timers and sockets should grow with the peers a node watches, never with its region.
      handles: handleCounts(),
      ...(await ctx.mesh.status()),
    }),
  );

  r.post(
    '/api/v1/node/log-level',
    {
      config: { access: { roles: ['ADMIN'] } },
      schema: {
        tags: ['node'],
        summary: "Admin: change this node's log level while it runs (e.g. debug while chasing a problem)",
        body: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) }),
        response: { 200: z.object({ level: z.string(), previous: z.string() }) },
        security: [{ bearer: [] }],
      },
    },
    async (request) => {
      const previous = ctx.log.level;
      ctx.log.level = request.body.level;
      if (previous !== request.body.level) request.log.warn({ from: previous, to: request.body.level, by: request.principal?.subject }, 'log level changed');
      return { level: request.body.level, previous };
    },
  );

  r.get(
    '/api/v1/node/backup',
    {
      // The archive holds the node's private key: the network's super admins only.
      config: { access: { roles: ['SUPER_ADMIN'] } },
      schema: {
        tags: ['node'],
        summary: 'Super admin: a consistent backup of this running node (identity, keys, database) as a tar file; `codepop restore` reads it',
        produces: ['application/x-tar'],
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'codepop-backup-out-'));
      const file = path.join(dir, 'backup.tar');
      const result = await writeBackup({ dataDir: config.dataDir, source: sourceOf(ctx.database, config.databaseUrl), out: file });
      request.log.info({ bytes: result.bytes, ms: result.ms, by: request.principal?.subject }, 'backup taken');
      const stream = createReadStream(file);
      stream.on('close', () => rmSync(dir, { recursive: true, force: true }));
      return reply
        .type('application/x-tar')
        .header('content-disposition', `attachment; filename="codepop-${identity.nodeId}-${result.manifest.createdAt.replace(/[:.]/g, '-')}.tar"`)
        .header('content-length', String(result.bytes))
        .send(stream);
    },
  );
}

function handleCounts(): { timers: number; sockets: number; other: number } {
  const out = { timers: 0, sockets: 0, other: 0 };
  for (const r of process.getActiveResourcesInfo()) {
    if (r === 'Timeout') out.timers += 1;
    else if (r === 'TCPSocketWrap' || r === 'TCPWRAP') out.sockets += 1;
    else out.other += 1;
  }
  return out;
}
