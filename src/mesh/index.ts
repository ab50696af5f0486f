// The mesh as the node runtime sees it: build it before the app (the access
// layer needs its peer verifier), add its routes, start its jobs after the
// node listens.
import type { FastifyInstance } from 'fastify';
import type { MeshView, NodeContext } from '../core/context.js';
import { bootstrapJob } from './membership/bootstrap.js';
import { createWatcher, heartbeatJobs, type HeartbeatReply } from './membership/heartbeats.js';
import { Mesh } from './mesh.js';
import { registerNetworkRoute } from './membership/network-view.js';
import { registerMeshRoutes } from './routes.js';
import { registerReplicationMetrics } from './replication/metrics.js';
import { registerReplicationRoutes } from './replication/routes.js';
import { createReplicator, type NodeReplicator } from './replication/wiring.js';
import type { Watcher } from './membership/watcher.js';
import { meshApi } from './membership/view.js';

export { Mesh } from './mesh.js';

export interface MeshParts {
  mesh: Mesh;
  /** Failure detection: driven by the heartbeat jobs, fed by the heartbeat, probe and report routes. */
  watcher: Watcher<HeartbeatReply>;
  replicator: NodeReplicator;
}

export async function createMesh(ctx: NodeContext): Promise<MeshParts> {
  const mesh = new Mesh(ctx);
  await mesh.load();
  const replicator = createReplicator(mesh);
  registerReplicationMetrics(ctx.metrics, replicator);
  return { mesh, watcher: createWatcher(mesh), replicator };
}

export function registerMesh(app: FastifyInstance, { mesh, watcher, replicator }: MeshParts): void {
  registerMeshRoutes(app, mesh, watcher);
  registerNetworkRoute(app, mesh);
  registerReplicationRoutes(app, mesh, replicator);
}

export async function startMesh({ mesh, watcher, replicator }: MeshParts): Promise<void> {
  await replicator.start();
  const { log, config } = mesh.ctx;
  if (mesh.mode === 'standalone') {
    log.warn('no admission material (certificate or join token): running alone, joining nobody');
    return;
  }
  log.info({ mode: mesh.mode, hubs: config.hubs.length, heartbeatMs: config.heartbeatMs }, 'joining the mesh');
  mesh.membership.startWatching();
  mesh.ctx.jobs.add(bootstrapJob(mesh));
  for (const job of heartbeatJobs(mesh, watcher)) mesh.ctx.jobs.add(job);
}

export function meshView({ mesh, replicator }: MeshParts): MeshView {
  return {
    ...meshApi(mesh, replicator),
    peerCounts: () => mesh.membership.counts(),
    status: async () => ({
      mesh: {
        mode: mesh.mode,
        registered: mesh.registered,
        hubId: mesh.hubId ?? null,
        certificate: mesh.chain?.[0] ? { serial: mesh.chain[0].serial, issuerId: mesh.chain[0].issuerId, expiresAt: new Date(mesh.chain[0].expiresAt).toISOString() } : null,
        registryVersion: mesh.membership.version,
        revocations: mesh.revocations.size,
        peers: mesh.membership.view(),
      },
      replication: {
        ...replicator.counters,
        vector: replicator.myVector(),
        peers: await replicator.status(),
      },
    }),
  };
}
