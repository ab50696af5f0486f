// The region overview over HTTP, at the region's hub.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NodeContext } from '../../core/context.js';
import { typed } from '../../http/app.js';
import { NotFound } from '../../http/errors.js';
import { urgencies } from './model.js';
import { CRITICAL_DAYS, LOW_DAYS, type RegionOverview } from './region-overview.js';

const level = z.object({
  storeId: z.string(),
  name: z.string(),
  reportedAt: z.string().nullable(),
  worst: z.object({ itemId: z.string(), name: z.string(), available: z.number(), daysOfStock: z.number() }).nullable(),
  shortItems: z.number().describe(`items lasting ${LOW_DAYS} days or less`),
});

export function registerRegionRoutes(app: FastifyInstance, ctx: NodeContext, overview: RegionOverview): void {
  typed(app).get(
    '/api/v1/regions/:code/logistics',
    {
      config: { access: { roles: ['LOGISTICS_MANAGER'], scope: { region: 'code' } } },
      schema: {
        tags: ['supply'],
        summary: "The logistics manager's region overview: stores by days of stock, requests by urgency, deliveries under way, the hub's stock and orders, forecast accuracy",
        description: `Critical: a store's first item to run out lasts ${CRITICAL_DAYS} day or less; low: ${LOW_DAYS} days or less. Days of stock come from what each store last reported (its own sales over 28 days).`,
        params: z.strictObject({ code: z.string().regex(/^[A-Z]$/, 'a region letter such as C') }),
        response: {
          200: z.object({
            region: z.string(),
            hubId: z.string(),
            asOf: z.string(),
            stores: z.object({ critical: z.array(level), low: z.array(level), ok: z.number(), unknown: z.array(level) }),
            requests: z.object({ pending: z.record(z.enum(urgencies), z.number()), approved: z.number(), inTransit: z.number(), overdue: z.number() }),
            deliveries: z.object({
              scheduled: z.number(),
              inTransit: z.array(z.object({ deliveryId: z.string(), driver: z.string().nullable(), vehicle: z.string().nullable(), stops: z.number(), dispatchedAt: z.string().nullable(), miles: z.number() })),
              completedLast7Days: z.number(),
              failedLast7Days: z.number(),
            }),
            hub: z.object({ items: z.number(), low: z.number(), openPurchaseOrders: z.number(), unitsOnOrder: z.number() }),
            forecastAccuracy: z.object({ items: z.number(), mase: z.number().nullable(), seasonalNaiveMase: z.number().nullable(), ratio: z.number().nullable(), computedAt: z.string() }),
          }),
        },
        security: [{ bearer: [] }],
      },
    },
    async (request) => {
      if (ctx.config.role !== 'hub' || request.params.code !== ctx.config.region) throw new NotFound(`Region ${request.params.code}'s overview is answered by that region's hub.`);
      const [stores, requests, deliveries, hub, forecastAccuracy] = await Promise.all([overview.storeLevels(), overview.requests(), overview.deliveries(), overview.hub(), overview.forecastAccuracy()]);
      return { region: ctx.config.region, hubId: ctx.identity.nodeId, asOf: new Date(ctx.clock.now()).toISOString(), stores, requests, deliveries, hub, forecastAccuracy };
    },
  );
}
