// Supply requests through HTTP at a hub, per database: a store's manager
// asks, the region's logistics manager approves (holding hub stock in the
// same transaction), denies or cancels; short stock is a 409 that holds
// nothing; a manager of another region is refused; 50 concurrent approvals
// never hold more than the hub has; bad input names its field.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';

const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
const STORE = '0b9d6a4e-3c1f-4f6a-9a51-5e2d3c4b5a61';
const password = (u: string) => `Supply-${u.length}-Hub-7731-Fizz`;
const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, { open: '00:00', close: '24:00' }]));

interface View {
  requestId: string;
  status: string;
  items: { itemId: string; quantity: number; approvedQuantity?: number }[];
  urgency: string;
  allowedNext: string[];
}
interface HubStock {
  items: { itemId: string; onHand: number; reserved: number; available: number }[];
}

describeEachDb('supply requests at a hub', (db) => {
  let hub: TestNode;
  let hubId: string;
  const as: Record<string, { authorization: string }> = {};
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, who: string, payload?: unknown) =>
    hub.app.inject({ method, url, headers: who === 'operator' ? operator : as[who]!, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const stock = async () => (await call('GET', `/api/v1/hubs/${hubId}/inventory`, 'logistics')).json<HubStock>().items;
  const held = async (itemId: string) => (await stock()).find((i) => i.itemId === itemId)?.reserved ?? 0;
  const ask = async (items: { itemId: string; quantity: number }[], urgency = 'NORMAL') => {
    const res = await call('POST', `/api/v1/stores/${STORE}/supply-requests`, 'manager', { items, urgency });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<View>();
  };

  beforeAll(async () => {
    hub = await createTestNode({ role: 'hub', db, config: { authRateLimit: 10_000 } });
    hubId = hub.ctx.identity.nodeId;
    expect((await call('POST', '/api/v1/catalog/default', 'operator', {})).statusCode).toBe(200);
    const store = await call('PUT', `/api/v1/stores/${STORE}`, 'operator', {
      name: 'Logan West', region: 'C', lat: 41.734, lon: -111.86, storeNumber: 'LOGAN-003', apiBaseUrl: 'http://127.0.0.1:1',
      address: { street: '1200 W 200 N', city: 'Logan', state: 'UT', zip: '84321' }, phone: '435-555-1003', email: 'logan3@codepop.com',
      timeZone: 'America/Denver', weeklyHours: ALL_DAY, isOperational: true, isAcceptingOrders: true,
    });
    expect(store.statusCode, store.body).toBe(200);
    const grants: Record<string, object> = {
      manager: { roleType: 'MANAGER', storeId: STORE },
      logistics: { roleType: 'LOGISTICS_MANAGER', regionCode: 'C' },
      farLogistics: { roleType: 'LOGISTICS_MANAGER', regionCode: 'D' },
    };
    await Promise.all(
      Object.entries(grants).map(async ([who, grant]) => {
        const username = `sup-${who.toLowerCase()}`;
        const made = await hub.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { username, email: `${username}@example.com`, password: password(username) } });
        expect(made.statusCode, made.body).toBe(201);
        const userId = made.json<{ user: { id: string } }>().user.id;
        const given = await call('POST', '/api/v1/roles', 'operator', { userId, ...grant });
        expect(given.statusCode, given.body).toBe(201);
        const login = await hub.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: password(username) } });
        as[who] = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
      }),
    );
    for (const [itemId, quantity] of [['syrup-cherry', 40], ['syrup-vanilla', 5], ['cup-24oz', 10]] as const) {
      const res = await call('POST', `/api/v1/hubs/${hubId}/inventory/transactions`, 'logistics', { type: 'receipt', itemId, quantity });
      expect(res.statusCode, res.body).toBe(201);
    }
  });
  afterAll(() => hub?.close());

  it('approves a request, holding the hub stock for it', async () => {
    const r = await ask([{ itemId: 'syrup-cherry', quantity: 12 }], 'URGENT');
    expect(r).toMatchObject({ status: 'PENDING', allowedNext: ['APPROVED', 'DENIED', 'CANCELLED'] });
    const before = await held('syrup-cherry');
    const ok = await call('POST', `/api/v1/supply-requests/${r.requestId}/approve`, 'logistics', {});
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<View>()).toMatchObject({ status: 'APPROVED', items: [{ itemId: 'syrup-cherry', quantity: 12, approvedQuantity: 12 }] });
    expect(await held('syrup-cherry')).toBe(before + 12);
    const again = await call('POST', `/api/v1/supply-requests/${r.requestId}/approve`, 'logistics', {});
    expect(again.statusCode).toBe(409);
    expect(again.json<{ code: string; detail: string }>()).toMatchObject({ code: 'invalid_transition' });
    expect(again.json<{ detail: string }>().detail).toContain('IN_TRANSIT, CANCELLED');
  });

  it('refuses an approval the hub cannot cover, naming each short item, and holds nothing', async () => {
    const r = await ask([{ itemId: 'syrup-vanilla', quantity: 8 }, { itemId: 'cup-24oz', quantity: 2 }]);
    const before = [await held('syrup-vanilla'), await held('cup-24oz')];
    const res = await call('POST', `/api/v1/supply-requests/${r.requestId}/approve`, 'logistics', {});
    expect(res.statusCode).toBe(409);
    const problem = res.json<{ code: string; errors: { message: string }[] }>();
    expect(problem.code).toBe('insufficient_stock');
    expect(problem.errors.map((e) => e.message)).toEqual(['syrup-vanilla: need 8, have 5']);
    expect([await held('syrup-vanilla'), await held('cup-24oz')]).toEqual(before);
    expect((await call('GET', `/api/v1/supply-requests/${r.requestId}`, 'logistics')).json<View>().status).toBe('PENDING');
    // In part: what is there is held, the rest back-ordered.
    const part = await call('POST', `/api/v1/supply-requests/${r.requestId}/approve`, 'logistics', { partial: true });
    expect(part.statusCode, part.body).toBe(200);
    expect(part.json<View>().items).toEqual([
      { itemId: 'syrup-vanilla', quantity: 8, approvedQuantity: 5 },
      { itemId: 'cup-24oz', quantity: 2, approvedQuantity: 2 },
    ]);
  });

  it('gives the held stock back when an approved request is cancelled', async () => {
    const r = await ask([{ itemId: 'syrup-cherry', quantity: 3 }]);
    await call('POST', `/api/v1/supply-requests/${r.requestId}/approve`, 'logistics', {});
    const holding = await held('syrup-cherry');
    const cancelled = await call('PATCH', `/api/v1/supply-requests/${r.requestId}`, 'logistics', { status: 'CANCELLED', notes: 'store found stock' });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json<View>().status).toBe('CANCELLED');
    expect(await held('syrup-cherry')).toBe(holding - 3);
    expect((await call('PATCH', `/api/v1/supply-requests/${r.requestId}`, 'logistics', { status: 'CANCELLED' })).statusCode).toBe(409);
  });

  it('denies with a reason, and lists the queue CRITICAL first, then the oldest', async () => {
    const low = await ask([{ itemId: 'cup-24oz', quantity: 1 }], 'LOW');
    await ask([{ itemId: 'cup-24oz', quantity: 1 }], 'NORMAL'); // older than the critical one: age alone would list it first
    const critical = await ask([{ itemId: 'cup-24oz', quantity: 1 }], 'CRITICAL');
    const denied = await call('POST', `/api/v1/supply-requests/${low.requestId}/deny`, 'logistics', { reviewNotes: 'order it next week' });
    expect(denied.json<View & { reviewNotes: string }>()).toMatchObject({ status: 'DENIED', reviewNotes: 'order it next week' });
    const queue = (await call('GET', `/api/v1/hubs/${hubId}/supply-requests?status=PENDING`, 'logistics')).json<{ items: View[] }>().items;
    expect(queue[0]!.requestId).toBe(critical.requestId);
    const order = ['CRITICAL', 'URGENT', 'NORMAL', 'LOW'];
    const urgencies = queue.map((q) => q.urgency);
    expect(urgencies).toEqual([...urgencies].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    expect(new Set(urgencies)).toEqual(new Set(['CRITICAL', 'NORMAL']));
    const mine = (await call('GET', `/api/v1/stores/${STORE}/supply-requests`, 'manager')).json<{ items: View[] }>().items;
    expect(mine.length).toBeGreaterThanOrEqual(5);
  });

  it("refuses a logistics manager of another region, and the store's manager the hub's decisions", async () => {
    const r = await ask([{ itemId: 'cup-24oz', quantity: 1 }]);
    expect((await call('POST', `/api/v1/supply-requests/${r.requestId}/approve`, 'farLogistics', {})).statusCode).toBe(403);
    expect((await call('POST', `/api/v1/supply-requests/${r.requestId}/approve`, 'manager', {})).statusCode).toBe(403);
    expect((await call('GET', `/api/v1/hubs/${hubId}/inventory`, 'farLogistics')).statusCode).toBe(403);
    expect((await call('GET', `/api/v1/supply-requests/${r.requestId}`, 'logistics')).json<View>().status).toBe('PENDING');
  });

  it('never holds more than the hub has under 50 concurrent approvals', async () => {
    const receipt = await call('POST', `/api/v1/hubs/${hubId}/inventory/transactions`, 'logistics', { type: 'receipt', itemId: 'syrup-mint', quantity: 10 });
    expect(receipt.statusCode).toBe(201);
    const asks = await Promise.all(Array.from({ length: 50 }, () => ask([{ itemId: 'syrup-mint', quantity: 1 }])));
    const results = await Promise.all(asks.map((r) => call('POST', `/api/v1/supply-requests/${r.requestId}/approve`, 'logistics', {})));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(10);
    expect(codes.filter((c) => c === 409)).toHaveLength(40);
    const mint = (await stock()).find((i) => i.itemId === 'syrup-mint')!;
    expect(mint).toMatchObject({ onHand: 10, reserved: 10, available: 0 });
  });

  it('names the field of bad input and changes nothing', async () => {
    const count = async () => (await call('GET', `/api/v1/stores/${STORE}/supply-requests?limit=500`, 'manager')).json<{ items: unknown[] }>().items.length;
    const before = await count();
    const cases: [unknown, string][] = [
      [{ items: [] }, 'body.items'],
      [{ items: [{ itemId: 'syrup-nothing', quantity: 1 }] }, 'body.items.0.itemId'],
      [{ items: [{ itemId: 'syrup-cherry', quantity: 0 }] }, 'body.items.0.quantity'],
      [{ items: [{ itemId: 'syrup-cherry', quantity: 1 }, { itemId: 'syrup-cherry', quantity: 2 }] }, 'body.items.1.itemId'],
      [{ items: [{ itemId: 'syrup-cherry', quantity: 1 }], urgency: 'SOON' }, 'body.urgency'],
      [{ items: [{ itemId: 'syrup-cherry', quantity: 1 }], notes: 'nul\u0000here' }, 'body.notes'],
    ];
    for (const [payload, field] of cases) {
      const res = await call('POST', `/api/v1/stores/${STORE}/supply-requests`, 'manager', payload);
      expect(res.statusCode, `${field}: ${res.body}`).toBe(400);
      expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    }
    expect(await count()).toBe(before);
  });
});

describeEachDb("a store's view of its hub's stock", (db) => {
  let store: TestNode;
  beforeAll(async () => {
    store = await createTestNode({ role: 'store', db });
  });
  afterAll(() => store?.close());

  it('says the stock is not known yet when no hub has answered, rather than failing', async () => {
    const storeId = store.ctx.identity.nodeId;
    const res = await store.app.inject({ method: 'GET', url: `/api/v1/stores/${storeId}/hub-stock`, headers: operator });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ items: [], syncedAt: null, stale: true });
    expect(res.json<{ reason: string }>().reason).toContain('not known yet');
    const elsewhere = await store.app.inject({ method: 'GET', url: `/api/v1/stores/${STORE}/hub-stock`, headers: operator });
    expect(elsewhere.statusCode).toBe(404);
  });
});
