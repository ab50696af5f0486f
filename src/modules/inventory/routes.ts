// HTTP for a store's inventory. A store's id is its node id, and a store's
// inventory lives only at its own node: asking another node (another store,
// or a hub, which keeps none) is a 404 that says where to ask instead.
// Managers and admins of the store read and write; the region's logistics
// and repair staff read. Routes sit in their own plugin so the CSV body
// parser they need is not offered to any other route.
import { nameText } from '../../lib/text.js';
import { textBodyParser } from '../../http/body.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { typed } from '../../http/app.js';
import { Forbidden, HttpError, Invalid, NotFound } from '../../http/errors.js';
import type { RoleType } from '../../http/auth.js';
import type { NodeContext } from '../../core/context.js';
import { ITEM_ID, parseCounts } from './csv.js';
import { manualTypes, MAX_POSITION, movementTypes } from './ledger.js';
import type { InventoryService } from './service.js';

const readers: RoleType[] = ['MANAGER', 'ADMIN', 'LOGISTICS_MANAGER', 'REPAIR_STAFF'];
const writers: RoleType[] = ['MANAGER', 'ADMIN'];
const read = { access: { roles: readers, scope: { store: 'storeId' } } };
const write = { access: { roles: writers, scope: { store: 'storeId' } } };
const security = [{ bearer: [] }];
const tags = ['inventory'];
const CSV_TYPES = ['text/csv', 'application/csv'];

const storeParams = z.strictObject({ storeId: z.string().min(1).max(100) });
const itemId = z.string().regex(ITEM_ID, 'an item id: letters, digits and . _ : - (up to 100)');
const positionSchema = z.object({
  onHand: z.number().int(),
  reserved: z.number().int(),
  inTransit: z.number().int(),
  onOrder: z.number().int(),
  damaged: z.number().int(),
  available: z.number().int(),
});
const itemSchema = positionSchema.extend({
  itemId: z.string(),
  name: z.string(),
  type: z.string().nullable(),
  threshold: z.number().int(),
  lowStock: z.boolean(),
  updatedAt: z.string(),
});
const entrySchema = z.object({
  txId: z.string(),
  storeId: z.string(),
  itemId: z.string(),
  type: z.enum(movementTypes),
  quantity: z.number().int(),
  actor: z.string(),
  reason: z.string().nullable(),
  reference: z.string().nullable(),
  at: z.string(),
  position: positionSchema,
});
const manualTypeList = manualTypes.join(', ');

export function registerInventoryRoutes(app: FastifyInstance, ctx: NodeContext, service: InventoryService): void {
  const thisStore = (storeId: string) => {
    if (ctx.config.role !== 'store') throw new NotFound(`This node is a supply hub; store ${storeId}'s inventory is kept at that store's own node.`);
    if (storeId !== ctx.identity.nodeId) throw new NotFound(`This node is store ${ctx.identity.nodeId}; store ${storeId}'s inventory is kept at that store's own node.`);
  };
  const actorOf = (request: FastifyRequest) => request.principal?.subject ?? 'unknown';

  void app.register(async (scope) => {
    scope.addContentTypeParser(CSV_TYPES, { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, textBodyParser);
    scope.addHook('preHandler', async (request) => thisStore((request.params as { storeId: string }).storeId));
    const r = typed(scope);

    r.get(
      '/api/v1/stores/:storeId/inventory',
      {
        config: read,
        schema: {
          tags,
          summary: "The store's positions per item: on hand, reserved, in transit, on order, damaged, available, threshold",
          params: storeParams,
          response: { 200: z.object({ items: z.array(itemSchema) }) },
          security,
        },
      },
      async (request) => ({ items: await service.items(request.params.storeId) }),
    );

    r.get(
      '/api/v1/stores/:storeId/inventory/:itemId',
      {
        config: read,
        schema: { tags, summary: "One item's position", params: storeParams.extend({ itemId }), response: { 200: itemSchema }, security },
      },
      async (request) => {
        const [item] = await service.items(request.params.storeId, [request.params.itemId]);
        if (!item) throw new NotFound(`Store ${request.params.storeId} has never held item ${request.params.itemId}.`);
        return item;
      },
    );

    r.get(
      '/api/v1/stores/:storeId/inventory/transactions',
      {
        config: read,
        schema: {
          tags,
          summary: 'The ledger, newest first, filtered by item and type',
          params: storeParams,
          querystring: z.strictObject({
            itemId: itemId.optional(),
            type: z.enum(movementTypes).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().regex(/^\d{1,15}$/, 'the nextCursor of a previous page').optional(),
          }),
          response: { 200: z.object({ items: z.array(entrySchema), nextCursor: z.string().nullable() }) },
          security,
        },
      },
      async (request) => {
        const { itemId: item, type, limit, cursor } = request.query;
        return service.transactions(request.params.storeId, { itemId: item, type, limit, cursor: cursor === undefined ? undefined : Number(cursor) });
      },
    );

    r.post(
      '/api/v1/stores/:storeId/inventory/transactions',
      {
        config: write,
        schema: {
          tags,
          summary: "Record a receipt, adjustment (a signed change of on hand), damage, disposal or transfer; retry with the same Idempotency-Key to record it once",
          params: storeParams,
          headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
          body: z.strictObject({
            type: z.enum(manualTypes, {
              error: `one of ${manualTypeList}; reserve, release and sale are written by orders, ordered, shipped, delivered and transit_loss by supply`,
            }),
            itemId,
            quantity: z.number().int().min(-MAX_POSITION).max(MAX_POSITION),
            reason: nameText(500).optional(),
            reference: nameText(200).optional(),
          }),
          response: { 200: z.object({ transaction: entrySchema, replayed: z.boolean() }), 201: z.object({ transaction: entrySchema, replayed: z.boolean() }) },
          security,
        },
      },
      async (request, reply) => {
        const { entry, replayed } = await service.record({
          storeId: request.params.storeId,
          ...request.body,
          actor: actorOf(request),
          idempotencyKey: request.headers['idempotency-key'],
        });
        return reply.status(replayed ? 200 : 201).send({ transaction: entry, replayed });
      },
    );

    r.put(
      '/api/v1/stores/:storeId/inventory/:itemId/threshold',
      {
        config: write,
        schema: {
          tags,
          summary: 'Set the level below which the item is low; crossing it tells the region (inventory.low-stock)',
          params: storeParams.extend({ itemId }),
          body: z.strictObject({ threshold: z.number().int().min(0).max(MAX_POSITION) }),
          response: { 200: itemSchema },
          security,
        },
      },
      async (request) => service.setThreshold(request.params.storeId, request.params.itemId, request.body.threshold),
    );

    r.post(
      '/api/v1/stores/:storeId/inventory/verify',
      {
        config: write,
        schema: {
          tags,
          summary: 'Recompute every position from the ledger and report differences; an admin may repair them (the ledger wins)',
          params: storeParams,
          // An empty POST is a check.
          body: z.strictObject({ repair: z.boolean().default(false) }).nullish(),
          response: {
            200: z.object({
              storeId: z.string(),
              checkedAt: z.string(),
              items: z.number().int(),
              transactions: z.number().int(),
              consistent: z.boolean(),
              differences: z.array(z.object({ itemId: z.string(), field: z.string(), recorded: z.number().int(), fromLedger: z.number().int() })),
              repaired: z.boolean(),
            }),
          },
          security,
        },
      },
      async (request) => {
        const repair = request.body?.repair ?? false;
        const mayRepair = (request.principal?.roles ?? []).some(
          (g) => g.role === 'SUPER_ADMIN' || (g.role === 'ADMIN' && g.storeId === request.params.storeId),
        );
        if (repair && !mayRepair) throw new Forbidden("Only the store's ADMIN or a super admin may repair positions; a check is open to managers.");
        return service.recompute(request.params.storeId, { repair });
      },
    );

    r.get(
      '/api/v1/stores/:storeId/inventory.csv',
      {
        config: read,
        schema: {
          tags,
          summary: 'Positions as CSV, a count sheet: itemId,name,type,onHand,reserved,available,inTransit,onOrder,damaged,threshold',
          params: storeParams,
          produces: ['text/csv'],
          security,
        },
      },
      async (request, reply) => {
        const csv = await service.exportCounts(request.params.storeId);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="inventory-${request.params.storeId}.csv"`)
          .send(csv);
      },
    );

    r.post(
      '/api/v1/stores/:storeId/inventory.csv',
      {
        config: write,
        preValidation: async (request) => {
          const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
          if (!CSV_TYPES.includes(type)) throw new HttpError('unsupported_media_type', 'Send the counts as text/csv.', [{ field: 'headers.content-type', message: 'use text/csv' }]);
        },
        schema: {
          tags,
          summary: 'Import a stock count (text/csv: itemId,onHand[,threshold]); each differing count becomes an adjustment, all or nothing',
          params: storeParams,
          consumes: ['text/csv'],
          body: z.string(),
          response: {
            200: z.object({
              countId: z.string(),
              lines: z.number().int(),
              adjusted: z.array(z.object({ line: z.number().int(), itemId: z.string(), from: z.number().int(), to: z.number().int() })),
              thresholdsChanged: z.number().int(),
              unchanged: z.number().int(),
            }),
          },
          security,
        },
      },
      async (request) => {
        const { rows, errors } = parseCounts(request.body);
        if (errors.length > 0) throw new Invalid(`The count has ${errors.length} bad line(s); nothing was applied.`, errors);
        return service.importCounts(request.params.storeId, rows, actorOf(request));
      },
    );
  });
}
