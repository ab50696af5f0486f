// Orders of this store: placing one (prices from the catalog, ingredients
// reserved in the same transaction as the order row, a retried request
// answered from its Idempotency-Key), reading them, and moving them along
// the status flow. Stock is consumed when an order moves to preparing: that
// is when the machine pours, so from then on the ingredients are gone even
// if the order is cancelled.
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { isUniqueViolation, type Db } from '../../db/database.js';
import type { CheckoutCalls } from './checkout.js';
import { Conflict, Forbidden, HttpError, NotFound, type FieldError } from '../../http/errors.js';
import { canonicalJson } from '../../lib/canonical-json.js';
import type { ReplicationApi } from '../../core/context.js';
import type { PaymentService } from './payments.js';
import { drinksOrInvalid } from './availability.js';
import { checkSchedule } from './schedule.js';
import type { MissingStock, OrderableDrink, OrdersDeps, StockNeed, StoreInfo } from './needs.js';
import { orders } from './schema.js';
import { type OrderStatus, type StaffStatus } from './status-flow.js';
import { lockOrder, moveOrder, refuseStep } from './transitions.js';
import { orderRowJson, pageOfOrders, viewOf, type HistoryEntry, type OrderLine, type OrderRow, type OrderView } from './views.js';

/** Who is asking, as the order rules see them. */
export interface Caller {
  /** A user id, `operator`, or `guest:<orderId>` for a guest's token. */
  subject: string;
  kind: 'user' | 'guest' | 'operator' | 'anonymous';
  /** MANAGER or ADMIN of this store, or a super admin. */
  isStaff: boolean;
}

export interface ListQuery {
  status?: OrderStatus | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface PlaceInput {
  idempotencyKey: string;
  items: { drinkId: string; quantity: number }[];
  pickupTime?: string | undefined;
  /** Write the first payment attempt with the order ('processing'), to charge right after. */
  openPayment?: { paymentId: string; provider: string } | undefined;
}

export interface Placed {
  order: OrderView;
  /** For a guest: the token that follows this one order. */
  guestToken?: string;
  replayed: boolean;
  /** Who the order belongs to: the caller's user id, or `guest:<orderId>`. */
  ownerId: string;
  /** The payment id of `openPayment`, when its attempt was written with this order (not for a replayed one). */
  openedPaymentId?: string;
}

export interface OrderServiceDeps extends OrdersDeps {
  db: Db;
  /** The checkout's database calls, batched (checkout.ts): placing an order is one call of orders_place. */
  checkout: CheckoutCalls;
  replication: ReplicationApi;
  /** This node's store id; undefined on a hub, which takes no orders. */
  storeId: string | undefined;
  now: () => number;
  payments: PaymentService;
}

/** A guest's token outlives the order's pickup by a day, so they can still look it up. */
const GUEST_TOKEN_GRACE_MS = 24 * 3_600_000;

/** Orders wait 2 minutes per order ahead of them, never less than 5 (domain notes §0). */
export const waitFromQueue = (queued: number): number => Math.max(5, 2 * queued);

export class OrderService {
  constructor(private readonly d: OrderServiceDeps) {}

  requireStore(): string {
    if (!this.d.storeId) throw new NotFound('This node is a supply hub; orders are placed and kept at a store.');
    return this.d.storeId;
  }

  private at(): Date {
    return new Date(this.d.now());
  }

  async place(caller: Caller, input: PlaceInput): Promise<Placed> {
    const storeId = this.requireStore();
    const scope = caller.kind === 'user' || caller.kind === 'operator' ? caller.subject : 'anonymous';
    const pickupMs = input.pickupTime === undefined ? undefined : Date.parse(input.pickupTime);
    const requestHash = createHash('sha256')
      .update(canonicalJson({ items: input.items, pickupTime: pickupMs === undefined ? null : new Date(pickupMs).toISOString() }))
      .digest('base64url');
    // A retry is recognised by its key only when it would otherwise fail (refused, or the key taken):
    // the usual first request saves the lookup.
    const orReplay = async (err: unknown): Promise<Placed> => {
      const earlier = err instanceof HttpError || isUniqueViolation(err) ? await this.byKey(scope, input.idempotencyKey) : undefined;
      if (earlier) return this.replay(earlier, requestHash);
      throw err;
    };
    let store: StoreInfo | undefined;
    let drinks: Map<string, OrderableDrink>;
    try {
      store = await this.d.stores.store(storeId);
      if (!store) throw new Conflict('This store is not set up to take orders yet.', undefined, 'store_not_accepting_orders');
      if (!store.isAcceptingOrders) {
        throw new Conflict(`${store.name} is not accepting orders right now${store.notAcceptingReason ? ` (${store.notAcceptingReason})` : ''}; try a nearby store.`, undefined, 'store_not_accepting_orders');
      }
      checkSchedule(store, this.d.now(), pickupMs);
      drinks = await drinksOrInvalid(this.d.catalog, input.items.map((i) => i.drinkId), (i) => `body.items.${i}.drinkId`, caller.subject);
    } catch (err) {
      return orReplay(err);
    }
    const now = this.d.now();
    const lines = input.items.map((item, lineNo) => ({ ...item, lineNo, drink: drinks.get(item.drinkId)! }));
    const totalCents = lines.reduce((sum, l) => sum + l.drink.priceCents * l.quantity, 0);
    const needs = needsOf(lines);
    const orderId = randomUUID();
    const ownerId = scope === 'anonymous' ? `guest:${orderId}` : caller.subject;
    const at = new Date(now);
    const row: OrderRow = {
      orderId,
      storeId,
      ownerId,
      ownerKind: scope === 'anonymous' ? 'guest' : 'user',
      status: 'pending',
      totalCents,
      // crypto.randomInt: the combination opens the locker, so it must not be guessable from others.
      lockerCombo: String(randomInt(0, 100_000)).padStart(5, '0'),
      pickupTime: pickupMs !== undefined ? new Date(pickupMs) : null,
      pickupEstimate: pickupMs !== undefined ? new Date(pickupMs) : new Date(now + store.waitMinutes * 60_000),
      idempotencyScope: scope,
      idempotencyKey: input.idempotencyKey,
      requestHash,
      stock: needs.length > 0 ? 'reserved' : 'none',
      lines: lines.map((l): OrderLine => ({ drinkId: l.drinkId, name: l.drink.name, quantity: l.quantity, unitPriceCents: l.drink.priceCents, ingredients: l.drink.ingredients })),
      history: [{ status: 'pending', at: at.toISOString(), actor: ownerId, note: null } satisfies HistoryEntry],
      paymentStatus: 'unpaid',
      paymentReason: null,
      cancelReason: null,
      createdAt: at,
      updatedAt: at,
    };
    try {
      // One statement: orders_place writes the row only with its stock reserved (src/modules/orders/sql/).
      const payment = input.openPayment ? { payment_id: input.openPayment.paymentId, provider: input.openPayment.provider } : undefined;
      const place = (lines: string) => this.d.checkout.place.submit({ order: orderRowJson(row), lines, payment });
      if (needs.length > 0) await this.d.inventory.reserveVia({ storeId, reference: orderId, items: needs, actor: ownerId }, place);
      else await place('[]');
    } catch (err) {
      if (isUniqueViolation(err)) return orReplay(err);
      if (err instanceof Conflict) throw await this.shortage(err, lines, storeId);
      throw err;
    }
    const placed = await this.answer(row, false);
    return input.openPayment ? { ...placed, openedPaymentId: input.openPayment.paymentId } : placed;
  }

  private async answer(row: OrderRow, replayed: boolean): Promise<Placed> {
    const order = viewOf(row, false);
    if (row.ownerKind !== 'guest') return { order, replayed, ownerId: row.ownerId };
    const ttlMs = Math.max(row.pickupEstimate.getTime() - this.d.now(), 0) + GUEST_TOKEN_GRACE_MS;
    return { order, guestToken: await this.d.issueGuestToken(row.ownerId, ttlMs), replayed, ownerId: row.ownerId };
  }

  private async replay(row: OrderRow, requestHash: string): Promise<Placed> {
    if (row.requestHash !== requestHash) {
      throw new HttpError('idempotency_key_reused', 'This Idempotency-Key was used for a different order; use a new key for a new order.', [
        { field: 'headers.idempotency-key', message: 'already used with a different request body' },
      ]);
    }
    return this.answer(row, true);
  }

  private async byKey(scope: string, key: string): Promise<OrderRow | undefined> {
    return (await this.d.db.select().from(orders).where(and(eq(orders.idempotencyScope, scope), eq(orders.idempotencyKey, key))))[0];
  }

  /** Turns the ledger's refusal into one a customer reads: which drink needs what that is short. */
  private async shortage(err: Conflict, lines: { lineNo: number; quantity: number; drink: OrderableDrink }[], storeId: string): Promise<Conflict> {
    let missing = (err as Conflict & { missing?: MissingStock[] }).missing;
    if (!missing) {
      const needs = needsOf(lines);
      const available = await this.d.inventory.available(storeId, needs.map((n) => n.itemId));
      missing = needs.filter((n) => (available[n.itemId] ?? 0) < n.quantity).map((n) => ({ itemId: n.itemId, needed: n.quantity, available: available[n.itemId] ?? 0 }));
    }
    const short = new Map(missing.map((m) => [m.itemId, m]));
    const info = await this.d.catalog.ingredientInfo(missing.map((m) => m.itemId));
    const nameOf = (itemId: string) => info.get(itemId)?.name ?? itemId;
    const errors: FieldError[] = [];
    for (const l of lines) {
      for (const ing of l.drink.ingredients) {
        const m = short.get(ing.itemId);
        if (!m) continue;
        const label = `${nameOf(ing.itemId)} (${ing.itemId})`;
        errors.push({ field: `body.items.${l.lineNo}.drinkId`, message: `${l.drink.name} needs ${ing.quantity * l.quantity} × ${label}; the order needs ${m.needed} in all, ${m.available} available` });
      }
    }
    return new Conflict(`Not enough stock for this order: ${missing.map((m) => nameOf(m.itemId)).join(', ')}. Nothing was reserved or charged.`, errors.length > 0 ? errors : err.errors, 'insufficient_stock');
  }

  // ---------------------------------------------------------------- reading

  /** One order, for its owner or the store's staff; anyone else learns nothing, not even that it exists. */
  async get(caller: Caller, orderId: string): Promise<OrderView> {
    const row = (await this.d.db.select().from(orders).where(eq(orders.orderId, orderId)))[0];
    if (!row || (!caller.isStaff && row.ownerId !== caller.subject)) throw new NotFound(`No order ${orderId} of yours at this store.`);
    return viewOf(row, caller.isStaff);
  }

  async row(orderId: string): Promise<OrderRow> {
    const row = (await this.d.db.select().from(orders).where(eq(orders.orderId, orderId)))[0];
    if (!row) throw new NotFound(`No order ${orderId} at this store.`);
    return row;
  }

  async listOwned(ownerId: string, q: ListQuery): Promise<{ items: OrderView[]; nextCursor: string | null }> {
    return pageOfOrders(this.d.db, [eq(orders.ownerId, ownerId), q.status ? eq(orders.status, q.status) : undefined], q.limit, q.cursor, false);
  }

  async listStore(storeId: string, q: ListQuery): Promise<{ items: OrderView[]; nextCursor: string | null }> {
    return pageOfOrders(this.d.db, [eq(orders.storeId, storeId), q.status ? eq(orders.status, q.status) : undefined], q.limit, q.cursor, true);
  }

  /** The drinks of an order as they were made, for the golden window's complexity. */
  async recipesOf(orderId: string): Promise<{ drink: OrderableDrink; quantity: number }[]> {
    return ((await this.row(orderId)).lines as OrderLine[]).map((l) => ({
      drink: { drinkId: l.drinkId, name: l.name, priceCents: l.unitPriceCents, ingredients: l.ingredients },
      quantity: l.quantity,
    }));
  }

  private queue: { storeId: string; at: number; n: Promise<number> } | undefined;

  /**
   * Orders not yet made: the queue a new order waits behind. Counted at most
   * once a second, by one query however many ask meanwhile: every order and
   * every store listing asks, and an estimate in whole minutes does not
   * change within a second.
   */
  queueLength(storeId: string): Promise<number> {
    const now = this.d.now();
    if (this.queue?.storeId === storeId && now - this.queue.at < 1000) return this.queue.n;
    const n = this.d.db
      .select({ n: sql<number>`count(*)::int` })
      .from(orders)
      .where(and(eq(orders.storeId, storeId), inArray(orders.status, ['pending', 'paid', 'preparing'])))
      .then(([row]) => row?.n ?? 0);
    const entry = { storeId, at: now, n };
    this.queue = entry;
    // A failed count is not remembered: the next caller asks again.
    n.catch(() => {
      if (this.queue === entry) this.queue = undefined;
    });
    return n;
  }

  async waitMinutes(storeId: string): Promise<number> {
    return waitFromQueue(await this.queueLength(storeId));
  }

  // ---------------------------------------------------------------- status flow

  /** Staff move an order along; asking for the status it already has answers it unchanged (a retried tap). */
  async setStatus(caller: Caller, orderId: string, to: StaffStatus, note?: string): Promise<OrderView> {
    if (!caller.isStaff) throw new Forbidden('Only the store’s staff move orders along.');
    if (to === 'cancelled') return this.cancel(caller, orderId, note);
    const storeId = this.requireStore();
    await this.d.replication.transaction(async (tx, emit) => {
      const row = await lockOrder(tx, orderId);
      if (row.status === to) return;
      if (to === 'preparing' && row.status === 'paid' && row.stock === 'reserved') {
        await this.d.inventory.consume(tx, { storeId, reference: orderId, actor: caller.subject }, emit);
        await moveOrder(tx, row, to, { actor: caller.subject, note, at: this.at(), stock: 'consumed' });
        return;
      }
      await moveOrder(tx, row, to, { actor: caller.subject, note, at: this.at() });
    });
    return this.get(caller, orderId);
  }

  /**
   * Cancels: the owner while nothing is poured (pending, paid), staff also
   * while preparing. Reserved stock is released in the same transaction; a
   * payment is refunded after it commits.
   */
  async cancel(caller: Caller, orderId: string, reason?: string): Promise<OrderView> {
    const storeId = this.requireStore();
    let refund = false;
    await this.d.replication.transaction(async (tx, emit) => {
      const row = await lockOrder(tx, orderId);
      if (!caller.isStaff && row.ownerId !== caller.subject) throw new NotFound(`No order ${orderId} of yours at this store.`);
      const from = row.status as OrderStatus;
      if (from === 'cancelled') return;
      const allowed: OrderStatus[] = caller.isStaff ? ['pending', 'paid', 'preparing'] : ['pending', 'paid'];
      if (!allowed.includes(from)) {
        if (!caller.isStaff && from === 'preparing') throw new Conflict('The store has started making this order; ask the staff to cancel it.', [{ field: 'path.orderId', message: 'order is preparing' }], 'invalid_transition');
        throw refuseStep(from, 'cancelled', []);
      }
      const at = this.at();
      let stock: OrderRow['stock'] | undefined;
      if (row.stock === 'reserved') {
        await this.d.inventory.release(tx, { storeId, reference: orderId, actor: caller.subject, reason: `order cancelled${reason ? `: ${reason}` : ''}` }, emit);
        stock = 'released';
      }
      const payment = await this.d.payments.markForRefund(tx, orderId, at);
      refund = payment !== undefined;
      await moveOrder(tx, row, 'cancelled', { actor: caller.subject, note: reason, at, stock, cancelReason: reason, ...(payment ? { payment: { status: payment } } : {}) });
    });
    if (refund) await this.d.payments.refundIfCancelled(orderId);
    return this.get(caller, orderId);
  }

  /** Moves a paid order to preparing on the customer's behalf (the golden window), consuming its stock. */
  async startPreparing(orderId: string, actor: string): Promise<boolean> {
    const storeId = this.requireStore();
    return this.d.replication.transaction(async (tx, emit) => {
      const row = await lockOrder(tx, orderId);
      if (row.status !== 'paid') return false;
      if (row.stock === 'reserved') await this.d.inventory.consume(tx, { storeId, reference: orderId, actor }, emit);
      await moveOrder(tx, row, 'preparing', { actor, note: 'customer within the golden window', at: this.at(), stock: 'consumed' });
      return true;
    });
  }
}

/** Ingredients the order needs: each recipe (for one drink) times the quantity, summed per item. */
export function needsOf(lines: { quantity: number; drink: OrderableDrink }[]): StockNeed[] {
  const needs = new Map<string, number>();
  for (const l of lines) for (const ing of l.drink.ingredients) needs.set(ing.itemId, (needs.get(ing.itemId) ?? 0) + ing.quantity * l.quantity);
  return [...needs].filter(([, q]) => q > 0).map(([itemId, quantity]) => ({ itemId, quantity }));
}
