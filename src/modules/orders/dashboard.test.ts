// Dashboards, what a store can make and the golden window, through HTTP,
// per database, with their role checks.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';
import { OrdersKit, type OrderBody, type Who } from '../../../test/harness/orders-kit.js';

const COLA = 'drink-classic-cherry-cola'; // cherry + cola: two flavours
const DEPRESSION = 'drink-seasonal-depression'; // six flavours: medium alone, complex with two more drinks

interface StoreDashboard {
  storeId: string;
  activeOrders: number;
  ordersByStatus: Record<string, number>;
  revenueToday: { date: string; timeZone: string; salesCents: number; netCents: number; paidOrders: number };
  lowStock: { itemId: string; available: number; threshold: number }[];
  lowStockCount: number;
  pendingOrders: OrderBody[];
  recentOrders: OrderBody[];
}

describeEachDb('dashboards and store questions', (db) => {
  let node: TestNode;
  let kit: OrdersKit;
  let alice: Who;
  let manager: Who;
  let admin: Who;
  let storeLat: number;

  beforeAll(async () => {
    node = await createTestNode({ db });
    kit = new OrdersKit(node.app, node.ctx.identity.nodeId, TEST_OPERATOR_TOKEN);
    await kit.setUp();
    await kit.stockFor(COLA, 50);
    [alice, manager, admin] = [await kit.user(), await kit.staff('MANAGER'), await kit.staff('ADMIN')];
    storeLat = node.ctx.config.lat;
  });
  afterAll(() => node.close());

  const dashboard = (headers: Record<string, string>, storeId = kit.storeId) => kit.call('GET', `/api/v1/stores/${storeId}/dashboard`, headers);

  it('shows the manager the queue, today’s revenue in the store’s time zone, low stock and recent orders', async () => {
    const before = (await dashboard(manager.headers)).json<StoreDashboard>();
    const waiting = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    const paid = await kit.placed([{ drinkId: COLA, quantity: 2 }], alice.headers);
    await kit.pay(paid.orderId, alice.headers);
    const { syrupId } = await kit.limitedDrink('Rare Fizz', 2);
    expect((await kit.call('PUT', `/api/v1/stores/${kit.storeId}/inventory/${syrupId}/threshold`, manager.headers, { threshold: 5 })).statusCode).toBe(200);

    const res = await dashboard(manager.headers);
    expect(res.statusCode).toBe(200);
    const d = res.json<StoreDashboard>();
    expect(d.ordersByStatus.pending).toBe(before.ordersByStatus.pending! + 1);
    expect(d.ordersByStatus.paid).toBe(before.ordersByStatus.paid! + 1);
    expect(d.revenueToday).toMatchObject({ timeZone: 'America/Denver', salesCents: before.revenueToday.salesCents + 1000, paidOrders: before.revenueToday.paidOrders + 1 });
    expect(d.revenueToday.date).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver' }).format(new Date()));
    expect(d.lowStock).toContainEqual(expect.objectContaining({ itemId: syrupId, available: 2, threshold: 5 }));
    expect(d.pendingOrders.map((o) => o.orderId)).toEqual(expect.arrayContaining([waiting.orderId, paid.orderId]));
    expect(d.recentOrders[0]!.orderId).toBe(paid.orderId);
    expect(d.recentOrders[0]!.lockerCombo).toMatch(/^\d{5}$/);
  });

  it('lets only the store’s staff see its dashboard', async () => {
    expect((await dashboard(admin.headers)).statusCode).toBe(200);
    expect((await dashboard(kit.operator)).statusCode).toBe(200);
    expect((await dashboard(alice.headers)).statusCode).toBe(403);
    expect((await dashboard({})).statusCode).toBe(401);
    const elsewhere = await kit.staff('MANAGER', randomUUID());
    expect((await dashboard(elsewhere.headers)).statusCode).toBe(403);
    expect((await dashboard(kit.operator, randomUUID())).statusCode).toBe(404);
  });

  it('shows an ADMIN their stores, marking one this node cannot reach as unknown rather than empty', async () => {
    const res = await kit.call('GET', '/api/v1/admin/dashboard', admin.headers);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ scope: 'stores', partial: false, stores: [{ storeId: kit.storeId, status: 'ok' }], totals: { stores: 1, storesAnswered: 1 } });
    const other = randomUUID();
    expect((await kit.call('POST', '/api/v1/roles', kit.operator, { userId: admin.userId, roleType: 'ADMIN', storeId: other })).statusCode).toBeLessThan(300);
    const both = (await kit.call('GET', '/api/v1/admin/dashboard', admin.headers)).json<{ partial: boolean; stores: { storeId: string; status: string; reason?: string }[] }>();
    expect(both.partial).toBe(true);
    expect(both.stores.find((s) => s.storeId === other)).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/not a peer/) });
    expect((await kit.call('GET', '/api/v1/admin/dashboard', manager.headers)).statusCode).toBe(403);
    expect((await kit.call('GET', '/api/v1/admin/dashboard', alice.headers)).statusCode).toBe(403);
  });

  it('shows a super admin the network; a store with no network answers for itself', async () => {
    const res = await kit.call('GET', '/api/v1/admin/dashboard');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ scope: 'network', partial: false, regions: [{ region: 'C', status: 'ok', stores: [{ storeId: kit.storeId, status: 'ok' }] }] });
  });

  it('says which drinks the store can make now and what the others are short of', async () => {
    const { drinkId, syrupId } = await kit.limitedDrink('Empty Fizz', 0);
    const res = await kit.call('POST', `/api/v1/stores/${kit.storeId}/check-inventory`, {}, { drinkIds: [COLA, drinkId] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      items: [
        { drinkId: COLA, canMake: true, missing: [] },
        { drinkId, name: 'Empty Fizz', canMake: false, missing: [{ itemId: syrupId, name: 'Empty Fizz Syrup', needed: 1, available: 0 }] },
      ],
    });
    const bad = await kit.call('POST', `/api/v1/stores/${kit.storeId}/check-inventory`, {}, { drinkIds: [COLA, 'drink-nope'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual(['body.drinkIds.1']);
    expect((await kit.call('POST', `/api/v1/stores/${kit.storeId}/check-inventory`, {}, { drinkIds: [] })).statusCode).toBe(400);
    expect((await kit.call('POST', `/api/v1/stores/${randomUUID()}/check-inventory`, {}, { drinkIds: [COLA] })).statusCode).toBe(404);
  });

  it('computes the golden window on the server: 5 miles at 30 mph with a medium order starts 1.5 miles out, arrives in 10 minutes', async () => {
    const res = await kit.call('POST', '/api/v1/orders/estimate-arrival', {}, { lat: storeLat + 0.0724, lon: node.ctx.config.lon });
    expect(res.statusCode).toBe(200);
    const w = res.json<{ distanceMiles: number; complexity: string; windowDistanceMiles: number; arrivalMinutes: number; startNow: boolean; startInMinutes: number }>();
    expect(w).toMatchObject({ complexity: 'medium', prepMinutes: 3, windowDistanceMiles: 1.5, startNow: false, speedMph: 30 });
    expect(w.distanceMiles).toBeCloseTo(5, 1);
    expect(w.arrivalMinutes).toBeCloseTo(10, 0);
    expect(w.startInMinutes).toBeCloseTo(7, 0);
    const simple = (await kit.call('POST', '/api/v1/orders/estimate-arrival', {}, { lat: storeLat, lon: node.ctx.config.lon, drinkIds: [COLA] })).json();
    expect(simple).toMatchObject({ complexity: 'simple', prepMinutes: 2, startNow: true });
    const complex = (await kit.call('POST', '/api/v1/orders/estimate-arrival', {}, { lat: storeLat, lon: node.ctx.config.lon, drinkIds: [DEPRESSION, COLA, 'drink-mint-refresher'] })).json();
    expect(complex).toMatchObject({ complexity: 'complex', prepMinutes: 5 });
  });

  it.each([
    ['a latitude off the globe', { lat: 91, lon: 0 }, 'body.lat'],
    ['a speed of 0', { lat: 41, lon: -111, speedMph: 0 }, 'body.speedMph'],
    ['a speed so small the arrival is never (found by the fuzzer: a 500)', { lat: 41, lon: -111, speedMph: 5e-324 }, 'body.speedMph'],
    ['an unknown drink', { lat: 41, lon: -111, drinkIds: ['drink-nope'] }, 'body.drinkIds.0'],
  ])('refuses an estimate with %s, naming the field', async (_n, body, field) => {
    const res = await kit.call('POST', '/api/v1/orders/estimate-arrival', {}, body);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
  });

  it('starts a paid order when its owner reaches the golden window, and not before', async () => {
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    await kit.pay(order.orderId, alice.headers);
    const far = await kit.call('POST', `/api/v1/orders/${order.orderId}/arrival`, alice.headers, { lat: storeLat + 0.5, lon: node.ctx.config.lon, speedMph: 40 });
    expect(far.json()).toMatchObject({ startNow: false, preparationStarted: false });
    expect((await kit.order(order.orderId, alice.headers)).status).toBe('paid');
    expect((await kit.call('POST', `/api/v1/orders/${order.orderId}/arrival`, manager.headers, { lat: storeLat, lon: node.ctx.config.lon })).statusCode).toBe(404);
    const near = await kit.call('POST', `/api/v1/orders/${order.orderId}/arrival`, alice.headers, { lat: storeLat + 0.01, lon: node.ctx.config.lon });
    expect(near.json()).toMatchObject({ startNow: true, preparationStarted: true });
    const now = await kit.order(order.orderId, alice.headers);
    expect(now.status).toBe('preparing');
    expect(now.history.at(-1)).toMatchObject({ status: 'preparing', by: 'golden-window' });
    const stranger = await kit.user();
    expect((await kit.call('POST', `/api/v1/orders/${order.orderId}/arrival`, stranger.headers, { lat: storeLat, lon: node.ctx.config.lon })).statusCode).toBe(404);
  });
});
