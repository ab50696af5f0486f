// Usage history and forecasts at a hub, for its logistics manager: upload
// (CSV or JSON, all or nothing, each bad row named), what the hub holds, and
// a daily forecast of an item with its backtest against seasonal naive, the
// patterns, and when to restock.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NodeContext } from '../../core/context.js';
import { textBodyParser } from '../../http/body.js';
import { HttpError, Invalid, NotFound } from '../../http/errors.js';
import { typed } from '../../http/app.js';
import { lineText } from '../../lib/text.js';
import { addDays, forecastDaily, patternsOf, recommend } from '../forecast/index.js';
import { ingredientTypes } from '../catalog/index.js';
import { assertThisHub } from './hub-stock-routes.js';
import { checkUsageCsv, checkUsageJson, type CheckedUsage } from './usage-rows.js';
import type { UsageService } from './usage.js';

const security = [{ bearer: [] }];
const CSV_TYPES = ['text/csv', 'application/csv'];
const UPLOAD_LIMIT = 32 * 1024 * 1024;

export interface UsageRouteDeps {
  usage: UsageService;
  /** Whether a store is in this hub's region (the directory). */
  regionStores: () => Promise<Set<string>>;
  /** The hub's available stock of a catalog item, by name and type; null when the catalog has no such item. */
  hubStockOf: (itemName: string, itemType: string) => Promise<number | null>;
}

const importSchema = z.object({
  imported: z.number(),
  replacedInFile: z.number().describe('rows that gave way to a later row of the same day, store and item in the same file'),
  dateRange: z.object({ start: z.string(), end: z.string() }).nullable(),
  stores: z.number(),
  items: z.number(),
  ms: z.number(),
});

export function registerUsageRoutes(app: FastifyInstance, ctx: NodeContext, deps: UsageRouteDeps): void {
  const hubParams = z.strictObject({ hubId: z.uuid() });
  const access = { access: { roles: ['LOGISTICS_MANAGER' as const] } };
  const today = () => new Date(ctx.clock.now()).toISOString().slice(0, 10);

  void app.register(async (scope) => {
    scope.addContentTypeParser(CSV_TYPES, { parseAs: 'buffer', bodyLimit: UPLOAD_LIMIT }, textBodyParser);
    const r = typed(scope);
    r.post(
      '/api/v1/hubs/:hubId/usage',
      {
        config: access,
        bodyLimit: UPLOAD_LIMIT,
        schema: {
          tags: ['supply'],
          summary: 'Upload usage history: text/csv (date,store_id,item_name,item_type,quantity_used) or JSON rows; upserts by (store, date, item); any bad row and nothing is imported',
          description: 'Errors name each bad row: `body.line.N` (CSV, the line a spreadsheet shows) or `body.rows.N` (JSON), the first 100 of them.',
          params: hubParams,
          consumes: ['text/csv', 'application/json'],
          body: z.union([
            z.string(),
            z.strictObject({
              rows: z
                .array(z.strictObject({ date: z.string().max(40), storeId: z.string().max(80), itemName: z.string().max(200), itemType: z.string().max(40), quantityUsed: z.number() }))
                .min(1)
                .max(200_000),
            }),
          ]),
          response: { 201: importSchema },
          security,
        },
      },
      async (request, reply) => {
        assertThisHub(ctx, request.params.hubId, 'usage history');
        const t0 = performance.now();
        const stores = await deps.regionStores();
        const check = { today: today(), isRegionStore: (id: string) => stores.has(id) };
        let checked: CheckedUsage;
        if (typeof request.body === 'string') {
          const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
          if (!CSV_TYPES.includes(type)) throw new HttpError('unsupported_media_type', 'Send usage as text/csv or as JSON rows.', [{ field: 'headers.content-type', message: 'use text/csv or application/json' }]);
          checked = checkUsageCsv(request.body, check);
        } else checked = checkUsageJson(request.body.rows, check);
        if (checked.errors.length > 0) {
          throw new Invalid(`${checked.badRows || 'Some'} row(s) cannot be imported; nothing of this file was imported.`, checked.errors);
        }
        if (checked.rows.length === 0) throw new Invalid('The file holds no rows.', [{ field: 'body', message: 'no rows after the header' }]);
        const result = await deps.usage.import(request.params.hubId, checked.rows, checked.replacedInFile);
        return reply.status(201).send({ ...result, ms: Math.round(performance.now() - t0) });
      },
    );
  });

  const r = typed(app);
  r.get(
    '/api/v1/hubs/:hubId/usage',
    {
      config: access,
      schema: {
        tags: ['supply'],
        summary: 'The usage history the hub holds: each item with its days, first and last day, total and stores',
        params: hubParams,
        querystring: z.strictObject({ sinceDays: z.coerce.number().int().min(1).max(3660).default(365) }),
        response: {
          200: z.object({ items: z.array(z.object({ itemName: z.string(), itemType: z.string(), days: z.number(), first: z.string(), last: z.string(), total: z.number(), stores: z.number() })) }),
        },
        security,
      },
    },
    async (request) => {
      assertThisHub(ctx, request.params.hubId, 'usage history');
      return { items: await deps.usage.summary(request.params.hubId, addDays(today(), -request.query.sinceDays)) };
    },
  );

  const point = z.object({ date: z.string(), quantity: z.number(), low: z.number(), high: z.number() });
  r.post(
    '/api/v1/hubs/:hubId/forecasts',
    {
      config: access,
      schema: {
        tags: ['supply'],
        summary: "Forecast an item's daily use for the days after its history, with an 80 % interval, the method's rolling backtest beside seasonal naive's, the patterns and when to restock",
        params: hubParams,
        body: z.strictObject({
          itemName: lineText(100, 1),
          itemType: z.enum(ingredientTypes),
          storeId: z.uuid().optional(),
          horizonDays: z.number().int().min(1).max(90).default(14),
          leadTimeDays: z.number().int().min(0).max(30).default(2),
        }),
        response: {
          200: z.object({
            itemName: z.string(),
            itemType: z.string(),
            storeId: z.string().nullable(),
            history: z.object({ start: z.string(), end: z.string(), days: z.number(), recent: z.array(z.object({ date: z.string(), quantity: z.number() })) }),
            points: z.array(point),
            method: z.string(),
            interval: z.string(),
            backtest: z.object({
              mase: z.number().nullable(),
              smape: z.number().nullable(),
              seasonalNaiveMase: z.number().nullable(),
              seasonalNaiveSmape: z.number().nullable(),
              origins: z.number(),
              horizon: z.number(),
              note: z.string().optional(),
            }),
            patterns: z.object({
              averageDaily: z.number(),
              dayOfWeek: z.record(z.string(), z.number()),
              peakDays: z.array(z.string()),
              trend: z.object({ perDay: z.number(), direction: z.enum(['rising', 'falling', 'flat']) }),
            }),
            recommendation: z.object({ stock: z.number().nullable(), stockoutDate: z.string().nullable(), restockDate: z.string().nullable(), quantity: z.number().nullable(), leadTimeDays: z.number(), note: z.string() }),
          }),
        },
        security,
      },
    },
    async (request) => {
      assertThisHub(ctx, request.params.hubId, 'usage history');
      const { itemName, itemType, storeId, horizonDays, leadTimeDays } = request.body;
      const series = await deps.usage.series(request.params.hubId, itemName, itemType, storeId);
      if (!series) throw new NotFound(`No usage history of ${itemName} (${itemType})${storeId ? ` at store ${storeId}` : ''} at this hub; upload some first.`);
      const f = forecastDaily(series.start, series.values, horizonDays);
      // A store's own stock is kept at the store; the hub's is known here.
      const stock = storeId ? null : await deps.hubStockOf(itemName, itemType);
      const end = addDays(series.start, series.values.length - 1);
      const recentFrom = Math.max(0, series.values.length - 56);
      return {
        itemName,
        itemType,
        storeId: storeId ?? null,
        history: { start: series.start, end, days: series.values.length, recent: series.values.slice(recentFrom).map((quantity, i) => ({ date: addDays(series.start, recentFrom + i), quantity })) },
        ...f,
        patterns: patternsOf(series.start, series.values),
        recommendation: recommend(f.points, stock, leadTimeDays),
      };
    },
  );
}

