// HTTP for a person's own account at any node: profile, drink preferences
// and favorites. Only a logged-in account (not the operator, not a guest)
// has a "me"; every answer is about the token's own account.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { typed } from '../../http/app.js';
import { Forbidden } from '../../http/errors.js';
import type { NodeContext } from '../../core/context.js';
import type { FavoriteService } from './favorites.js';
import { emailSchema, grantSchema, personNameSchema, usernameSchema } from './routes.js';
import type { AccountService } from './service.js';

const self = { roles: ['ACCOUNT_USER' as const] };
const security = [{ bearer: [] }];

export const preferencesSchema = z.strictObject({
  size: z.enum(['small', 'medium', 'large', 'extra-large']).optional(),
  ice: z.enum(['none', 'light', 'regular', 'extra']).optional(),
  sweetness: z.enum(['less', 'regular', 'extra']).optional(),
  caffeineFree: z.boolean().optional(),
  sugarFree: z.boolean().optional(),
  avoidIngredients: z.array(z.string().min(1).max(64)).max(50).optional(),
  notes: z.string().max(500).optional(),
});

const profileSchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  phone: z.string().nullable(),
  status: z.enum(['active', 'disabled']),
  nameClaim: z.enum(['pending', 'confirmed', 'lost']),
  homeStoreId: z.string(),
  homeRegion: z.string(),
  createdAt: z.string(),
  roles: z.array(grantSchema),
  notice: z.string().optional(),
});

const drinkIdSchema = z.strictObject({ drinkId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a drink id') });

function meOf(request: FastifyRequest): string {
  const p = request.principal;
  if (!p || p.kind !== 'user') throw new Forbidden('Only a logged-in account has a profile.');
  return p.subject;
}

export function registerMeRoutes(app: FastifyInstance, _ctx: NodeContext, accounts: AccountService, favorites: FavoriteService): void {
  const r = typed(app);

  const profile = async (userId: string) => {
    const a = await accounts.require(userId);
    return {
      id: a.userId,
      username: a.username,
      email: a.email,
      firstName: a.firstName,
      lastName: a.lastName,
      phone: a.phone,
      status: a.status,
      nameClaim: a.nameClaim,
      homeStoreId: a.homeNode,
      homeRegion: a.homeRegion,
      createdAt: a.createdAt,
      roles: await accounts.rolesOf(userId),
      ...(a.nameClaim === 'lost' ? { notice: 'Another account registered this username or email first; choose a new one with PATCH /api/v1/me.' } : {}),
    };
  };

  r.get(
    '/api/v1/me',
    { config: { access: self }, schema: { tags: ['accounts'], summary: 'My profile', response: { 200: profileSchema }, security } },
    async (request) => profile(meOf(request)),
  );

  r.patch(
    '/api/v1/me',
    {
      config: { access: self },
      schema: {
        tags: ['accounts'],
        summary: 'Change my profile (each field last-writer-wins); a new username or email is checked across the network',
        body: z.strictObject({
          username: usernameSchema.optional(),
          email: emailSchema.optional(),
          firstName: personNameSchema.nullable().optional(),
          lastName: personNameSchema.nullable().optional(),
          phone: z.string().regex(/^[0-9+() .-]{5,30}$/, 'a phone number').nullable().optional(),
        }),
        response: { 200: profileSchema },
        security,
      },
    },
    async (request) => {
      const userId = meOf(request);
      await accounts.updateProfile(userId, request.body);
      return profile(userId);
    },
  );

  r.get(
    '/api/v1/me/preferences',
    { config: { access: self }, schema: { tags: ['accounts'], summary: 'My drink preferences', response: { 200: preferencesSchema }, security } },
    async (request) => preferencesSchema.parse((await accounts.require(meOf(request))).preferences),
  );

  r.put(
    '/api/v1/me/preferences',
    {
      config: { access: self },
      schema: { tags: ['accounts'], summary: 'Replace my drink preferences', body: preferencesSchema, response: { 200: preferencesSchema }, security },
    },
    async (request) => preferencesSchema.parse(await accounts.setPreferences(meOf(request), request.body)),
  );

  r.get(
    '/api/v1/me/favorites',
    {
      config: { access: self },
      schema: {
        tags: ['accounts'],
        summary: 'My favorite drinks',
        response: { 200: z.object({ items: z.array(z.object({ drinkId: z.string() })), nextCursor: z.null() }) },
        security,
      },
    },
    async (request) => ({ items: await favorites.list(meOf(request)), nextCursor: null }),
  );

  r.put(
    '/api/v1/me/favorites/:drinkId',
    {
      config: { access: self },
      schema: { tags: ['accounts'], summary: 'Add a favorite (adding it twice keeps one)', params: drinkIdSchema, response: { 204: z.null() }, security },
    },
    async (request, reply) => {
      await favorites.add(meOf(request), request.params.drinkId);
      return reply.status(204).send(null);
    },
  );

  r.delete(
    '/api/v1/me/favorites/:drinkId',
    {
      config: { access: self },
      schema: { tags: ['accounts'], summary: 'Remove a favorite', params: drinkIdSchema, response: { 204: z.null() }, security },
    },
    async (request, reply) => {
      await favorites.remove(meOf(request), request.params.drinkId);
      return reply.status(204).send(null);
    },
  );
}
