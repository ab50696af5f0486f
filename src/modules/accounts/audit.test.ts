// The audit trail, searched: a super admin filters by actor, action, target
// or store; a store's ADMIN reads what was done at their store or about it,
// and nothing of another store.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';

interface AuditPage {
  items: { action: string; target: string; actor: string; detail: Record<string, unknown> }[];
}

describeEachDb('the audit trail', (db) => {
  let node: TestNode;
  let storeId: string;
  const ids: Record<string, string> = {};
  const call = (method: 'GET' | 'POST', url: string, payload?: unknown, token = TEST_OPERATOR_TOKEN) =>
    node.app.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}), headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    node = await createTestNode({ db, config: { authRateLimit: 1000 } });
    storeId = node.ctx.identity.nodeId;
    for (const name of ['auditee', 'bystander', 'boss']) {
      const res = await node.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { username: name, email: `${name}@example.com`, password: 'a long enough password' } });
      ids[name] = res.json<{ user: { id: string } }>().user.id;
    }
    expect((await call('POST', '/api/v1/roles', { userId: ids.boss, roleType: 'ADMIN', storeId })).statusCode).toBe(201);
    expect((await call('POST', `/api/v1/stores/${storeId}/accounts/${ids.auditee}/disable`, { reason: 'testing the audit' })).statusCode).toBe(200);
  });
  afterAll(() => node.close());

  it('filters the network audit by action, target and store', async () => {
    const disabled = (await call('GET', '/api/v1/audit?action=account.disable')).json<AuditPage>();
    expect(disabled.items.map((i) => i.target)).toEqual([`user:${ids.auditee}`]);
    expect(disabled.items[0]!.detail).toMatchObject({ storeId, reason: 'testing the audit' });
    const aboutBoss = (await call('GET', `/api/v1/audit?target=${encodeURIComponent(`user:${ids.boss}`)}`)).json<AuditPage>();
    expect(aboutBoss.items.map((i) => i.action)).toEqual(['role.grant']);
    const otherStore = (await call('GET', '/api/v1/audit?storeId=00000000-0000-4000-8000-000000000000')).json<AuditPage>();
    expect(otherStore.items).toEqual([]);
  });

  it("shows a store's ADMIN their store's audit, and refuses them another store's", async () => {
    const login = await node.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'boss', password: 'a long enough password' } });
    const token = login.json<{ token: string }>().token;
    const mine = await call('GET', `/api/v1/stores/${storeId}/audit`, undefined, token);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(new Set(mine.json<AuditPage>().items.map((i) => i.action))).toEqual(new Set(['role.grant', 'account.disable']));
    const filtered = await call('GET', `/api/v1/stores/${storeId}/audit?action=account.disable`, undefined, token);
    expect(filtered.json<AuditPage>().items).toHaveLength(1);
    const theirs = await call('GET', '/api/v1/stores/00000000-0000-4000-8000-000000000000/audit', undefined, token);
    expect(theirs.statusCode).toBe(403);
    expect((await call('GET', '/api/v1/audit', undefined, token)).statusCode).toBe(403);
  });
});
