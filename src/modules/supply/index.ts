// Supply module: supply requests between a store and its region's hub, and
// the hub's own stock. Later parts of the supply issue (deliveries, transfers,
// replenishment, purchase orders, usage and forecasts) build on this.
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../core/context.js';
import type { InventoryService } from '../inventory/index.js';
import { registerHubStockRoutes } from './hub-stock-routes.js';
import { registerSupplyRoutes } from './routes.js';
import { SupplyService } from './service.js';

export { SupplyService, type SupplyView } from './service.js';
export { SUPPLY_TRANSITIONS, urgencies, supplyStatuses, type SupplyStatus, type Urgency } from './model.js';

export function registerSupply(
  app: FastifyInstance,
  ctx: NodeContext,
  deps: { inventory: InventoryService; itemInfo: (ids: string[]) => Promise<Map<string, { name: string }>>; regionOfStore: (storeId: string) => Promise<string | undefined> },
): SupplyService {
  const service = new SupplyService({
    db: ctx.database.db,
    replication: ctx.replication,
    inventory: deps.inventory,
    mesh: ctx.mesh,
    nodeId: ctx.identity.nodeId,
    role: ctx.config.role,
    region: ctx.config.region,
    now: () => ctx.clock.now(),
    itemInfo: deps.itemInfo,
    regionOfStore: deps.regionOfStore,
  });
  registerSupplyRoutes(app, ctx, service);
  registerHubStockRoutes(app, ctx, deps.inventory);
  if (ctx.config.role === 'hub') ctx.jobs.add({ name: 'supply-cancels', intervalMs: 30_000, run: async () => void (await service.settleCancels()) });
  return service;
}
