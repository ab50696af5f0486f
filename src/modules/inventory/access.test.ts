// Who may see and change a store's inventory, through HTTP with real
// accounts and role grants, per database: the store's MANAGER and ADMIN
// read and write, the region's repair and logistics staff read, everyone
// else (another store's manager, another region, a customer) is refused.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';
import { ledgerCount, serviceOf } from '../../../test/harness/inventory-kit.js';

const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const passwordOf = (username: string) => `Fizzy-${username.length}-Root-Beer-4417`;
const OTHER_STORE = '00000000-0000-4000-8000-00000000cafe';

describeEachDb('inventory access', (db) => {
  let node: TestNode;
  let storeId: string;
  const tokens: Record<string, Record<string, string>> = {};
  const grants: Record<string, object | undefined> = {
    manager: { roleType: 'MANAGER' },
    admin: { roleType: 'ADMIN' },
    otherManager: { roleType: 'MANAGER', storeId: OTHER_STORE },
    repair: { roleType: 'REPAIR_STAFF', regionCode: 'C' },
    logistics: { roleType: 'LOGISTICS_MANAGER', regionCode: 'C' },
    farRepair: { roleType: 'REPAIR_STAFF', regionCode: 'D' },
    customer: undefined,
  };

  beforeAll(async () => {
    node = await createTestNode({ role: 'store', db, config: { authRateLimit: 10_000 } });
    storeId = node.ctx.identity.nodeId;
    await serviceOf(node.ctx).seedInventory(storeId, [{ itemId: 'cups-large', quantity: 50, threshold: 10 }], 'seed');
    // In parallel: each sign-up and login hashes a password (argon2id, ~100 ms of CPU).
    await Promise.all(
      Object.entries(grants).map(async ([name, grant]) => {
        const username = `inv-${name.toLowerCase()}`;
        const registered = await node.app.inject({
          method: 'POST',
          url: '/api/v1/auth/register',
          payload: { username, email: `${username}@example.com`, password: passwordOf(username) },
        });
        expect(registered.statusCode, registered.body).toBe(201);
        const userId = registered.json<{ user: { id: string } }>().user.id;
        if (grant) {
          const payload = 'regionCode' in grant ? { userId, ...grant } : { userId, storeId, ...grant };
          const given = await node.app.inject({ method: 'POST', url: '/api/v1/roles', payload, headers: operator });
          expect(given.statusCode, given.body).toBe(201);
        }
        const login = await node.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: passwordOf(username) } });
        tokens[name] = bearer(login.json<{ token: string }>().token);
      }),
    );
  });
  afterAll(() => node?.close());

  const read = (who: string) => node.app.inject({ method: 'GET', url: `/api/v1/stores/${storeId}/inventory`, headers: tokens[who]! });
  const write = (who: string) =>
    node.app.inject({
      method: 'POST',
      url: `/api/v1/stores/${storeId}/inventory/transactions`,
      payload: { type: 'receipt', itemId: 'cups-large', quantity: 1 },
      headers: tokens[who]!,
    });

  it.each([
    ['manager', 200, 201],
    ['admin', 200, 201],
    ['repair', 200, 403],
    ['logistics', 200, 403],
    ['otherManager', 403, 403],
    ['farRepair', 403, 403],
    ['customer', 403, 403],
  ])('%s: reads %i, writes %i', async (who, readStatus, writeStatus) => {
    const before = await ledgerCount(node.ctx, storeId);
    expect((await read(who)).statusCode).toBe(readStatus);
    expect((await write(who)).statusCode).toBe(writeStatus);
    expect(await ledgerCount(node.ctx, storeId)).toBe(before + (writeStatus === 201 ? 1 : 0));
  });

  it("records the person's id as the actor", async () => {
    const res = await write('manager');
    expect(res.json<{ transaction: { actor: string } }>().transaction.actor).not.toBe('operator');
    expect(res.json<{ transaction: { actor: string } }>().transaction.actor).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lets a manager check the ledger, and only an admin repair it', async () => {
    const verify = (who: string, repair: boolean) =>
      node.app.inject({ method: 'POST', url: `/api/v1/stores/${storeId}/inventory/verify`, payload: { repair }, headers: tokens[who]! });
    expect((await verify('manager', false)).statusCode).toBe(200);
    expect((await verify('manager', true)).statusCode).toBe(403);
    expect((await verify('admin', true)).statusCode).toBe(200);
    expect((await verify('repair', false)).statusCode).toBe(403);
  });

  it('lets only staff of the store change thresholds and import counts', async () => {
    const threshold = (who: string) =>
      node.app.inject({ method: 'PUT', url: `/api/v1/stores/${storeId}/inventory/cups-large/threshold`, payload: { threshold: 12 }, headers: tokens[who]! });
    const upload = (who: string) =>
      node.app.inject({ method: 'POST', url: `/api/v1/stores/${storeId}/inventory.csv`, payload: 'cups-large,50\n', headers: { ...tokens[who]!, 'content-type': 'text/csv' } });
    expect((await threshold('logistics')).statusCode).toBe(403);
    expect((await upload('repair')).statusCode).toBe(403);
    expect((await threshold('manager')).statusCode).toBe(200);
    expect((await upload('admin')).statusCode).toBe(200);
    const csv = await node.app.inject({ method: 'GET', url: `/api/v1/stores/${storeId}/inventory.csv`, headers: tokens.logistics! });
    expect(csv.statusCode).toBe(200);
  });
});
