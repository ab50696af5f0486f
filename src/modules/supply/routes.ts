// Supply requests over HTTP. A store's manager or admin asks at the store
// (or at the region's hub, for the store); the region's logistics manager
// decides at the hub. The access layer checks role and place; the service
// checks which node owns what.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NodeContext } from '../../core/context.js';
import { typed } from '../../http/app.js';
import { lineText, multilineText } from '../../lib/text.js';
import { supplyStatuses, urgencies } from './model.js';
import type { SupplyService } from './service.js';
import { assertThisHub } from './hub-stock-routes.js';
import type { CoverService } from './cover.js';

const security = [{ bearer: [] }];
const itemId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a catalog item id such as syrup-cherry');

const lineSchema = z.object({ itemId: z.string(), quantity: z.number(), approvedQuantity: z.number().optional() });
export const supplyViewSchema = z.object({
  requestId: z.string(),
  storeId: z.string(),
  hubId: z.string(),
  region: z.string(),
  items: z.array(lineSchema),
  urgency: z.enum(urgencies),
  notes: z.string().nullable(),
  status: z.enum(supplyStatuses),
  requestedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  reviewNotes: z.string().nullable(),
  cancelAskedAt: z.string().nullable().describe('the store asked its hub to cancel; the hub settles it'),
  deliveryId: z.string().nullable().describe('the delivery carrying it, once planned'),
  parentRequestId: z.string().nullable().describe('set on a request a neighbouring hub took over: the request whose back-order it covers'),
  coveredBy: z.string().nullable().describe("set on a covered request: the request at the neighbouring hub that covers its back-order"),
  receipt: z
    .array(z.object({ itemId: z.string(), shipped: z.number(), received: z.number(), damaged: z.number(), short: z.number() }))
    .nullable()
    .describe("the store's count, line by line, once delivered"),
  receivedBy: z.string().nullable(),
  receivedAt: z.string().nullable(),
  totalItems: z.number(),
  overdue: z.boolean().describe('open longer than its urgency allows: 1 day CRITICAL, 3 URGENT, 7 NORMAL, 14 LOW'),
  allowedNext: z.array(z.enum(supplyStatuses)),
});
const listSchema = z.object({ items: z.array(supplyViewSchema), nextCursor: z.null() });
const listQuery = z.strictObject({ status: z.enum(supplyStatuses).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
const idParams = z.strictObject({ requestId: z.uuid() });

export function registerSupplyRoutes(app: FastifyInstance, ctx: NodeContext, supply: SupplyService, cover: CoverService): void {
  const r = typed(app);
  const storeStaff = { roles: ['MANAGER' as const, 'ADMIN' as const], scope: { store: 'storeId' } };
  const storeReaders = { roles: ['MANAGER' as const, 'ADMIN' as const, 'LOGISTICS_MANAGER' as const], scope: { store: 'storeId' } };

  r.post(
    '/api/v1/stores/:storeId/supply-requests',
    {
      config: { access: storeStaff },
      schema: {
        tags: ['supply'],
        summary: "Ask the region's hub for stock. Made at the store it is kept until the hub can be reached, then sent once",
        params: z.strictObject({ storeId: z.uuid() }),
        body: z.strictObject({
          items: z.array(z.strictObject({ itemId, quantity: z.number().int().min(1).max(100_000) })).min(1).max(100),
          urgency: z.enum(urgencies).default('NORMAL'),
          notes: multilineText(2000).optional(),
        }),
        response: { 201: supplyViewSchema },
        security,
      },
    },
    async (request, reply) => reply.status(201).send(await supply.submit(request.principal!.subject, request.params.storeId, request.body)),
  );

  r.get(
    '/api/v1/stores/:storeId/supply-requests',
    {
      config: { access: storeReaders },
      schema: { tags: ['supply'], summary: "A store's requests, CRITICAL first, then the oldest", params: z.strictObject({ storeId: z.uuid() }), querystring: listQuery, response: { 200: listSchema }, security },
    },
    async (request) => ({ items: await supply.list({ storeId: request.params.storeId, ...request.query }), nextCursor: null }),
  );

  r.get(
    '/api/v1/hubs/:hubId/supply-requests',
    {
      config: { access: { roles: ['LOGISTICS_MANAGER'] } },
      schema: { tags: ['supply'], summary: "The hub's queue, CRITICAL first, then the oldest", params: z.strictObject({ hubId: z.uuid() }), querystring: listQuery, response: { 200: listSchema }, security },
    },
    async (request) => {
      assertThisHub(ctx, request.params.hubId, 'queue');
      return { items: await supply.list({ hubId: request.params.hubId, ...request.query }), nextCursor: null };
    },
  );

  r.get(
    '/api/v1/supply-requests/:requestId',
    {
      config: { access: { roles: ['MANAGER', 'ADMIN', 'LOGISTICS_MANAGER'] } },
      schema: { tags: ['supply'], summary: 'One request, at its store or its hub', params: idParams, response: { 200: supplyViewSchema }, security },
    },
    async (request) => supply.get(request.params.requestId),
  );

  r.patch(
    '/api/v1/supply-requests/:requestId',
    {
      config: { access: { roles: ['MANAGER', 'ADMIN', 'LOGISTICS_MANAGER'] } },
      schema: {
        tags: ['supply'],
        summary: 'Cancel (PENDING or APPROVED): at the hub at once, giving back what was held; at the store by asking the hub (202)',
        params: idParams,
        body: z.strictObject({ status: z.literal('CANCELLED'), notes: lineText(500, 1).optional() }),
        response: { 200: supplyViewSchema, 202: supplyViewSchema },
        security,
      },
    },
    async (request, reply) => {
      const { view, settled } = await supply.cancel(request.principal!.subject, request.params.requestId, request.body.notes);
      return reply.status(settled ? 200 : 202).send(view);
    },
  );

  const decide = { access: { roles: ['LOGISTICS_MANAGER' as const] } };
  r.post(
    '/api/v1/supply-requests/:requestId/approve',
    {
      config: decide,
      schema: {
        tags: ['supply'],
        summary: "The region's logistics manager approves at the hub; the hub's stock for it is held in the same transaction (409 listing what is short)",
        description: '`partial: true` holds what the hub has and back-orders the rest (each line shows approvedQuantity).',
        params: idParams,
        body: z.strictObject({ partial: z.boolean().default(false), reviewNotes: lineText(1000, 1).optional() }).default({ partial: false }),
        response: { 200: supplyViewSchema },
        security,
      },
    },
    async (request) => supply.approve(request.principal!.subject, request.params.requestId, request.body),
  );

  r.post(
    '/api/v1/supply-requests/:requestId/deny',
    {
      config: decide,
      schema: {
        tags: ['supply'],
        summary: "The region's logistics manager denies a PENDING request, saying why",
        params: idParams,
        body: z.strictObject({ reviewNotes: lineText(1000, 1).optional() }).default({}),
        response: { 200: supplyViewSchema },
        security,
      },
    },
    async (request) => supply.deny(request.principal!.subject, request.params.requestId, request.body.reviewNotes),
  );

  r.post(
    '/api/v1/supply-requests/:requestId/cover',
    {
      config: decide,
      schema: {
        tags: ['supply'],
        summary: "Have a neighbouring hub within 1,000 miles of the store cover what this hub back-ordered: the rest becomes a request at that hub (parentRequestId), which it approves and delivers",
        params: idParams,
        body: z.strictObject({ hubId: z.uuid() }),
        response: { 200: z.object({ request: supplyViewSchema, cover: z.object({ requestId: z.string(), hubId: z.string(), items: z.array(lineSchema), status: z.enum(supplyStatuses) }) }) },
        security,
      },
    },
    async (request) => {
      const { request: parent, cover: made } = await cover.cover(request.principal!.subject, request.params.requestId, request.body.hubId);
      return { request: parent, cover: { requestId: made.requestId, hubId: made.hubId, items: made.items, status: made.status } };
    },
  );
}
