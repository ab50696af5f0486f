// Inventory module: a store's ledger and positions, thresholds and the
// low-stock signal to its region. Orders and supply use InventoryService.
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../core/context.js';
import { registerInventoryRoutes } from './routes.js';
import { InventoryService, type ItemInfoLookup } from './service.js';

export { InventoryService, InsufficientStock, type InventoryDeps, type ItemInfoLookup, type MissingItem, type RecordInput, type ReservationLine, type TransactionQuery } from './service.js';
export type { InventoryItem, LedgerEntry, PositionView, WriteMeta } from './book.js';
export type { CountResult } from './counts.js';
export { parseCounts } from './csv.js';
export type { VerifyReport, PositionDifference } from './verify.js';
export { INVENTORY_LOW_STOCK, INVENTORY_STOCK_RESTORED, type Emit, type StockSignalPayload } from './events.js';
export { manualTypes, movementTypes, supplyTypes, type ManualType, type MovementType, type Position, type SupplyType } from './ledger.js';

/** How often a store sends the low-stock signals that writes without an `emit` left for after commit. */
/** A backstop only: a crossing is signalled right after the write that made it; this finds one a crash left unsent. */
const SIGNAL_INTERVAL_MS = 60_000;

export function registerInventory(app: FastifyInstance, ctx: NodeContext, options: { itemInfo?: ItemInfoLookup } = {}): InventoryService {
  const service = new InventoryService({
    db: ctx.database.db,
    replication: ctx.replication,
    region: ctx.config.region,
    now: () => ctx.clock.now(),
    itemInfo: options.itemInfo,
  });
  registerInventoryRoutes(app, ctx, service);
  if (ctx.config.role === 'store') {
    ctx.jobs.add({ name: 'inventory-signals', intervalMs: SIGNAL_INTERVAL_MS, run: async () => void (await service.flushSignals()) });
  }
  return service;
}
