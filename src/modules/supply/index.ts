// Supply module: supply requests between a store and its region's hub, and
// the hub's own stock. Later parts of the supply issue (deliveries, transfers,
// replenishment, purchase orders, usage and forecasts) build on this.
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../core/context.js';
import type { InventoryService } from '../inventory/index.js';
import { DeliveryService } from './deliveries.js';
import { registerDeliveryRoutes } from './delivery-routes.js';
import { registerHubStockRoutes } from './hub-stock-routes.js';
import { ReceiptService } from './receipt.js';
import { registerSupplyRoutes } from './routes.js';
import { SupplyService } from './service.js';

export { SupplyService, type SupplyView } from './service.js';
export { DeliveryService, type DeliveryView } from './deliveries.js';
export { SUPPLY_TRANSITIONS, urgencies, supplyStatuses, type SupplyStatus, type Urgency } from './model.js';

export function registerSupply(
  app: FastifyInstance,
  ctx: NodeContext,
  deps: {
    inventory: InventoryService;
    itemInfo: (ids: string[]) => Promise<Map<string, { name: string }>>;
    regionOfStore: (storeId: string) => Promise<string | undefined>;
    storeInfo: (storeId: string) => Promise<{ name: string; lat: number; lon: number } | undefined>;
  },
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
  const common = { db: ctx.database.db, replication: ctx.replication, inventory: deps.inventory, nodeId: ctx.identity.nodeId, role: ctx.config.role, now: () => ctx.clock.now() };
  const deliveries = new DeliveryService({ ...common, supply: service, region: ctx.config.region, position: { lat: ctx.config.lat, lon: ctx.config.lon }, storeInfo: deps.storeInfo });
  const receipts = new ReceiptService({ ...common, keeps: service.keeps });
  registerSupplyRoutes(app, ctx, service);
  registerHubStockRoutes(app, ctx, deps.inventory);
  registerDeliveryRoutes(app, ctx, deliveries, receipts, service);
  if (ctx.config.role === 'hub') {
    ctx.jobs.add({ name: 'supply-cancels', intervalMs: 30_000, run: async () => void (await service.settleCancels()) });
    ctx.jobs.add({ name: 'supply-deliveries', intervalMs: 30_000, run: async () => void (await deliveries.settleCompletions()) });
  }
  return service;
}
