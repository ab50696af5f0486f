// HTTP for the catalog. Reading is public (the menu is shown before anyone
// logs in; a logged-in person also sees their own drinks). Only a super
// admin changes ingredients and catalog drinks; a person with an account
// adds and edits drinks of their own.
import { nameText } from '../../lib/text.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { typed } from '../../http/app.js';
import type { NodeContext } from '../../core/context.js';
import { drinkIdSchema, drinkSizes, iceLevels, ingredientTypes, itemIdSchema, recipeLineSchema } from './model.js';
import type { CatalogActor, CatalogService } from './service.js';

const security = [{ bearer: [] }];
const superAdmin = { roles: ['SUPER_ADMIN' as const] };
const accountHolder = { roles: ['ACCOUNT_USER' as const] };

const ingredientOut = z.object({ itemId: z.string(), name: z.string(), type: z.enum(ingredientTypes), unit: z.string(), retired: z.boolean() });
const drinkOut = z.object({
  drinkId: z.string(),
  name: z.string(),
  priceCents: z.number().int(),
  size: z.enum(drinkSizes),
  ice: z.enum(iceLevels),
  ingredients: z.array(z.object({ itemId: z.string(), quantity: z.number().int() })),
  userCreated: z.boolean(),
  createdBy: z.string().nullable(),
  rating: z.number().nullable(),
  retired: z.boolean(),
});

const name = nameText(100);
const components = z.array(recipeLineSchema).min(1, 'at least one ingredient').max(12, 'at most 12 ingredients');
const priceCents = z.number().int('whole cents').min(0).max(100_000);
const rating = z.number().min(0).max(5).nullable();

function actorOf(request: FastifyRequest): CatalogActor | undefined {
  const p = request.principal;
  return p ? { subject: p.subject, isSuperAdmin: p.roles.some((g) => g.role === 'SUPER_ADMIN') } : undefined;
}

export function registerCatalogRoutes(app: FastifyInstance, _ctx: NodeContext, service: CatalogService): void {
  const r = typed(app);

  r.get(
    '/api/v1/ingredients',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalog'],
        summary: 'Ingredients on offer: syrups, sodas, add-ins, juices, cups, lids, straws, ice',
        querystring: z.strictObject({ type: z.enum(ingredientTypes).optional(), includeRetired: z.enum(['true', 'false']).default('false') }),
        response: { 200: z.object({ items: z.array(ingredientOut) }) },
      },
    },
    async (request) => ({ items: await service.ingredients({ type: request.query.type, includeRetired: request.query.includeRetired === 'true' }) }),
  );

  r.post(
    '/api/v1/ingredients',
    {
      config: { access: superAdmin },
      schema: {
        tags: ['catalog'],
        summary: 'Add an ingredient to the catalog (super admin); its id is <type>-<name> unless given',
        body: z.strictObject({ itemId: itemIdSchema.optional(), name, type: z.enum(ingredientTypes), unit: nameText(20).optional() }),
        response: { 201: ingredientOut },
        security,
      },
    },
    async (request, reply) => reply.status(201).send(await service.createIngredient(actorOf(request)!, request.body)),
  );

  r.patch(
    '/api/v1/ingredients/:itemId',
    {
      config: { access: superAdmin },
      schema: {
        tags: ['catalog'],
        summary: 'Rename, change the unit, retire or bring back an ingredient (super admin)',
        params: z.strictObject({ itemId: itemIdSchema }),
        body: z.strictObject({ name: name.optional(), unit: nameText(20).optional(), retired: z.boolean().optional() }),
        response: { 200: ingredientOut },
        security,
      },
    },
    async (request) => service.updateIngredient(actorOf(request)!, request.params.itemId, request.body),
  );

  r.get(
    '/api/v1/drinks',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalog'],
        summary: 'The catalog’s drinks; with a token, the caller’s own drinks too',
        response: { 200: z.object({ items: z.array(drinkOut) }) },
      },
    },
    async (request) => {
      const p = request.principal;
      return { items: await service.listDrinks(p?.kind === 'user' ? p.subject : undefined) };
    },
  );

  r.get(
    '/api/v1/drinks/:drinkId',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalog'],
        summary: 'One drink: a catalog drink for anyone, a person’s own drink for them',
        params: z.strictObject({ drinkId: drinkIdSchema }),
        response: { 200: drinkOut },
      },
    },
    async (request) => service.drinkFor(request.params.drinkId, actorOf(request)),
  );

  r.post(
    '/api/v1/drinks',
    {
      config: { access: accountHolder },
      schema: {
        tags: ['catalog'],
        summary: 'A super admin adds a catalog drink; a person adds their own, priced by the store',
        description:
          'List only syrups, sodas, add-ins and juices: the cup for the size, a lid, a straw and the ice are added by the store. ' +
          'A person’s drink is priced from its size and components; priceCents and rating are for catalog drinks only.',
        body: z.strictObject({
          drinkId: drinkIdSchema.optional(),
          name,
          size: z.enum(drinkSizes).default('24oz'),
          ice: z.enum(iceLevels).default('regular'),
          ingredients: components,
          priceCents: priceCents.optional(),
          rating: rating.optional(),
        }),
        response: { 201: drinkOut },
        security,
      },
    },
    async (request, reply) => reply.status(201).send(await service.createDrink(actorOf(request)!, request.body)),
  );

  r.patch(
    '/api/v1/drinks/:drinkId',
    {
      config: { access: accountHolder },
      schema: {
        tags: ['catalog'],
        summary: 'Change or retire a drink: a catalog drink by a super admin, a person’s own by them',
        params: z.strictObject({ drinkId: drinkIdSchema }),
        body: z.strictObject({
          name: name.optional(),
          size: z.enum(drinkSizes).optional(),
          ice: z.enum(iceLevels).optional(),
          ingredients: components.optional(),
          priceCents: priceCents.optional(),
          rating: rating.optional(),
          retired: z.boolean().optional(),
        }),
        response: { 200: drinkOut },
        security,
      },
    },
    async (request) => service.updateDrink(actorOf(request)!, request.params.drinkId, request.body),
  );

  r.post(
    '/api/v1/catalog/default',
    {
      config: { access: superAdmin },
      schema: {
        tags: ['catalog'],
        summary: 'Add the default catalog’s ingredients and drinks that are missing (super admin); safe to repeat',
        response: { 200: z.object({ ingredientsAdded: z.number().int(), drinksAdded: z.number().int(), drinksSkipped: z.array(z.string()) }) },
        security,
      },
    },
    async (request) => service.seedDefaultCatalog(actorOf(request)!),
  );
}
