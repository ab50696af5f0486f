// Oversell under load, per database: 50 orders fired at once at a store
// holding stock for 10. Exactly 10 are placed, the other 40 are refused with
// a 409 naming what is short, and the ledger never goes below zero.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';
import { OrdersKit, type OrderBody } from '../../../test/harness/orders-kit.js';
import type { Database } from '../../db/database.js';

/** The item's reserve rows in ledger order. */
const ledgerReserves = (database: Database, itemId: string) =>
  database.query<{ reserved_after: number; reference: string }>(
    `select reserved_after, reference from inventory_transactions where item_id = $1 and type = 'reserve' order by seq`,
    [itemId],
  );

describeEachDb('concurrent orders', (db) => {
  let node: TestNode;
  let kit: OrdersKit;

  beforeAll(async () => {
    node = await createTestNode({ db });
    kit = new OrdersKit(node.app, node.ctx.identity.nodeId, TEST_OPERATOR_TOKEN);
    await kit.setUp();
  });
  afterAll(() => node.close());

  it('places exactly 10 of 50 concurrent orders at stock for 10, and stock never goes negative', async () => {
    const { drinkId, syrupId } = await kit.limitedDrink('Last Ten Fizz', 10);
    const customers = await Promise.all([kit.user(), kit.user(), kit.user()]);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => kit.place([{ drinkId, quantity: 1 }], i % 4 === 3 ? {} : customers[i % 3]!.headers)),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(10);
    expect(codes.filter((c) => c === 409)).toHaveLength(40);
    for (const refused of results.filter((r) => r.statusCode === 409)) {
      expect(refused.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual(['body.items.0.drinkId']);
    }
    expect(await kit.position(syrupId)).toEqual({ onHand: 10, reserved: 10, available: 0 });
    const verify = await kit.call('POST', `/api/v1/stores/${kit.storeId}/inventory/verify`);
    expect(verify.statusCode).toBe(200);
    expect(verify.json<{ consistent: boolean }>().consistent).toBe(true);

    // Cancelling them all in parallel gives every unit back exactly once.
    const placed = results.filter((r) => r.statusCode === 201).map((r) => r.json<OrderBody>());
    const cancels = await Promise.all(placed.map((o) => kit.call('POST', `/api/v1/orders/${o.orderId}/cancel`)));
    expect(cancels.map((c) => c.statusCode)).toEqual(placed.map(() => 200));
    expect(await kit.position(syrupId)).toEqual({ onHand: 10, reserved: 0, available: 10 });
  });

  it('places and pays 30 concurrent orders in shared batches, each ledger row carrying the position right after it', async () => {
    const { drinkId, syrupId } = await kit.limitedDrink('Batch Fizz', 100);
    const who = await kit.user();
    const before = node.ctx.database;
    const batchesBefore = await ledgerReserves(before, syrupId);
    const placed = await Promise.all(Array.from({ length: 30 }, () => kit.place([{ drinkId, quantity: 2 }], who.headers)));
    expect(placed.map((r) => r.statusCode)).toEqual(placed.map(() => 201));
    const paid = await Promise.all(placed.map((r) => kit.pay(r.json<OrderBody>().orderId, who.headers)));
    expect(paid.map((r) => r.statusCode)).toEqual(paid.map(() => 200));
    expect(new Set(paid.map((r) => r.json<{ order: OrderBody }>().order.status))).toEqual(new Set(['paid']));
    expect(await kit.position(syrupId)).toEqual({ onHand: 100, reserved: 60, available: 40 });
    // Ledger order = reservation order: reserved-after climbs by 2 per order, with no gap and no repeat.
    const rows = (await ledgerReserves(before, syrupId)).slice(batchesBefore.length);
    expect(rows.map((r) => r.reserved_after)).toEqual(Array.from({ length: 30 }, (_, i) => 2 * (i + 1)));
    expect(new Set(rows.map((r) => r.reference)).size).toBe(30);
    const verify = await kit.call('POST', `/api/v1/stores/${kit.storeId}/inventory/verify`);
    expect(verify.json<{ consistent: boolean }>().consistent).toBe(true);
    // They did go together: fewer place calls than orders.
    const metrics = (await node.app.inject({ method: 'GET', url: '/metrics' })).body;
    const stat = (kind: string) => Number(new RegExp(`codepop_checkout_batches_total\\{[^}]*call="place"[^}]*kind="${kind}"[^}]*\\} (\\d+)`).exec(metrics)?.[1]);
    expect(stat('items')).toBeGreaterThan(stat('batches'));
    const revenue = await node.ctx.database.query<{ n: number }>(`select count(*)::int as n from revenue where order_id = any($1::text[])`, [placed.map((r) => r.json<OrderBody>().orderId)]);
    expect(revenue[0]?.n).toBe(30);
  });

  it('answers 20 concurrent retries of one request with one order', async () => {
    const { drinkId, syrupId } = await kit.limitedDrink('Retry Fizz', 5);
    const who = await kit.user();
    const key = `burst-${crypto.randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 20 }, () => kit.place([{ drinkId, quantity: 1 }], who.headers, {}, key)));
    expect(new Set(results.map((r) => r.statusCode))).toEqual(new Set([201]));
    expect(new Set(results.map((r) => r.json<OrderBody>().orderId)).size).toBe(1);
    expect((await kit.position(syrupId)).reserved).toBe(1);
  });
});
