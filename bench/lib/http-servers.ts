// The two servers bench/http.ts compares, each run in its own forked child
// process (argv: node|bare, log level, operator token): a real CodePop node
// (startNode, in-memory PGlite, standalone) and a bare Fastify app doing the
// same work: its own in-memory PGlite pinged the same way for health, and
// the same zod body validation, constant-time bearer check and logger level
// change for the log-level POST. Talks to the parent over IPC: "ready" with
// its URL, "cpu" with its CPU time on request, and stops on "stop".
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { openDatabase } from '../../src/db/database.js';
import { secretsEqual } from '../../src/http/auth.js';
import { loadNodeConfig } from '../../src/core/config.js';
import { startNode } from '../../src/node/node.js';

export type ServerKind = 'node' | 'bare';
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export type ToChild = { type: 'cpu'; seq: number } | { type: 'stop' };
export type FromChild =
  | { type: 'ready'; url: string; startMs: number }
  | { type: 'cpu'; seq: number; userUs: number; systemUs: number; rssBytes: number }
  | { type: 'failed'; error: string };

// The same shapes the node's routes declare (src/node/routes.ts).
const nodeTypeSchema = z.enum(['STORE', 'SUPPLY_HUB']);
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
const logLevelBody = z.strictObject({ level: z.enum(logLevels) });
const logLevelReply = z.object({ level: z.string(), previous: z.string() });

async function startNodeServer(level: LogLevel, token: string): Promise<{ url: string; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'codepop-bench-http-'));
  const config = loadNodeConfig(
    { role: 'store', name: 'Bench Store', region: 'C', lat: 41.737, lon: -111.8338, port: 0, host: '127.0.0.1', dataDir, operatorToken: token, logLevel: level },
    {},
  );
  // No join token and no certificate: a standalone node, so no mesh jobs add work during the runs.
  const node = await startNode(config, { database: { kind: 'pglite' } });
  return {
    url: node.url,
    async stop() {
      await node.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function bearerOf(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

async function startBareServer(level: LogLevel, token: string): Promise<{ url: string; stop(): Promise<void> }> {
  const database = await openDatabase({ kind: 'pglite' });
  // Like the node: pino to stdout at the given level, no per-request log lines.
  const app = Fastify({ logger: { level }, logController: new LogController({ disableRequestLogging: true }) });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const nodeId = randomUUID();

  r.get('/p2p/v1/health', { schema: { response: { 200: healthSchema, 503: healthSchema } } }, async (_request, reply) => {
    const dbOk = await database.ping();
    const body = {
      status: dbOk ? ('ok' as const) : ('degraded' as const),
      nodeId,
      nodeType: 'STORE' as const,
      displayName: 'Bare Fastify',
      region: 'C',
      timestamp: new Date().toISOString(),
      database: dbOk ? ('ok' as const) : ('down' as const),
      peers: { reachable: 0, total: 0 },
    };
    return reply.status(dbOk ? 200 : 503).send(body);
  });

  const requireOperator = async (request: FastifyRequest, reply: FastifyReply) => {
    const given = bearerOf(request);
    if (!given || !secretsEqual(given, token)) return reply.status(401).send({ title: 'Unauthorized' });
  };
  r.post(
    '/api/v1/node/log-level',
    { onRequest: requireOperator, schema: { body: logLevelBody, response: { 200: logLevelReply } } },
    async (request) => {
      const previous = app.log.level;
      app.log.level = request.body.level;
      if (previous !== request.body.level) request.log.warn({ from: previous, to: request.body.level }, 'log level changed');
      return { level: request.body.level, previous };
    },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await app.close();
      await database.close();
    },
  };
}

async function serve(): Promise<void> {
  const send = (m: FromChild) => process.send?.(m);
  const [kind, level, token] = process.argv.slice(2);
  if (!process.send || (kind !== 'node' && kind !== 'bare') || !logLevels.includes(level as LogLevel) || !token) {
    console.error('bench/lib/http-servers.ts is forked by bench/http.ts (argv: node|bare <log level> <token>)');
    process.exit(2);
  }
  const started = performance.now();
  let server: { url: string; stop(): Promise<void> };
  try {
    server = await (kind === 'node' ? startNodeServer : startBareServer)(level as LogLevel, token);
  } catch (err) {
    send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  }
  send({ type: 'ready', url: server.url, startMs: performance.now() - started });
  process.on('message', (m: ToChild) => {
    if (m.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', seq: m.seq, userUs: user, systemUs: system, rssBytes: process.memoryUsage().rss });
    } else if (m.type === 'stop') {
      void server.stop().finally(() => process.exit(0));
    }
  });
  // The parent gone (crashed or killed) means nobody will measure us: leave.
  process.on('disconnect', () => void server.stop().finally(() => process.exit(0)));
}

void serve();
