// HTTP for roles and the audit log. A super admin gives and takes any role;
// a store's ADMIN makes and unmakes the MANAGERs of that store ("make
// manager"), at that store's node. People see their own roles; an ADMIN sees
// those of the people of their store.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { typed } from '../../http/app.js';
import { roleTypes, type Principal } from '../../http/auth.js';
import { Conflict, Forbidden, NotFound } from '../../http/errors.js';
import type { NodeContext } from '../../core/context.js';
import { listAudit } from './audit.js';
import type { RoleAssignment, RoleService } from './roles-service.js';

/** What the role and admin routes need of accounts (AccountService provides it). */
export interface AccountDirectory {
  get(userId: string): Promise<{ userId: string; username: string; status: 'active' | 'disabled'; homeNode: string } | undefined>;
}

export interface RoleRouteDeps {
  roles: RoleService;
  accounts: AccountDirectory;
}

const security = [{ bearer: [] }];
const id = z.string().trim().min(1).max(64);
export const regionCodeSchema = z.string().regex(/^[A-Z]$/, 'a region code is one capital letter, such as C');

export const assignmentSchema = z.object({
  roleId: z.uuid(),
  userId: z.string(),
  roleType: z.enum(roleTypes),
  storeId: z.string().nullable(),
  regionCode: z.string().nullable(),
  supplyHubId: z.string().nullable(),
  grantedBy: z.string().nullable(),
  grantedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const auditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
  actor: z.string().min(1).max(100).optional().describe('a user id, or operator / system'),
  action: z.string().min(1).max(100).optional().describe('e.g. role.granted, account.disabled'),
  target: z.string().min(1).max(200).optional(),
});

const auditEntrySchema = z.object({
  auditId: z.string(),
  at: z.string(),
  actor: z.string(),
  node: z.string(),
  action: z.string(),
  target: z.string(),
  detail: z.record(z.string(), z.unknown()),
});

export const isSuperAdmin = (p: Principal | undefined): boolean => (p?.roles ?? []).some((g) => g.role === 'SUPER_ADMIN');

/** The stores the caller is ADMIN of. */
const auditPage = z.object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() });

export function adminStoresOf(p: Principal | undefined): Set<string> {
  return new Set((p?.roles ?? []).flatMap((g) => (g.role === 'ADMIN' && g.storeId ? [g.storeId] : [])));
}

/** A store's ADMIN manages that store's MANAGER roles; everything else is a super admin's. */
function mayManage(p: Principal | undefined, a: Pick<RoleAssignment, 'roleType' | 'storeId'>): boolean {
  return isSuperAdmin(p) || (a.roleType === 'MANAGER' && a.storeId !== null && adminStoresOf(p).has(a.storeId));
}

export function registerRoleRoutes(app: FastifyInstance, ctx: NodeContext, deps: RoleRouteDeps): void {
  const r = typed(app);
  const { roles, accounts } = deps;

  r.post(
    '/api/v1/roles',
    {
      // ADMINs pass here only at their own store's node; the handler limits them to making MANAGERs of it.
      config: { access: { roles: ['ADMIN'] } },
      schema: {
        tags: ['roles'],
        summary: "Give a role: a super admin any role; a store's ADMIN makes MANAGERs of that store",
        description:
          'MANAGER and ADMIN need storeId; LOGISTICS_MANAGER needs regionCode (supplyHubId optional); REPAIR_STAFF needs regionCode; ' +
          'SUPER_ADMIN takes neither. ACCOUNT_USER (every account) and GENERAL_USER (guests) are not assigned. ' +
          'Giving a role the user already holds returns that assignment with 200.',
        body: z.strictObject({
          userId: id,
          roleType: z.enum(roleTypes),
          storeId: z.uuid().optional(),
          regionCode: regionCodeSchema.optional(),
          supplyHubId: z.uuid().optional(),
        }),
        response: { 200: assignmentSchema, 201: assignmentSchema },
        security,
      },
    },
    async (request, reply) => {
      const input = request.body;
      const principal = request.principal;
      if (!mayManage(principal, { roleType: input.roleType, storeId: input.storeId ?? null })) {
        throw new Forbidden('A store ADMIN may make MANAGERs of their own store only; other roles are given by a super admin.');
      }
      if (!(await accounts.get(input.userId))) {
        throw new NotFound(`No account ${input.userId} here. A hub holds every account; a store holds those it has served.`);
      }
      const { assignment, created } = await roles.assign(input, principal!.subject);
      request.log.info({ roleId: assignment.roleId, userId: input.userId, roleType: input.roleType, by: principal!.subject, created }, 'role given');
      return reply.status(created ? 201 : 200).send(assignment);
    },
  );

  r.delete(
    '/api/v1/roles/:roleId',
    {
      config: { access: { roles: ['ADMIN'] } },
      schema: {
        tags: ['roles'],
        summary: "Revoke a role for good (a store's ADMIN: that store's MANAGERs only); revoking twice changes nothing",
        params: z.strictObject({ roleId: z.uuid() }),
        response: { 200: assignmentSchema },
        security,
      },
    },
    async (request) => {
      const principal = request.principal;
      const current = await roles.get(request.params.roleId);
      if (!current) throw new NotFound(`No role assignment ${request.params.roleId} here.`);
      if (!mayManage(principal, current)) {
        throw new Forbidden('A store ADMIN may revoke MANAGER roles of their own store only; other roles are revoked by a super admin.');
      }
      if (current.roleType === 'SUPER_ADMIN' && current.userId === principal!.subject && current.revokedAt === null) {
        throw new Conflict('This would lock you out: another super admin must revoke your SUPER_ADMIN role.', undefined, 'self_lockout');
      }
      const { assignment, revoked } = await roles.revoke(request.params.roleId, principal!.subject);
      if (revoked) request.log.info({ roleId: assignment.roleId, userId: assignment.userId, by: principal!.subject }, 'role revoked');
      return assignment;
    },
  );

  r.get(
    '/api/v1/users/:userId/roles',
    {
      // Every account passes the policy; the handler keeps people to their own roles (ADMINs: their store's people).
      config: { access: { roles: ['ACCOUNT_USER', 'ADMIN'] } },
      schema: {
        tags: ['roles'],
        summary: "A user's active roles (your own; an ADMIN: the people of their store; a super admin: anyone's)",
        description: 'Assignments only: ACCOUNT_USER, which every active account holds, is not listed.',
        params: z.strictObject({ userId: id }),
        response: { 200: z.object({ items: z.array(assignmentSchema), nextCursor: z.null() }) },
        security,
      },
    },
    async (request) => {
      const { userId } = request.params;
      const principal = request.principal;
      const [account, items] = await Promise.all([accounts.get(userId), roles.list(userId)]);
      const isSelf = principal?.subject === userId;
      if (!isSelf && !isSuperAdmin(principal)) {
        const stores = adminStoresOf(principal);
        const ofMyStore = (account !== undefined && stores.has(account.homeNode)) || items.some((a) => a.storeId !== null && stores.has(a.storeId));
        if (!ofMyStore) throw new Forbidden(stores.size > 0 ? `${userId} is not a person of your store.` : 'You may see only your own roles.');
      }
      if (!account && items.length === 0) throw new NotFound(`No account ${userId} here.`);
      return { items, nextCursor: null };
    },
  );

  r.get(
    '/api/v1/audit',
    {
      config: { access: { roles: ['SUPER_ADMIN'] } },
      schema: {
        tags: ['roles'],
        summary: 'Super admin: who did what, where and when (role changes, account admin), newest first',
        querystring: auditQuery.extend({ storeId: z.uuid().optional() }),
        response: { 200: auditPage },
        security,
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return listAudit(ctx.database.db, limit, cursor, filter);
    },
  );

  r.get(
    '/api/v1/stores/:storeId/audit',
    {
      config: { access: { roles: ['ADMIN'], scope: { store: 'storeId' } } },
      schema: {
        tags: ['roles'],
        summary: "The store's ADMIN: what was done at this store or about it (its accounts, its managers), newest first",
        params: z.strictObject({ storeId: z.uuid() }),
        querystring: auditQuery,
        response: { 200: auditPage },
        security,
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return listAudit(ctx.database.db, limit, cursor, { ...filter, storeId: request.params.storeId });
    },
  );
}
