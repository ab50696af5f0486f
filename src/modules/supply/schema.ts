// Supply requests: a store asks its region's hub for stock. The hub owns
// each request once it has it; the store keeps a mirror that follows the
// hub's events. Rows carry the hlc of the event that last set them.
import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const supplyRequests = pgTable(
  'supply_requests',
  {
    /** Made by the store when it asks, so a resend names the same request. */
    requestId: text('request_id').primaryKey(),
    storeId: text('store_id').notNull(),
    hubId: text('hub_id').notNull(),
    region: text('region').notNull(),
    /** [{ itemId, quantity, approvedQuantity? }] */
    items: jsonb('items').notNull(),
    urgency: text('urgency').notNull(),
    notes: text('notes'),
    status: text('status').notNull(),
    requestedBy: text('requested_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    reviewNotes: text('review_notes'),
    /** The store asked to cancel (by event, so it works while the hub is away); the hub settles it. */
    cancelAskedBy: text('cancel_asked_by'),
    cancelAskedAt: timestamp('cancel_asked_at', { withTimezone: true, mode: 'date' }),
    /** The hlc of the event that last set this row: a later event wins. */
    hlc: text('hlc').notNull(),
  },
  (t) => [index('supply_requests_hub_status_idx').on(t.hubId, t.status), index('supply_requests_store_status_idx').on(t.storeId, t.status)],
);
