// Placing and paying in one request (POST /orders with paymentMethod), per
// database: the order stands whatever the provider says, a retry never
// charges twice, guests can do it too, and a bad method changes nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';
import { guestHeaders, OrdersKit, type OrderBody, type Who } from '../../../test/harness/orders-kit.js';

const COLA = 'drink-classic-cherry-cola';

describeEachDb('placing and paying in one request', (db) => {
  let node: TestNode;
  let kit: OrdersKit;
  let alice: Who;

  beforeAll(async () => {
    node = await createTestNode({ db });
    kit = new OrdersKit(node.app, node.ctx.identity.nodeId, TEST_OPERATOR_TOKEN);
    await kit.setUp();
    await kit.stockFor(COLA, 80);
    alice = await kit.user();
  });
  afterAll(() => node.close());

  const sales = async () => (await node.ctx.database.query<{ n: number }>(`select count(*)::int as n from revenue where kind = 'sale'`, []))[0]?.n ?? 0;

  it('answers 201 with the order paid and the sale booked', async () => {
    const before = await sales();
    const res = await kit.place([{ drinkId: COLA, quantity: 1 }], alice.headers, { paymentMethod: 'tok_approve' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<OrderBody>()).toMatchObject({ status: 'paid', payment: { status: 'approved', reason: null } });
    expect(await sales()).toBe(before + 1);
  });

  it('keeps a declined order pending with the reason on it, and another card pays it later', async () => {
    const res = await kit.place([{ drinkId: COLA, quantity: 1 }], alice.headers, { paymentMethod: 'tok_decline' });
    expect(res.statusCode).toBe(201);
    const order = res.json<OrderBody>();
    expect(order).toMatchObject({ status: 'pending', payment: { status: 'declined' } });
    expect(order.payment.reason).toBeTruthy();
    expect((await kit.pay(order.orderId, alice.headers)).json<{ order: OrderBody }>().order.status).toBe('paid');
  });

  it('leaves an order the provider confirms later pending, with the payment pending', async () => {
    const res = await kit.place([{ drinkId: COLA, quantity: 1 }], alice.headers, { paymentMethod: 'tok_later' });
    expect(res.statusCode).toBe(201);
    expect(res.json<OrderBody>()).toMatchObject({ status: 'pending', payment: { status: 'pending' } });
  });

  it('charges once when the same request is retried', async () => {
    const before = await sales();
    const key = crypto.randomUUID();
    const first = await kit.place([{ drinkId: COLA, quantity: 1 }], alice.headers, { paymentMethod: 'tok_approve' }, key);
    const again = await kit.place([{ drinkId: COLA, quantity: 1 }], alice.headers, { paymentMethod: 'tok_approve' }, key);
    expect([first.statusCode, again.statusCode]).toEqual([201, 201]);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json<OrderBody>()).toMatchObject({ orderId: first.json<OrderBody>().orderId, status: 'paid' });
    expect(await sales()).toBe(before + 1);
  });

  it('lets a guest place and pay at once, and follow the order with the token', async () => {
    const res = await kit.place([{ drinkId: COLA, quantity: 1 }], {}, { paymentMethod: 'tok_approve' });
    expect(res.statusCode).toBe(201);
    const order = res.json<OrderBody>();
    expect(order.status).toBe('paid');
    const read = await kit.call('GET', `/api/v1/orders/${order.orderId}`, guestHeaders(order));
    expect(read.json<OrderBody>().status).toBe('paid');
  });

  it('pays 20 orders placed at the same moment (they go to the database together)', async () => {
    const before = await sales();
    const all = await Promise.all(Array.from({ length: 20 }, () => kit.place([{ drinkId: COLA, quantity: 1 }], alice.headers, { paymentMethod: 'tok_approve' })));
    expect(all.map((r) => r.statusCode)).toEqual(all.map(() => 201));
    expect(new Set(all.map((r) => r.json<OrderBody>().status))).toEqual(new Set(['paid']));
    expect(await sales()).toBe(before + 20);
    const attempts = await node.ctx.database.query<{ n: number }>(`select count(*)::int as n from payments where order_id = any($1::text[]) and status = 'approved'`, [
      all.map((r) => r.json<OrderBody>().orderId),
    ]);
    expect(attempts[0]?.n).toBe(20);
  });

  it('refuses an empty payment method with a 400 naming it, and places nothing', async () => {
    const count = async () => (await node.ctx.database.query<{ n: number }>('select count(*)::int as n from orders', []))[0]?.n;
    const before = await count();
    const res = await kit.place([{ drinkId: COLA, quantity: 1 }], alice.headers, { paymentMethod: '  ' });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain('body.paymentMethod');
    expect(await count()).toBe(before);
  });
});
