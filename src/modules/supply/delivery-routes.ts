// Deliveries over HTTP. The hub's logistics manager plans, changes,
// dispatches and fails them at the hub; a store's staff see the deliveries
// that stop at their store and count their part in at the store. Routes with
// no scope act on the node that answers: its store, its region.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NodeContext } from '../../core/context.js';
import { typed } from '../../http/app.js';
import { Invalid, NotFound } from '../../http/errors.js';
import { lineText } from '../../lib/text.js';
import type { DeliveryService } from './deliveries.js';
import { deliveryStatuses } from './delivery-model.js';
import type { ReceiptService } from './receipt.js';
import { supplyStatuses, urgencies } from './model.js';
import type { SupplyService } from './service.js';
import { supplyViewSchema } from './routes.js';

const security = [{ bearer: [] }];
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2026-12-09').refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'not a calendar date');

const receiptLineSchema = z.object({ itemId: z.string(), shipped: z.number(), received: z.number(), damaged: z.number(), short: z.number() });
const stopSchema = z.object({ storeId: z.string(), name: z.string(), lat: z.number(), lon: z.number(), requestIds: z.array(z.string()) });
export const deliveryViewSchema = z.object({
  deliveryId: z.string(),
  hubId: z.string(),
  region: z.string(),
  status: z.enum(deliveryStatuses),
  driver: z.string().nullable(),
  vehicle: z.string().nullable(),
  scheduledDate: z.string(),
  start: z.object({ lat: z.number(), lon: z.number() }),
  stops: z.array(stopSchema).describe('in route order, from the hub and back'),
  route: z.object({ miles: z.number(), minutes: z.number(), givenOrderMiles: z.number(), nearestNeighbourMiles: z.number(), averageSpeedMph: z.number(), method: z.string() }),
  savingMiles: z.number().describe('miles saved against visiting the stops in the order the requests were given'),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  dispatchedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  failureReason: z.string().nullable(),
  allowedNext: z.array(z.enum(deliveryStatuses)),
  requests: z.array(
    z.object({
      requestId: z.string(),
      storeId: z.string(),
      status: z.enum(supplyStatuses),
      urgency: z.enum(urgencies),
      items: supplyViewSchema.shape.items,
      receipt: z.array(receiptLineSchema).nullable(),
      receivedAt: z.string().nullable(),
      shortUnits: z.number(),
      damagedUnits: z.number(),
    }),
  ),
});
const idParams = z.strictObject({ deliveryId: z.uuid() });

export function registerDeliveryRoutes(app: FastifyInstance, ctx: NodeContext, deliveries: DeliveryService, receipts: ReceiptService, supply: SupplyService): void {
  const r = typed(app);
  const isHub = ctx.config.role === 'hub';
  const atHub = () => {
    if (!isHub) throw new NotFound("Deliveries are planned and run at the region's hub.");
  };
  const lm = { access: { roles: ['LOGISTICS_MANAGER' as const] } };

  r.post(
    '/api/v1/deliveries',
    {
      config: lm,
      schema: {
        tags: ['supply'],
        summary: 'Put approved requests on one delivery (at the hub): the stops are ordered by the route optimiser, from the hub and back',
        description: 'Requests of the same store share a stop. `savingMiles` is the distance saved against visiting the stops in the order given.',
        body: z.strictObject({
          requestIds: z.array(z.uuid()).min(1).max(200),
          scheduledDate: day,
          driver: lineText(120, 1).optional(),
          vehicle: lineText(120, 1).optional(),
          timeLimitMs: z.number().int().min(10).max(5000).default(500),
        }),
        response: { 201: deliveryViewSchema },
        security,
      },
    },
    async (request, reply) => {
      atHub();
      const today = new Date(ctx.clock.now()).toISOString().slice(0, 10);
      if (request.body.scheduledDate < today) throw new Invalid('A delivery is scheduled for today or later.', [{ field: 'body.scheduledDate', message: `must be ${today} or later` }]);
      return reply.status(201).send(await deliveries.plan(request.principal!.subject, request.body));
    },
  );

  r.get(
    '/api/v1/deliveries',
    {
      config: { access: { roles: ['MANAGER', 'ADMIN', 'LOGISTICS_MANAGER'] } },
      schema: {
        tags: ['supply'],
        summary: "At the hub: its deliveries; at a store: the deliveries that stop there. Newest day first",
        querystring: z.strictObject({ status: z.enum(deliveryStatuses).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(deliveryViewSchema), nextCursor: z.null() }) },
        security,
      },
    },
    async (request) => {
      const where = isHub ? { hubId: ctx.identity.nodeId } : { storeId: ctx.identity.nodeId };
      return { items: await deliveries.list({ ...where, ...request.query }), nextCursor: null };
    },
  );

  r.get(
    '/api/v1/deliveries/:deliveryId',
    {
      config: { access: { roles: ['MANAGER', 'ADMIN', 'LOGISTICS_MANAGER'] } },
      schema: { tags: ['supply'], summary: 'One delivery with its route, stops and what each store counted in', params: idParams, response: { 200: deliveryViewSchema }, security },
    },
    async (request) => deliveries.get(request.params.deliveryId),
  );

  r.patch(
    '/api/v1/deliveries/:deliveryId',
    {
      config: lm,
      schema: {
        tags: ['supply'],
        summary: 'Change the driver, vehicle or day of a SCHEDULED delivery',
        params: idParams,
        body: z.strictObject({ driver: lineText(120, 1).optional(), vehicle: lineText(120, 1).optional(), scheduledDate: day.optional() }),
        response: { 200: deliveryViewSchema },
        security,
      },
    },
    async (request) => {
      atHub();
      return deliveries.update(request.params.deliveryId, request.body);
    },
  );

  r.post(
    '/api/v1/deliveries/:deliveryId/dispatch',
    {
      config: lm,
      schema: {
        tags: ['supply'],
        summary: "The truck leaves: the stock leaves the hub's ledger, the requests go IN_TRANSIT (the stores see it in transit)",
        params: idParams,
        response: { 200: deliveryViewSchema },
        security,
      },
    },
    async (request) => {
      atHub();
      return deliveries.dispatch(request.principal!.subject, request.params.deliveryId);
    },
  );

  r.post(
    '/api/v1/deliveries/:deliveryId/fail',
    {
      config: lm,
      schema: {
        tags: ['supply'],
        summary: 'The delivery did not happen: the stock comes back into the hub, held again, and its requests are APPROVED again for another delivery',
        params: idParams,
        body: z.strictObject({ reason: lineText(500, 1) }),
        response: { 200: deliveryViewSchema },
        security,
      },
    },
    async (request) => {
      atHub();
      return deliveries.fail(request.principal!.subject, request.params.deliveryId, request.body.reason);
    },
  );

  r.post(
    '/api/v1/deliveries/:deliveryId/receipt',
    {
      config: { access: { roles: ['MANAGER', 'ADMIN'] } },
      schema: {
        tags: ['supply'],
        summary: "The store counts its part in, line by line: received goes on hand, damaged is set aside, the rest is recorded short; the hub sees the difference",
        description: '`requestId` is needed only when the delivery carries more than one request of this store. Every shipped line is counted once (0 when nothing arrived).',
        params: idParams,
        body: z.strictObject({
          requestId: z.uuid().optional(),
          lines: z.array(z.strictObject({ itemId: z.string().min(1).max(64), received: z.number().int().min(0).max(100_000), damaged: z.number().int().min(0).max(100_000).optional() })).min(1).max(100),
        }),
        response: { 200: supplyViewSchema },
        security,
      },
    },
    async (request) => {
      const delivery = await deliveries.get(request.params.deliveryId);
      const mine = delivery.stops.find((s) => s.storeId === ctx.identity.nodeId)?.requestIds ?? [];
      const requestId = request.body.requestId ?? (mine.length === 1 ? mine[0] : undefined);
      if (!requestId || !mine.includes(requestId)) {
        const message = mine.length === 0 ? 'this delivery does not stop at this store' : `one of ${mine.join(', ')}`;
        throw new Invalid('Name the request this count is for.', [{ field: 'body.requestId', message }]);
      }
      await receipts.receive(request.principal!.subject, requestId, request.body.lines);
      return supply.get(requestId);
    },
  );
}
