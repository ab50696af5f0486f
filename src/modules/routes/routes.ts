// POST /api/v1/routes/optimize: the route optimiser for logistics managers
// (deliveries), repair staff (crew visits) and super admins. The search runs
// in slices that let the node's event loop breathe, so heartbeats and other
// requests go on while it works; at most two searches run at once per node.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { typed } from '../../http/app.js';
import { Invalid, TooManyRequests } from '../../http/errors.js';
import { lineText } from '../../lib/text.js';
import { planRoutes } from './optimize.js';

export const MAX_STOPS = 500;
const MAX_CONCURRENT = 2;
const DEFAULT_SPEED_MPH = 35;

const latLon = { lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) };

const bodySchema = z.strictObject({
  start: z.strictObject(latLon),
  stops: z
    .array(
      z.strictObject({
        id: lineText(100, 1),
        ...latLon,
        serviceMinutes: z.number().min(0).max(24 * 60).optional(),
        demand: z.number().int().min(0).max(1_000_000).optional().describe('load this stop takes from the vehicle (default 1 when a capacity is given)'),
      }),
    )
    .min(1)
    .max(MAX_STOPS),
  returnToStart: z.boolean().default(true),
  vehicleCapacity: z.number().int().min(1).max(1_000_000).optional().describe('split the stops into routes of vehicles of this capacity (a capacitated VRP); routes then return to the start'),
  timeLimitMs: z.number().int().min(10).max(30_000).default(1000).describe('how long the search may run; it stops earlier when it stops finding shorter routes'),
  averageSpeedMph: z.number().min(1).max(120).default(DEFAULT_SPEED_MPH).describe('for the minutes of each route, beside each stop’s service minutes'),
});

const routeSchema = z.object({ stopIds: z.array(z.string()), miles: z.number(), minutes: z.number(), load: z.number().optional() });
const planSchema = z.object({
  routes: z.array(routeSchema),
  totalMiles: z.number(),
  nearestNeighbourMiles: z.number().describe('the same stops by nearest neighbour: the baseline the search is measured against'),
  givenOrderMiles: z.number().describe('the stops in the order given; the answer is never longer'),
  averageSpeedMph: z.number(),
  method: z.string(),
  iterations: z.number(),
  computeMs: z.number(),
});

export function registerRouteRoutes(app: FastifyInstance): void {
  let running = 0;
  const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
  typed(app).post(
    '/api/v1/routes/optimize',
    {
      config: { access: { roles: ['LOGISTICS_MANAGER', 'REPAIR_STAFF'] } },
      bodyLimit: 256 * 1024,
      schema: {
        tags: ['routes'],
        summary: 'Order stops into the shortest tour, or into vehicle routes when a capacity is given (great-circle miles)',
        body: bodySchema,
        response: { 200: planSchema },
        security: [{ bearer: [] }],
      },
    },
    async (request) => {
      const body = request.body;
      if (body.vehicleCapacity !== undefined) {
        if (!body.returnToStart) throw new Invalid('Vehicle routes return to the start.', [{ field: 'body.returnToStart', message: 'must be true (or left out) when vehicleCapacity is given' }]);
        const over = body.stops.findIndex((s) => (s.demand ?? 1) > body.vehicleCapacity!);
        if (over >= 0) throw new Invalid('A stop needs more than one vehicle holds.', [{ field: `body.stops.${over}.demand`, message: `is more than vehicleCapacity (${body.vehicleCapacity})` }]);
      }
      const ids = new Set<string>();
      body.stops.forEach((s, i) => {
        if (ids.has(s.id)) throw new Invalid('Stop ids must be unique.', [{ field: `body.stops.${i}.id`, message: `repeats ${s.id}` }]);
        ids.add(s.id);
      });
      if (running >= MAX_CONCURRENT) throw new TooManyRequests(`This node is already optimising ${running} routes; try again in a moment.`, 1);
      running += 1;
      try {
        const plan = await planRoutes(body, { now: () => performance.now(), pause });
        request.log.info({ stops: body.stops.length, routes: plan.routes.length, totalMiles: plan.totalMiles, nearestNeighbourMiles: plan.nearestNeighbourMiles, ms: Math.round(plan.computeMs) }, 'routes optimised');
        return { ...plan, computeMs: Math.round(plan.computeMs) };
      } finally {
        running -= 1;
      }
    },
  );
}
