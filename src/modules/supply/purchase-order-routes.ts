// Purchase orders over HTTP, at the hub, for its logistics manager.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NodeContext } from '../../core/context.js';
import { typed } from '../../http/app.js';
import { Invalid, NotFound } from '../../http/errors.js';
import { lineText, multilineText } from '../../lib/text.js';
import { poStatuses, type PurchaseOrderService } from './purchase-orders.js';

const security = [{ bearer: [] }];
const itemId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a catalog item id such as syrup-cherry');
const poSchema = z.object({
  poId: z.string(),
  hubId: z.string(),
  supplier: z.string(),
  lines: z.array(z.object({ itemId: z.string(), quantity: z.number(), received: z.number() })),
  expectedDate: z.string(),
  status: z.enum(poStatuses),
  notes: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  updatedAt: z.string(),
  outstanding: z.number().describe('units ordered and not yet received'),
  allowedNext: z.array(z.enum(poStatuses)),
});
const idParams = z.strictObject({ poId: z.uuid() });

export function registerPurchaseOrderRoutes(app: FastifyInstance, ctx: NodeContext, pos: PurchaseOrderService): void {
  const r = typed(app);
  const config = { access: { roles: ['LOGISTICS_MANAGER' as const] } };
  const atHub = () => {
    if (ctx.config.role !== 'hub') throw new NotFound('Purchase orders are kept at the hub.');
  };
  const lines = z.array(z.strictObject({ itemId, quantity: z.number().int().min(1).max(1_000_000) })).min(1).max(200);

  r.post(
    '/api/v1/purchase-orders',
    {
      config,
      schema: {
        tags: ['supply'],
        summary: "Draft an order to a supplier for the hub (approve it to put the stock on order)",
        body: z.strictObject({ supplier: lineText(200, 1), lines, expectedDate: z.iso.date(), notes: multilineText(2000).optional() }),
        response: { 201: poSchema },
        security,
      },
    },
    async (request, reply) => {
      atHub();
      const today = new Date(ctx.clock.now()).toISOString().slice(0, 10);
      if (request.body.expectedDate < today) throw new Invalid('The expected date is today or later.', [{ field: 'body.expectedDate', message: `must be ${today} or later` }]);
      return reply.status(201).send(await pos.create(request.principal!.subject, request.body));
    },
  );

  r.get(
    '/api/v1/purchase-orders',
    {
      config,
      schema: {
        tags: ['supply'],
        summary: "The hub's purchase orders, newest first",
        querystring: z.strictObject({ status: z.enum(poStatuses).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(poSchema), nextCursor: z.null() }) },
        security,
      },
    },
    async (request) => {
      atHub();
      return { items: await pos.list(request.query), nextCursor: null };
    },
  );

  r.get(
    '/api/v1/purchase-orders/:poId',
    { config, schema: { tags: ['supply'], summary: 'One purchase order', params: idParams, response: { 200: poSchema }, security } },
    async (request) => {
      atHub();
      return pos.get(request.params.poId);
    },
  );

  r.post(
    '/api/v1/purchase-orders/:poId/approve',
    { config, schema: { tags: ['supply'], summary: "Approve a DRAFT: its lines go on order in the hub's ledger", params: idParams, response: { 200: poSchema }, security } },
    async (request) => {
      atHub();
      return pos.approve(request.principal!.subject, request.params.poId);
    },
  );

  r.post(
    '/api/v1/purchase-orders/:poId/receipt',
    {
      config,
      schema: {
        tags: ['supply'],
        summary: "Receive what came (in parts if need be): on hand in the hub's ledger; RECEIVED when nothing is outstanding",
        params: idParams,
        body: z.strictObject({ lines }),
        response: { 200: poSchema },
        security,
      },
    },
    async (request) => {
      atHub();
      return pos.receive(request.principal!.subject, request.params.poId, request.body.lines);
    },
  );

  r.post(
    '/api/v1/purchase-orders/:poId/cancel',
    { config, schema: { tags: ['supply'], summary: 'Cancel: what has not come leaves on order', params: idParams, response: { 200: poSchema }, security } },
    async (request) => {
      atHub();
      return pos.cancel(request.principal!.subject, request.params.poId);
    },
  );
}
