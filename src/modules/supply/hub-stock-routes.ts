// The hub's own stock: the same ledger as a store's, kept under the hub's
// id. Its logistics manager reads it (low items only, if asked) and records
// receipts, adjustments and damage; approvals hold it for requests.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NodeContext } from '../../core/context.js';
import { typed } from '../../http/app.js';
import { NotFound } from '../../http/errors.js';
import { lineText } from '../../lib/text.js';
import type { InventoryService } from '../inventory/index.js';

const security = [{ bearer: [] }];

const hubItemSchema = z.object({
  itemId: z.string(),
  name: z.string().nullable(),
  type: z.string().nullable(),
  onHand: z.number(),
  reserved: z.number(),
  available: z.number(),
  threshold: z.number(),
  lowStock: z.boolean(),
});

export function registerHubStockRoutes(app: FastifyInstance, ctx: NodeContext, inventory: InventoryService): void {
  const r = typed(app);
  const thisHub = (hubId: string) => {
    if (ctx.config.role !== 'hub' || hubId !== ctx.identity.nodeId) throw new NotFound(`Hub ${hubId}'s stock is kept at that hub's own node.`);
  };

  r.get(
    '/api/v1/hubs/:hubId/inventory',
    {
      config: { access: { roles: ['LOGISTICS_MANAGER'] } },
      schema: {
        tags: ['supply'],
        summary: "The hub's stock per item: on hand, held for approved requests, available, threshold",
        params: z.strictObject({ hubId: z.uuid() }),
        querystring: z.strictObject({ lowStock: z.enum(['true', 'false']).optional() }),
        response: { 200: z.object({ hubId: z.string(), items: z.array(hubItemSchema), asOf: z.string() }) },
        security,
      },
    },
    async (request) => {
      thisHub(request.params.hubId);
      const items = await inventory.items(request.params.hubId);
      const shown = request.query.lowStock === 'true' ? items.filter((i) => i.lowStock) : items;
      return {
        hubId: request.params.hubId,
        items: shown.map((i) => ({ itemId: i.itemId, name: i.name ?? null, type: i.type ?? null, onHand: i.onHand, reserved: i.reserved, available: i.available, threshold: i.threshold, lowStock: i.lowStock })),
        asOf: new Date(ctx.clock.now()).toISOString(),
      };
    },
  );

  r.post(
    '/api/v1/hubs/:hubId/inventory/transactions',
    {
      config: { access: { roles: ['LOGISTICS_MANAGER'] } },
      schema: {
        tags: ['supply'],
        summary: "Record a receipt, adjustment (a signed change of on hand) or damage in the hub's ledger",
        params: z.strictObject({ hubId: z.uuid() }),
        body: z.strictObject({
          type: z.enum(['receipt', 'adjustment', 'damage']),
          itemId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
          quantity: z.number().int().min(-1_000_000_000).max(1_000_000_000),
          reason: lineText(500, 1).optional(),
        }),
        security,
      },
    },
    async (request, reply) => {
      thisHub(request.params.hubId);
      const { entry, replayed } = await inventory.record({ storeId: request.params.hubId, actor: request.principal!.subject, ...request.body });
      return reply.status(replayed ? 200 : 201).send(entry);
    },
  );
}
