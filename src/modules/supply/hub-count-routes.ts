// The hub's stock as a warehouse keeps it: a low-stock threshold per item,
// and counts as CSV (download the sheet, import a count: each difference
// becomes an adjustment, all or nothing), for its logistics manager. The
// same ledger and count rules as a store's.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NodeContext } from '../../core/context.js';
import { textBodyParser } from '../../http/body.js';
import { HttpError, Invalid } from '../../http/errors.js';
import { typed } from '../../http/app.js';
import { parseCounts, type InventoryService } from '../inventory/index.js';
import { assertThisHub } from './hub-stock-routes.js';

const security = [{ bearer: [] }];
const CSV_TYPES = ['text/csv', 'application/csv'];
const hubParams = z.strictObject({ hubId: z.uuid() });

export function registerHubCountRoutes(app: FastifyInstance, ctx: NodeContext, inventory: InventoryService): void {
  const config = { access: { roles: ['LOGISTICS_MANAGER' as const] } };
  void app.register(async (scope) => {
    scope.addContentTypeParser(CSV_TYPES, { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, textBodyParser);
    const r = typed(scope);

    r.put(
      '/api/v1/hubs/:hubId/inventory/:itemId/threshold',
      {
        config,
        schema: {
          tags: ['supply'],
          summary: "Set the hub's low-stock threshold of an item",
          params: z.strictObject({ hubId: z.uuid(), itemId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/) }),
          body: z.strictObject({ threshold: z.number().int().min(0).max(1_000_000_000) }),
          security,
        },
      },
      async (request) => {
        assertThisHub(ctx, request.params.hubId, 'stock');
        const item = await inventory.setThreshold(request.params.hubId, request.params.itemId, request.body.threshold);
        return { itemId: item.itemId, threshold: item.threshold, lowStock: item.lowStock };
      },
    );

    r.get(
      '/api/v1/hubs/:hubId/inventory.csv',
      { config, schema: { tags: ['supply'], summary: "The hub's positions as a CSV count sheet", params: hubParams, produces: ['text/csv'], security } },
      async (request, reply) => {
        assertThisHub(ctx, request.params.hubId, 'stock');
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="hub-inventory-${request.params.hubId}.csv"`).send(await inventory.exportCounts(request.params.hubId));
      },
    );

    r.post(
      '/api/v1/hubs/:hubId/inventory.csv',
      {
        config,
        preValidation: async (request) => {
          const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
          if (!CSV_TYPES.includes(type)) throw new HttpError('unsupported_media_type', 'Send the counts as text/csv.', [{ field: 'headers.content-type', message: 'use text/csv' }]);
        },
        schema: {
          tags: ['supply'],
          summary: "Import a count of the hub's stock (text/csv: itemId,onHand[,threshold]); each difference becomes an adjustment, all or nothing",
          params: hubParams,
          consumes: ['text/csv'],
          body: z.string(),
          security,
        },
      },
      async (request) => {
        assertThisHub(ctx, request.params.hubId, 'stock');
        const { rows, errors } = parseCounts(request.body);
        if (errors.length > 0) throw new Invalid(`The count has ${errors.length} bad line(s); nothing was applied.`, errors);
        return inventory.importCounts(request.params.hubId, rows, request.principal!.subject);
      },
    );
  });
}
