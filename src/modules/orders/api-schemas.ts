// The request and response shapes of the orders API, in zod: they validate
// requests, type the handlers and describe the endpoints in /openapi.json.
import { multilineText } from '../../lib/text.js';
import { z } from 'zod';
import { orderStatuses, staffStatuses } from './status-flow.js';

export const orderIdParams = z.strictObject({ orderId: z.uuid('an order id (UUID)') });
export const storeIdParams = z.strictObject({ storeId: z.string().trim().min(1).max(64) });

const drinkId = z.string().trim().min(1, 'a drink id').max(64, 'at most 64 characters');

export const placeOrderBody = z.strictObject({
  items: z
    .array(z.strictObject({ drinkId, quantity: z.number().int('a whole number').min(1, 'at least 1').max(20, 'at most 20 of one drink per order') }))
    .min(1, 'an order needs at least one drink')
    .max(20, 'at most 20 lines per order'),
  pickupTime: z.iso.datetime({ offset: true, error: 'an ISO-8601 time with a zone, such as 2025-06-01T15:30:00Z' }).optional(),
  paymentMethod: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('pay at once, in the same request (as POST /orders/{orderId}/pay would): the reply is the order after the provider’s first answer'),
});

export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string({ error: 'required: a fresh random key (a UUID) per order; send the same key again to retry safely' })
    .min(8, 'at least 8 characters; use a UUID')
    .max(200, 'at most 200 characters')
    .regex(/^[\x21-\x7e]+$/, 'visible ASCII characters only'),
});

const lineView = z.object({ drinkId: z.string(), name: z.string(), quantity: z.number(), unitPriceCents: z.number(), lineTotalCents: z.number() });

export const orderView = z.object({
  orderId: z.string(),
  storeId: z.string(),
  status: z.enum(orderStatuses),
  totalCents: z.number().int(),
  lockerCombo: z.string().describe('shown only to the order’s owner and the store’s staff'),
  pickupTime: z.string().nullable(),
  pickupEstimate: z.string(),
  guest: z.boolean(),
  items: z.array(lineView),
  payment: z.object({ status: z.string(), reason: z.string().nullable() }),
  nextStatuses: z.array(z.enum(orderStatuses)),
  history: z.array(z.object({ status: z.string(), at: z.string(), by: z.string(), note: z.string().nullable() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const placedView = orderView.extend({
  guestToken: z.string().optional().describe('for a guest: a bearer token that reads, pays and cancels this one order'),
});

export const orderPage = z.object({ items: z.array(orderView), nextCursor: z.string().nullable() });

export const listQuery = z.strictObject({
  status: z.enum(orderStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});

export const payBody = z.strictObject({
  paymentMethod: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe('a payment method token from the provider; the fake provider knows tok_approve, tok_decline, tok_insufficient, tok_later, tok_later_decline, tok_refund_fails'),
});

export const payView = z.object({ order: orderView, payment: z.object({ status: z.string() }) });

export const statusBody = z.strictObject({ status: z.enum(staffStatuses), note: multilineText(500).optional() });
// A cancel may come with no body at all; Fastify hands the validator null then.
export const cancelBody = z.strictObject({ reason: multilineText(500).optional() }).nullish();

const lat = z.number().min(-90).max(90);
const lon = z.number().min(-180).max(180);
// Below walking pace the arrival time runs off to infinity; 0.5 mph is the slowest a customer is assumed to move.
const speedMph = z.number().min(0.5, 'at least 0.5 mph; leave it out to assume 30 mph').max(200).optional();

export const arrivalBody = z.strictObject({ lat, lon, speedMph });
export const estimateBody = z.strictObject({
  lat,
  lon,
  speedMph,
  drinkIds: z.array(drinkId).min(1).max(20).optional().describe('the drinks, for their complexity; without them a medium order is assumed'),
});

export const windowView = z.object({
  storeId: z.string(),
  distanceMiles: z.number(),
  speedMph: z.number(),
  complexity: z.enum(['simple', 'medium', 'complex']),
  prepMinutes: z.number(),
  windowDistanceMiles: z.number(),
  startNow: z.boolean(),
  startInMinutes: z.number(),
  arrivalMinutes: z.number(),
  estimatedArrival: z.string(),
  preparationStarted: z.boolean().optional(),
});

export const checkInventoryBody = z.strictObject({ drinkIds: z.array(drinkId).min(1).max(50) });
export const checkInventoryView = z.object({
  storeId: z.string(),
  items: z.array(
    z.object({
      drinkId: z.string(),
      name: z.string(),
      canMake: z.boolean(),
      missing: z.array(z.object({ itemId: z.string(), name: z.string().nullable(), needed: z.number(), available: z.number() })),
    }),
  ),
});

export const webhookBody = z.strictObject({
  eventId: z.string().min(1).max(200),
  type: z.enum(['payment.approved', 'payment.declined']),
  providerRef: z.string().min(1).max(200),
  amountCents: z.number().int().min(0),
  reason: z.string().max(500).optional(),
  paymentId: z.string().min(1).max(200).optional().describe('the payment id the node sent with the charge (its idempotency key), echoed by the provider'),
});

const revenueTodayView = z.object({
  date: z.string().describe('the store’s local date'),
  timeZone: z.string(),
  salesCents: z.number(),
  refundsCents: z.number(),
  netCents: z.number(),
  paidOrders: z.number(),
  averageOrderCents: z.number(),
});

export const storeSummaryView = z.object({
  storeId: z.string(),
  name: z.string(),
  region: z.string(),
  acceptingOrders: z.boolean(),
  activeOrders: z.number(),
  ordersByStatus: z.record(z.string(), z.number()),
  revenueToday: revenueTodayView,
  lowStockCount: z.number(),
  refundFailures: z.number(),
  waitMinutes: z.number(),
  generatedAt: z.string(),
});

export const storeDashboardView = storeSummaryView.extend({
  pendingOrders: z.array(orderView).describe('orders still to make, the next one first'),
  recentOrders: z.array(orderView),
  lowStock: z.array(z.object({ itemId: z.string(), name: z.string().optional(), available: z.number(), threshold: z.number() })),
});

const storeEntryView = z.union([
  storeSummaryView.extend({ status: z.literal('ok') }),
  z.object({ storeId: z.string(), name: z.string(), status: z.literal('unknown'), reason: z.string() }),
]);

const totalsView = z.object({
  stores: z.number(),
  storesAnswered: z.number(),
  activeOrders: z.number(),
  revenueTodayNetCents: z.number(),
  paidOrdersToday: z.number(),
  lowStockCount: z.number(),
  refundFailures: z.number(),
});

export const regionEntryView = z.object({
  region: z.string(),
  status: z.enum(['ok', 'partial', 'unknown']),
  reason: z.string().optional(),
  hub: z.object({ nodeId: z.string(), name: z.string() }).nullable(),
  stores: z.array(storeEntryView).nullable(),
  totals: totalsView,
});

export const adminDashboardView = z.object({
  scope: z.enum(['network', 'stores']),
  asSeenBy: z.string(),
  generatedAt: z.string(),
  partial: z.boolean().describe('true when a store or region did not answer; its figures are missing, not zero'),
  regions: z.array(regionEntryView).optional(),
  stores: z.array(storeEntryView).optional(),
  totals: totalsView,
});
