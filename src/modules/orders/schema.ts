// Orders (with their lines and status history), payments and revenue: all
// store-local (DESIGN §2). Nothing here replicates; a hub sees only the
// summaries a store answers when asked.
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const orders = pgTable(
  'orders',
  {
    orderId: text('order_id').primaryKey(),
    storeId: text('store_id').notNull(),
    /** A user id, or `guest:<orderId>` for a guest: the subject of the guest token the order hands out. */
    ownerId: text('owner_id').notNull(),
    ownerKind: text('owner_kind').notNull(),
    /** pending | paid | preparing | ready | picked_up | cancelled (status-flow.ts). */
    status: text('status').notNull(),
    totalCents: integer('total_cents').notNull(),
    lockerCombo: text('locker_combo').notNull(),
    /** A scheduled pickup, inside the store's hours; null means as soon as it is made. */
    pickupTime: at('pickup_time'),
    /** When the customer can expect it: the scheduled time, or the wait estimate when it was placed. */
    pickupEstimate: at('pickup_estimate').notNull(),
    /** Who the Idempotency-Key belongs to (a user id, or `anonymous`), the key, and a hash of the request it came with. */
    idempotencyScope: text('idempotency_scope').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** reserved, consumed (poured), released (cancelled before pouring), or none (a drink of no stocked ingredients). */
    stock: text('stock').notNull(),
    /**
     * The drinks as ordered, with the price and recipe of the moment:
     * [{ drinkId, name, quantity, unitPriceCents, ingredients: [{ itemId, quantity }] }].
     * Kept on the row (not a lines table) so placing an order is one insert
     * and reading one is one row: the hot path of a store.
     */
    lines: jsonb('lines').notNull(),
    /** Every status it went through: [{ status, at, actor, note }], appended by each step. */
    history: jsonb('history').notNull(),
    /** The latest payment attempt's state (unpaid until the first), mirrored from payments for reads. */
    paymentStatus: text('payment_status').notNull(),
    paymentReason: text('payment_reason'),
    cancelReason: text('cancel_reason'),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('orders_idempotency_idx').on(t.idempotencyScope, t.idempotencyKey),
    // Not (store, created, order id): an index with the order id in a later column
    // let a checkout plan made on a small table find orders by walking it whole
    // (drizzle/0011); the rare tie on created_at is sorted after the index.
    index('orders_store_created_idx').on(t.storeId, t.createdAt),
    index('orders_store_status_idx').on(t.storeId, t.status, t.createdAt),
    index('orders_owner_created_idx').on(t.ownerId, t.createdAt),
    index('orders_refund_failed_idx').on(t.storeId).where(sql`${t.paymentStatus} = 'refund_failed'`),
    check('orders_total_not_negative', sql`${t.totalCents} >= 0`),
  ],
);

export const payments = pgTable(
  'payments',
  {
    paymentId: text('payment_id').primaryKey(),
    orderId: text('order_id').notNull(),
    provider: text('provider').notNull(),
    providerRef: text('provider_ref'),
    amountCents: integer('amount_cents').notNull(),
    /**
     * processing (asking the provider) | pending (the provider confirms later)
     * | approved | declined | refunding | refunded | refund_failed
     */
    status: text('status').notNull(),
    /** Why the provider declined, or why a refund failed. */
    reason: text('reason'),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [
    index('payments_order_idx').on(t.orderId),
    uniqueIndex('payments_provider_ref_idx').on(t.provider, t.providerRef),
    // Attempts still waiting for the provider's word: the sweep of interrupted payments reads these, not every payment
    // ever made. (Settling locks its attempt by primary key: sql/payments_settle.sql.)
    index('payments_unsettled_idx')
      .on(t.paymentId)
      .where(sql`${t.status} in ('processing', 'pending')`),
    // At most one live attempt per order: two concurrent "pay" calls cannot both charge the card.
    uniqueIndex('payments_one_live_per_order_idx')
      .on(t.orderId)
      .where(sql`${t.status} in ('processing', 'pending', 'approved', 'refunding', 'refunded', 'refund_failed')`),
  ],
);

/** Revenue: one row per paid order (positive) and per refund (negative), in integer cents. */
export const revenue = pgTable(
  'revenue',
  {
    revenueId: text('revenue_id').primaryKey(),
    storeId: text('store_id').notNull(),
    orderId: text('order_id').notNull(),
    /** sale | refund */
    kind: text('kind').notNull(),
    amountCents: integer('amount_cents').notNull(),
    recordedAt: at('recorded_at').notNull(),
  },
  (t) => [
    // A sale or refund is recorded once per order, however often a webhook repeats.
    uniqueIndex('revenue_order_kind_idx').on(t.orderId, t.kind),
    index('revenue_store_recorded_idx').on(t.storeId, t.recordedAt),
  ],
);
