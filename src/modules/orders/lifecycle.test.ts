// Paying for orders and moving them along, through HTTP, per database: the
// fake provider's approvals, declines and later confirmations through the
// signed webhook, the status flow with its 409s, stock consumed at the pour
// and released on cancel, refunds and the revenue book.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';
import { fakeWebhookSecret, signWebhook } from './payment-provider.js';
import { guestHeaders, OrdersKit, type OrderBody, type Who } from '../../../test/harness/orders-kit.js';

const COLA = 'drink-classic-cherry-cola';

interface Dashboard {
  revenueToday: { salesCents: number; refundsCents: number; netCents: number; paidOrders: number };
  refundFailures: number;
}

describeEachDb('paying for and fulfilling orders', (db) => {
  let node: TestNode;
  let kit: OrdersKit;
  let alice: Who;
  let manager: Who;
  let secret: string;

  beforeAll(async () => {
    node = await createTestNode({ db });
    kit = new OrdersKit(node.app, node.ctx.identity.nodeId, TEST_OPERATOR_TOKEN);
    await kit.setUp();
    await kit.stockFor(COLA, 100);
    [alice, manager] = [await kit.user(), await kit.staff('MANAGER')];
    secret = fakeWebhookSecret(node.ctx.identity.privateKey);
  });
  afterAll(() => node.close());

  const dashboard = async () => (await kit.call('GET', `/api/v1/stores/${kit.storeId}/dashboard`, manager.headers)).json<Dashboard>();
  const webhook = (body: object, signature?: string) => {
    const raw = JSON.stringify(body);
    return node.app.inject({
      method: 'POST',
      url: '/api/v1/payments/webhook',
      headers: { 'content-type': 'application/json', ...(signature !== undefined ? { 'x-payment-signature': signature } : {}) },
      payload: raw,
    });
  };

  it('marks an order paid when the provider approves, and books the sale', async () => {
    const before = await dashboard();
    const order = await kit.placed([{ drinkId: COLA, quantity: 2 }], alice.headers);
    const res = await kit.pay(order.orderId, alice.headers);
    expect(res.statusCode).toBe(200);
    expect(res.json<{ order: OrderBody; payment: { status: string } }>()).toMatchObject({ order: { status: 'paid', payment: { status: 'approved' } }, payment: { status: 'approved' } });
    const after = await dashboard();
    expect(after.revenueToday.salesCents - before.revenueToday.salesCents).toBe(1000);
    expect(after.revenueToday.paidOrders - before.revenueToday.paidOrders).toBe(1);
    // Paying twice charges nothing more.
    expect((await kit.pay(order.orderId, alice.headers)).statusCode).toBe(409);
    expect((await dashboard()).revenueToday.salesCents).toBe(after.revenueToday.salesCents);
  });

  it('keeps a declined order pending with a 402 naming the reason, and lets another card pay it', async () => {
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    const declined = await kit.pay(order.orderId, alice.headers, 'tok_insufficient');
    expect(declined.statusCode).toBe(402);
    expect(declined.json<{ errors: { field: string; message: string }[] }>().errors).toEqual([{ field: 'body.paymentMethod', message: 'insufficient_funds' }]);
    expect((await kit.order(order.orderId, alice.headers)).status).toBe('pending');
    expect((await kit.pay(order.orderId, alice.headers, 'tok_approve')).statusCode).toBe(200);
  });

  it('waits for a later confirmation through the signed webhook, which the fake provider sends', async () => {
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    const res = await kit.pay(order.orderId, alice.headers, 'tok_later');
    expect(res.statusCode).toBe(202);
    expect(res.json<{ order: OrderBody }>().order).toMatchObject({ status: 'pending', payment: { status: 'pending' } });
    expect((await kit.pay(order.orderId, alice.headers)).statusCode).toBe(409);
    await vi.waitFor(async () => expect((await kit.order(order.orderId, alice.headers)).status).toBe('paid'), { timeout: 8000, interval: 200 });
  });

  it('leaves an order pending when the later word is a decline', async () => {
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    expect((await kit.pay(order.orderId, alice.headers, 'tok_later_decline')).statusCode).toBe(202);
    await vi.waitFor(async () => expect((await kit.order(order.orderId, alice.headers)).payment.status).toBe('declined'), { timeout: 8000, interval: 200 });
    expect((await kit.order(order.orderId, alice.headers)).status).toBe('pending');
  });

  it('accepts only webhooks signed with the shared secret, and a repeated one changes nothing', async () => {
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    // Pay with a pending token, then confirm by hand before the fake provider does.
    await kit.pay(order.orderId, alice.headers, 'tok_later');
    const ref = await node.ctx.database.db.execute<{ provider_ref: string }>(
      (await import('drizzle-orm')).sql`select provider_ref from payments where order_id = ${order.orderId}`,
    );
    const providerRef = (ref as unknown as { rows: { provider_ref: string }[] }).rows[0]!.provider_ref;
    const event = { eventId: randomUUID(), type: 'payment.approved', providerRef, amountCents: order.totalCents };
    const raw = JSON.stringify(event);
    expect((await webhook(event)).statusCode).toBe(401);
    expect((await webhook(event, signWebhook('wrong-secret', raw, Date.now()))).statusCode).toBe(403);
    expect((await webhook(event, signWebhook(secret, raw, Date.now() - 3_600_000))).statusCode).toBe(400);
    expect((await webhook({ ...event, amountCents: 1 }, signWebhook(secret, JSON.stringify({ ...event, amountCents: 1 }), Date.now()))).statusCode).toBe(400);
    const first = await webhook(event, signWebhook(secret, raw, Date.now()));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ status: 'approved', changed: true });
    const again = await webhook(event, signWebhook(secret, raw, Date.now()));
    expect(again.json()).toMatchObject({ status: 'approved', changed: false });
    expect((await kit.order(order.orderId, alice.headers)).status).toBe('paid');
  });

  it('moves an order through the flow, consuming its stock at the pour, and refuses steps the flow does not have', async () => {
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    const ready = await kit.status(order.orderId, 'ready', manager.headers);
    expect(ready.statusCode).toBe(409);
    expect(ready.json<{ detail: string }>().detail).toMatch(/pending; it cannot become ready: it can move to cancelled/);
    await kit.pay(order.orderId, alice.headers);
    const before = await kit.position('syrup-cherry');
    const preparing = await kit.status(order.orderId, 'preparing', manager.headers);
    expect(preparing.statusCode).toBe(200);
    expect(preparing.json<OrderBody>().nextStatuses).toEqual(['ready', 'cancelled']);
    const after = await kit.position('syrup-cherry');
    expect([before.onHand - after.onHand, before.reserved - after.reserved]).toEqual([2, 2]);
    expect((await kit.status(order.orderId, 'preparing', manager.headers)).statusCode).toBe(200); // a retried tap
    expect((await kit.status(order.orderId, 'ready', manager.headers)).statusCode).toBe(200);
    const done = await kit.status(order.orderId, 'picked_up', manager.headers);
    expect(done.json<OrderBody>()).toMatchObject({ status: 'picked_up', nextStatuses: [] });
    expect(done.json<OrderBody>().history.map((h) => h.status)).toEqual(['pending', 'paid', 'preparing', 'ready', 'picked_up']);
    expect((await kit.order(order.orderId, alice.headers)).history.map((h) => h.by)).toEqual(['you', 'payment', 'store', 'store', 'store']);
    const cancel = await kit.status(order.orderId, 'cancelled', manager.headers);
    expect(cancel.statusCode).toBe(409);
  });

  it.each([
    ['paid', { status: 'paid' }],
    ['an unknown status', { status: 'teleported' }],
  ])('refuses a status of %s with a 400 naming body.status', async (_n, body) => {
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    const res = await kit.call('POST', `/api/v1/orders/${order.orderId}/status`, manager.headers, body);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain('body.status');
  });

  it('lets only the store’s staff move orders', async () => {
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    expect((await kit.status(order.orderId, 'preparing', alice.headers)).statusCode).toBe(403);
    const other = await kit.staff('MANAGER', randomUUID());
    expect((await kit.status(order.orderId, 'preparing', other.headers)).statusCode).toBe(403);
    expect((await kit.status(order.orderId, 'preparing', {})).statusCode).toBe(401);
    expect((await kit.status(randomUUID(), 'preparing', manager.headers)).statusCode).toBe(404);
  });

  it('releases the reserved stock when a pending order is cancelled', async () => {
    const before = await kit.position('syrup-cherry');
    const order = await kit.placed([{ drinkId: COLA, quantity: 3 }], alice.headers);
    expect((await kit.position('syrup-cherry')).reserved).toBe(before.reserved + 6);
    const res = await kit.call('POST', `/api/v1/orders/${order.orderId}/cancel`, alice.headers, { reason: 'changed my mind' });
    expect(res.statusCode).toBe(200);
    expect(res.json<OrderBody>().status).toBe('cancelled');
    expect(await kit.position('syrup-cherry')).toEqual(before);
    expect((await kit.call('POST', `/api/v1/orders/${order.orderId}/cancel`, alice.headers)).statusCode).toBe(200); // again: no-op
    expect((await kit.pay(order.orderId, alice.headers)).statusCode).toBe(409);
  });

  it('refunds a paid order that is cancelled and books the refund as negative revenue', async () => {
    const before = await dashboard();
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    await kit.pay(order.orderId, alice.headers);
    const res = await kit.call('POST', `/api/v1/orders/${order.orderId}/cancel`, alice.headers);
    expect(res.json<OrderBody>()).toMatchObject({ status: 'cancelled', payment: { status: 'refunded' } });
    const after = await dashboard();
    expect(after.revenueToday.salesCents - before.revenueToday.salesCents).toBe(500);
    expect(after.revenueToday.refundsCents - before.revenueToday.refundsCents).toBe(-500);
    expect(after.revenueToday.netCents).toBe(before.revenueToday.netCents);
  });

  it('shows a refund the provider refused as refund_failed on the dashboard, without booking it', async () => {
    const before = await dashboard();
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    await kit.pay(order.orderId, alice.headers, 'tok_refund_fails');
    const res = await kit.call('POST', `/api/v1/orders/${order.orderId}/cancel`, manager.headers);
    expect(res.json<OrderBody>()).toMatchObject({ status: 'cancelled', payment: { status: 'refund_failed' } });
    const after = await dashboard();
    expect(after.refundFailures).toBe(before.refundFailures + 1);
    expect(after.revenueToday.refundsCents).toBe(before.revenueToday.refundsCents);
  });


  it('lets staff retry a refused refund: it books once it goes through, and a retry with nothing to retry is a 409', async () => {
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    await kit.pay(order.orderId, alice.headers, 'tok_refund_fails_once');
    const cancelled = await kit.call('POST', `/api/v1/orders/${order.orderId}/cancel`, alice.headers);
    expect(cancelled.json<OrderBody>().payment.status).toBe('refund_failed');
    const before = await dashboard();
    expect((await kit.call('POST', `/api/v1/orders/${order.orderId}/refund`, alice.headers)).statusCode).toBe(403);
    const retried = await kit.call('POST', `/api/v1/orders/${order.orderId}/refund`, manager.headers);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json<OrderBody>()).toMatchObject({ status: 'cancelled', payment: { status: 'refunded' } });
    const after = await dashboard();
    expect(after.revenueToday.refundsCents - before.revenueToday.refundsCents).toBe(-500);
    expect(after.refundFailures).toBe(before.refundFailures - 1);
    const again = await kit.call('POST', `/api/v1/orders/${order.orderId}/refund`, manager.headers);
    expect(again.statusCode).toBe(409);
    expect(again.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('path.orderId');
    expect((await dashboard()).revenueToday.refundsCents).toBe(after.revenueToday.refundsCents);
  });
  it('lets the owner cancel only before the pour; staff may cancel while preparing, and the poured stock stays used', async () => {
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    await kit.pay(order.orderId, alice.headers);
    await kit.status(order.orderId, 'preparing', manager.headers);
    const own = await kit.call('POST', `/api/v1/orders/${order.orderId}/cancel`, alice.headers);
    expect(own.statusCode).toBe(409);
    expect(own.json<{ detail: string }>().detail).toMatch(/started making/);
    const before = await kit.position('syrup-cherry');
    const res = await kit.call('POST', `/api/v1/orders/${order.orderId}/cancel`, manager.headers, { reason: 'machine jam' });
    expect(res.json<OrderBody>()).toMatchObject({ status: 'cancelled', payment: { status: 'refunded' } });
    expect(await kit.position('syrup-cherry')).toEqual(before);
  });

  it('lets a guest pay and cancel their own order with the token it was given', async () => {
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }]);
    expect((await kit.pay(order.orderId, alice.headers)).statusCode).toBe(404);
    expect((await kit.pay(order.orderId, guestHeaders(order))).statusCode).toBe(200);
    const res = await kit.call('POST', `/api/v1/orders/${order.orderId}/cancel`, guestHeaders(order));
    expect(res.json<OrderBody>()).toMatchObject({ status: 'cancelled', payment: { status: 'refunded' } });
  });

  it('lists the store’s orders for staff, by status, and refuses everyone else', async () => {
    const order = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    const list = await kit.call('GET', `/api/v1/stores/${kit.storeId}/orders?status=pending&limit=100`, manager.headers);
    expect(list.statusCode).toBe(200);
    const items = list.json<{ items: OrderBody[] }>().items;
    expect(items.every((o) => o.status === 'pending')).toBe(true);
    expect(items.map((o) => o.orderId)).toContain(order.orderId);
    expect((await kit.call('GET', `/api/v1/stores/${kit.storeId}/orders`, alice.headers)).statusCode).toBe(403);
    expect((await kit.call('GET', `/api/v1/stores/${kit.storeId}/orders?status=lost`, manager.headers)).statusCode).toBe(400);
    const elsewhere = randomUUID();
    expect((await kit.call('GET', `/api/v1/stores/${elsewhere}/orders`, manager.headers)).statusCode).toBe(403);
    expect((await kit.call('GET', `/api/v1/stores/${elsewhere}/orders`)).statusCode).toBe(404);
  });
});
