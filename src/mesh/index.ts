// The mesh as the node runtime sees it: build it before the app (the access
// layer needs its peer verifier), add its routes, start its jobs after the
// node listens.
import type { FastifyInstance } from 'fastify';
import type { MeshView, NodeContext } from '../node/context.js';
import { bootstrapJob } from './bootstrap.js';
import { heartbeatJobs } from './heartbeats.js';
import { Mesh } from './mesh.js';
import { registerNetworkRoute } from './network-view.js';
import { registerMeshRoutes } from './routes.js';

export { Mesh } from './mesh.js';

export async function createMesh(ctx: NodeContext): Promise<Mesh> {
  const mesh = new Mesh(ctx);
  await mesh.load();
  return mesh;
}

export function registerMesh(app: FastifyInstance, mesh: Mesh): void {
  registerMeshRoutes(app, mesh);
  registerNetworkRoute(app, mesh);
}

export function startMesh(mesh: Mesh): void {
  const { log, config } = mesh.ctx;
  if (mesh.mode === 'standalone') {
    log.warn('no admission material (certificate or join token): running alone, joining nobody');
    return;
  }
  log.info({ mode: mesh.mode, hubs: config.hubs.length, heartbeatMs: config.heartbeatMs }, 'joining the mesh');
  mesh.ctx.jobs.add(bootstrapJob(mesh));
  for (const job of heartbeatJobs(mesh)) mesh.ctx.jobs.add(job);
}

export function meshView(mesh: Mesh): MeshView {
  return {
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
    }),
  };
}
