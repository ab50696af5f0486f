// Supply requests: a store asks its region's hub for stock. The hub owns
// each request once it has it; the store keeps a mirror that follows the
// hub's events. Rows carry the hlc of the event that last set them.
import { boolean, date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

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
    /** The delivery that carries it, once planned. */
    deliveryId: text('delivery_id'),
    /** A request another hub took over for what this one's hub was short of: the request it covers. */
    parentRequestId: text('parent_request_id'),
    /** On the covered request: the request at the other hub that covers its back-order. */
    coveredBy: text('covered_by'),
    /** The store's count, line by line: [{ itemId, shipped, received, damaged, short }]. */
    receipt: jsonb('receipt'),
    receivedBy: text('received_by'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }),
    /** At the store: how far its ledger has followed this request (delivery-model.ts). */
    ledgerStage: text('ledger_stage').notNull().default('none'),
    /** The hlc of the event that last set this row: a later event wins. */
    hlc: text('hlc').notNull(),
  },
  (t) => [index('supply_requests_hub_status_idx').on(t.hubId, t.status), index('supply_requests_store_status_idx').on(t.storeId, t.status)],
);

/**
 * A delivery from a hub: driver, vehicle, day and the stops in the order the
 * route optimiser chose. Owned by the hub; each store that is a stop keeps a
 * copy (the tracker).
 */
export const supplyDeliveries = pgTable(
  'supply_deliveries',
  {
    deliveryId: text('delivery_id').primaryKey(),
    hubId: text('hub_id').notNull(),
    region: text('region').notNull(),
    status: text('status').notNull(),
    driver: text('driver'),
    vehicle: text('vehicle'),
    scheduledDate: text('scheduled_date').notNull(),
    /** [{ storeId, name, lat, lon, requestIds }] in route order. */
    stops: jsonb('stops').notNull(),
    /** The hub's position, where the route starts and ends. */
    startLat: doublePrecision('start_lat').notNull(),
    startLon: doublePrecision('start_lon').notNull(),
    /** { miles, minutes, givenOrderMiles, nearestNeighbourMiles, method }. */
    route: jsonb('route').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true, mode: 'date' }),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
    failureReason: text('failure_reason'),
    hlc: text('hlc').notNull(),
  },
  (t) => [index('supply_deliveries_hub_status_idx').on(t.hubId, t.status, t.scheduledDate)],
);

/**
 * Daily usage history at a hub, per store and item: imported (CSV or JSON)
 * or fed by the stores' own sales. One row per (store, day, item); an item
 * is its name (case ignored) and type.
 */
export const supplyUsage = pgTable(
  'supply_usage',
  {
    hubId: text('hub_id').notNull(),
    storeId: text('store_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    /** lower(name) + '|' + type: the key an import upserts by. */
    itemKey: text('item_key').notNull(),
    itemName: text('item_name').notNull(),
    itemType: text('item_type').notNull(),
    quantity: doublePrecision('quantity').notNull(),
    /** 'import' or 'sales'. */
    source: text('source').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.day, t.itemKey] }), index('supply_usage_hub_item_day_idx').on(t.hubId, t.itemKey, t.day)],
);

/** A hub's order to a supplier; kept at the hub only. Lines: [{ itemId, quantity, received }]. */
export const purchaseOrders = pgTable(
  'purchase_orders',
  {
    poId: text('po_id').primaryKey(),
    hubId: text('hub_id').notNull(),
    supplier: text('supplier').notNull(),
    lines: jsonb('lines').notNull(),
    expectedDate: date('expected_date', { mode: 'string' }).notNull(),
    status: text('status').notNull(),
    notes: text('notes'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    approvedBy: text('approved_by'),
    approvedAt: timestamp('approved_at', { withTimezone: true, mode: 'date' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('purchase_orders_hub_status_idx').on(t.hubId, t.status)],
);

/** A store's replenishment rule for one item: below the reorder point (projected), ask the hub for enough to reach order-up-to, in case multiples. Kept at the store. */
export const replenishmentRules = pgTable(
  'replenishment_rules',
  {
    storeId: text('store_id').notNull(),
    itemId: text('item_id').notNull(),
    reorderPoint: integer('reorder_point').notNull(),
    orderUpTo: integer('order_up_to').notNull(),
    caseMultiple: integer('case_multiple').notNull().default(1),
    enabled: boolean('enabled').notNull().default(true),
    updatedBy: text('updated_by').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** The request this rule last raised, and when. */
    lastRequestId: text('last_request_id'),
    lastTriggeredAt: timestamp('last_triggered_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.itemId] })],
);

/** What each store of the region last reported of its stock: per item available, daily use and days it lasts. Kept at the hub. */
export const supplyStoreStock = pgTable('supply_store_stock', {
  storeId: text('store_id').primaryKey(),
  hubId: text('hub_id').notNull(),
  /** [{ itemId, name, available, threshold, dailyUse, daysOfStock }] */
  items: jsonb('items').notNull(),
  reportedAt: timestamp('reported_at', { withTimezone: true, mode: 'date' }).notNull(),
  hlc: text('hlc').notNull(),
});

/** Stock sent from one hub to another: out of the sender's ledger when sent, into the receiver's when it counts it in. Kept by both hubs. */
export const hubTransfers = pgTable(
  'hub_transfers',
  {
    transferId: text('transfer_id').primaryKey(),
    fromHub: text('from_hub').notNull(),
    toHub: text('to_hub').notNull(),
    fromRegion: text('from_region').notNull(),
    toRegion: text('to_region').notNull(),
    /** [{ itemId, quantity, received? }] */
    lines: jsonb('lines').notNull(),
    miles: doublePrecision('miles').notNull(),
    status: text('status').notNull(),
    notes: text('notes'),
    sentBy: text('sent_by').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }).notNull(),
    receivedBy: text('received_by'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }),
    hlc: text('hlc').notNull(),
  },
  (t) => [index('hub_transfers_from_idx').on(t.fromHub, t.status), index('hub_transfers_to_idx').on(t.toHub, t.status)],
);

/** Stock one store asks of a nearby store (within 100 miles): kept by both; the sending store approves and ships, the asking store counts it in. */
export const storeTransfers = pgTable(
  'store_transfers',
  {
    transferId: text('transfer_id').primaryKey(),
    fromStore: text('from_store').notNull(),
    toStore: text('to_store').notNull(),
    fromRegion: text('from_region').notNull(),
    toRegion: text('to_region').notNull(),
    /** [{ itemId, quantity, received? }] */
    lines: jsonb('lines').notNull(),
    miles: doublePrecision('miles').notNull(),
    status: text('status').notNull(),
    notes: text('notes'),
    reviewNotes: text('review_notes'),
    requestedBy: text('requested_by').notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true, mode: 'date' }).notNull(),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    receivedBy: text('received_by'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }),
    hlc: text('hlc').notNull(),
  },
  (t) => [index('store_transfers_from_idx').on(t.fromStore, t.status), index('store_transfers_to_idx').on(t.toStore, t.status)],
);
