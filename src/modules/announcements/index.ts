// Announcements module: its service, its appliers and its routes.
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../core/context.js';
import { registerAnnouncementAppliers } from './events.js';
import { registerAnnouncementRoutes } from './routes.js';
import { AnnouncementService } from './service.js';

export { AnnouncementService, type Announcement } from './service.js';

export function registerAnnouncements(app: FastifyInstance, ctx: NodeContext): AnnouncementService {
  const service = new AnnouncementService(ctx.database.db, ctx.replication, () => ctx.clock.now());
  registerAnnouncementAppliers(ctx.replication);
  registerAnnouncementRoutes(app, ctx, service);
  return service;
}
