// Supply module: supply requests between a store and its region's hub, the
// hub's own stock, deliveries and the stores' counts, usage history and
// forecasts. Later parts of the supply issue (transfers, replenishment,
// purchase orders) build on this.
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../core/context.js';
import type { CatalogService } from '../catalog/index.js';
import type { InventoryService } from '../inventory/index.js';
import type { StoreService } from '../stores/index.js';
import { CoverService } from './cover.js';
import { DeliveryService } from './deliveries.js';
import { registerDeliveryRoutes } from './delivery-routes.js';
import { registerHubCountRoutes } from './hub-count-routes.js';
import { registerHubStockRoutes } from './hub-stock-routes.js';
import { registerPurchaseOrderRoutes } from './purchase-order-routes.js';
import { PurchaseOrderService } from './purchase-orders.js';
import { ReceiptService } from './receipt.js';
import { RegionOverview } from './region-overview.js';
import { registerRegionRoutes } from './region-routes.js';
import { registerReplenishmentRoutes } from './replenishment-routes.js';
import { ReplenishmentService } from './replenishment.js';
import { registerSupplyRoutes } from './routes.js';
import { SupplyService } from './service.js';
import { registerStoreTransferRoutes } from './store-transfer-routes.js';
import { StoreTransferService } from './store-transfers.js';
import { registerTransferRoutes } from './transfer-routes.js';
import { TransferService } from './transfers.js';
import { itemKeyOf } from './usage-rows.js';
import { registerUsageRoutes } from './usage-routes.js';
import { UsageService } from './usage.js';

export { SupplyService, type SupplyView } from './service.js';
export { DeliveryService, type DeliveryView } from './deliveries.js';
export { SUPPLY_TRANSITIONS, urgencies, supplyStatuses, type SupplyStatus, type Urgency } from './model.js';

/** How often at least a store sends its stock (to the region overview) and sales (to its hub's usage history) when they changed; a sale is sent within 15 s. */
const SALES_INTERVAL_MS = 2 * 60_000;
/** How often a store checks its replenishment rules against its stock. */
const REPLENISH_INTERVAL_MS = 60_000;

export function registerSupply(app: FastifyInstance, ctx: NodeContext, deps: { inventory: InventoryService; catalog: CatalogService; stores: StoreService }): SupplyService {
  const { inventory, catalog, stores } = deps;
  const nodeId = ctx.identity.nodeId;
  const common = { db: ctx.database.db, replication: ctx.replication, inventory, nodeId, role: ctx.config.role, now: () => ctx.clock.now() };
  const service = new SupplyService({
    ...common,
    mesh: ctx.mesh,
    region: ctx.config.region,
    itemInfo: (ids) => catalog.ingredientInfo(ids),
    regionOfStore: async (storeId) => (await stores.get(storeId).catch(() => undefined))?.region,
  });
  const storeInfo = async (storeId: string) => {
    const s = await stores.get(storeId).catch(() => undefined);
    return s && s.lat !== null && s.lon !== null ? { name: s.name, lat: s.lat, lon: s.lon, region: s.region } : undefined;
  };
  const deliveries = new DeliveryService({ ...common, supply: service, region: ctx.config.region, position: { lat: ctx.config.lat, lon: ctx.config.lon }, storeInfo });
  const cover = new CoverService({ supply: service, replication: ctx.replication, mesh: ctx.mesh, nodeId, now: () => ctx.clock.now(), storeInfo });
  const receipts = new ReceiptService({ ...common, keeps: service.keeps });
  const storeTimeZone = async () => (await stores.get(nodeId).catch(() => undefined))?.timeZone ?? 'UTC';
  const replenishment = new ReplenishmentService({ db: ctx.database.db, inventory, supply: service, storeId: nodeId, now: () => ctx.clock.now(), itemNames: (ids) => catalog.ingredientInfo(ids), timeZone: storeTimeZone });
  const usage = new UsageService({
    ...common,
    stockReport: () => replenishment.stockReport(),
    lastSaleSeq: () => inventory.lastSaleSeq(nodeId),
    region: ctx.config.region,
    hubOfRegion: () => ctx.mesh.hubs().find((h) => h.region === ctx.config.region)?.nodeId,
    salesByDay: async (fromDay) => {
      const sales = await inventory.salesByDay(nodeId, fromDay, await storeTimeZone());
      const info = await catalog.ingredientInfo([...new Set(sales.map((s) => s.itemId))]);
      return sales.flatMap((s) => {
        const i = info.get(s.itemId);
        return i ? [{ day: s.day, itemName: i.name, itemType: i.type, quantity: s.quantity }] : [];
      });
    },
  });
  const regionStores = async () => {
    const out: { storeId: string; name: string }[] = [];
    let after: string | undefined;
    do {
      const page = await stores.list({ region: ctx.config.region, limit: 500, after });
      for (const s of page.items) out.push({ storeId: s.storeId, name: s.name });
      after = page.nextCursor ?? undefined;
    } while (after);
    return out;
  };
  registerSupplyRoutes(app, ctx, service, cover);
  registerHubStockRoutes(app, ctx, inventory);
  registerHubCountRoutes(app, ctx, inventory);
  registerDeliveryRoutes(app, ctx, deliveries, receipts, service);
  registerUsageRoutes(app, ctx, {
    usage,
    regionStores: async () => new Set((await regionStores()).map((s) => s.storeId)),
    hubStockOf: async (itemName, itemType) => {
      const item = (await catalog.ingredients({ includeRetired: true })).find((i) => itemKeyOf(i.name, i.type) === itemKeyOf(itemName, itemType));
      return item ? ((await inventory.available(nodeId, [item.itemId]))[item.itemId] ?? 0) : null;
    },
  });
  const pos = new PurchaseOrderService({
    db: ctx.database.db,
    inventory,
    hubId: nodeId,
    now: () => ctx.clock.now(),
    knownItems: async (ids) => new Set((await catalog.ingredientInfo(ids)).keys()),
  });
  registerPurchaseOrderRoutes(app, ctx, pos);
  const transfers = new TransferService({
    db: ctx.database.db,
    replication: ctx.replication,
    inventory,
    mesh: ctx.mesh,
    nodeId,
    region: ctx.config.region,
    position: { lat: ctx.config.lat, lon: ctx.config.lon },
    now: () => ctx.clock.now(),
    knownItems: async (ids) => new Set((await catalog.ingredientInfo(ids)).keys()),
  });
  registerTransferRoutes(app, ctx, transfers);
  const knownItems = async (ids: string[]) => new Set((await catalog.ingredientInfo(ids)).keys());
  registerStoreTransferRoutes(app, ctx, new StoreTransferService({ db: ctx.database.db, replication: ctx.replication, inventory, nodeId, now: () => ctx.clock.now(), storeInfo, knownItems }));
  registerRegionRoutes(app, ctx, new RegionOverview({ db: ctx.database.db, usage, inventory, hubId: nodeId, region: ctx.config.region, now: () => ctx.clock.now(), regionStores }));
  registerReplenishmentRoutes(app, ctx, replenishment);
  if (ctx.config.role === 'hub') {
    ctx.jobs.add({ name: 'supply-cancels', intervalMs: 30_000, run: async () => void (await service.settleCancels()) });
    ctx.jobs.add({ name: 'supply-deliveries', intervalMs: 30_000, run: async () => void (await deliveries.settleCompletions()) });
  } else {
    ctx.jobs.add({ name: 'supply-sales', intervalMs: 15_000, run: async () => void (await usage.sendSales(SALES_INTERVAL_MS)) });
    ctx.jobs.add({ name: 'supply-replenishment', intervalMs: REPLENISH_INTERVAL_MS, run: async () => void (await replenishment.run()) });
  }
  return service;
}
