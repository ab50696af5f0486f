// Purchase orders at a hub through HTTP, per database: approval puts the
// lines on order in the hub's ledger, partial receipts put what came on
// hand, more than outstanding is refused and changes nothing, a cancel takes
// what never came off order; moves the state machine does not allow are 409.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';

const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
interface Po {
  poId: string;
  status: string;
  outstanding: number;
  lines: { itemId: string; quantity: number; received: number }[];
}

describeEachDb('purchase orders at a hub', (db) => {
  let hub: TestNode;
  let hubId: string;
  let as: { authorization: string };
  const call = (method: 'GET' | 'POST', url: string, payload?: object, who = as) => hub.app.inject({ method, url, headers: who, ...(payload ? { payload } : {}) });
  const position = async (itemId: string) =>
    (await call('GET', `/api/v1/hubs/${hubId}/inventory`)).json<{ items: { itemId: string; onHand: number; onOrder: number }[] }>().items.find((i) => i.itemId === itemId) ?? { onHand: 0, onOrder: 0 };
  const later = () => new Date(hub.ctx.clock.now() + 5 * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    hub = await createTestNode({ role: 'hub', db, config: { authRateLimit: 10_000 } });
    hubId = hub.ctx.identity.nodeId;
    expect((await hub.app.inject({ method: 'POST', url: '/api/v1/catalog/default', headers: operator, payload: {} })).statusCode).toBe(200);
    const username = 'po-logistics';
    const pw = 'Purchase-Orders-4411-Fizz';
    const made = await hub.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { username, email: `${username}@example.com`, password: pw } });
    const userId = made.json<{ user: { id: string } }>().user.id;
    expect((await hub.app.inject({ method: 'POST', url: '/api/v1/roles', headers: operator, payload: { userId, roleType: 'LOGISTICS_MANAGER', regionCode: 'C' } })).statusCode).toBe(201);
    const login = await hub.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: pw } });
    as = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
  });
  afterAll(() => hub?.close());

  it('puts an approved order on order, receives it in parts, and closes it when all has come', async () => {
    const made = await call('POST', '/api/v1/purchase-orders', { supplier: 'Torani', lines: [{ itemId: 'syrup-peach', quantity: 40 }, { itemId: 'syrup-mango', quantity: 10 }], expectedDate: later() });
    expect(made.statusCode, made.body).toBe(201);
    const po = made.json<Po>();
    expect(po).toMatchObject({ status: 'DRAFT', outstanding: 50 });
    expect((await position('syrup-peach')).onOrder).toBe(0);
    expect((await call('POST', `/api/v1/purchase-orders/${po.poId}/approve`)).json<Po>().status).toBe('APPROVED');
    expect(await position('syrup-peach')).toMatchObject({ onOrder: 40, onHand: 0 });
    const part = await call('POST', `/api/v1/purchase-orders/${po.poId}/receipt`, { lines: [{ itemId: 'syrup-peach', quantity: 25 }] });
    expect(part.statusCode, part.body).toBe(200);
    expect(part.json<Po>()).toMatchObject({ status: 'PARTIALLY_RECEIVED', outstanding: 25 });
    expect(await position('syrup-peach')).toMatchObject({ onOrder: 15, onHand: 25 });
    const tooMuch = await call('POST', `/api/v1/purchase-orders/${po.poId}/receipt`, { lines: [{ itemId: 'syrup-mango', quantity: 10 }, { itemId: 'syrup-peach', quantity: 16 }] });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual(['body.lines.1.quantity']);
    expect(await position('syrup-mango')).toMatchObject({ onOrder: 10, onHand: 0 });
    const rest = await call('POST', `/api/v1/purchase-orders/${po.poId}/receipt`, { lines: [{ itemId: 'syrup-mango', quantity: 10 }, { itemId: 'syrup-peach', quantity: 15 }] });
    expect(rest.json<Po>()).toMatchObject({ status: 'RECEIVED', outstanding: 0 });
    expect(await position('syrup-peach')).toMatchObject({ onOrder: 0, onHand: 40 });
    const again = await call('POST', `/api/v1/purchase-orders/${po.poId}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json<{ code: string }>().code).toBe('invalid_transition');
  });

  it('takes what never came off order when an order is cancelled', async () => {
    const po = (await call('POST', '/api/v1/purchase-orders', { supplier: 'Monin', lines: [{ itemId: 'syrup-guava', quantity: 12 }], expectedDate: later() })).json<Po>();
    await call('POST', `/api/v1/purchase-orders/${po.poId}/approve`);
    await call('POST', `/api/v1/purchase-orders/${po.poId}/receipt`, { lines: [{ itemId: 'syrup-guava', quantity: 2 }] });
    expect((await call('POST', `/api/v1/purchase-orders/${po.poId}/cancel`)).json<Po>().status).toBe('CANCELLED');
    expect(await position('syrup-guava')).toMatchObject({ onOrder: 0, onHand: 2 });
    expect((await call('POST', `/api/v1/purchase-orders/${po.poId}/approve`)).statusCode).toBe(409);
  });

  it('names the field of bad input and drafts nothing', async () => {
    const before = (await call('GET', '/api/v1/purchase-orders?limit=200')).json<{ items: unknown[] }>().items.length;
    const cases: [object, string][] = [
      [{ supplier: '', lines: [{ itemId: 'syrup-peach', quantity: 1 }], expectedDate: later() }, 'body.supplier'],
      [{ supplier: 'X', lines: [{ itemId: 'syrup-nothing', quantity: 1 }], expectedDate: later() }, 'body.lines.0.itemId'],
      [{ supplier: 'X', lines: [{ itemId: 'syrup-peach', quantity: 0 }], expectedDate: later() }, 'body.lines.0.quantity'],
      [{ supplier: 'X', lines: [{ itemId: 'syrup-peach', quantity: 1 }], expectedDate: '2020-01-01' }, 'body.expectedDate'],
      [{ supplier: 'X', lines: [{ itemId: 'syrup-peach', quantity: 1 }], expectedDate: 'soon' }, 'body.expectedDate'],
    ];
    for (const [payload, field] of cases) {
      const res = await call('POST', '/api/v1/purchase-orders', payload);
      expect(res.statusCode, `${field}: ${res.body}`).toBe(400);
      expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    }
    expect((await call('GET', '/api/v1/purchase-orders?limit=200')).json<{ items: unknown[] }>().items.length).toBe(before);
    expect((await call('GET', '/api/v1/purchase-orders', undefined, { authorization: 'Bearer nope' })).statusCode).toBe(401);
  });

  it("keeps the hub's thresholds and takes its counts as CSV, all or nothing", async () => {
    const t = await hub.app.inject({ method: 'PUT', url: `/api/v1/hubs/${hubId}/inventory/syrup-peach/threshold`, headers: as, payload: { threshold: 500 } });
    expect(t.statusCode, t.body).toBe(200);
    expect(t.json()).toMatchObject({ threshold: 500, lowStock: true });
    const low = (await call('GET', `/api/v1/hubs/${hubId}/inventory?lowStock=true`)).json<{ items: { itemId: string }[] }>().items.map((i) => i.itemId);
    expect(low).toContain('syrup-peach');
    const sheet = await hub.app.inject({ method: 'GET', url: `/api/v1/hubs/${hubId}/inventory.csv`, headers: as });
    expect(sheet.statusCode).toBe(200);
    expect(sheet.body).toMatch(/^itemId,name,type,onHand/);
    expect(sheet.body).toContain('syrup-peach,');
    const csv = (body: string) => hub.app.inject({ method: 'POST', url: `/api/v1/hubs/${hubId}/inventory.csv`, headers: { ...as, 'content-type': 'text/csv' }, payload: body });
    const bad = await csv('itemId,onHand\nsyrup-peach,30\nsyrup-mango,-4\n');
    expect(bad.statusCode).toBe(400);
    expect((await position('syrup-peach')).onHand).toBe(40);
    const good = await csv('itemId,onHand\nsyrup-peach,30\n');
    expect(good.statusCode, good.body).toBe(200);
    expect((await position('syrup-peach')).onHand).toBe(30);
  });
});
