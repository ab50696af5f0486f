// The checkout's three database calls (src/modules/orders/sql/),
// each through a smart batcher (src/lib/batcher.ts): a lone call goes at
// once; calls arriving while one is carried out go together as the next, in
// one round trip and one commit. Placing runs one batch at a time, since
// every order locks the same shared stock rows; a batch locks them once.
// When a batch call fails as a whole (a second live payment for one order,
// a lost connection), each of its items is run alone, one after another, so
// only the item at fault fails.
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../../db/database.js';
import { Batcher } from '../../lib/batcher.js';
import type { HistoryEntry } from './views.js';

type Query = Database['query'];

export interface PlaceCall {
  /** The order row as JSON text keyed by column name (orderRowJson). */
  order: string;
  /** The stock lines as JSON text: [{item_id, qty}] (inventory's reservationLines). */
  lines: string;
  /** The first payment attempt, written with the order (placed and paid in one request). */
  payment?: { payment_id: string; provider: string } | undefined;
}

export interface OpenCall {
  payment: string;
  order: string;
  owner: string;
  provider: string;
  at: string;
}

export interface SettleCall {
  payment: string;
  order: string;
  outcome: 'approved' | 'declined' | 'pending';
  ref: string;
  reason: string | null;
  at: string;
  entry: HistoryEntry[];
}

/** Most items in one call: bounds a batch's transaction and its JSON. */
const MAX_BATCH = 64;

/** An error a duplicate Idempotency-Key answers with, as the database would (SQLSTATE 23505). */
export class DuplicateKey extends Error {
  readonly code = '23505';
  constructor() {
    super('duplicate Idempotency-Key');
  }
}

export class CheckoutCalls {
  readonly place: Batcher<PlaceCall, unknown>;
  readonly open: Batcher<OpenCall, number | null>;
  readonly settle: Batcher<SettleCall, Record<string, unknown> | null>;

  constructor(query: Query) {
    const first = async <T>(text: string, params: unknown[]) => (await query<{ r: T }>(text, params))[0]?.r as T;
    const placeOne = (c: PlaceCall) => first<unknown>('select orders_place($1::jsonb, $2::jsonb, $3::jsonb) as r', [c.order, c.lines, c.payment ? JSON.stringify(c.payment) : null]);
    this.place = new Batcher(
      (items) =>
        carry(items, placeOne, async (all) => {
          const answers = await first<unknown[]>('select orders_place_many($1::jsonb) as r', [`[${all.map((c) => `{"order":${c.order},"lines":${c.lines}${c.payment ? `,"payment":${JSON.stringify(c.payment)}` : ''}}`).join(',')}]`]);
          return answers.map((a) => ((a as { duplicate?: boolean } | null)?.duplicate ? new DuplicateKey() : a));
        }),
      { maxBatch: MAX_BATCH, concurrency: 1 },
    );
    const openOne = async (c: OpenCall) => numberOrNull(await first<unknown>('select payments_open($1, $2, $3, $4, $5::timestamptz) as r', [c.payment, c.order, c.owner, c.provider, c.at]));
    this.open = new Batcher(
      (items) => carry(items, openOne, async (all) => (await first<unknown[]>('select payments_open_many($1::jsonb) as r', [JSON.stringify(all)])).map(numberOrNull)),
      { maxBatch: MAX_BATCH, concurrency: 2 },
    );
    const settleOne = (c: SettleCall) =>
      first<Record<string, unknown> | null>('select payments_settle($1, $2, $3, $4, $5::text, $6::timestamptz, $7::jsonb) as r', [
        c.payment,
        c.order,
        c.outcome,
        c.ref,
        c.reason,
        c.at,
        JSON.stringify(c.entry),
      ]);
    this.settle = new Batcher(
      (items) => carry(items, settleOne, async (all) => first<(Record<string, unknown> | null)[]>('select payments_settle_many($1::jsonb) as r', [JSON.stringify(all)])),
      { maxBatch: MAX_BATCH, concurrency: 2 },
    );
  }
}

/** Batches and the calls they carried, per kind of call, for /metrics: items ÷ batches is the mean batch. */
export function registerCheckoutMetrics(registry: Registry, calls: CheckoutCalls): void {
  new Gauge({
    name: 'codepop_checkout_batches_total',
    help: 'Database calls of the checkout (place, open, settle) and the orders they carried (kind="batches" or "items")',
    labelNames: ['call', 'kind'] as const,
    registers: [registry],
    collect() {
      for (const [call, b] of Object.entries({ place: calls.place, open: calls.open, settle: calls.settle })) {
        this.set({ call, kind: 'batches' }, b.stats.batches);
        this.set({ call, kind: 'items' }, b.stats.items);
      }
    },
  });
}

const numberOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** A batch of one runs alone; a larger one in one call, or item by item when that call fails. */
async function carry<I, O>(items: I[], one: (item: I) => Promise<O>, all: (items: I[]) => Promise<(O | Error)[]>): Promise<(O | Error)[]> {
  if (items.length > 1) {
    try {
      return await all(items);
    } catch {
      // Each alone below: only the item at fault fails.
    }
  }
  const out: (O | Error)[] = [];
  for (const item of items) {
    try {
      out.push(await one(item));
    } catch (err) {
      out.push(err instanceof Error ? err : new Error(String(err)));
    }
  }
  return out;
}
