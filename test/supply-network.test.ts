// Supply requests between real node processes: a store asks while its hub is
// down; when the hub comes back the request arrives there exactly once; the
// hub's approval and a store's cancel travel back and forth as events.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getJson, OPERATOR_TOKEN, TestNetwork, waitFor, type NodeHandle } from './harness/network.js';

interface View {
  requestId: string;
  status: string;
  cancelAskedAt: string | null;
}

async function send<T>(url: string, method: string, body?: unknown, token = OPERATOR_TOKEN): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

describe('supply requests across a store and its hub', () => {
  const network = new TestNetwork({ heartbeatMs: 1000, backoffCapMs: 2000, pgliteTemplate: inject('pgliteTemplateDir') });
  let hub: NodeHandle;
  let store: NodeHandle;
  let hubId: string;
  let storeId: string;

  beforeAll(async () => {
    hub = await network.defineHub('C', 41.737, -111.8338, 'Logan Hub');
    store = await network.defineStore('C', 'Logan West', 41.734, -111.86);
    await network.start(hub);
    await network.start(store);
    hubId = (await getJson<{ nodeId: string }>(`${hub.url}/api/v1/node`)).nodeId;
    storeId = (await getJson<{ storeId: string }>(`${store.url}/api/v1/node`)).storeId;
    expect((await send(`${hub.url}/api/v1/catalog/default`, 'POST', {})).status).toBe(200);
    await waitFor('the store to hold the catalog and know its hub', async () => {
      const status = await getJson<{ mesh: { registered: boolean } }>(`${store.url}/api/v1/node/status`);
      const items = await getJson<{ items: unknown[] }>(`${store.url}/api/v1/ingredients`);
      return status.mesh.registered && items.items.length > 10 ? true : undefined;
    }, 30_000);
    expect((await send(`${hub.url}/api/v1/hubs/${hubId}/inventory/transactions`, 'POST', { type: 'receipt', itemId: 'syrup-cherry', quantity: 50 })).status).toBe(201);
  }, 90_000);

  afterAll(() => network.stopAll());

  it('keeps a request made while the hub is down and delivers it once the hub is back; the approval comes back', async () => {
    await hub.proc!.stop();
    const made = await send<View>(`${store.url}/api/v1/stores/${storeId}/supply-requests`, 'POST', { items: [{ itemId: 'syrup-cherry', quantity: 6 }], urgency: 'CRITICAL', notes: 'out of cherry' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.status).toBe('PENDING');
    await network.start(hub);
    const queue = await waitFor('the hub to hold the request', async () => {
      const q = await send<{ items: View[] }>(`${hub.url}/api/v1/hubs/${hubId}/supply-requests`, 'GET');
      return q.body.items.some((r) => r.requestId === made.body.requestId) ? q.body.items : undefined;
    }, 30_000);
    expect(queue.filter((r) => r.requestId === made.body.requestId)).toHaveLength(1);

    const approved = await send<View>(`${hub.url}/api/v1/supply-requests/${made.body.requestId}/approve`, 'POST', {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await waitFor('the store to see the approval', async () => {
      const mine = await send<View>(`${store.url}/api/v1/supply-requests/${made.body.requestId}`, 'GET');
      return mine.body.status === 'APPROVED' ? true : undefined;
    }, 20_000);
    // Still once at the hub, after the store's outbox and anti-entropy have had their turns.
    const again = await send<{ items: View[] }>(`${hub.url}/api/v1/hubs/${hubId}/supply-requests`, 'GET');
    expect(again.body.items.filter((r) => r.requestId === made.body.requestId)).toHaveLength(1);
  });

  it("shows the store its hub's stock, and the last copy with its time when the hub is away", async () => {
    const fresh = await send<{ items: { itemId: string; available: number }[]; syncedAt: string; stale: boolean }>(`${store.url}/api/v1/stores/${storeId}/hub-stock`, 'GET');
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
    expect(fresh.body.stale).toBe(false);
    expect(fresh.body.items.find((i) => i.itemId === 'syrup-cherry')?.available).toBeGreaterThan(0);
    await hub.proc!.stop();
    const stale = await send<{ syncedAt: string; stale: boolean; reason: string }>(`${store.url}/api/v1/stores/${storeId}/hub-stock`, 'GET');
    expect(stale.status).toBe(200);
    expect(stale.body).toMatchObject({ stale: true, syncedAt: fresh.body.syncedAt });
    expect(stale.body.reason).toContain('did not answer');
    await network.start(hub);
  });

  it("settles a store's cancel at the hub, giving back what the approval held", async () => {
    const made = await send<View>(`${store.url}/api/v1/stores/${storeId}/supply-requests`, 'POST', { items: [{ itemId: 'syrup-cherry', quantity: 4 }] });
    await waitFor('the hub to hold it', async () => ((await send<View>(`${hub.url}/api/v1/supply-requests/${made.body.requestId}`, 'GET')).status === 200 ? true : undefined), 20_000);
    expect((await send(`${hub.url}/api/v1/supply-requests/${made.body.requestId}/approve`, 'POST', {})).status).toBe(200);
    const held = async () => (await send<{ items: { itemId: string; reserved: number }[] }>(`${hub.url}/api/v1/hubs/${hubId}/inventory`, 'GET')).body.items.find((i) => i.itemId === 'syrup-cherry')!.reserved;
    const before = await held();
    await waitFor('the store to see the approval', async () => ((await send<View>(`${store.url}/api/v1/supply-requests/${made.body.requestId}`, 'GET')).body.status === 'APPROVED' ? true : undefined), 20_000);
    const asked = await send<View>(`${store.url}/api/v1/supply-requests/${made.body.requestId}`, 'PATCH', { status: 'CANCELLED', notes: 'found some in the back' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    expect(asked.body.cancelAskedAt).not.toBeNull();
    await waitFor('the store to see it cancelled', async () => ((await send<View>(`${store.url}/api/v1/supply-requests/${made.body.requestId}`, 'GET')).body.status === 'CANCELLED' ? true : undefined), 20_000);
    expect(await held()).toBe(before - 4);
  });

  it('delivers: the store sees it on order, then in transit, counts it in line by line, and the hub sees the difference', async () => {
    const position = async () =>
      (await send<{ items: { itemId: string; onHand: number; onOrder: number; inTransit: number; damaged: number }[] }>(`${store.url}/api/v1/stores/${storeId}/inventory`, 'GET')).body.items.find(
        (i) => i.itemId === 'syrup-cherry',
      ) ?? { onHand: 0, onOrder: 0, inTransit: 0, damaged: 0 };
    const start = await position();
    const made = await send<View>(`${store.url}/api/v1/stores/${storeId}/supply-requests`, 'POST', { items: [{ itemId: 'syrup-cherry', quantity: 10 }], urgency: 'URGENT' });
    await waitFor('the hub to hold it', async () => ((await send<View>(`${hub.url}/api/v1/supply-requests/${made.body.requestId}`, 'GET')).status === 200 ? true : undefined), 20_000);
    expect((await send(`${hub.url}/api/v1/supply-requests/${made.body.requestId}/approve`, 'POST', {})).status).toBe(200);
    await waitFor('the store to have it on order', async () => ((await position()).onOrder === start.onOrder + 10 ? true : undefined), 20_000);

    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const planned = await send<{ deliveryId: string; stops: { storeId: string }[] }>(`${hub.url}/api/v1/deliveries`, 'POST', { requestIds: [made.body.requestId], scheduledDate: tomorrow, driver: 'Sam' });
    expect(planned.status, JSON.stringify(planned.body)).toBe(201);
    expect(planned.body.stops.map((x) => x.storeId)).toEqual([storeId]);
    const deliveryId = planned.body.deliveryId;
    expect((await send(`${hub.url}/api/v1/deliveries/${deliveryId}/dispatch`, 'POST')).status).toBe(200);
    await waitFor('the store to have it in transit', async () => {
      const p = await position();
      return p.inTransit === start.inTransit + 10 && p.onOrder === start.onOrder ? true : undefined;
    }, 20_000);
    const tracked = await send<{ items: { deliveryId: string; status: string; driver: string }[] }>(`${store.url}/api/v1/deliveries`, 'GET');
    expect(tracked.body.items.find((d) => d.deliveryId === deliveryId)).toMatchObject({ status: 'IN_TRANSIT', driver: 'Sam' });

    const tooMany = await send<{ errors: { field: string }[] }>(`${store.url}/api/v1/deliveries/${deliveryId}/receipt`, 'POST', { lines: [{ itemId: 'syrup-cherry', received: 11 }] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors.map((e) => e.field)).toContain('body.lines.0.received');
    const counted = await send<View & { receipt: unknown }>(`${store.url}/api/v1/deliveries/${deliveryId}/receipt`, 'POST', { lines: [{ itemId: 'syrup-cherry', received: 7, damaged: 2 }] });
    expect(counted.status, JSON.stringify(counted.body)).toBe(200);
    expect(counted.body).toMatchObject({ status: 'DELIVERED', receipt: [{ itemId: 'syrup-cherry', shipped: 10, received: 7, damaged: 2, short: 1 }] });
    const after = await position();
    expect(after).toMatchObject({ onHand: start.onHand + 7, damaged: start.damaged + 2, inTransit: start.inTransit, onOrder: start.onOrder });
    expect((await send(`${store.url}/api/v1/deliveries/${deliveryId}/receipt`, 'POST', { lines: [{ itemId: 'syrup-cherry', received: 7 }] })).status).toBe(409);

    const done = await waitFor('the hub to see the count and complete the delivery', async () => {
      const d = await send<{ status: string; requests: { status: string; shortUnits: number; damagedUnits: number }[] }>(`${hub.url}/api/v1/deliveries/${deliveryId}`, 'GET');
      return d.body.status === 'COMPLETED' ? d.body : undefined;
    }, 20_000);
    expect(done.requests).toEqual([expect.objectContaining({ status: 'DELIVERED', shortUnits: 1, damagedUnits: 2 })]);
  });

  it('raises a request when a replenishment rule is crossed, once per item however often it runs', async () => {
    const rule = { itemId: 'syrup-vanilla', reorderPoint: 10, orderUpTo: 40, caseMultiple: 12 };
    const saved = await send<{ lastRequestId: string | null }>(`${store.url}/api/v1/replenishment-rules`, 'POST', rule);
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body.lastRequestId).not.toBeNull();
    const again = await send<{ lastRequestId: string }>(`${store.url}/api/v1/replenishment-rules`, 'POST', { ...rule, orderUpTo: 50 });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.lastRequestId).toBe(saved.body.lastRequestId);
    const mine = await send<{ items: (View & { items: { itemId: string; quantity: number }[]; urgency: string; notes: string })[] }>(`${store.url}/api/v1/stores/${storeId}/supply-requests?status=PENDING`, 'GET');
    const auto = mine.body.items.filter((r) => r.items.some((l) => l.itemId === 'syrup-vanilla'));
    expect(auto).toHaveLength(1);
    expect(auto[0]).toMatchObject({ urgency: 'CRITICAL', items: [{ itemId: 'syrup-vanilla', quantity: 48 }] });
    expect(auto[0]!.notes).toContain('Automatic: reorder point 10, order up to 40, in cases of 12');
    const view = await send<{ daysToDelivery: number; items: { itemId: string; basis: string; willCross: boolean }[] }>(`${store.url}/api/v1/stores/${storeId}/to-reorder`, 'GET');
    expect(view.status, JSON.stringify(view.body)).toBe(200);
    expect(view.body.items.find((i) => i.itemId === 'syrup-vanilla')).toMatchObject({ basis: 'rule', willCross: true });
    await waitFor('the hub to hold the automatic request', async () => ((await send(`${hub.url}/api/v1/supply-requests/${auto[0]!.requestId}`, 'GET')).status === 200 ? true : undefined), 20_000);
  });

  it("shows the store in its region's overview once it has reported its stock", async () => {
    const overview = await waitFor('the store to report its stock to the hub', async () => {
      const o = await send<{ stores: { unknown: { storeId: string }[]; ok: number; low: unknown[]; critical: unknown[] }; requests: { pending: Record<string, number> }; deliveries: { completedLast7Days: number } }>(`${hub.url}/api/v1/regions/C/logistics`, 'GET');
      return o.status === 200 && !o.body.stores.unknown.some((x) => x.storeId === storeId) ? o.body : undefined;
    }, 40_000);
    expect(overview.stores.ok + overview.stores.low.length + overview.stores.critical.length).toBe(1);
    expect(overview.requests.pending.CRITICAL).toBeGreaterThanOrEqual(1);
    expect(overview.deliveries.completedLast7Days).toBe(1);
  }, 60_000);

  it("feeds the store's own sales into its hub's usage history", async () => {
    const aroundTheClock = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, { open: '00:00', close: '24:00' }]));
    expect((await send(`${store.url}/api/v1/stores/${storeId}`, 'PATCH', { weeklyHours: aroundTheClock, timeZone: 'America/Denver' })).status).toBe(200);
    const drink = (await send<{ items: { drinkId: string; ingredients: { itemId: string; quantity: number }[] }[] }>(`${store.url}/api/v1/drinks`, 'GET')).body.items.find((d) => d.drinkId === 'drink-classic-cherry-cola')!;
    for (const i of drink.ingredients) expect((await send(`${store.url}/api/v1/stores/${storeId}/inventory/transactions`, 'POST', { type: 'receipt', itemId: i.itemId, quantity: i.quantity * 10 })).status).toBe(201);
    const res = await fetch(`${store.url}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'supply-sales-order-1' },
      body: JSON.stringify({ items: [{ drinkId: drink.drinkId, quantity: 2 }], paymentMethod: 'tok_approve' }),
    });
    const order = (await res.json()) as { orderId: string };
    expect(res.status, JSON.stringify(order)).toBe(201);
    // Poured: the stock is consumed, a sale in the store's ledger.
    expect((await send(`${store.url}/api/v1/orders/${order.orderId}/status`, 'POST', { status: 'preparing' })).status).toBe(200);
    const used = drink.ingredients.find((i) => i.itemId === 'syrup-cherry')!.quantity * 2;
    await waitFor('the hub to hold the sale in its usage history', async () => {
      const usage = await send<{ items: { itemName: string; itemType: string; total: number }[] }>(`${hub.url}/api/v1/hubs/${hubId}/usage`, 'GET');
      return usage.body.items.find((i) => i.itemName === 'Cherry' && i.itemType === 'syrup')?.total === used ? true : undefined;
    }, 40_000);
  }, 60_000);
});
