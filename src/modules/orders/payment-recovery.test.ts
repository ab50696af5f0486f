// A payment whose provider answer was lost, per database: the attempt stays
// processing (never guessed declined: the card may have been charged), a
// second pay is refused meanwhile, and the sweep settles it from the
// provider's own books: paid and booked when the charge went through,
// declined as interrupted when the provider never received it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pino } from 'pino';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';
import { OrdersKit, type OrderBody, type Who } from '../../../test/harness/orders-kit.js';
import { CheckoutCalls } from './checkout.js';
import { FakePaymentProvider, fakeWebhookSecret, signWebhook } from './payment-provider.js';
import { PaymentService } from './payments.js';

const COLA = 'drink-classic-cherry-cola';

describeEachDb('payments whose answer was lost', (db) => {
  let node: TestNode;
  let kit: OrdersKit;
  let alice: Who;
  let payments: PaymentService;

  beforeAll(async () => {
    node = await createTestNode({ db });
    kit = new OrdersKit(node.app, node.ctx.identity.nodeId, TEST_OPERATOR_TOKEN);
    await kit.setUp();
    await kit.stockFor(COLA, 20);
    alice = await kit.user();
    // The same service the node runs, over the same database and the provider's same books.
    const provider = new FakePaymentProvider(fakeWebhookSecret(node.ctx.identity.privateKey), node.ctx.clock);
    payments = new PaymentService({ db: node.ctx.database.db, checkout: new CheckoutCalls(node.ctx.database.query), provider, now: () => node.ctx.clock.now(), log: pino({ level: 'silent' }) });
  });
  afterAll(() => node.close());

  const order = async (id: string) => (await kit.call('GET', `/api/v1/orders/${id}`, alice.headers)).json<OrderBody>();
  const attempts = (orderId: string) => node.ctx.database.query<{ status: string; reason: string | null }>('select status, reason from payments where order_id = $1', [orderId]);
  const sales = async (orderId: string) => (await node.ctx.database.query<{ n: number }>(`select count(*)::int as n from revenue where order_id = $1 and kind = 'sale'`, [orderId]))[0]?.n;

  it('keeps a charge whose answer timed out processing, refuses a second pay, and settles it paid from the provider', async () => {
    const placed = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    const res = await kit.pay(placed.orderId, alice.headers, 'tok_timeout');
    expect(res.statusCode).toBe(502);
    expect(await attempts(placed.orderId)).toEqual([{ status: 'processing', reason: null }]);
    expect((await order(placed.orderId)).status).toBe('pending');
    expect((await kit.pay(placed.orderId, alice.headers)).statusCode).toBe(409); // no double charge meanwhile

    expect(await payments.sweepInterrupted(60_000)).toBe(0); // not old enough yet
    expect(await payments.sweepInterrupted(0)).toBe(1);
    expect(await order(placed.orderId)).toMatchObject({ status: 'paid', payment: { status: 'approved' } });
    expect(await sales(placed.orderId)).toBe(1);
    expect(await payments.sweepInterrupted(0)).toBe(0); // settled once
  });

  it('declines as interrupted an attempt the provider never received, and the customer pays again', async () => {
    const placed = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    // The node stopped after writing the attempt and before asking the provider.
    await node.ctx.database.query('select payments_open($1, $2, $3, $4, $5::timestamptz)', [randomUUID(), placed.orderId, alice.userId, 'fake', new Date(Date.now() - 120_000).toISOString()]);
    // (The node's own job may get there first: it sweeps attempts older than a minute.)
    await payments.sweepInterrupted(0);
    expect(await attempts(placed.orderId)).toEqual([{ status: 'declined', reason: 'interrupted' }]);
    expect(await sales(placed.orderId)).toBe(0);
    expect((await kit.pay(placed.orderId, alice.headers)).json<{ order: OrderBody }>().order.status).toBe('paid');
  });

  it('takes a confirmation that overtakes the recording of the first answer, by the payment id the provider echoes', async () => {
    const placed = await kit.placed([{ drinkId: COLA, quantity: 1 }], alice.headers);
    const paymentId = randomUUID();
    await node.ctx.database.query('select payments_open($1, $2, $3, $4, $5::timestamptz)', [paymentId, placed.orderId, alice.userId, 'fake', new Date().toISOString()]);
    const send = (body: object) => {
      const raw = JSON.stringify(body);
      const signature = signWebhook(fakeWebhookSecret(node.ctx.identity.privateKey), raw, node.ctx.clock.now());
      return node.app.inject({ method: 'POST', url: '/api/v1/payments/webhook', headers: { 'content-type': 'application/json', 'x-payment-signature': signature }, payload: raw });
    };
    const event = { eventId: randomUUID(), type: 'payment.approved', providerRef: `fake_${randomUUID()}`, amountCents: placed.totalCents };
    expect((await send(event)).statusCode).toBe(404); // without the id it cannot be found yet
    const res = await send({ ...event, paymentId });
    expect(res.statusCode, res.body).toBe(200);
    expect(await order(placed.orderId)).toMatchObject({ status: 'paid', payment: { status: 'approved' } });
    expect(await sales(placed.orderId)).toBe(1);
  });
});
