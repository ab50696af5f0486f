// Store account admin: a store's ADMIN (or a super admin) lists the accounts
// made at that store and disables or enables them. Each change goes through
// the account service as a replicated, audited account change, so the whole
// network refuses (or again accepts) the account. These routes answer at the
// store's own node, which is where its people and its admins are.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { typed } from '../../http/app.js';
import { Conflict, Forbidden, NotFound } from '../../http/errors.js';
import type { NodeContext } from '../../core/context.js';
import type { AuditNote } from './audit.js';
import type { AccountFields } from './events.js';
import { isSuperAdmin, type AccountDirectory } from './roles-routes.js';
import type { RoleService } from './roles-service.js';

/** One account as a store admin sees it. */
export interface StoreAccount {
  userId: string;
  username: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  status: 'active' | 'disabled';
  nameClaim: 'pending' | 'confirmed' | 'lost';
  homeNode: string;
  createdAt: string;
}

/** What store account admin needs of accounts (AccountService provides it). */
export interface AccountAdminDirectory extends AccountDirectory {
  get(userId: string): Promise<StoreAccount | undefined>;
  update(userId: string, fields: Partial<AccountFields>, audit?: AuditNote): Promise<unknown>;
  listHomedAt(nodeId: string, limit: number, cursor?: string): Promise<{ items: StoreAccount[]; nextCursor: string | null }>;
}

export interface AccountAdminDeps {
  roles: RoleService;
  accounts: AccountAdminDirectory;
}

const security = [{ bearer: [] }];
const storeAdmin = { roles: ['ADMIN' as const], scope: { store: 'storeId' } };

const storeAccountSchema = z.object({
  userId: z.string(),
  username: z.string(),
  email: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  status: z.enum(['active', 'disabled']),
  nameClaim: z.enum(['pending', 'confirmed', 'lost']),
  createdAt: z.string(),
});

const toView = (a: StoreAccount): z.infer<typeof storeAccountSchema> => ({
  userId: a.userId,
  username: a.username,
  email: a.email,
  firstName: a.firstName,
  lastName: a.lastName,
  status: a.status,
  nameClaim: a.nameClaim,
  createdAt: a.createdAt,
});

export function registerAccountAdminRoutes(app: FastifyInstance, ctx: NodeContext, deps: AccountAdminDeps): void {
  const r = typed(app);
  const { accounts, roles } = deps;

  /** The store's accounts live, and are administered, at the store's own node. */
  function requireThisStore(storeId: string): void {
    if (ctx.config.role === 'store' && storeId === ctx.identity.nodeId) return;
    const here = ctx.config.role === 'store' ? `store ${ctx.identity.nodeId}` : `a supply hub (region ${ctx.config.region})`;
    throw new NotFound(`This node is ${here}; the accounts of store ${storeId} are administered at that store's node.`);
  }

  r.get(
    '/api/v1/stores/:storeId/accounts',
    {
      config: { access: storeAdmin },
      schema: {
        tags: ['account admin'],
        summary: "The store's ADMIN: the accounts made at this store, oldest first",
        params: z.strictObject({ storeId: z.uuid() }),
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.string().min(1).max(200).optional(),
        }),
        response: { 200: z.object({ items: z.array(storeAccountSchema), nextCursor: z.string().nullable() }) },
        security,
      },
    },
    async (request) => {
      requireThisStore(request.params.storeId);
      const page = await accounts.listHomedAt(request.params.storeId, request.query.limit, request.query.cursor);
      return { items: page.items.map(toView), nextCursor: page.nextCursor };
    },
  );

  for (const action of ['disable', 'enable'] as const) {
    const status = action === 'disable' ? 'disabled' : 'active';
    r.post(
      `/api/v1/stores/:storeId/accounts/:userId/${action}`,
      {
        config: { access: storeAdmin },
        schema: {
          tags: ['account admin'],
          summary:
            action === 'disable'
              ? "The store's ADMIN: disable an account made at this store; it can no longer log in anywhere"
              : "The store's ADMIN: enable a disabled account made at this store again",
          params: z.strictObject({ storeId: z.uuid(), userId: z.string().trim().min(1).max(64) }),
          // A bare POST (no body) is fine: the reason is optional.
          body: z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).nullish(),
          response: { 200: storeAccountSchema },
          security,
        },
      },
      async (request) => {
        const { storeId, userId } = request.params;
        requireThisStore(storeId);
        const principal = request.principal!;
        const account = await accounts.get(userId);
        if (!account || account.homeNode !== storeId) throw new NotFound(`No account ${userId} was made at store ${storeId}.`);
        if (action === 'disable') {
          if (userId === principal.subject) throw new Conflict('You cannot disable your own account; ask another admin.', undefined, 'self_lockout');
          if (!isSuperAdmin(principal) && (await roles.grantsOf(userId)).some((g) => g.role === 'SUPER_ADMIN')) {
            throw new Forbidden('Only a super admin may disable the account of a super admin.');
          }
        }
        if (account.status === status) return toView(account);
        const reason = request.body?.reason;
        await accounts.update(
          userId,
          { status },
          {
            actor: principal.subject,
            action: `account.${action}`,
            target: `user:${userId}`,
            at: new Date(ctx.clock.now()).toISOString(),
            detail: { storeId, ...(reason ? { reason } : {}) },
          },
        );
        request.log.info({ userId, storeId, by: principal.subject, action }, `account ${status}`);
        const updated = await accounts.get(userId);
        return toView(updated ?? { ...account, status });
      },
    );
  }
}
