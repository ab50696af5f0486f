// Deliveries at a hub through HTTP, per database: approved requests go on one
// delivery with stops in optimised order (and the saving against the given
// order); dispatch takes the stock out of the hub's ledger; a failed delivery
// puts it back, held again; requests that cannot go are named and nothing is
// planned; other regions and store staff are refused. The store's count
// (receipt) is tested between real nodes in test/supply-network.test.ts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';

const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, { open: '00:00', close: '24:00' }]));
// The hub sits at Logan (its test config); the stores lie north, south and north again, so the given order zig-zags.
const STORES = [
  { id: '6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e601', name: 'Preston', lat: 42.096, lon: -111.876 },
  { id: '6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e602', name: 'Brigham City', lat: 41.51, lon: -112.015 },
  { id: '6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e603', name: 'Smithfield', lat: 41.838, lon: -111.833 },
];
const password = (u: string) => `Deliver-${u.length}-Hub-5531-Fizz`;

interface Delivery {
  deliveryId: string;
  status: string;
  stops: { storeId: string; requestIds: string[] }[];
  route: { miles: number; givenOrderMiles: number };
  savingMiles: number;
  requests: { requestId: string; status: string }[];
}
interface Request {
  requestId: string;
  status: string;
  deliveryId: string | null;
}
interface Item {
  itemId: string;
  onHand: number;
  reserved: number;
}

describeEachDb('deliveries at a hub', (db) => {
  let hub: TestNode;
  let hubId: string;
  const as: Record<string, { authorization: string }> = {};
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, who: string, payload?: unknown) =>
    hub.app.inject({ method, url, headers: who === 'operator' ? operator : as[who]!, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const tomorrow = () => new Date(hub.ctx.clock.now() + 86_400_000).toISOString().slice(0, 10);
  const stockOf = async (itemId: string) => (await call('GET', `/api/v1/hubs/${hubId}/inventory`, 'logistics')).json<{ items: Item[] }>().items.find((i) => i.itemId === itemId)!;
  const approved = async (storeId: string, quantity: number) => {
    const made = await call('POST', `/api/v1/stores/${storeId}/supply-requests`, 'operator', { items: [{ itemId: 'syrup-cherry', quantity }] });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json<Request>().requestId;
    expect((await call('POST', `/api/v1/supply-requests/${id}/approve`, 'logistics', {})).statusCode).toBe(200);
    return id;
  };
  const plan = (requestIds: string[], who = 'logistics') => call('POST', '/api/v1/deliveries', who, { requestIds, scheduledDate: tomorrow(), driver: 'Dana', vehicle: 'Truck 7' });
  const request = async (id: string) => (await call('GET', `/api/v1/supply-requests/${id}`, 'logistics')).json<Request>();

  beforeAll(async () => {
    hub = await createTestNode({ role: 'hub', db, config: { authRateLimit: 10_000 } });
    hubId = hub.ctx.identity.nodeId;
    expect((await call('POST', '/api/v1/catalog/default', 'operator', {})).statusCode).toBe(200);
    for (const [i, s] of STORES.entries()) {
      const res = await call('PUT', `/api/v1/stores/${s.id}`, 'operator', {
        name: s.name, region: 'C', lat: s.lat, lon: s.lon, storeNumber: `DLV-00${i}`, apiBaseUrl: 'http://127.0.0.1:1',
        address: { street: '1 Main St', city: s.name, state: 'UT', zip: '84321' }, phone: '435-555-1003', email: `dlv${i}@codepop.com`,
        timeZone: 'America/Denver', weeklyHours: ALL_DAY, isOperational: true, isAcceptingOrders: true,
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const grants: Record<string, object> = {
      manager: { roleType: 'MANAGER', storeId: STORES[0]!.id },
      logistics: { roleType: 'LOGISTICS_MANAGER', regionCode: 'C' },
      farLogistics: { roleType: 'LOGISTICS_MANAGER', regionCode: 'D' },
    };
    for (const [who, grant] of Object.entries(grants)) {
      const username = `dlv-${who.toLowerCase()}`;
      const made = await hub.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { username, email: `${username}@example.com`, password: password(username) } });
      const userId = made.json<{ user: { id: string } }>().user.id;
      expect((await call('POST', '/api/v1/roles', 'operator', { userId, ...grant })).statusCode).toBe(201);
      const login = await hub.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: password(username) } });
      as[who] = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
    }
    expect((await call('POST', `/api/v1/hubs/${hubId}/inventory/transactions`, 'logistics', { type: 'receipt', itemId: 'syrup-cherry', quantity: 500 })).statusCode).toBe(201);
  });
  afterAll(() => hub?.close());

  it('puts approved requests on one delivery, one stop per store, in a shorter order than the one given', async () => {
    const ids = [await approved(STORES[0]!.id, 5), await approved(STORES[1]!.id, 5), await approved(STORES[2]!.id, 5), await approved(STORES[0]!.id, 2)];
    const res = await plan(ids);
    expect(res.statusCode, res.body).toBe(201);
    const d = res.json<Delivery>();
    expect(d).toMatchObject({ status: 'SCHEDULED', driver: 'Dana', vehicle: 'Truck 7' });
    expect(d.stops).toHaveLength(3);
    expect(d.stops.find((s) => s.storeId === STORES[0]!.id)!.requestIds).toEqual([ids[0], ids[3]]);
    // North, south, north: visiting the two northern stores together is shorter.
    expect(d.route.miles).toBeLessThan(d.route.givenOrderMiles);
    expect(d.savingMiles).toBeCloseTo(d.route.givenOrderMiles - d.route.miles, 1);
    expect(d.stops.map((s) => s.storeId).indexOf(STORES[1]!.id)).not.toBe(1);
    for (const id of ids) expect((await request(id)).deliveryId).toBe(d.deliveryId);
    const listed = (await call('GET', '/api/v1/deliveries?status=SCHEDULED', 'logistics')).json<{ items: Delivery[] }>().items;
    expect(listed.map((x) => x.deliveryId)).toContain(d.deliveryId);
  });

  it('names each request that cannot go and plans nothing', async () => {
    const onOne = await approved(STORES[1]!.id, 1);
    expect((await plan([onOne])).statusCode).toBe(201);
    const pending = (await call('POST', `/api/v1/stores/${STORES[2]!.id}/supply-requests`, 'operator', { items: [{ itemId: 'syrup-cherry', quantity: 1 }] })).json<Request>().requestId;
    const fine = await approved(STORES[2]!.id, 1);
    const before = (await call('GET', '/api/v1/deliveries?limit=200', 'logistics')).json<{ items: unknown[] }>().items.length;
    const res = await plan([fine, onOne, pending]);
    expect(res.statusCode).toBe(409);
    const problem = res.json<{ code: string; errors: { field: string; message: string }[] }>();
    expect(problem.code).toBe('not_deliverable');
    expect(problem.errors.map((e) => e.field)).toEqual(['body.requestIds.1', 'body.requestIds.2']);
    expect(problem.errors[1]!.message).toContain('PENDING');
    expect((await call('GET', '/api/v1/deliveries?limit=200', 'logistics')).json<{ items: unknown[] }>().items.length).toBe(before);
    expect((await request(fine)).deliveryId).toBeNull();
  });

  it("dispatches: the stock leaves the hub's ledger and the requests go in transit; a cancelled one stays behind", async () => {
    const go = await approved(STORES[0]!.id, 7);
    const stay = await approved(STORES[1]!.id, 3);
    const d = (await plan([go, stay])).json<Delivery>();
    expect((await call('PATCH', `/api/v1/supply-requests/${stay}`, 'logistics', { status: 'CANCELLED' })).statusCode).toBe(200);
    const before = await stockOf('syrup-cherry');
    const res = await call('POST', `/api/v1/deliveries/${d.deliveryId}/dispatch`, 'logistics');
    expect(res.statusCode, res.body).toBe(200);
    const sent = res.json<Delivery>();
    expect(sent.status).toBe('IN_TRANSIT');
    expect(sent.stops.map((s) => s.storeId)).toEqual([STORES[0]!.id]);
    const after = await stockOf('syrup-cherry');
    expect([after.onHand, after.reserved]).toEqual([before.onHand - 7, before.reserved - 7]);
    expect((await request(go)).status).toBe('IN_TRANSIT');
    expect((await request(stay)).status).toBe('CANCELLED');
    const again = await call('POST', `/api/v1/deliveries/${d.deliveryId}/dispatch`, 'logistics');
    expect(again.statusCode).toBe(409);
    expect(again.json<{ code: string }>().code).toBe('invalid_transition');
  });

  it('puts the stock of a failed delivery back in the hub, held again, and frees its requests for another delivery', async () => {
    const id = await approved(STORES[2]!.id, 9);
    const d = (await plan([id])).json<Delivery>();
    const before = await stockOf('syrup-cherry');
    expect((await call('POST', `/api/v1/deliveries/${d.deliveryId}/dispatch`, 'logistics')).statusCode).toBe(200);
    const failed = await call('POST', `/api/v1/deliveries/${d.deliveryId}/fail`, 'logistics', { reason: 'truck broke down' });
    expect(failed.statusCode, failed.body).toBe(200);
    expect(failed.json<Delivery & { failureReason: string }>()).toMatchObject({ status: 'FAILED', failureReason: 'truck broke down' });
    const after = await stockOf('syrup-cherry');
    expect([after.onHand, after.reserved]).toEqual([before.onHand, before.reserved]);
    expect(await request(id)).toMatchObject({ status: 'APPROVED', deliveryId: null });
    expect((await plan([id])).statusCode).toBe(201);
  });

  it('refuses another region, store staff and bad input, naming the field', async () => {
    const id = await approved(STORES[0]!.id, 1);
    expect((await plan([id], 'farLogistics')).statusCode).toBe(403);
    expect((await plan([id], 'manager')).statusCode).toBe(403);
    const cases: [unknown, string][] = [
      [{ requestIds: [], scheduledDate: tomorrow() }, 'body.requestIds'],
      [{ requestIds: [id], scheduledDate: '2026-02-30x' }, 'body.scheduledDate'],
      [{ requestIds: [id], scheduledDate: '2020-01-01' }, 'body.scheduledDate'],
      [{ requestIds: ['not-a-uuid'], scheduledDate: tomorrow() }, 'body.requestIds.0'],
      [{ requestIds: [id], scheduledDate: tomorrow(), driver: 'bad\u0000name' }, 'body.driver'],
    ];
    for (const [payload, field] of cases) {
      const res = await call('POST', '/api/v1/deliveries', 'logistics', payload);
      expect(res.statusCode, `${field}: ${res.body}`).toBe(400);
      expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    }
    expect((await request(id)).deliveryId).toBeNull();
    const receipt = await call('POST', `/api/v1/deliveries/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/receipt`, 'manager', { lines: [{ itemId: 'syrup-cherry', received: 1 }] });
    expect(receipt.statusCode).toBe(403);
  });
});
