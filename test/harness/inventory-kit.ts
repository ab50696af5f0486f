// Shared by the inventory tests only (never imported by the module): a
// service over a test node's database, and reads of what the node wrote.
import { and, eq, sql } from 'drizzle-orm';
import type { NodeContext } from '../../src/core/context.js';
import { replEvents } from '../../src/mesh/replication/schema.js';
import type { StockSignalPayload } from '../../src/modules/inventory/events.js';
import { inventoryTransactions } from '../../src/modules/inventory/schema.js';
import { InventoryService } from '../../src/modules/inventory/service.js';

export function serviceOf(ctx: NodeContext): InventoryService {
  return new InventoryService({ db: ctx.database.db, replication: ctx.replication, region: ctx.config.region, now: () => ctx.clock.now() });
}

export async function ledgerCount(ctx: NodeContext, storeId: string): Promise<number> {
  const [row] = await ctx.database.db.select({ n: sql<number>`count(*)::int` }).from(inventoryTransactions).where(eq(inventoryTransactions.storeId, storeId));
  return row?.n ?? 0;
}

/** The stock signals this node emitted for an item, oldest first. */
export async function signalsOf(ctx: NodeContext, itemId: string): Promise<{ type: string; topic: string; payload: StockSignalPayload }[]> {
  const rows = await ctx.database.db
    .select({ type: replEvents.type, topic: replEvents.topic, payload: replEvents.payload })
    .from(replEvents)
    .where(and(eq(replEvents.origin, ctx.identity.nodeId), sql`${replEvents.type} like 'inventory.%'`, sql`${replEvents.payload}->>'itemId' = ${itemId}`))
    .orderBy(replEvents.seq);
  return rows.map((r) => ({ type: r.type, topic: r.topic, payload: r.payload as StockSignalPayload }));
}
