// Replenishment at a store through HTTP, per database: rules are checked and
// kept; the "to reorder" view reads the store's own sales (the usage per
// day) and flags what crosses its reorder point or runs out before the next
// delivery. The automatic request itself needs a hub: tested between real
// nodes in test/supply-network.test.ts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serviceOf } from '../../../test/harness/inventory-kit.js';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';

const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

describeEachDb('replenishment at a store', (db) => {
  let node: TestNode;
  let storeId: string;
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => node.app.inject({ method, url, headers: operator, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    node = await createTestNode({ role: 'store', db, config: { authRateLimit: 10_000 } });
    storeId = node.ctx.identity.nodeId;
    expect((await call('POST', '/api/v1/catalog/default', {})).statusCode).toBe(200);
    const inventory = serviceOf(node.ctx);
    await inventory.seedInventory(storeId, [{ itemId: 'syrup-cherry', quantity: 40, threshold: 5 }, { itemId: 'syrup-mint', quantity: 6, threshold: 10 }, { itemId: 'cup-24oz', quantity: 500, threshold: 50 }], 'seed');
    // 28 cherry sold today: one a day over the 28-day window.
    await node.ctx.replication.transaction(async (tx) => {
      await inventory.reserve(tx, { storeId, reference: 'order-1', items: [{ itemId: 'syrup-cherry', quantity: 28 }], actor: 'test' });
      await inventory.consume(tx, { storeId, reference: 'order-1', actor: 'test' });
    });
  });
  afterAll(() => node?.close());

  it('keeps a rule per item, refusing one that cannot work', async () => {
    const cases: [object, string][] = [
      [{ itemId: 'syrup-cherry', reorderPoint: 20, orderUpTo: 20 }, 'body.orderUpTo'],
      [{ itemId: 'syrup-nothing', reorderPoint: 1, orderUpTo: 2 }, 'body.itemId'],
      [{ itemId: 'syrup-cherry', reorderPoint: -1, orderUpTo: 2 }, 'body.reorderPoint'],
      [{ itemId: 'syrup-cherry', reorderPoint: 1, orderUpTo: 2, caseMultiple: 0 }, 'body.caseMultiple'],
    ];
    for (const [payload, field] of cases) {
      const res = await call('POST', '/api/v1/replenishment-rules', payload);
      expect(res.statusCode, `${field}: ${res.body}`).toBe(400);
      expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    }
    expect((await call('GET', '/api/v1/replenishment-rules')).json<{ items: unknown[] }>().items).toEqual([]);
    const made = await call('POST', '/api/v1/replenishment-rules', { itemId: 'syrup-cherry', reorderPoint: 15, orderUpTo: 48, caseMultiple: 12 });
    expect(made.statusCode, made.body).toBe(201);
    // No hub is known to this lone store: the rule is kept, and asks once a hub can be reached.
    expect(made.json()).toMatchObject({ itemId: 'syrup-cherry', reorderPoint: 15, orderUpTo: 48, caseMultiple: 12, enabled: true, lastRequestId: null });
    expect((await call('POST', '/api/v1/replenishment-rules', { itemId: 'syrup-cherry', reorderPoint: 15, orderUpTo: 60, caseMultiple: 12 })).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/replenishment-rules')).json<{ items: { orderUpTo: number }[] }>().items.map((r) => r.orderUpTo)).toEqual([60]);
  });

  it('lists what to reorder before the next delivery from the store\'s own sales, and what runs out first', async () => {
    const res = await call('GET', `/api/v1/stores/${storeId}/to-reorder`);
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json<{ nextDelivery: null; daysToDelivery: number; items: { itemId: string; basis: string; dailyUse: number; willCross: boolean; projectedAtNextDelivery: number }[] }>();
    expect(view).toMatchObject({ nextDelivery: null, daysToDelivery: 3 });
    // Cherry: 12 left, 1 a day, 3 days: 9 at the delivery, under its rule's 15. Mint: 6 under its threshold of 10. Cups: plenty.
    expect(view.items.map((i) => i.itemId).sort()).toEqual(['syrup-cherry', 'syrup-mint']);
    expect(view.items.find((i) => i.itemId === 'syrup-cherry')).toMatchObject({ basis: 'rule', dailyUse: 1, willCross: true, projectedAtNextDelivery: 9 });
    expect(view.items.find((i) => i.itemId === 'syrup-mint')).toMatchObject({ basis: 'threshold', dailyUse: 0 });
    expect((await call('DELETE', '/api/v1/replenishment-rules/syrup-cherry')).statusCode).toBe(204);
    expect((await call('DELETE', '/api/v1/replenishment-rules/syrup-cherry')).statusCode).toBe(404);
  });
});
