// HTTP for signing up, logging in and out (API.md "Accounts and access").
// Login and sign-up are public and rate limited per client address and name:
// each attempt costs an argon2id computation by design.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { typed } from '../../http/app.js';
import { bearerOf, roleTypes } from '../../http/auth.js';
import type { NodeContext } from '../../core/context.js';
import { emailSchema, PASSWORD_MAX, personNameSchema, usernameSchema } from './signup-rules.js';
import type { AccountService } from './service.js';

export { usernameSchema, emailSchema, personNameSchema };

export const grantSchema = z.object({
  role: z.enum(roleTypes),
  storeId: z.string().optional(),
  regionCode: z.string().optional(),
});

function attemptKey(request: FastifyRequest): string {
  const name = (request.body as { username?: unknown } | undefined)?.username;
  return `${request.ip}|${typeof name === 'string' ? name.toLowerCase() : ''}`;
}

export function registerAuthRoutes(app: FastifyInstance, ctx: NodeContext, accounts: AccountService): void {
  const r = typed(app);
  // preHandler: after the body is parsed, so the key names the account attempted.
  const limited = { max: ctx.config.authRateLimit, timeWindow: 60_000, hook: 'preHandler' as const, keyGenerator: attemptKey };

  r.post(
    '/api/v1/auth/register',
    {
      config: { access: 'public', rateLimit: limited },
      bodyLimit: 16 * 1024,
      schema: {
        tags: ['accounts'],
        summary: 'Create an account at this node; the username and email are checked across the network',
        body: z.strictObject({
          username: usernameSchema,
          email: emailSchema,
          password: z.string().max(PASSWORD_MAX * 4, `must be at most ${PASSWORD_MAX} characters`),
          firstName: personNameSchema.optional(),
          lastName: personNameSchema.optional(),
        }),
        response: {
          201: z.object({
            user: z.object({ id: z.string(), username: z.string() }),
            nameClaim: z.enum(['pending', 'confirmed', 'lost']).describe('pending: no owner hub could be reached yet; the name is settled later'),
          }),
        },
      },
    },
    async (request, reply) => {
      const a = await accounts.register(request.body);
      return reply.status(201).send({ user: { id: a.userId, username: a.username }, nameClaim: a.nameClaim });
    },
  );

  r.post(
    '/api/v1/auth/login',
    {
      config: { access: 'public', rateLimit: limited },
      bodyLimit: 16 * 1024,
      schema: {
        tags: ['accounts'],
        summary: 'Log in at any node with an account made at any node; the token works at every node',
        body: z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(PASSWORD_MAX * 4) }),
        response: {
          200: z.object({
            token: z.string(),
            expiresAt: z.string(),
            user: z.object({ id: z.string(), username: z.string(), roles: z.array(grantSchema), nameClaim: z.enum(['pending', 'confirmed', 'lost']) }),
            notice: z.string().optional(),
          }),
        },
      },
    },
    async (request) => accounts.login(request.body.username, request.body.password),
  );

  r.post(
    '/api/v1/auth/logout',
    {
      config: { access: { roles: [...roleTypes] } },
      schema: {
        tags: ['accounts'],
        summary: 'Revoke this token here and at every node that holds the account',
        response: { 204: z.null() },
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) => {
      const token = bearerOf(request);
      if (token) await accounts.logout(token);
      return reply.status(204).send(null);
    },
  );
}
