// Assembles one node: identity, database and migrations, the HTTP app with
// every module's routes, the mesh and background jobs; and takes it down
// again in the reverse order, draining requests first.
import { startTelemetry, type Telemetry } from './telemetry.js';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { openDatabase, type Database, type DatabaseSpec } from '../db/database.js';
import { builtWebRoot } from '../http/web.js';
import { buildApp } from '../http/app.js';
import { createMetricsRegistry } from '../http/metrics.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { type NodeConfig, publicUrlOf } from '../core/config.js';
import type { MeshView, NodeContext, ReplicationApi } from '../core/context.js';
import { loadOrCreateIdentity } from '../core/identity.js';
import { lockDataDir } from './data-dir-lock.js';
import { JobRunner } from '../core/jobs.js';
import { createLogger } from './logger.js';
import { registerNodeRoutes } from './routes.js';
import { createMesh, meshView, registerMesh, startMesh } from '../mesh/index.js';
import { registerModules } from '../modules/index.js';
import path from 'node:path';
import { cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import { RESTORED_MARKER } from './backup.js';
import type { Logger } from 'pino';
import type { MeshParts } from '../mesh/index.js';

export interface StartOptions {
  /** Overrides the database the config names (tests use in-memory PGlite). */
  database?: DatabaseSpec;
  logDestination?: DestinationStream;
  clock?: Clock;
  /** Build everything but do not listen on a port (in-process tests use inject). */
  listen?: boolean;
  /** Serve the built web app at / when there is one (default true). */
  serveWeb?: boolean;
  /** Where the built app is, when not beside the compiled node (dist/web): benchmarks run from source. */
  webRoot?: string;
}

export interface RunningNode {
  ctx: NodeContext;
  app: FastifyInstance;
  url: string;
  stop(): Promise<void>;
}

const notYet: ReplicationApi = {
  transaction: () => Promise.reject(new Error('replication is not set up yet')),
  on: () => {
    throw new Error('replication is not set up yet');
  },
  subscribe: () => Promise.reject(new Error('replication is not set up yet')),
  afterCommit: () => {
    throw new Error('replication is not set up yet');
  },
};

const noMesh: MeshView = {
  peerCounts: () => ({ reachable: 0, total: 0 }),
  status: async () => ({}),
  mode: () => 'standalone',
  hubs: () => [],
  peer: () => undefined,
  call: () => Promise.reject(new Error('the mesh is not set up yet')),
  encodedChain: () => undefined,
  verifyChain: () => undefined,
  pullTopic: () => Promise.reject(new Error('the mesh is not set up yet')),
};

export function databaseSpecOf(config: NodeConfig): DatabaseSpec {
  if (config.databaseUrl) return { kind: 'postgres', url: config.databaseUrl };
  const dataDir = path.join(config.dataDir, 'pgdata');
  if (config.pgliteTemplate && !existsSync(dataDir)) {
    // Copy to a side name and rename, so a crash mid-copy never leaves a half database in place.
    const partial = `${dataDir}.partial-${process.pid}`;
    cpSync(config.pgliteTemplate, partial, { recursive: true });
    renameSync(partial, dataDir);
  }
  return { kind: 'pglite', dataDir };
}

export async function startNode(config: NodeConfig, options: StartOptions = {}): Promise<RunningNode> {
  const startedAt = new Date();
  const unlock = lockDataDir(config.dataDir);
  const identity = loadOrCreateIdentity(config.dataDir);
  const log = createLogger(
    { nodeId: identity.nodeId, role: config.role, node: config.name },
    config.logLevel,
    options.logDestination,
  );
  const spec = options.database ?? databaseSpecOf(config);
  let database: Database | undefined;
  let app: FastifyInstance | undefined;
  let telemetry: Telemetry | undefined;
  try {
    telemetry = await startTelemetry(config.otelEndpoint, `codepop-${config.role}`, log);
    database = await openDatabase(spec);
    await database.migrate();
    log.info({ database: spec.kind }, 'database ready, migrations applied');

    const ctx: NodeContext = {
      config,
      identity,
      database,
      log,
      clock: options.clock ?? systemClock,
      metrics: createMetricsRegistry({ node: config.name, role: config.role }),
      jobs: new JobRunner(log),
      publicUrl: config.publicUrl ?? '',
      mesh: noMesh,
      replication: notYet,
      bearer: { resolve: async () => undefined },
    };
    const mesh = await createMesh(ctx);
    ctx.mesh = meshView(mesh);
    ctx.replication = mesh.replicator;
    holdWritesAfterRestore(config.dataDir, mesh, log);
    // The app's CSP lists the stores it may call; the directory that knows them is registered below.
    let apiBaseUrls = async (): Promise<string[]> => [];
    const webRoot = options.serveWeb === false ? undefined : (options.webRoot ?? builtWebRoot());
    app = await buildApp({
      ...(webRoot ? { web: { root: webRoot, connectSources: () => apiBaseUrls() } } : {}),
      log,
      metrics: ctx.metrics,
      title: `CodePop node ${config.name}`,
      ...(config.operatorToken ? { operatorToken: config.operatorToken } : {}),
      auth: {
        verifyPeer: mesh.mesh.verifyPeer,
        resolveBearer: (token) => ctx.bearer.resolve(token),
        place: {
          ...(config.role === 'store' ? { storeId: identity.nodeId } : {}),
          region: config.region,
          regionOfStore: (storeId) => ctx.mesh.peer(storeId)?.region,
        },
      },
    });
    registerNodeRoutes(app, ctx, startedAt);
    registerMesh(app, mesh);
    const modules = registerModules(app, ctx);
    apiBaseUrls = () => modules.apiBaseUrls();
    await app.ready();

    let url = '';
    if (options.listen !== false) {
      await app.listen({ port: config.port, host: config.host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      url = `http://${config.host}:${port}`;
      ctx.publicUrl = publicUrlOf(config, port);
    }
    await startMesh(mesh);
    ctx.jobs.start();
    log.info({ url: ctx.publicUrl || undefined }, 'node started');

    const running = {
      ctx,
      app,
      url,
      stop: () =>
        stopNode(ctx, running.app, () => mesh.replicator.stop())
          .then(() => telemetry?.shutdown())
          .finally(unlock),
    };
    return running;
  } catch (err) {
    // Nothing is half-started: whatever was opened is closed again.
    await app?.close().catch(() => undefined);
    await database?.close().catch(() => undefined);
    await telemetry?.shutdown().catch(() => undefined);
    unlock();
    throw err;
  }
}

async function stopNode(ctx: NodeContext, app: FastifyInstance, stopReplication: () => void): Promise<void> {
  ctx.log.info('stopping: draining requests');
  await app.close();
  stopReplication();
  await ctx.jobs.stop();
  await ctx.database.close();
  ctx.log.info('stopped cleanly');
}

/** A node restored from a backup takes no replicated write until it has caught up with its hub (docs/backup.md). */
function holdWritesAfterRestore(dataDir: string, mesh: MeshParts, log: Logger): void {
  const marker = path.join(dataDir, RESTORED_MARKER);
  if (!existsSync(marker)) return;
  if (mesh.mesh.mode === 'standalone') {
    rmSync(marker, { force: true }); // alone, nobody holds later events of it
    return;
  }
  log.warn('restored from a backup: replicated writes wait until this node has caught up with its hub');
  mesh.replicator.holdWritesUntilCaughtUp(() => {
    rmSync(marker, { force: true });
    log.info('caught up with the hub after the restore: replicated writes are open again');
  });
}
