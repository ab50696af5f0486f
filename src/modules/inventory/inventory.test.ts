// A store's inventory through HTTP, per database: staff movements and their
// ledger, thresholds and the low-stock signal, the ledger check, and bad
// input that names its field and writes nothing.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';
import type { InventoryItem, LedgerEntry } from './index.js';
import { inventoryPositions } from './schema.js';
import { ledgerCount, serviceOf, signalsOf } from '../../../test/harness/inventory-kit.js';

const auth = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
type Method = 'GET' | 'POST' | 'PUT';

describeEachDb('inventory', (db) => {
  let node: TestNode;
  let storeId: string;
  let base: string;

  const call = (method: Method, path: string, payload?: object, headers: Record<string, string> = auth) =>
    node.app.inject({ method, url: `${base}${path}`, headers, ...(payload ? { payload } : {}) });
  const record = (payload: object, headers: Record<string, string> = auth) => call('POST', '/inventory/transactions', payload, headers);
  const item = async (itemId: string) => (await call('GET', `/inventory/${itemId}`)).json<InventoryItem>();
  const count = () => ledgerCount(node.ctx, storeId);

  beforeAll(async () => {
    node = await createTestNode({ role: 'store', db });
    storeId = node.ctx.identity.nodeId;
    base = `/api/v1/stores/${storeId}`;
  });
  afterAll(() => node?.close());

  it('records a receipt with who, when, why and the resulting position, and lists the item', async () => {
    const res = await record({ type: 'receipt', itemId: 'cherry-syrup', quantity: 40, reason: 'weekly delivery', reference: 'DN-1001' });
    expect(res.statusCode, res.body).toBe(201);
    const { transaction } = res.json<{ transaction: LedgerEntry }>();
    expect(transaction).toMatchObject({ storeId, itemId: 'cherry-syrup', type: 'receipt', quantity: 40, actor: 'operator', reason: 'weekly delivery', reference: 'DN-1001' });
    expect(transaction.position).toEqual({ onHand: 40, reserved: 0, inTransit: 0, onOrder: 0, damaged: 0, available: 40 });
    expect(Date.parse(transaction.at)).not.toBeNaN();
    const list = (await call('GET', '/inventory')).json<{ items: InventoryItem[] }>().items;
    expect(list.find((i) => i.itemId === 'cherry-syrup')).toMatchObject({ name: 'cherry-syrup', type: null, onHand: 40, available: 40, threshold: 0, lowStock: false });
  });

  it('adjusts by a signed change, sets damaged stock aside, disposes of it and transfers', async () => {
    await record({ type: 'receipt', itemId: 'cola-base', quantity: 100 });
    expect((await record({ type: 'adjustment', itemId: 'cola-base', quantity: -7, reason: 'spilled' })).statusCode).toBe(201);
    expect((await record({ type: 'adjustment', itemId: 'cola-base', quantity: 2 })).statusCode).toBe(201);
    expect((await record({ type: 'damage', itemId: 'cola-base', quantity: 5, reason: 'dented cans' })).statusCode).toBe(201);
    expect((await record({ type: 'disposal', itemId: 'cola-base', quantity: 3 })).statusCode).toBe(201);
    expect((await record({ type: 'transfer_out', itemId: 'cola-base', quantity: 10, reference: 'store-B' })).statusCode).toBe(201);
    expect((await record({ type: 'transfer_in', itemId: 'cola-base', quantity: 4 })).statusCode).toBe(201);
    expect(await item('cola-base')).toMatchObject({ onHand: 84, damaged: 2, available: 84 });
  });

  it('refuses to take more than is on hand, naming the field, and writes nothing', async () => {
    await record({ type: 'receipt', itemId: 'mint-syrup', quantity: 3 });
    const before = await count();
    for (const payload of [
      { type: 'adjustment', itemId: 'mint-syrup', quantity: -4 },
      { type: 'damage', itemId: 'mint-syrup', quantity: 4 },
      { type: 'transfer_out', itemId: 'never-stocked', quantity: 1 },
      { type: 'disposal', itemId: 'mint-syrup', quantity: 1 },
    ]) {
      const res = await record(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(409);
      expect(res.json<{ errors: { field: string; message: string }[] }>().errors[0]).toMatchObject({ field: 'body.quantity' });
    }
    expect(await count()).toBe(before);
    expect(await item('mint-syrup')).toMatchObject({ onHand: 3 });
  });

  it('keeps stock reserved for orders on the shelf', async () => {
    await record({ type: 'receipt', itemId: 'lids', quantity: 10 });
    await node.ctx.replication.transaction((tx, emit) =>
      serviceOf(node.ctx).reserve(tx, { storeId, reference: 'order-held', items: [{ itemId: 'lids', quantity: 8 }], actor: 'test' }, emit),
    );
    const res = await record({ type: 'damage', itemId: 'lids', quantity: 3 });
    expect(res.statusCode).toBe(409);
    expect(res.json<{ detail: string }>().detail).toContain('reserved for orders');
    expect(await item('lids')).toMatchObject({ onHand: 10, reserved: 8, available: 2 });
  });

  it.each([
    ['an order-only type', { type: 'reserve', itemId: 'x1', quantity: 1 }, 'body.type'],
    ['a sale', { type: 'sale', itemId: 'x1', quantity: 1 }, 'body.type'],
    ['a supply movement', { type: 'delivered', itemId: 'x1', quantity: 1 }, 'body.type'],
    ['a zero receipt', { type: 'receipt', itemId: 'x1', quantity: 0 }, 'body.quantity'],
    ['a negative damage', { type: 'damage', itemId: 'x1', quantity: -2 }, 'body.quantity'],
    ['a zero adjustment', { type: 'adjustment', itemId: 'x1', quantity: 0 }, 'body.quantity'],
    ['a fractional quantity', { type: 'receipt', itemId: 'x1', quantity: 1.5 }, 'body.quantity'],
    ['a huge quantity', { type: 'receipt', itemId: 'x1', quantity: 2_000_000_000 }, 'body.quantity'],
    ['a missing item', { type: 'receipt', quantity: 1 }, 'body.itemId'],
    ['a malformed item id', { type: 'receipt', itemId: 'no spaces please', quantity: 1 }, 'body.itemId'],
    ['an unknown field', { type: 'receipt', itemId: 'x1', quantity: 1, price: 3 }, 'body.price'],
    ['an empty reason', { type: 'receipt', itemId: 'x1', quantity: 1, reason: '  ' }, 'body.reason'],
  ])('refuses %s with a 400 naming the field, and writes nothing', async (_name, payload, field) => {
    const before = await count();
    const res = await record(payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    expect(await count()).toBe(before);
  });

  it('records a retried write once under the same Idempotency-Key, and refuses the key for another write', async () => {
    const key = { ...auth, 'idempotency-key': 'count-sheet-7' };
    const first = await record({ type: 'receipt', itemId: 'straws', quantity: 50 }, key);
    const before = await count();
    const again = await record({ type: 'receipt', itemId: 'straws', quantity: 50 }, key);
    expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
    expect(again.json<{ replayed: boolean; transaction: LedgerEntry }>()).toMatchObject({ replayed: true, transaction: { txId: first.json<{ transaction: LedgerEntry }>().transaction.txId } });
    expect(await count()).toBe(before);
    const other = await record({ type: 'receipt', itemId: 'straws', quantity: 60 }, key);
    expect(other.statusCode).toBe(422);
    expect(other.json<{ code: string }>().code).toBe('idempotency_key_reused');
    expect(other.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('headers.idempotency-key');
    expect(await item('straws')).toMatchObject({ onHand: 50 });
  });

  it('pages through the ledger newest first, filtered by item and type', async () => {
    for (const q of [5, 6, 7]) await record({ type: 'receipt', itemId: 'vanilla-syrup', quantity: q });
    await record({ type: 'damage', itemId: 'vanilla-syrup', quantity: 1 });
    const seen: LedgerEntry[] = [];
    let cursor: string | null = null;
    do {
      const res = await call('GET', `/inventory/transactions?itemId=vanilla-syrup&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json<{ items: LedgerEntry[]; nextCursor: string | null }>();
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((e) => [e.type, e.quantity])).toEqual([['damage', 1], ['receipt', 7], ['receipt', 6], ['receipt', 5]]);
    expect(seen[0]!.position).toMatchObject({ onHand: 17, damaged: 1 });
    const receipts = (await call('GET', '/inventory/transactions?itemId=vanilla-syrup&type=receipt')).json<{ items: LedgerEntry[] }>().items;
    expect(receipts).toHaveLength(3);
    for (const [query, field] of [['cursor=abc', 'query.cursor'], ['type=refund', 'query.type'], ['limit=0', 'query.limit'], ['itemId=a%20b', 'query.itemId']]) {
      const res = await call('GET', `/inventory/transactions?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    }
  });

  it('signals low stock to the region once per crossing, and again only after stock came back', async () => {
    await record({ type: 'receipt', itemId: 'cups-small', quantity: 10 });
    expect((await call('PUT', '/inventory/cups-small/threshold', { threshold: 5 })).json<InventoryItem>()).toMatchObject({ threshold: 5, lowStock: false });
    await record({ type: 'damage', itemId: 'cups-small', quantity: 3 }); // 7 left
    await record({ type: 'damage', itemId: 'cups-small', quantity: 3 }); // 4: crosses
    await record({ type: 'damage', itemId: 'cups-small', quantity: 1 }); // 3: still low, no new signal
    expect(await item('cups-small')).toMatchObject({ available: 3, lowStock: true });
    let signals = await signalsOf(node.ctx, 'cups-small');
    expect(signals.map((s) => s.type)).toEqual(['inventory.low-stock']);
    expect(signals[0]).toMatchObject({ topic: 'region:C', payload: { storeId, itemId: 'cups-small', available: 4, threshold: 5 } });
    expect(Date.parse(signals[0]!.payload.at)).not.toBeNaN();

    await record({ type: 'receipt', itemId: 'cups-small', quantity: 10 }); // 13: restored, re-armed
    await record({ type: 'damage', itemId: 'cups-small', quantity: 9 }); // 4: crosses again
    signals = await signalsOf(node.ctx, 'cups-small');
    expect(signals.map((s) => s.type)).toEqual(['inventory.low-stock', 'inventory.stock-restored', 'inventory.low-stock']);
  });

  it('signals when a raised threshold leaves an item low, and refuses a bad threshold', async () => {
    await record({ type: 'receipt', itemId: 'ice', quantity: 20 });
    const res = await call('PUT', '/inventory/ice/threshold', { threshold: 50 });
    expect(res.json<InventoryItem>()).toMatchObject({ lowStock: true, threshold: 50 });
    expect((await signalsOf(node.ctx, 'ice')).map((s) => s.type)).toEqual(['inventory.low-stock']);
    for (const [payload, field] of [[{ threshold: -1 }, 'body.threshold'], [{ threshold: 'ten' }, 'body.threshold'], [{}, 'body.threshold']] as const) {
      const bad = await call('PUT', '/inventory/ice/threshold', payload);
      expect(bad.statusCode).toBe(400);
      expect(bad.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    }
    expect(await item('ice')).toMatchObject({ threshold: 50 });
  });

  it('sends a crossing made by an order without emit from the signal job, once', async () => {
    const service = serviceOf(node.ctx);
    await service.seedInventory(storeId, [{ itemId: 'whipped-cream', quantity: 6, threshold: 3 }], 'test');
    await node.ctx.database.db.transaction((tx) =>
      service.reserve(tx, { storeId, reference: 'order-no-emit', items: [{ itemId: 'whipped-cream', quantity: 4 }], actor: 'test' }),
    );
    await service.flushSignals();
    await service.flushSignals();
    expect((await signalsOf(node.ctx, 'whipped-cream')).map((s) => s.payload.available)).toEqual([2]);
  });

  it('verifies every position against the ledger, and an admin repair makes the ledger win', async () => {
    const ok = await call('POST', '/inventory/verify');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ storeId, consistent: true, differences: [], repaired: false });
    expect(ok.json<{ transactions: number }>().transactions).toBe(await count());

    // A position edited behind the ledger's back, as a bad restore or a hand-made UPDATE would.
    await node.ctx.database.db.execute(sql`update ${inventoryPositions} set on_hand = on_hand + 5 where item_id = 'cola-base'`);
    const bad = (await call('POST', '/inventory/verify', {})).json<{ consistent: boolean; differences: unknown[] }>();
    expect(bad).toMatchObject({ consistent: false, differences: [{ itemId: 'cola-base', field: 'onHand', recorded: 89, fromLedger: 84 }] });
    const fixed = await call('POST', '/inventory/verify', { repair: true });
    expect(fixed.json()).toMatchObject({ repaired: true, differences: [{ itemId: 'cola-base' }] });
    expect((await call('POST', '/inventory/verify')).json()).toMatchObject({ consistent: true });
    expect(await item('cola-base')).toMatchObject({ onHand: 84 });
    expect((await call('POST', '/inventory/verify', { repair: 'yes' })).statusCode).toBe(400);
  });

  it('keeps the ledger append-only, even for a hand-made UPDATE or DELETE', async () => {
    await expect(node.ctx.database.db.execute(sql`update inventory_transactions set quantity = 1`)).rejects.toThrow();
    await expect(node.ctx.database.db.execute(sql`delete from inventory_transactions`)).rejects.toThrow();
    expect((await call('POST', '/inventory/verify')).json()).toMatchObject({ consistent: true });
  });

  it('answers 404 for another store, with where to ask, and 401 without a token', async () => {
    const other = '00000000-0000-4000-8000-00000000beef';
    const res = await node.app.inject({ method: 'GET', url: `/api/v1/stores/${other}/inventory`, headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json<{ detail: string }>().detail).toContain("that store's own node");
    expect((await call('GET', '/inventory/never-held')).statusCode).toBe(404);
    expect((await call('GET', '/inventory', undefined, {})).statusCode).toBe(401);
  });
});

describeEachDb('inventory at a hub', (db) => {
  let hub: TestNode;
  beforeAll(async () => {
    hub = await createTestNode({ role: 'hub', db });
  });
  afterAll(() => hub?.close());

  it('answers 404: a hub keeps no store inventory', async () => {
    const res = await hub.app.inject({ method: 'GET', url: `/api/v1/stores/${hub.ctx.identity.nodeId}/inventory`, headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json<{ detail: string }>().detail).toContain('supply hub');
  });
});
