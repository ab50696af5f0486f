// A store's inventory (store-local, never replicated): the ledger of every
// movement, append-only, and one position row per item that the same
// transaction keeps equal to the ledger's sum, so reads cost one row.
import { sql } from 'drizzle-orm';
import { bigserial, boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const inventoryTransactions = pgTable(
  'inventory_transactions',
  {
    txId: text('tx_id').primaryKey(),
    /** Local write order, for paging and for "the newest first". */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    storeId: text('store_id').notNull(),
    itemId: text('item_id').notNull(),
    /** A MovementType (ledger.ts). */
    type: text('type').notNull(),
    /** Units; positive, except an adjustment's signed change of on hand. */
    quantity: integer('quantity').notNull(),
    actor: text('actor').notNull(),
    reason: text('reason'),
    /** What it belongs to: an order id, a delivery id, a count. */
    reference: text('reference'),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    /** The item's position right after this movement. */
    onHandAfter: integer('on_hand_after').notNull(),
    reservedAfter: integer('reserved_after').notNull(),
    inTransitAfter: integer('in_transit_after').notNull(),
    onOrderAfter: integer('on_order_after').notNull(),
    damagedAfter: integer('damaged_after').notNull(),
    /** A client's Idempotency-Key, so a retried write is recorded once. */
    idempotencyKey: text('idempotency_key'),
  },
  (t) => [
    index('inventory_transactions_store_seq_idx').on(t.storeId, t.seq),
    index('inventory_transactions_item_seq_idx').on(t.storeId, t.itemId, t.seq),
    index('inventory_transactions_reference_idx').on(t.storeId, t.reference).where(sql`${t.reference} is not null`),
    uniqueIndex('inventory_transactions_idempotency_idx').on(t.storeId, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
  ],
);

export const inventoryPositions = pgTable(
  'inventory_positions',
  {
    storeId: text('store_id').notNull(),
    itemId: text('item_id').notNull(),
    onHand: integer('on_hand').notNull().default(0),
    reserved: integer('reserved').notNull().default(0),
    inTransit: integer('in_transit').notNull().default(0),
    onOrder: integer('on_order').notNull().default(0),
    damaged: integer('damaged').notNull().default(0),
    /** Below this many available units the item is low; 0 means never. */
    threshold: integer('threshold').notNull().default(0),
    /** What the region was last told: low (inventory.low-stock) or not (inventory.stock-restored). */
    lowStockSignalled: boolean('low_stock_signalled').notNull().default(false),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.itemId] }),
    // The service never writes a row breaking these; the database refuses one anyway.
    check(
      'inventory_positions_never_negative',
      sql`${t.onHand} >= 0 and ${t.reserved} >= 0 and ${t.reserved} <= ${t.onHand} and ${t.inTransit} >= 0 and ${t.onOrder} >= 0 and ${t.damaged} >= 0 and ${t.threshold} >= 0`,
    ),
  ],
);
