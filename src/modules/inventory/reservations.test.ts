// The service API orders and supply use, per database: reservations inside
// the caller's transaction, all or nothing; release and consume that are
// safe to repeat; no overselling under real concurrent transactions; and
// positions that always equal the ledger's sum, for any sequence of writes.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, type TestNode } from '../../../test/harness/test-node.js';
import { InsufficientStock, InventoryService, manualTypes, supplyTypes, type MovementType } from './index.js';
import { applyMovement, emptyPosition, isPossible, type Position } from './ledger.js';
import { ledgerCount, serviceOf } from '../../../test/harness/inventory-kit.js';

describeEachDb('inventory reservations', (db) => {
  let node: TestNode;
  let service: InventoryService;
  let storeId: string;

  /** Runs fn in a replication transaction, as the orders module will. */
  const inTx = <T>(fn: Parameters<TestNode['ctx']['replication']['transaction']>[0]) => node.ctx.replication.transaction(fn) as Promise<T>;
  const reserve = (reference: string, items: { itemId: string; quantity: number }[], store = storeId) =>
    inTx((tx, emit) => service.reserve(tx, { storeId: store, reference, items, actor: 'orders' }, emit));
  const position = async (itemId: string, store = storeId) => (await service.items(store, [itemId]))[0];

  beforeAll(async () => {
    node = await createTestNode({ role: 'store', db });
    service = serviceOf(node.ctx);
    storeId = node.ctx.identity.nodeId;
  });
  afterAll(() => node?.close());

  it('reserves within the caller transaction and consumes the reservation as a sale, once', async () => {
    await service.seedInventory(storeId, [{ itemId: 'syrup-a', quantity: 10, threshold: 0 }], 'seed');
    await reserve('order-1', [{ itemId: 'syrup-a', quantity: 2 }, { itemId: 'syrup-a', quantity: 1 }]);
    expect(await position('syrup-a')).toMatchObject({ onHand: 10, reserved: 3, available: 7 });
    const sold = await inTx((tx, emit) => service.consume(tx, { storeId, reference: 'order-1', actor: 'orders' }, emit));
    expect(sold).toEqual([{ itemId: 'syrup-a', quantity: 3 }]);
    expect(await position('syrup-a')).toMatchObject({ onHand: 7, reserved: 0, available: 7 });
    const before = await ledgerCount(node.ctx, storeId);
    expect(await inTx((tx) => service.consume(tx, { storeId, reference: 'order-1', actor: 'orders' }))).toEqual([]);
    expect(await inTx((tx) => service.release(tx, { storeId, reference: 'order-1', actor: 'orders' }))).toEqual([]);
    expect(await ledgerCount(node.ctx, storeId)).toBe(before);
  });

  it('releases what is still reserved, once, however many times it is asked, even at the same time', async () => {
    await service.seedInventory(storeId, [{ itemId: 'syrup-b', quantity: 10, threshold: 0 }], 'seed');
    await reserve('order-2', [{ itemId: 'syrup-b', quantity: 4 }]);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => inTx((tx, emit) => service.release(tx, { storeId, reference: 'order-2', actor: 'orders', reason: 'cancelled' }, emit))),
    );
    expect(results.flat()).toEqual([{ itemId: 'syrup-b', quantity: 4 }]);
    expect(await position('syrup-b')).toMatchObject({ onHand: 10, reserved: 0 });
  });

  it('refuses a reservation naming every missing item, and writes none of it', async () => {
    await service.seedInventory(storeId, [{ itemId: 'syrup-c', quantity: 2, threshold: 0 }, { itemId: 'syrup-d', quantity: 9, threshold: 0 }], 'seed');
    const before = await ledgerCount(node.ctx, storeId);
    const err = await reserve('order-3', [
      { itemId: 'syrup-d', quantity: 1 },
      { itemId: 'syrup-c', quantity: 5 },
      { itemId: 'never-stocked', quantity: 1 },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientStock);
    const missing = err as InsufficientStock;
    expect(missing.status).toBe(409);
    expect(missing.missing).toEqual([
      { itemId: 'never-stocked', needed: 1, available: 0 },
      { itemId: 'syrup-c', needed: 5, available: 2 },
    ]);
    expect(missing.errors).toEqual([
      { field: 'items', message: 'never-stocked: need 1, have 0' },
      { field: 'items', message: 'syrup-c: need 5, have 2' },
    ]);
    expect(await ledgerCount(node.ctx, storeId)).toBe(before);
    expect(await position('syrup-d')).toMatchObject({ reserved: 0 });
  });

  it('rolls the reservation back with the order when the caller fails after it', async () => {
    await service.seedInventory(storeId, [{ itemId: 'syrup-e', quantity: 5, threshold: 0 }], 'seed');
    await expect(
      inTx(async (tx, emit) => {
        await service.reserve(tx, { storeId, reference: 'order-4', items: [{ itemId: 'syrup-e', quantity: 5 }], actor: 'orders' }, emit);
        throw new Error('payment provider down');
      }),
    ).rejects.toThrow('payment provider down');
    expect(await position('syrup-e')).toMatchObject({ reserved: 0, available: 5 });
    expect(await service.available(storeId, ['syrup-e', 'nothing'])).toEqual({ 'syrup-e': 5, nothing: 0 });
  });

  it('refuses a malformed reservation before touching anything', async () => {
    await expect(reserve('order-5', [])).rejects.toMatchObject({ status: 400 });
    await expect(reserve('order-5', [{ itemId: 'syrup-a', quantity: 0 }])).rejects.toMatchObject({ status: 400, errors: [{ field: 'items.0.quantity' }] });
    await expect(reserve('', [{ itemId: 'syrup-a', quantity: 1 }])).rejects.toMatchObject({ status: 400, errors: [{ field: 'reference' }] });
  });

  it('sells exactly the stock there is to 50 concurrent orders', async () => {
    const store = randomUUID();
    await service.seedInventory(store, [{ itemId: 'cola', quantity: 10, threshold: 3 }], 'seed');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        inTx(async (tx, emit) => {
          // Read first, as a careless check-then-reserve would: the row lock, not this read, must decide.
          const free = await service.available(store, ['cola'], tx);
          if (free.cola === undefined) throw new Error('no answer');
          await service.reserve(tx, { storeId: store, reference: `order-c${i}`, items: [{ itemId: 'cola', quantity: 1 }], actor: 'orders' }, emit);
        }),
      ),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(10);
    for (const l of lost) expect(l.reason).toBeInstanceOf(InsufficientStock);
    expect(await position('cola', store)).toMatchObject({ onHand: 10, reserved: 10, available: 0, lowStock: true });
    expect(await ledgerCount(node.ctx, store)).toBe(11);
    expect(await service.recompute(store)).toMatchObject({ consistent: true, transactions: 11 });
  });

  type Op =
    | { kind: 'move'; type: MovementType; itemId: string; quantity: number }
    | { kind: 'reserve'; ref: string; items: { itemId: string; quantity: number }[] }
    | { kind: 'release' | 'consume'; ref: string };
  const itemArb = fc.constantFrom('i1', 'i2', 'i3');
  const refArb = fc.constantFrom('r1', 'r2', 'r3');
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('move' as const), type: fc.constantFrom<MovementType>(...manualTypes.filter((t) => t !== 'adjustment'), ...supplyTypes), itemId: itemArb, quantity: fc.integer({ min: 1, max: 15 }) }),
    fc.record({ kind: fc.constant('move' as const), type: fc.constant<MovementType>('adjustment'), itemId: itemArb, quantity: fc.integer({ min: -15, max: 15 }).filter((q) => q !== 0) }),
    fc.record({ kind: fc.constant('reserve' as const), ref: refArb, items: fc.array(fc.record({ itemId: itemArb, quantity: fc.integer({ min: 1, max: 6 }) }), { minLength: 1, maxLength: 3 }) }),
    fc.record({ kind: fc.constantFrom('release' as const, 'consume' as const), ref: refArb }),
  );

  it('keeps every position equal to its ledger and to a model, for any sequence of writes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 25 }), async (ops) => {
        const store = randomUUID();
        const model = new Map<string, Position>();
        const held = new Map<string, Map<string, number>>();
        const get = (id: string) => model.get(id) ?? emptyPosition();
        for (const op of ops) {
          if (op.kind === 'move') {
            const expected = applyMovement(get(op.itemId), op.type, op.quantity);
            const write = (manualTypes as readonly string[]).includes(op.type)
              ? service.record({ storeId: store, type: op.type, itemId: op.itemId, quantity: op.quantity, actor: 'prop' })
              : inTx((tx, emit) => service.recordIn(tx, store, [op], { actor: 'prop', reference: 'delivery-1' }, emit));
            const wrote = await write.then(() => true, () => false);
            expect(wrote).toBe(expected.ok);
            if (expected.ok) model.set(op.itemId, expected.position);
          } else if (op.kind === 'reserve') {
            const need = new Map<string, number>();
            for (const l of op.items) need.set(l.itemId, (need.get(l.itemId) ?? 0) + l.quantity);
            const fits = [...need].every(([id, q]) => get(id).onHand - get(id).reserved >= q);
            const wrote = await reserve(op.ref, op.items, store).then(() => true, () => false);
            expect(wrote).toBe(fits);
            if (!fits) continue;
            const h = held.get(op.ref) ?? new Map<string, number>();
            for (const [id, q] of need) {
              model.set(id, { ...get(id), reserved: get(id).reserved + q });
              h.set(id, (h.get(id) ?? 0) + q);
            }
            held.set(op.ref, h);
          } else {
            const settle = op.kind === 'release' ? service.release.bind(service) : service.consume.bind(service);
            await inTx((tx, emit) => settle(tx, { storeId: store, reference: op.ref, actor: 'prop' }, emit));
            for (const [id, q] of held.get(op.ref) ?? []) {
              const p = get(id);
              model.set(id, { ...p, reserved: p.reserved - q, onHand: op.kind === 'consume' ? p.onHand - q : p.onHand });
            }
            held.delete(op.ref);
          }
        }
        const report = await service.recompute(store);
        expect(report.differences).toEqual([]);
        for (const item of await service.items(store)) {
          const { itemId, onHand, reserved, inTransit, onOrder, damaged } = item;
          expect(isPossible({ onHand, reserved, inTransit, onOrder, damaged })).toBe(true);
          expect({ onHand, reserved, inTransit, onOrder, damaged }).toEqual(get(itemId));
        }
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});
