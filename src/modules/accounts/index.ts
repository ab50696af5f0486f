// Accounts module: sign-up, login and tokens, profiles, preferences,
// favorites, roles and the audit log, wired into one node. It also fills in
// the node's bearer resolver, so every route's access check knows users.
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../core/context.js';
import { registerAccountAdminRoutes } from './admin-routes.js';
import { registerAccountAppliers, userTopic } from './events.js';
import { FavoriteService } from './favorites.js';
import { registerMeRoutes } from './me-routes.js';
import { createNameArbiter, pendingClaimsJob, registerClaimRoutes } from './claims.js';
import { createAccountLocator } from './locator.js';
import { registerAuthRoutes } from './routes.js';
import { registerRoleAppliers } from './roles-events.js';
import { registerRoleRoutes } from './roles-routes.js';
import { createRoleService } from './roles-service.js';
import { AccountService, type RoleSource } from './service.js';
import { TokenKeys } from './tokens.js';

export { AccountService, type Account } from './service.js';
export { TokenKeys } from './tokens.js';
export { RoleService, type RoleAssignment } from './roles-service.js';

/** Events that change what a token resolves to: account.*, role.* and token.* (favorites do not). */
const PRINCIPAL_EVENT = /^(account|role|token)\./;

export interface AccountsModule {
  accounts: AccountService;
  favorites: FavoriteService;
  tokens: TokenKeys;
}

export function registerAccounts(app: FastifyInstance, ctx: NodeContext): AccountsModule {
  const tokens = new TokenKeys(ctx.identity, ctx.mesh, () => ctx.clock.now());
  const arbiter = createNameArbiter(ctx);
  const locator = createAccountLocator(ctx);
  const roles = createRoleService(ctx) satisfies RoleSource;
  const accounts = new AccountService({
    db: ctx.database.db,
    replication: ctx.replication,
    now: () => ctx.clock.now(),
    nodeId: ctx.identity.nodeId,
    region: ctx.config.region,
    tokens,
    tokenTtlMs: ctx.config.tokenTtlMinutes * 60_000,
    arbiter,
    locator,
    roles,
    // A store replicates with its own region's hub only; that hub holds every account.
    pullUser: async (userId) => {
      const hub = ctx.mesh.hubs().find((h) => h.region === ctx.config.region);
      if (hub && ctx.config.role === 'store' && ctx.mesh.mode() === 'member') await ctx.mesh.pullTopic(userTopic(userId), hub.nodeId);
    },
  });
  const favorites = new FavoriteService(ctx.database.db, ctx.replication);
  registerAccountAppliers(ctx.replication);
  registerAuthRoutes(app, ctx, accounts);
  registerMeRoutes(app, ctx, accounts, favorites);
  registerRoleAppliers(ctx.replication);
  registerRoleRoutes(app, ctx, { roles, accounts });
  registerAccountAdminRoutes(app, ctx, { roles, accounts });
  registerClaimRoutes(app, ctx);
  ctx.jobs.add(pendingClaimsJob(ctx, { accounts, arbiter }));
  ctx.bearer.resolve = (token) => accounts.principalOf(token);
  // A remembered token must not outlive a logout, a disabled account or a changed role.
  ctx.replication.afterCommit((events) => {
    if (events.some((e) => PRINCIPAL_EVENT.test(e.type))) accounts.forgetPrincipals();
  });
  return { accounts, favorites, tokens };
}
