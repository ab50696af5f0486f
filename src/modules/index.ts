// Every business module of a node, registered in one place.
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../node/context.js';
import { registerAccounts } from './accounts/index.js';
import { registerAnnouncements } from './announcements/index.js';

export function registerModules(app: FastifyInstance, ctx: NodeContext): void {
  registerAccounts(app, ctx);
  registerAnnouncements(app, ctx);
}
