// Replenishment over HTTP, at the store: its rules, and what to reorder
// before the next delivery (with the items that will run out before it).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NodeContext } from '../../core/context.js';
import { typed } from '../../http/app.js';
import { NotFound } from '../../http/errors.js';
import type { ReplenishmentService } from './replenishment.js';

const security = [{ bearer: [] }];
const itemId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a catalog item id such as syrup-cherry');
const ruleSchema = z.object({
  storeId: z.string(),
  itemId: z.string(),
  reorderPoint: z.number(),
  orderUpTo: z.number(),
  caseMultiple: z.number(),
  enabled: z.boolean(),
  updatedBy: z.string(),
  updatedAt: z.string(),
  lastRequestId: z.string().nullable().describe('the request this rule last raised'),
  lastTriggeredAt: z.string().nullable(),
});

export function registerReplenishmentRoutes(app: FastifyInstance, ctx: NodeContext, service: ReplenishmentService): void {
  const r = typed(app);
  const atStore = () => {
    if (ctx.config.role !== 'store') throw new NotFound("Replenishment rules are kept at the store's own node.");
  };
  const readers = { access: { roles: ['MANAGER' as const, 'ADMIN' as const, 'LOGISTICS_MANAGER' as const] } };
  const writers = { access: { roles: ['MANAGER' as const, 'ADMIN' as const] } };

  r.get(
    '/api/v1/replenishment-rules',
    { config: readers, schema: { tags: ['supply'], summary: "This store's reorder rules per item", response: { 200: z.object({ items: z.array(ruleSchema) }) }, security } },
    async () => {
      atStore();
      return { items: await service.rules() };
    },
  );

  r.post(
    '/api/v1/replenishment-rules',
    {
      config: writers,
      schema: {
        tags: ['supply'],
        summary: "Set an item's rule (created or replaced): when its projected quantity (available + in transit + on order) is at or below the reorder point, the store asks its hub for enough to reach order-up-to, in whole cases",
        description: 'At most one open request per item: a rule does not ask again while one is pending, approved or on its way. A rule that is already crossed asks at once.',
        body: z.strictObject({
          itemId,
          reorderPoint: z.number().int().min(0).max(1_000_000),
          orderUpTo: z.number().int().min(1).max(1_000_000),
          caseMultiple: z.number().int().min(1).max(10_000).default(1),
          enabled: z.boolean().default(true),
        }),
        response: { 200: ruleSchema, 201: ruleSchema },
        security,
      },
    },
    async (request, reply) => {
      atStore();
      const { rule, created } = await service.save(request.principal!.subject, request.body);
      return reply.status(created ? 201 : 200).send(rule);
    },
  );

  r.delete(
    '/api/v1/replenishment-rules/:itemId',
    { config: writers, schema: { tags: ['supply'], summary: "Remove an item's rule", params: z.strictObject({ itemId }), response: { 204: z.null() }, security } },
    async (request, reply) => {
      atStore();
      await service.remove(request.params.itemId);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/v1/stores/:storeId/to-reorder',
    {
      config: { access: { roles: ['MANAGER', 'ADMIN', 'LOGISTICS_MANAGER'], scope: { store: 'storeId' } } },
      schema: {
        tags: ['supply'],
        summary: 'What will cross its reorder point before the next delivery, and what will run out before it comes (the predictive warning), most urgent first',
        description: "Use per day is the store's own sales over the last 28 days. Items without a rule use their low-stock threshold as the reorder point.",
        params: z.strictObject({ storeId: z.uuid() }),
        response: {
          200: z.object({
            nextDelivery: z.object({ deliveryId: z.string(), scheduledDate: z.string(), status: z.string() }).nullable(),
            daysToDelivery: z.number().describe('to the next delivery, or 3 when none is scheduled'),
            items: z.array(
              z.object({
                itemId: z.string(),
                name: z.string(),
                available: z.number(),
                projected: z.number(),
                reorderPoint: z.number(),
                basis: z.enum(['rule', 'threshold']),
                dailyUse: z.number(),
                daysOfStock: z.number().nullable(),
                projectedAtNextDelivery: z.number(),
                willCross: z.boolean(),
                runsOutBeforeDelivery: z.boolean(),
                suggestedQuantity: z.number(),
              }),
            ),
          }),
        },
        security,
      },
    },
    async (request) => {
      if (ctx.config.role !== 'store' || request.params.storeId !== ctx.identity.nodeId) throw new NotFound(`Store ${request.params.storeId}'s stock is kept at that store's own node.`);
      return service.toReorder();
    },
  );
}
