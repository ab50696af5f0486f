// The checkout functions keep their plans for the database session
// (PL/pgSQL). A plan made while the tables were small must not turn into a
// scan of every order or payment once they have grown: a store starts empty,
// and a plan that scans the owner's (or every live) payment row per batch
// costs more with every order taken (the orders benchmark found three such
// plans: 9 ms per batch at 20,000 orders). This runs the functions in one
// session while the tables are tiny, grows them to 20,000 orders, and counts
// the table and index blocks the next checkouts touch (pg_statio_user_tables).
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Database, type Db } from '../../db/database.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../test/harness/databases.js';
import { describeEachDb, pgliteTemplate } from '../../../test/harness/test-node.js';

const STORE = 'plan-store';
/** One customer for every order, as a busy guest scope or the benchmark's single customer is. */
const OWNER = 'plan-owner';
const ITEMS = ['plan-cup', 'plan-ice', 'plan-syrup'];
const GROWN = 20_000;

const rows = async <T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> => ((await db.execute(query)) as unknown as { rows: T[] }).rows;

function orderJson(orderId: string, at: string): object {
  return {
    order_id: orderId, store_id: STORE, owner_id: OWNER, owner_kind: 'account', status: 'pending', total_cents: 450, locker_combo: '1234',
    pickup_time: null, pickup_estimate: at, idempotency_scope: OWNER, idempotency_key: randomUUID(), request_hash: 'h', stock: 'reserved',
    lines: [], history: [], payment_status: 'processing', payment_reason: null, cancel_reason: null, created_at: at, updated_at: at,
  };
}

type Flow = 'together' | 'separate' | 'lone';
const FLOWS: Flow[] = ['together', 'separate', 'lone'];
const one = async <T>(db: Db, query: ReturnType<typeof sql>): Promise<T> => (await rows<{ r: T }>(db, query))[0]!.r;

/**
 * Places `n` orders and settles their payments approved, as the checkout
 * does: in batches with the payment written with the order (together) or
 * opened after it (separate), or one at a time (lone: a batch of one).
 * Answers their ids.
 */
async function checkout(db: Db, n: number, flow: Flow): Promise<string[]> {
  const at = new Date().toISOString();
  const batch = Array.from({ length: n }, () => {
    const orderId = randomUUID();
    return { orderId, paymentId: randomUUID(), order: orderJson(orderId, at) };
  });
  const lines = ITEMS.map((item_id) => ({ item_id, qty: 1 }));
  const payment = (b: (typeof batch)[number]) => ({ payment_id: b.paymentId, provider: 'fake' });
  const opening = (b: (typeof batch)[number]) => ({ payment: b.paymentId, order: b.orderId, owner: OWNER, provider: 'fake', at });
  const settle = batch.map((b) => ({ payment: b.paymentId, order: b.orderId, outcome: 'approved', ref: `ref-${b.paymentId}`, reason: null, at, entry: [{ status: 'paid', at }] }));
  let settled: ({ status: string } | null)[];
  if (flow === 'lone') {
    settled = [];
    for (const [i, b] of batch.entries()) {
      await one(db, sql`select orders_place(${JSON.stringify(b.order)}::jsonb, ${JSON.stringify(lines)}::jsonb, null) as r`);
      expect(await one(db, sql`select payments_open(${b.paymentId}, ${b.orderId}, ${OWNER}, 'fake', ${at}::timestamptz) as r`)).toBe(450);
      const s = settle[i]!;
      settled.push(await one(db, sql`select payments_settle(${s.payment}, ${s.order}, 'approved', ${s.ref}, null::text, ${at}::timestamptz, ${JSON.stringify(s.entry)}::jsonb) as r`));
    }
  } else {
    const placing = batch.map((b) => ({ order: b.order, lines, ...(flow === 'together' ? { payment: payment(b) } : {}) }));
    expect(await one<unknown[]>(db, sql`select orders_place_many(${JSON.stringify(placing)}::jsonb) as r`)).toHaveLength(n);
    if (flow === 'separate') expect(await one(db, sql`select payments_open_many(${JSON.stringify(batch.map(opening))}::jsonb) as r`)).toEqual(batch.map(() => 450));
    settled = await one(db, sql`select payments_settle_many(${JSON.stringify(settle)}::jsonb) as r`);
  }
  expect(settled.map((o) => o?.status)).toEqual(batch.map(() => 'paid'));
  return batch.map((b) => b.orderId);
}

/**
 * Table and index blocks touched so far in the tables that grow with every
 * order. Statistics reach the shared counters when the session goes idle;
 * the flush is forced so the next statement reads this session's own.
 */
async function blocksTouched(db: Db): Promise<number> {
  await db.execute(sql`select pg_stat_force_next_flush()`);
  const [read] = await rows<{ n: string }>(
    db,
    sql`select sum(coalesce(heap_blks_hit, 0) + coalesce(heap_blks_read, 0) + coalesce(idx_blks_hit, 0) + coalesce(idx_blks_read, 0)) as n
      from pg_statio_user_tables where relname in ('orders', 'payments', 'revenue', 'inventory_transactions')`,
  );
  return Number(read?.n);
}

describeEachDb('checkout plans as the tables grow', (db) => {
  let database: Database;
  let scratch: ScratchDatabase | undefined;

  beforeAll(async () => {
    if (db === 'postgres') scratch = await createScratchDatabase();
    database = await openDatabase(scratch ? { kind: 'postgres', url: scratch.url, poolSize: 1 } : { kind: 'pglite', template: pgliteTemplate() });
    await database.migrate();
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });

  it('touches only the blocks of the orders at hand after the tables grow from empty to 20,000 orders', async () => {
    const db = database.db;
    await db.execute(sql`insert into inventory_positions (store_id, item_id, on_hand, updated_at)
      select ${STORE}, i, 1000000000, now() from unnest(${`{${ITEMS.join(',')}}`}::text[]) i`);
    // Plans are made now, on near-empty tables, and kept: PostgreSQL settles on a generic plan after five runs.
    const mine: string[] = [];
    for (let i = 0; i < 8; i++) for (const flow of FLOWS) mine.push(...(await checkout(db, 3, flow)));
    // A store's history: orders of the same customer, each with its settled payment.
    await db.execute(sql`insert into orders
      select r.* from generate_series(1, ${GROWN}) g,
        jsonb_populate_record(null::orders, ${JSON.stringify(orderJson('x', new Date().toISOString()))}::jsonb
          || jsonb_build_object('order_id', 'past-' || g, 'idempotency_key', 'past-' || g, 'status', 'picked_up', 'payment_status', 'approved')) r`);
    await db.execute(sql`insert into payments (payment_id, order_id, provider, provider_ref, amount_cents, status, created_at, updated_at)
      select 'pay-' || g, 'past-' || g, 'fake', 'ref-past-' || g, 450, 'approved', now(), now() from generate_series(1, ${GROWN}) g`);
    const touched: Record<string, number> = {};
    for (const flow of FLOWS) {
      const before = await blocksTouched(db);
      mine.push(...(await checkout(db, 5, flow)));
      touched[flow] = (await blocksTouched(db)) - before;
    }
    // Five orders touch a few blocks per row and index entry they write or read; a walk through the history, hundreds more.
    for (const flow of FLOWS) expect(touched[flow], `blocks touched per flow: ${JSON.stringify(touched)}`).toBeLessThan(800);
    expect(new Set(mine).size).toBe(8 * 3 * 3 + 3 * 5);
  });
});
