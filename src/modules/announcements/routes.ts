// HTTP for announcements: head office (super admin) publishes to the whole
// chain, a region's logistics manager to the region; staff read what their
// node holds.
import { nameText } from '../../lib/text.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { typed } from '../../http/app.js';
import { Forbidden } from '../../http/errors.js';
import type { Principal } from '../../http/auth.js';
import type { NodeContext } from '../../core/context.js';
import type { AnnouncementService } from './service.js';

const staff = { roles: ['MANAGER', 'ADMIN', 'LOGISTICS_MANAGER', 'REPAIR_STAFF'] as ('MANAGER' | 'ADMIN' | 'LOGISTICS_MANAGER' | 'REPAIR_STAFF')[] };
const security = [{ bearer: [] }];

const announcementSchema = z.object({
  announcementId: z.string(),
  scope: z.enum(['global', 'region']),
  region: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  author: z.string(),
  publishedAt: z.string(),
  retracted: z.boolean(),
});

function mayPublish(principal: Principal | undefined, topic: string): boolean {
  return (principal?.roles ?? []).some(
    (g) => g.role === 'SUPER_ADMIN' || (g.role === 'LOGISTICS_MANAGER' && topic === `region:${g.regionCode}`),
  );
}

export function registerAnnouncementRoutes(app: FastifyInstance, ctx: NodeContext, service: AnnouncementService): void {
  const r = typed(app);
  const heldTopics = ['global', `region:${ctx.config.region}`];

  r.get(
    '/api/v1/announcements',
    {
      config: { access: staff },
      schema: {
        tags: ['announcements'],
        summary: 'Announcements this node holds (the chain and its region), newest first',
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          includeRetracted: z.enum(['true', 'false']).default('false'),
        }),
        response: { 200: z.object({ items: z.array(announcementSchema), nextCursor: z.null() }) },
        security,
      },
    },
    async (request) => ({
      items: await service.list(heldTopics, request.query.limit, request.query.includeRetracted === 'true'),
      nextCursor: null,
    }),
  );

  r.post(
    '/api/v1/announcements',
    {
      config: { access: { roles: ['LOGISTICS_MANAGER'] } },
      schema: {
        tags: ['announcements'],
        summary: 'Publish to the whole chain (super admin) or to one region (its logistics manager)',
        body: z.strictObject({
          scope: z.enum(['global', 'region']),
          region: z.string().regex(/^[A-Z]$/).optional(),
          title: nameText(200),
          body: z.string().trim().min(1).max(10_000),
        }),
        response: { 201: announcementSchema },
        security,
      },
    },
    async (request, reply) => {
      const { scope, region, title, body } = request.body;
      const topic = scope === 'global' ? 'global' : `region:${region ?? ctx.config.region}`;
      if (!mayPublish(request.principal, topic)) throw new Forbidden(`You may not publish to ${topic}.`);
      if (topic !== 'global' && ctx.config.role === 'store' && topic !== `region:${ctx.config.region}`) {
        throw new Forbidden(`This store is in region ${ctx.config.region}; publish to ${topic} at that region's hub.`);
      }
      const created = await service.publish({ topic, title, body, author: request.principal!.subject });
      return reply.status(201).send(created);
    },
  );

  r.patch(
    '/api/v1/announcements/:announcementId',
    {
      config: { access: { roles: ['LOGISTICS_MANAGER'] } },
      schema: {
        tags: ['announcements'],
        summary: 'Edit or retract; concurrent edits merge per field, last writer wins',
        params: z.strictObject({ announcementId: z.uuid() }),
        body: z.strictObject({
          title: nameText(200).optional(),
          body: z.string().trim().min(1).max(10_000).optional(),
          retracted: z.boolean().optional(),
        }),
        response: { 200: announcementSchema },
        security,
      },
    },
    async (request) => {
      const current = await service.get(request.params.announcementId);
      const topic = current.scope === 'global' ? 'global' : `region:${current.region}`;
      if (!mayPublish(request.principal, topic)) throw new Forbidden(`You may not change announcements of ${topic}.`);
      return service.edit(request.params.announcementId, request.body);
    },
  );
}
