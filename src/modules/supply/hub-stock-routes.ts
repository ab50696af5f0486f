// The hub's own stock: the same ledger as a store's, kept under the hub's
// id. Its logistics manager reads it (low items only, if asked) and records
// receipts, adjustments and damage; approvals hold it for requests. A store
// sees what its hub has available (what it could ask for), fetched from the
// hub over the signed peer protocol and kept, so a store cut off from its
// hub still shows the last copy, with the time it was synced.
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
  onOrder: z.number().describe('ordered from suppliers, not yet received'),
  threshold: z.number(),
  lowStock: z.boolean(),
});

/** A hub's queue and stock are answered by that hub's own node only. */
export function assertThisHub(ctx: NodeContext, hubId: string, what: string): void {
  if (ctx.config.role !== 'hub' || hubId !== ctx.identity.nodeId) throw new NotFound(`Hub ${hubId}'s ${what} is kept at that hub's own node.`);
}

export const HUB_STOCK_PATH = '/p2p/v1/supply/hub-stock';
const HUB_STOCK_TIMEOUT_MS = 3000;

const offerSchema = z.object({
  hubId: z.string(),
  items: z.array(z.object({ itemId: z.string(), name: z.string().nullable(), available: z.number() })),
  asOf: z.string(),
});
type Offer = z.infer<typeof offerSchema>;

export function registerHubStockRoutes(app: FastifyInstance, ctx: NodeContext, inventory: InventoryService): void {
  const r = typed(app);
  let lastOffer: { offer: Offer; syncedAt: string } | undefined;

  r.get(
    HUB_STOCK_PATH,
    { config: { access: 'peer' }, schema: { tags: ['peer'], summary: "What a hub has available, for its stores' request forms", response: { 200: offerSchema }, security: [{ peer: [] }] } },
    async () => {
      if (ctx.config.role !== 'hub') throw new NotFound('Only a supply hub offers stock.');
      const items = await inventory.items(ctx.identity.nodeId);
      return { hubId: ctx.identity.nodeId, items: items.map((i) => ({ itemId: i.itemId, name: i.name ?? null, available: i.available })), asOf: new Date(ctx.clock.now()).toISOString() };
    },
  );

  r.get(
    '/api/v1/stores/:storeId/hub-stock',
    {
      config: { access: { roles: ['MANAGER', 'ADMIN', 'LOGISTICS_MANAGER'], scope: { store: 'storeId' } } },
      schema: {
        tags: ['supply'],
        summary: "What the store's region hub has available (what it could ask for), with when it was last synced; the last copy when the hub cannot be reached",
        params: z.strictObject({ storeId: z.uuid() }),
        response: {
          200: z.object({
            hubId: z.string().nullable(),
            items: offerSchema.shape.items,
            asOf: z.string().nullable(),
            syncedAt: z.string().nullable().describe('when this store last had an answer from its hub; null: never'),
            stale: z.boolean(),
            reason: z.string().optional(),
          }),
        },
        security,
      },
    },
    async (request) => {
      if (ctx.config.role !== 'store' || request.params.storeId !== ctx.identity.nodeId) throw new NotFound(`Store ${request.params.storeId}'s view of its hub is kept at that store's own node.`);
      const hub = ctx.mesh.hubs().find((h) => h.region === ctx.config.region);
      try {
        if (!hub) throw new Error(`no hub of region ${ctx.config.region} is known here yet`);
        const offer = await ctx.mesh.call<Offer>(hub.nodeId, 'GET', HUB_STOCK_PATH, undefined, HUB_STOCK_TIMEOUT_MS);
        lastOffer = { offer, syncedAt: new Date(ctx.clock.now()).toISOString() };
        return { ...offer, syncedAt: lastOffer.syncedAt, stale: false };
      } catch (err) {
        // Not knowing the hub's stock is a state to show, not a failure of this node.
        if (!lastOffer) return { hubId: hub?.nodeId ?? null, items: [], asOf: null, syncedAt: null, stale: true, reason: `the hub's stock is not known yet: ${(err as Error).message}` };
        return { ...lastOffer.offer, syncedAt: lastOffer.syncedAt, stale: true, reason: `the hub did not answer: ${(err as Error).message}` };
      }
    },
  );
  const thisHub = (hubId: string) => assertThisHub(ctx, hubId, 'stock');

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
        items: shown.map((i) => ({ itemId: i.itemId, name: i.name ?? null, type: i.type ?? null, onHand: i.onHand, reserved: i.reserved, available: i.available, onOrder: i.onOrder, threshold: i.threshold, lowStock: i.lowStock })),
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
