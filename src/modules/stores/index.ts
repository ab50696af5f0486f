// Stores module: regions, the replicated store directory, nearest-store
// discovery and hours. Other modules use the returned StoreService: orders
// feed the wait estimate (setWaitSource) and check hours for scheduled
// pickups (isWithinHours), inventory provides stock status, machines flip
// isAcceptingOrders through updateProfile.
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../core/context.js';
import { StoreDirectory } from './directory.js';
import { STORE_SET, storeSetApplier } from './events.js';
import { registerStoreRoutes } from './routes.js';
import { StoreService } from './service.js';

export { type NearbyStore } from './nearby.js';
export { StoreService, type StoreDetails, type WaitSource, type StockStatusProvider, type ProfileChanges } from './service.js';
export { type StoreRecord, type StoreAddress, waitMinutesFor } from './model.js';
export { regions, type Region } from './regions.js';
export { isOpenAt, isWithinHours, nextOpening, closingAfter, type WeeklyHours, type DayOfWeek } from '../../lib/hours.js';

/** How often a store re-checks its own record and publishes a changed wait: the wait's rate limit. */
export const DIRECTORY_JOB_MS = 60_000;

export function registerStores(app: FastifyInstance, ctx: NodeContext): StoreService {
  const directory = new StoreDirectory(ctx.database.db, () => ctx.clock.now());
  const isHub = (nodeId: string): boolean =>
    (nodeId === ctx.identity.nodeId && ctx.config.role === 'hub') || ctx.mesh.peer(nodeId)?.role === 'hub' || ctx.mesh.hubs().some((h) => h.nodeId === nodeId);
  const apply = storeSetApplier({
    mayPublish: (origin, storeId) => origin === storeId || isHub(origin),
    changed: (storeId, hlc) => directory.noteChange(storeId, hlc),
  });
  ctx.replication.on(STORE_SET, apply);
  const service = new StoreService({
    db: ctx.database.db,
    replication: ctx.replication,
    apply,
    directory,
    mesh: ctx.mesh,
    now: () => ctx.clock.now(),
    nodeId: ctx.identity.nodeId,
    role: ctx.config.role,
    config: ctx.config,
    publicUrl: () => ctx.publicUrl,
    warn: (detail, message) => ctx.log.warn(detail, message),
  });
  registerStoreRoutes(app, ctx, service);
  if (ctx.config.role === 'store') {
    ctx.jobs.add({
      name: 'store-directory',
      intervalMs: DIRECTORY_JOB_MS,
      run: async () => {
        await service.publishOwnRecord();
        await service.publishWait();
      },
    });
  }
  return service;
}
