// HTTP for regions, the store directory and nearest-store discovery.
// Discovery and store details are public (a customer's app asks before
// anyone logs in); a store's profile is changed by its own MANAGER or ADMIN,
// or a super admin, at the store itself or at a hub.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { typed } from '../../http/app.js';
import type { RoleType } from '../../http/auth.js';
import type { NodeContext } from '../../core/context.js';
import { identityShape, profileShape } from './model.js';
import type { StoreService } from './service.js';

const security = [{ bearer: [] }];
const storeIdParam = z.strictObject({ storeId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'a store id') });
const storeStaff = { roles: ['MANAGER', 'ADMIN'] as RoleType[], scope: { store: 'storeId' } };

/** A decimal query value in a range; z.coerce would read an empty value as 0. */
const decimal = (min: number, max: number, description: string) =>
  z
    .string()
    .describe(`${description}, ${min} to ${max}`)
    .trim()
    .regex(/^[-+]?(\d+(\.\d*)?|\.\d+)$/, 'a decimal number')
    .transform(Number)
    .pipe(z.number().min(min, `at least ${min}`).max(max, `at most ${max}`));

const hoursOut = z.record(z.string(), z.object({ open: z.string(), close: z.string() }).nullable());
const addressOut = z.object({ street: z.string(), city: z.string(), state: z.string(), zip: z.string() }).nullable();

const recordOut = z.object({
  storeId: z.string(),
  storeNumber: z.string().nullable(),
  name: z.string(),
  region: z.string(),
  address: addressOut,
  phone: z.string().nullable(),
  email: z.string().nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  timeZone: z.string(),
  weeklyHours: hoursOut,
  isOperational: z.boolean(),
  isAcceptingOrders: z.boolean(),
  apiBaseUrl: z.string().nullable(),
  waitMinutes: z.number().int(),
  updatedAt: z.string(),
});

const detailsOut = recordOut.extend({
  isOpen: z.boolean(),
  closesAt: z.string().nullable(),
  nextOpeningAt: z.string().nullable(),
  healthy: z.boolean().nullable(),
  stockStatus: z.record(z.string(), z.unknown()).nullable(),
});

const nearbyOut = z.object({
  storeId: z.string(),
  name: z.string(),
  distanceMiles: z.number(),
  isOpen: z.boolean(),
  apiBaseUrl: z.string().nullable(),
  healthy: z.boolean().nullable(),
  waitMinutes: z.number().int(),
  acceptingOrders: z.boolean(),
  region: z.string(),
  address: addressOut,
});

const regionOut = z.object({
  code: z.string(),
  name: z.string(),
  centre: z.object({ lat: z.number(), lon: z.number() }),
  radiusMiles: z.number(),
  timeZone: z.string(),
  hub: z.object({ nodeId: z.string(), name: z.string(), apiBaseUrl: z.string().nullable(), healthy: z.boolean() }).nullable(),
});

const patchBody = z.strictObject({
  ...Object.fromEntries(Object.entries(profileShape).map(([k, s]) => [k, s.optional()])),
  ...Object.fromEntries(Object.entries(identityShape).map(([k, s]) => [k, s.optional()])),
} as { [K in keyof typeof profileShape | keyof typeof identityShape]: z.ZodOptional<(typeof profileShape & typeof identityShape)[K]> });

const putBody = z.strictObject({
  ...profileShape,
  ...Object.fromEntries(Object.entries(identityShape).map(([k, s]) => [k, s.optional()])),
} as typeof profileShape & { [K in keyof typeof identityShape]: z.ZodOptional<(typeof identityShape)[K]> });

export function registerStoreRoutes(app: FastifyInstance, ctx: NodeContext, service: StoreService): void {
  const r = typed(app);

  r.get(
    '/api/v1/regions',
    {
      config: { access: 'public' },
      schema: {
        tags: ['stores'],
        summary: 'The seven regions, each with its supply hub as this node sees it',
        response: { 200: z.object({ items: z.array(regionOut) }) },
      },
    },
    async () => ({ items: service.regions(ctx.publicUrl) }),
  );

  r.get(
    '/api/v1/stores/nearby',
    {
      config: { access: 'public' },
      schema: {
        tags: ['stores'],
        summary: 'Operational stores nearest first, with open-now (in each store’s time zone), health and wait',
        querystring: z.strictObject({
          lat: decimal(-90, 90, 'latitude in degrees'),
          lon: decimal(-180, 180, 'longitude in degrees'),
          radius: decimal(0.1, 3000, 'search radius in miles (default 100)').default(100),
          limit: z.coerce.number().int().min(1).max(100).default(10),
        }),
        response: { 200: z.object({ items: z.array(nearbyOut) }) },
      },
    },
    async (request) => {
      const { lat, lon, radius, limit } = request.query;
      return { items: await service.nearby({ lat, lon, radiusMiles: radius, limit }) };
    },
  );

  r.get(
    '/api/v1/stores',
    {
      config: { access: 'public' },
      schema: {
        tags: ['stores'],
        summary: 'The store directory this node holds, in store id order',
        querystring: z.strictObject({
          region: z.string().regex(/^[A-Z]$/, 'a region code such as C').optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z.string().max(128).optional(),
        }),
        response: { 200: z.object({ items: z.array(recordOut), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => service.list({ region: request.query.region, limit: request.query.limit, after: request.query.cursor }),
  );

  r.get(
    '/api/v1/stores/:storeId',
    {
      config: { access: 'public' },
      schema: {
        tags: ['stores'],
        summary: 'A store: details, hours, open now, next opening, wait estimate, health and stock status',
        params: storeIdParam,
        response: { 200: detailsOut },
      },
    },
    async (request) => service.details(request.params.storeId),
  );

  r.patch(
    '/api/v1/stores/:storeId',
    {
      config: { access: storeStaff },
      schema: {
        tags: ['stores'],
        summary: 'Change some profile fields (hours, address, flags, time zone); at a hub also name and position',
        params: storeIdParam,
        body: patchBody,
        response: { 200: recordOut },
        security,
      },
    },
    async (request) => service.updateProfile(request.params.storeId, request.body),
  );

  r.put(
    '/api/v1/stores/:storeId',
    {
      config: { access: storeStaff },
      schema: {
        tags: ['stores'],
        summary: 'Replace the whole profile; at a hub this also registers a store the directory does not hold yet',
        params: storeIdParam,
        body: putBody,
        response: { 200: recordOut },
        security,
      },
    },
    async (request) => service.updateProfile(request.params.storeId, request.body),
  );
}
