// Roles, the audit log and store account admin through HTTP on one store
// node, per database: giving and revoking roles (by a super admin, by a
// store's ADMIN within their store), refusals out of scope, bad input that
// names its field and changes nothing, and apply order of replicated grants.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createScratchDatabase } from '../../../test/harness/databases.js';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';
import { createFirstAdmin } from '../../cli/accounts-command.js';
import { loadNodeConfig } from '../../core/config.js';
import { startNode } from '../../node/node.js';
import { applyRoleGrant, applyRoleRevoke, ROLE_GRANT, ROLE_REVOKE } from './roles-events.js';
import { createRoleService, type RoleAssignment } from './roles-service.js';

const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** Unlike the username, as the password policy asks. */
const passwordOf = (username: string) => `Sparkling-${username.length}-Cola-9071`;
const OTHER_STORE = '00000000-0000-4000-8000-00000000beef';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface AuditItem {
  auditId: string;
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

describeEachDb('roles and account admin', (db) => {
  let node: TestNode;
  let storeId: string;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};

  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string> = operator, payload?: object) =>
    node.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const login = async (username: string) => {
    const res = await inject('POST', '/api/v1/auth/login', {}, { username, password: passwordOf(username) });
    return res;
  };
  const assign = (body: object, headers: Record<string, string> = operator) => inject('POST', '/api/v1/roles', headers, body);
  const rolesOf = async (userId: string) => (await inject('GET', `/api/v1/users/${userId}/roles`)).json<Page<RoleAssignment>>().items;
  const audit = async (limit = 200) => (await inject('GET', `/api/v1/audit?limit=${limit}`)).json<Page<AuditItem>>();

  beforeAll(async () => {
    node = await createTestNode({ role: 'store', db, config: { authRateLimit: 10_000 } });
    storeId = node.ctx.identity.nodeId;
    for (const name of ['alice', 'bob', 'carol', 'dave']) {
      const res = await inject('POST', '/api/v1/auth/register', {}, { username: name, email: `${name}@example.com`, password: passwordOf(name) });
      expect(res.statusCode, res.body).toBe(201);
      ids[name] = res.json<{ user: { id: string } }>().user.id;
      tokens[name] = (await login(name)).json<{ token: string }>().token;
    }
    // bob is this store's ADMIN, dave the ADMIN of another store.
    expect((await assign({ userId: ids.bob, roleType: 'ADMIN', storeId })).statusCode).toBe(201);
    expect((await assign({ userId: ids.dave, roleType: 'ADMIN', storeId: OTHER_STORE })).statusCode).toBe(201);
  });
  afterAll(() => node?.close());

  it('a super admin gives a role: it shows in the roles, at the next login and in the audit log', async () => {
    const res = await assign({ userId: ids.alice, roleType: 'REPAIR_STAFF', regionCode: 'C' });
    expect(res.statusCode).toBe(201);
    const given = res.json<RoleAssignment>();
    expect(given).toMatchObject({ userId: ids.alice, roleType: 'REPAIR_STAFF', regionCode: 'C', storeId: null, grantedBy: 'operator', revokedAt: null });

    const own = await inject('GET', `/api/v1/users/${ids.alice}/roles`, bearer(tokens.alice!));
    expect(own.statusCode).toBe(200);
    expect(own.json<Page<RoleAssignment>>().items.map((a) => a.roleId)).toContain(given.roleId);
    const relogin = (await login('alice')).json<{ user: { roles: { role: string; regionCode?: string }[] } }>();
    expect(relogin.user.roles).toEqual(expect.arrayContaining([{ role: 'ACCOUNT_USER' }, { role: 'REPAIR_STAFF', regionCode: 'C' }]));

    const entry = (await audit()).items.find((e) => e.detail.roleId === given.roleId);
    expect(entry).toMatchObject({ actor: 'operator', action: 'role.grant', target: `user:${ids.alice}`, detail: { roleType: 'REPAIR_STAFF', regionCode: 'C' } });
  });

  it('giving a role the user already holds returns that assignment and writes nothing', async () => {
    const first = await assign({ userId: ids.carol, roleType: 'LOGISTICS_MANAGER', regionCode: 'C' });
    expect(first.statusCode).toBe(201);
    const before = (await audit()).items.length;
    const again = await assign({ userId: ids.carol, roleType: 'LOGISTICS_MANAGER', regionCode: 'C' });
    expect(again.statusCode).toBe(200);
    expect(again.json<RoleAssignment>().roleId).toBe(first.json<RoleAssignment>().roleId);
    expect((await audit()).items.length).toBe(before);
  });

  it('a revoke takes the role away at once, is audited, and revoking again changes nothing', async () => {
    const given = (await assign({ userId: ids.carol, roleType: 'ADMIN', storeId })).json<RoleAssignment>();
    const carol = bearer(tokens.carol!);
    expect((await inject('GET', `/api/v1/stores/${storeId}/accounts`, carol)).statusCode).toBe(200);

    const res = await inject('DELETE', `/api/v1/roles/${given.roleId}`);
    expect(res.statusCode).toBe(200);
    expect(res.json<RoleAssignment>()).toMatchObject({ roleId: given.roleId, revokedBy: 'operator' });
    expect(res.json<RoleAssignment>().revokedAt).not.toBeNull();
    expect((await rolesOf(ids.carol!)).map((a) => a.roleId)).not.toContain(given.roleId);
    // The same token, now without the role.
    expect((await inject('GET', `/api/v1/stores/${storeId}/accounts`, carol)).statusCode).toBe(403);
    expect((await audit()).items.filter((e) => e.detail.roleId === given.roleId).map((e) => e.action).sort()).toEqual(['role.grant', 'role.revoke']);

    const before = (await audit()).items.length;
    expect((await inject('DELETE', `/api/v1/roles/${given.roleId}`)).statusCode).toBe(200);
    expect((await audit()).items.length).toBe(before);
    expect((await inject('DELETE', `/api/v1/roles/${randomUUID()}`)).statusCode).toBe(404);
  });

  it("a store's ADMIN makes and unmakes MANAGERs of their store, and nothing more", async () => {
    const bob = bearer(tokens.bob!);
    const made = await assign({ userId: ids.alice, roleType: 'MANAGER', storeId }, bob);
    expect(made.statusCode).toBe(201);
    expect(made.json<RoleAssignment>().grantedBy).toBe(ids.bob);
    expect((await assign({ userId: ids.alice, roleType: 'MANAGER', storeId: OTHER_STORE }, bob)).statusCode).toBe(403);
    expect((await assign({ userId: ids.alice, roleType: 'ADMIN', storeId }, bob)).statusCode).toBe(403);
    expect((await assign({ userId: ids.alice, roleType: 'SUPER_ADMIN' }, bob)).statusCode).toBe(403);
    // An ADMIN of another store may not act at this store at all.
    expect((await assign({ userId: ids.alice, roleType: 'MANAGER', storeId: OTHER_STORE }, bearer(tokens.dave!))).statusCode).toBe(403);

    const repair = (await rolesOf(ids.alice!)).find((a) => a.roleType === 'REPAIR_STAFF')!;
    expect((await inject('DELETE', `/api/v1/roles/${repair.roleId}`, bob)).statusCode).toBe(403);
    expect((await inject('DELETE', `/api/v1/roles/${made.json<RoleAssignment>().roleId}`, bob)).statusCode).toBe(200);
    expect((await rolesOf(ids.alice!)).map((a) => a.roleType)).not.toContain('MANAGER');
  });

  it('people see their own roles; an ADMIN those of their store; nobody else', async () => {
    expect((await inject('GET', `/api/v1/users/${ids.alice}/roles`, bearer(tokens.carol!))).statusCode).toBe(403);
    expect((await inject('GET', `/api/v1/users/${ids.alice}/roles`, bearer(tokens.bob!))).statusCode).toBe(200);
    expect((await inject('GET', `/api/v1/users/${ids.alice}/roles`, bearer(tokens.dave!))).statusCode).toBe(403);
    expect((await inject('GET', `/api/v1/users/${ids.alice}/roles`, {})).statusCode).toBe(401);
    expect((await inject('GET', `/api/v1/users/${randomUUID()}/roles`)).statusCode).toBe(404);
  });

  it('only a super admin reads the audit log, page by page', async () => {
    expect((await inject('GET', '/api/v1/audit', bearer(tokens.bob!))).statusCode).toBe(403);
    expect((await inject('GET', '/api/v1/audit', bearer(tokens.alice!))).statusCode).toBe(403);
    const first = await audit(2);
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = (await inject('GET', `/api/v1/audit?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`)).json<Page<AuditItem>>();
    expect(second.items.length).toBeGreaterThan(0);
    expect(second.items.map((e) => e.auditId)).not.toContain(first.items[0]!.auditId);
  });

  it.each([
    ['a MANAGER without storeId', { roleType: 'MANAGER' }, 'body.storeId'],
    ['a MANAGER with a region', { roleType: 'MANAGER', storeId: OTHER_STORE, regionCode: 'C' }, 'body.regionCode'],
    ['an ADMIN without storeId', { roleType: 'ADMIN', regionCode: 'C' }, 'body.storeId'],
    ['a LOGISTICS_MANAGER without regionCode', { roleType: 'LOGISTICS_MANAGER', supplyHubId: OTHER_STORE }, 'body.regionCode'],
    ['a REPAIR_STAFF without regionCode', { roleType: 'REPAIR_STAFF' }, 'body.regionCode'],
    ['a REPAIR_STAFF with a supply hub', { roleType: 'REPAIR_STAFF', regionCode: 'C', supplyHubId: OTHER_STORE }, 'body.supplyHubId'],
    ['a SUPER_ADMIN with a store', { roleType: 'SUPER_ADMIN', storeId: OTHER_STORE }, 'body.storeId'],
    ['ACCOUNT_USER, which every account holds', { roleType: 'ACCOUNT_USER' }, 'body.roleType'],
    ['GENERAL_USER, a guest role', { roleType: 'GENERAL_USER' }, 'body.roleType'],
    ['an unknown role', { roleType: 'JANITOR' }, 'body.roleType'],
    ['a lower-case region', { roleType: 'REPAIR_STAFF', regionCode: 'c' }, 'body.regionCode'],
    ['a store id that is no id', { roleType: 'MANAGER', storeId: 'store 1' }, 'body.storeId'],
    ['an unknown field', { roleType: 'SUPER_ADMIN', expires: '2030-01-01' }, 'body.expires'],
  ])('refuses %s, naming the field, and changes nothing', async (_name, body, field) => {
    const auditBefore = (await audit()).items.length;
    const rolesBefore = await rolesOf(ids.carol!);
    const res = await assign({ userId: ids.carol, ...body });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    expect((await audit()).items.length).toBe(auditBefore);
    expect(await rolesOf(ids.carol!)).toEqual(rolesBefore);
  });

  it('refuses a role for an account it does not know, and anyone without the right', async () => {
    expect((await assign({ userId: randomUUID(), roleType: 'SUPER_ADMIN' })).statusCode).toBe(404);
    expect((await assign({ userId: ids.alice, roleType: 'SUPER_ADMIN' }, bearer(tokens.alice!))).statusCode).toBe(403);
    expect((await assign({ userId: ids.alice, roleType: 'SUPER_ADMIN' }, {})).statusCode).toBe(401);
  });

  it('a revoke that arrives before its grant wins, in either order and applied twice', async () => {
    const roles = createRoleService(node.ctx);
    const at = new Date().toISOString();
    for (const revokeFirst of [true, false]) {
      const roleId = randomUUID();
      const origin = `remote-${revokeFirst ? 'a' : 'b'}`;
      const note = (actor: string, action: string) => ({ actor, action, target: `user:${ids.carol}`, at });
      const grant = {
        origin,
        topic: 'global',
        seq: 1,
        hlc: `000001700000000-000000-${origin}`,
        payload: { roleId, userId: ids.carol, roleType: 'SUPER_ADMIN', audit: note(`granter-${roleId}`, ROLE_GRANT) },
      };
      const revoke = { origin, topic: 'global', seq: 2, hlc: `000001700000001-000000-${origin}`, payload: { roleId, userId: ids.carol, audit: note(`revoker-${roleId}`, ROLE_REVOKE) } };
      const steps = revokeFirst ? [revoke, grant, revoke, grant] : [grant, revoke, grant, revoke];
      for (const ev of steps) {
        await node.ctx.database.db.transaction((tx) => (ev === grant ? applyRoleGrant(tx, ev) : applyRoleRevoke(tx, ev)));
      }
      expect((await roles.grantsOf(ids.carol!)).map((g) => g.role)).not.toContain('SUPER_ADMIN');
      expect(await roles.get(roleId)).toMatchObject({ roleId, userId: ids.carol, roleType: 'SUPER_ADMIN', grantedBy: `granter-${roleId}`, revokedBy: `revoker-${roleId}` });
      const logged = (await audit()).items.filter((e) => e.actor.endsWith(roleId)).map((e) => e.action).sort();
      expect(logged).toEqual([ROLE_GRANT, ROLE_REVOKE]);
    }
  });

  it('two concurrent revokes of one role settle on the earliest, whatever the order', async () => {
    const roles = createRoleService(node.ctx);
    const at = new Date().toISOString();
    const outcomes = [];
    for (const order of [0, 1]) {
      const roleId = randomUUID();
      const ev = (origin: string, seq: number, hlc: string, payload: object) => ({ origin, topic: 'global', seq, hlc, payload });
      const grant = ev(`g-${order}`, 1, '000001700000000-000000-g', { roleId, userId: ids.dave, roleType: 'REPAIR_STAFF', regionCode: 'C', audit: { actor: 'g', action: ROLE_GRANT, target: 't', at } });
      const early = ev(`early-${order}`, 1, '000001700000005-000000-early', { roleId, audit: { actor: 'early', action: ROLE_REVOKE, target: 't', at } });
      const late = ev(`late-${order}`, 1, '000001700000009-000000-late', { roleId, audit: { actor: 'late', action: ROLE_REVOKE, target: 't', at } });
      await node.ctx.database.db.transaction((tx) => applyRoleGrant(tx, grant));
      for (const r of order === 0 ? [early, late] : [late, early]) await node.ctx.database.db.transaction((tx) => applyRoleRevoke(tx, r));
      outcomes.push((await roles.get(roleId))?.revokedBy);
    }
    expect(outcomes).toEqual(['early', 'early']);
  });

  describe('store account admin', () => {
    it("lists the store's accounts for its ADMIN, and refuses other stores' ADMINs", async () => {
      const res = await inject('GET', `/api/v1/stores/${storeId}/accounts?limit=2`, bearer(tokens.bob!));
      expect(res.statusCode).toBe(200);
      const first = res.json<Page<{ userId: string; username: string; status: string }>>();
      expect(first.items).toHaveLength(2);
      const rest = (await inject('GET', `/api/v1/stores/${storeId}/accounts?limit=50&cursor=${first.nextCursor}`, bearer(tokens.bob!))).json<Page<{ username: string }>>();
      expect([...first.items, ...rest.items].map((a) => a.username).sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
      expect((await inject('GET', `/api/v1/stores/${storeId}/accounts`, bearer(tokens.dave!))).statusCode).toBe(403);
      expect((await inject('GET', `/api/v1/stores/${storeId}/accounts`, bearer(tokens.alice!))).statusCode).toBe(403);
    });

    it('answers 404 naming where to go for a store this node is not', async () => {
      const res = await inject('GET', `/api/v1/stores/${OTHER_STORE}/accounts`);
      expect(res.statusCode).toBe(404);
      expect(res.json<{ detail: string }>().detail).toContain(`accounts of store ${OTHER_STORE} are administered at that store's node`);
      expect((await inject('POST', `/api/v1/stores/${OTHER_STORE}/accounts/${ids.alice}/disable`, bearer(tokens.dave!))).statusCode).toBe(404);
    });

    it('a disabled account cannot log in or use its token until enabled again; both are audited', async () => {
      const bob = bearer(tokens.bob!);
      const disabled = await inject('POST', `/api/v1/stores/${storeId}/accounts/${ids.carol}/disable`, bob, { reason: 'lost phone' });
      expect(disabled.statusCode).toBe(200);
      expect(disabled.json<{ status: string }>().status).toBe('disabled');
      expect((await login('carol')).statusCode).toBe(403);
      expect((await inject('GET', `/api/v1/users/${ids.carol}/roles`, bearer(tokens.carol!))).statusCode).toBe(401);

      const enabled = await inject('POST', `/api/v1/stores/${storeId}/accounts/${ids.carol}/enable`, bob);
      expect(enabled.statusCode).toBe(200);
      expect(enabled.json<{ status: string }>().status).toBe('active');
      expect((await login('carol')).statusCode).toBe(200);
      const actions = (await audit()).items.filter((e) => e.target === `user:${ids.carol}` && e.actor === ids.bob).map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['account.disable', 'account.enable']));
      const entry = (await audit()).items.find((e) => e.action === 'account.disable' && e.target === `user:${ids.carol}`);
      expect(entry?.detail).toMatchObject({ storeId, reason: 'lost phone' });
    });

    it('refuses disabling yourself, an unknown account, and a bad reason', async () => {
      const bob = bearer(tokens.bob!);
      expect((await inject('POST', `/api/v1/stores/${storeId}/accounts/${ids.bob}/disable`, bob)).statusCode).toBe(409);
      expect((await inject('POST', `/api/v1/stores/${storeId}/accounts/${randomUUID()}/disable`, bob)).statusCode).toBe(404);
      const bad = await inject('POST', `/api/v1/stores/${storeId}/accounts/${ids.alice}/disable`, bob, { reason: 'x'.repeat(501) });
      expect(bad.statusCode).toBe(400);
      expect(bad.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain('body.reason');
      expect((await login('alice')).statusCode).toBe(200);
    });
  });
});

describeEachDb('roles at a hub', (db) => {
  let hub: TestNode;
  beforeAll(async () => {
    hub = await createTestNode({ role: 'hub', db, config: { authRateLimit: 10_000 } });
  });
  afterAll(() => hub?.close());

  it('refuses a store role that names a hub, and store account admin at a hub', async () => {
    const reg = await hub.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { username: 'erin', email: 'erin@example.com', password: passwordOf('erin') } });
    const userId = reg.json<{ user: { id: string } }>().user.id;
    const hubId = hub.ctx.identity.nodeId;
    const res = await hub.app.inject({ method: 'POST', url: '/api/v1/roles', headers: operator, payload: { userId, roleType: 'MANAGER', storeId: hubId } });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: { field: string; message: string }[] }>().errors[0]).toMatchObject({ field: 'body.storeId', message: expect.stringContaining('supply hub') });
    const wrongRegion = await hub.app.inject({ method: 'POST', url: '/api/v1/roles', headers: operator, payload: { userId, roleType: 'LOGISTICS_MANAGER', regionCode: 'A', supplyHubId: hubId } });
    expect(wrongRegion.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('body.supplyHubId');
    const ok = await hub.app.inject({ method: 'POST', url: '/api/v1/roles', headers: operator, payload: { userId, roleType: 'LOGISTICS_MANAGER', regionCode: 'C', supplyHubId: hubId } });
    expect(ok.statusCode).toBe(201);
    const listing = await hub.app.inject({ method: 'GET', url: `/api/v1/stores/${OTHER_STORE}/accounts`, headers: operator });
    expect(listing.statusCode).toBe(404);
    expect(listing.json<{ detail: string }>().detail).toContain('supply hub');
  });
});

describeEachDb('first super admin', (db) => {
  it('an admin made on a stopped node logs in once it starts, with the role and its audit entry', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'codepop-admin-'));
    const scratch = db === 'postgres' ? await createScratchDatabase() : undefined;
    try {
      const config = loadNodeConfig(
        {
          role: 'hub', name: 'Admin Hub', region: 'C', lat: 41.737, lon: -111.8338, port: 0, dataDir, logLevel: 'silent',
          ...(scratch ? { databaseUrl: scratch.url } : { pgliteTemplate: inject('pgliteTemplateDir') }),
        },
        {},
      );
      await expect(createFirstAdmin({ dataDir, username: 'head-office', email: 'ho@example.com', region: 'C' })).rejects.toThrow(/no node identity/);
      await (await startNode(config, { listen: false })).stop();

      const made = await createFirstAdmin({ dataDir, databaseUrl: scratch?.url, username: 'head-office', email: 'ho@example.com', region: 'C' });
      expect(made.generated).toBe(true);
      expect(made.password.length).toBeGreaterThanOrEqual(20);
      await expect(createFirstAdmin({ dataDir, databaseUrl: scratch?.url, username: 'Head-Office', email: 'other@example.com', region: 'C' })).rejects.toThrow(/--username: is taken/);
      await expect(createFirstAdmin({ dataDir, databaseUrl: scratch?.url, username: 'second', email: 'x@example.com', password: 'short', region: 'C' })).rejects.toThrow(/--password/);

      const node = await startNode(config, { listen: false });
      try {
        const login = await node.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'head-office', password: made.password } });
        expect(login.statusCode, login.body).toBe(200);
        const { token, user } = login.json<{ token: string; user: { id: string; roles: { role: string }[] } }>();
        expect(user.id).toBe(made.userId);
        expect(user.roles.map((r) => r.role)).toContain('SUPER_ADMIN');
        const log = await node.app.inject({ method: 'GET', url: '/api/v1/audit', headers: bearer(token) });
        expect(log.statusCode).toBe(200);
        expect(log.json<Page<AuditItem>>().items).toContainEqual(expect.objectContaining({ action: 'role.grant', actor: 'operator', target: `user:${made.userId}` }));
      } finally {
        await node.stop();
      }
    } finally {
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
