// Placing orders through HTTP, per database: prices from the catalog,
// ingredients reserved with the order, safe retries by Idempotency-Key,
// guests, and every refusal naming its field and changing nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';
import { guestHeaders, OrdersKit, type OrderBody, type Who } from '../../../test/harness/orders-kit.js';

const COLA = 'drink-classic-cherry-cola'; // 500 cents
const FLOAT = 'drink-coke-float'; // 599 cents

describeEachDb('placing orders', (db) => {
  let node: TestNode;
  let kit: OrdersKit;
  let alice: Who;
  let bob: Who;

  beforeAll(async () => {
    node = await createTestNode({ db });
    kit = new OrdersKit(node.app, node.ctx.identity.nodeId, TEST_OPERATOR_TOKEN);
    await kit.setUp();
    await kit.stockFor(COLA, 40);
    await kit.stockFor(FLOAT, 40);
    [alice, bob] = [await kit.user(), await kit.user()];
  });
  afterAll(() => node.close());

  const errorFields = (res: { json: <T>() => T }) => res.json<{ errors?: { field: string; message: string }[] }>().errors?.map((e) => e.field) ?? [];

  it('prices the order from the catalog and reserves its ingredients with it', async () => {
    const before = await kit.position('syrup-cherry');
    const res = await kit.place([{ drinkId: COLA, quantity: 2 }, { drinkId: FLOAT, quantity: 1 }], alice.headers);
    expect(res.statusCode).toBe(201);
    const order = res.json<OrderBody>();
    expect(order).toMatchObject({ status: 'pending', totalCents: 2 * 500 + 599, payment: { status: 'unpaid' } });
    expect(order.lockerCombo).toMatch(/^\d{5}$/);
    expect(order.guestToken).toBeUndefined();
    expect(Date.parse(order.pickupEstimate)).toBeGreaterThan(Date.now());
    const after = await kit.position('syrup-cherry');
    expect(after.reserved - before.reserved).toBe(4); // two pumps of cherry per cola, two colas
    expect(after.onHand).toBe(before.onHand);
  });

  it('answers a retried request with the same order and reserves nothing twice', async () => {
    const key = 'retry-key-0001-abcdef';
    const first = await kit.place([{ drinkId: COLA, quantity: 1 }], alice.headers, {}, key);
    const reserved = (await kit.position('syrup-cherry')).reserved;
    const again = await kit.place([{ drinkId: COLA, quantity: 1 }], alice.headers, {}, key);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json<OrderBody>().orderId).toBe(first.json<OrderBody>().orderId);
    expect((await kit.position('syrup-cherry')).reserved).toBe(reserved);
    // Keys belong to their caller: Bob's same key is his own, new order.
    const bobs = await kit.place([{ drinkId: COLA, quantity: 1 }], bob.headers, {}, key);
    expect(bobs.json<OrderBody>().orderId).not.toBe(first.json<OrderBody>().orderId);
  });

  it('refuses a reused key with a different body, naming the header', async () => {
    const key = 'reused-key-0002-abcdef';
    await kit.place([{ drinkId: COLA, quantity: 1 }], alice.headers, {}, key);
    const res = await kit.place([{ drinkId: COLA, quantity: 3 }], alice.headers, {}, key);
    expect(res.statusCode).toBe(422);
    expect(errorFields(res)).toEqual(['headers.idempotency-key']);
  });

  it('needs an Idempotency-Key', async () => {
    const res = await kit.call('POST', '/api/v1/orders', alice.headers, { items: [{ drinkId: COLA, quantity: 1 }] });
    expect(res.statusCode).toBe(400);
    expect(errorFields(res)).toContain('headers.idempotency-key');
  });

  it.each([
    ['an unknown drink', { items: [{ drinkId: COLA, quantity: 1 }, { drinkId: 'drink-nope', quantity: 1 }] }, 'body.items.1.drinkId'],
    ['a price sent by the client', { items: [{ drinkId: COLA, quantity: 1, priceCents: 1 }] }, 'body.items.0.priceCents'],
    ['a quantity of 0', { items: [{ drinkId: COLA, quantity: 0 }] }, 'body.items.0.quantity'],
    ['a fractional quantity', { items: [{ drinkId: COLA, quantity: 1.5 }] }, 'body.items.0.quantity'],
    ['no drinks', { items: [] }, 'body.items'],
    ['a pickup time that is not a time', { items: [{ drinkId: COLA, quantity: 1 }], pickupTime: 'tomorrow' }, 'body.pickupTime'],
    ['a pickup time in the past', { items: [{ drinkId: COLA, quantity: 1 }], pickupTime: new Date(Date.now() - 3_600_000).toISOString() }, 'body.pickupTime'],
    ['a pickup time weeks ahead', { items: [{ drinkId: COLA, quantity: 1 }], pickupTime: new Date(Date.now() + 30 * 86_400_000).toISOString() }, 'body.pickupTime'],
    ['an unknown field', { items: [{ drinkId: COLA, quantity: 1 }], discount: 100 }, 'body.discount'],
  ])('refuses %s with a 400 naming the field, and reserves nothing', async (_name, body, field) => {
    const before = await kit.position('syrup-cherry');
    const res = await kit.call('POST', '/api/v1/orders', { ...alice.headers, 'idempotency-key': crypto.randomUUID() }, body);
    expect(res.statusCode).toBe(400);
    expect(errorFields(res)).toContain(field);
    expect(await kit.position('syrup-cherry')).toEqual(before);
  });

  it('refuses an order the stock cannot cover with a 409 naming the drink and what is short, and holds nothing', async () => {
    const { drinkId, syrupId } = await kit.limitedDrink('Short Fizz', 3);
    const cupBefore = await kit.position('cup-16oz');
    const res = await kit.place([{ drinkId: COLA, quantity: 1 }, { drinkId, quantity: 4 }], alice.headers);
    expect(res.statusCode).toBe(409);
    const problem = res.json<{ detail: string; errors: { field: string; message: string }[] }>();
    expect(problem.detail).toContain('Short Fizz Syrup');
    expect(problem.errors.map((e) => e.field)).toEqual(['body.items.1.drinkId']);
    expect(problem.errors[0]!.message).toMatch(/needs 4 × Short Fizz Syrup.*3 available/);
    expect((await kit.position(syrupId)).reserved).toBe(0);
    expect(await kit.position('cup-16oz')).toEqual(cupBefore);
    expect((await kit.place([{ drinkId, quantity: 3 }], alice.headers)).statusCode).toBe(201);
  });

  it('refuses orders with a clear 409 while the store is not accepting them', async () => {
    await kit.setStore({ isAcceptingOrders: false });
    try {
      const res = await kit.place([{ drinkId: COLA, quantity: 1 }], alice.headers);
      expect(res.statusCode).toBe(409);
      expect(res.json<{ detail: string }>().detail).toMatch(/not accepting orders/);
    } finally {
      await kit.setStore({ isAcceptingOrders: true });
    }
  });

  it('takes an order for now only while open, and a scheduled one only within the hours, saying when it opens', async () => {
    // Open 06:00–07:00 UTC daily: closed almost all day, with a known next opening.
    const hour = { open: '06:00', close: '07:00' };
    await kit.setStore({ timeZone: 'UTC', weeklyHours: { mon: hour, tue: hour, wed: hour, thu: hour, fri: hour, sat: hour, sun: hour } });
    try {
      const now = new Date();
      const nextSix = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 6, 30));
      const openNow = now.getUTCHours() === 6;
      if (!openNow) {
        const closed = await kit.place([{ drinkId: COLA, quantity: 1 }], alice.headers);
        expect(closed.statusCode).toBe(409);
        expect(errorFields(closed)).toEqual(['body.pickupTime']);
        expect(closed.json<{ detail: string }>().detail).toMatch(/closed now; it next opens .*06:00/);
      }
      const outside = await kit.place([{ drinkId: COLA, quantity: 1 }], alice.headers, { pickupTime: new Date(nextSix.getTime() + 3 * 3_600_000).toISOString() });
      expect(outside.statusCode).toBe(400);
      expect(errorFields(outside)).toEqual(['body.pickupTime']);
      expect(outside.json<{ errors: { message: string }[] }>().errors[0]!.message).toMatch(/next opens .*06:00/);
      const inside = await kit.place([{ drinkId: COLA, quantity: 1 }], alice.headers, { pickupTime: nextSix.toISOString() });
      expect(inside.statusCode).toBe(201);
      expect(inside.json<OrderBody & { pickupTime: string }>()).toMatchObject({ pickupTime: nextSix.toISOString(), pickupEstimate: nextSix.toISOString() });
    } finally {
      await kit.setStore({ timeZone: 'America/Denver', weeklyHours: (await import('../../../test/harness/orders-kit.js')).aroundTheClock });
    }
  });

  it('lets a guest order with no token and follow that one order with the token the reply gives', async () => {
    const placed = await kit.placed([{ drinkId: COLA, quantity: 1 }]);
    expect(placed.guestToken).toBeTruthy();
    const own = await kit.call('GET', `/api/v1/orders/${placed.orderId}`, guestHeaders(placed));
    expect(own.statusCode).toBe(200);
    expect(own.json<OrderBody & { guest: boolean }>()).toMatchObject({ orderId: placed.orderId, guest: true, lockerCombo: placed.lockerCombo });
    const other = await kit.placed([{ drinkId: COLA, quantity: 1 }]);
    expect((await kit.call('GET', `/api/v1/orders/${placed.orderId}`, guestHeaders(other))).statusCode).toBe(404);
    expect((await kit.call('GET', `/api/v1/orders/${placed.orderId}`, {})).statusCode).toBe(401);
    expect((await kit.call('GET', '/api/v1/me/orders', guestHeaders(placed))).statusCode).toBe(403);
  });

  it('gives a retried guest order the same order and a token for it', async () => {
    const key = 'guest-retry-0003-abcdef';
    const first = (await kit.place([{ drinkId: COLA, quantity: 1 }], {}, {}, key)).json<OrderBody>();
    const again = (await kit.place([{ drinkId: COLA, quantity: 1 }], {}, {}, key)).json<OrderBody>();
    expect(again.orderId).toBe(first.orderId);
    expect((await kit.call('GET', `/api/v1/orders/${first.orderId}`, guestHeaders(again))).statusCode).toBe(200);
  });

  it('refuses a token it cannot read instead of treating the caller as a guest', async () => {
    const res = await kit.place([{ drinkId: COLA, quantity: 1 }], { authorization: 'Bearer not-a-token' });
    expect(res.statusCode).toBe(401);
  });

  it('shows an order only to its owner and the store staff; others learn nothing', async () => {
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    expect((await kit.call('GET', `/api/v1/orders/${order.orderId}`, bob.headers)).statusCode).toBe(404);
    expect((await kit.call('GET', `/api/v1/orders/${order.orderId}`, alice.headers)).json<OrderBody>().lockerCombo).toBe(order.lockerCombo);
    const manager = await kit.staff('MANAGER');
    expect((await kit.call('GET', `/api/v1/orders/${order.orderId}`, manager.headers)).json<OrderBody>().lockerCombo).toBe(order.lockerCombo);
    const elsewhere = await kit.staff('MANAGER', crypto.randomUUID());
    expect((await kit.call('GET', `/api/v1/orders/${order.orderId}`, elsewhere.headers)).statusCode).toBe(404);
    expect((await kit.call('GET', '/api/v1/orders/not-a-uuid', alice.headers)).statusCode).toBe(400);
  });

  it('lists my orders at this store, newest first, a page at a time', async () => {
    const carol = await kit.user();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await kit.placed([{ drinkId: COLA, quantity: 1 }], carol.headers)).orderId);
    const first = (await kit.call('GET', '/api/v1/me/orders?limit=2', carol.headers)).json<{ items: OrderBody[]; nextCursor: string | null }>();
    expect(first.items.map((o) => o.orderId)).toEqual([ids[2], ids[1]]);
    const second = (await kit.call('GET', `/api/v1/me/orders?limit=2&cursor=${first.nextCursor}`, carol.headers)).json<{ items: OrderBody[]; nextCursor: string | null }>();
    expect(second.items.map((o) => o.orderId)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();
    expect((await kit.call('GET', '/api/v1/me/orders?cursor=garbage', carol.headers)).statusCode).toBe(400);
    expect((await kit.call('GET', '/api/v1/me/orders', {})).statusCode).toBe(401);
  });
});
