// Inventory of a store: the ledger writes (by staff, by orders, by supply),
// positions and their history, thresholds and the low-stock signal. Orders
// call reserve/release/consume inside their own transaction, so an order and
// the stock it holds commit or roll back together.
import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { isUniqueViolation, type Db, type Tx } from '../../db/database.js';
import { Conflict, Invalid, type FieldError } from '../../http/errors.js';
import type { ReplicationApi } from '../../core/context.js';
import { emitSignal, entryOf, PositionBook, viewOf, type InventoryItem, type LedgerEntry, type WriteMeta } from './book.js';
import type { Emit } from './events.js';
import { availableOf, isLow, quantityProblem, refusalOf, type MovementType } from './ledger.js';
import { exportCounts, importCounts, type CountResult } from './counts.js';
import type { CountRow } from './csv.js';
import { inventoryPositions, inventoryTransactions } from './schema.js';
import { recompute, type VerifyReport } from './verify.js';
import { crossings, outcomeOf, reservationLines, runReservation, type HeldPosition, type MissingItem, type ReservationInput, type ReservationLine } from './reservation.js';

/** What the catalog knows of an item; wired by the node, absent in a bare module. */
/** Names and types of items, by id, in one lookup (the catalog's); ids it does not know are left out. */
export type ItemInfoLookup = (itemIds: readonly string[]) => Promise<Map<string, { name: string; type: string }>>;

export interface InventoryDeps {
  db: Db;
  replication: ReplicationApi;
  region: string;
  now: () => number;
  itemInfo?: ItemInfoLookup | undefined;
}


export type { MissingItem, ReservationInput, ReservationLine } from './reservation.js';

/** Not enough stock for a reservation; `missing` names every short item, for the caller to explain. */
export class InsufficientStock extends Conflict {
  constructor(readonly missing: MissingItem[]) {
    super(
      `Not enough stock: ${missing.map((m) => m.itemId).join(', ')}.`,
      missing.map((m) => ({ field: 'items', message: `${m.itemId}: need ${m.needed}, have ${m.available}` })),
      'insufficient_stock',
    );
  }
}

export interface RecordInput extends WriteMeta {
  storeId: string;
  type: MovementType;
  itemId: string;
  quantity: number;
}

export interface TransactionQuery {
  itemId?: string | undefined;
  type?: MovementType | undefined;
  limit: number;
  /** The seq of the last entry of the previous page. */
  cursor?: number | undefined;
}

export class InventoryService {
  constructor(private readonly deps: InventoryDeps) {}

  private at(): Date {
    return new Date(this.deps.now());
  }

  /**
   * Holds stock for an order inside the caller's transaction: all items or
   * none, stock already promised never promised twice (reservation.ts). A
   * low-stock crossing goes out with `emit`, or else from the signal job.
   */
  async reserve(tx: Tx, input: ReservationInput, emit?: Emit): Promise<void> {
    const { missing, held } = await runReservation(tx, input, this.at());
    if (missing.length > 0) throw new InsufficientStock(missing);
    if (emit) await this.signal(tx, input.storeId, crossings(held), emit);
  }

  /**
   * Holds stock through another module's database function that calls
   * inventory_reserve in the same statement as its own write (orders_place:
   * the order row), so both commit or neither. `call` gets the validated
   * lines (JSON) and answers inventory_reserve's result. A low-stock crossing
   * is sent right after, in its own transaction (the signal job sends it if
   * the node stops in between).
   */
  async reserveVia(input: ReservationInput, call: (lines: string) => Promise<unknown>): Promise<void> {
    const { missing, held } = outcomeOf(await call(reservationLines(input)));
    if (missing.length > 0) throw new InsufficientStock(missing);
    // The reservation has committed: a signal that cannot be sent now (a node catching up after a restore,
    // a busy database) is sent by the backstop job, and must not turn the caller's success into a failure.
    if (crossings(held).length > 0) await this.flushSignals().catch(() => undefined);
  }

  private async signal(tx: Tx, storeId: string, changed: HeldPosition[], emit: Emit): Promise<void> {
    const p = inventoryPositions;
    const at = this.at().toISOString();
    for (const h of changed) {
      const low = isLow(h.position, h.threshold);
      await emitSignal(emit, this.deps.region, low, { storeId, itemId: h.itemId, available: availableOf(h.position), threshold: h.threshold, at });
      await tx.update(p).set({ lowStockSignalled: low }).where(and(eq(p.storeId, storeId), eq(p.itemId, h.itemId)));
    }
  }

  /** Gives back whatever is still reserved under `reference`; a second call finds nothing left and writes nothing. */
  async release(tx: Tx, input: { storeId: string; reference: string; actor: string; reason?: string | undefined }, emit?: Emit): Promise<ReservationLine[]> {
    return this.settle(tx, input.storeId, input.reference, 'release', { actor: input.actor, reason: input.reason ?? 'order cancelled' }, emit);
  }

  /** Turns what is reserved under `reference` into a sale: it leaves on hand and reserved together. */
  async consume(tx: Tx, input: { storeId: string; reference: string; actor: string }, emit?: Emit): Promise<ReservationLine[]> {
    return this.settle(tx, input.storeId, input.reference, 'sale', { actor: input.actor, reason: 'order fulfilled' }, emit);
  }

  private async settle(tx: Tx, storeId: string, reference: string, type: 'release' | 'sale', meta: WriteMeta, emit: Emit | undefined): Promise<ReservationLine[]> {
    const candidates = await this.outstanding(tx, storeId, reference);
    if (candidates.length === 0) return [];
    const book = await PositionBook.open(tx, storeId, candidates.map((c) => c.itemId), { create: false, at: this.at() });
    // Read again under the locks: a concurrent settle of the same reference has committed by now, and counts.
    const lines = await this.outstanding(tx, storeId, reference);
    const locked = new Set(candidates.map((c) => c.itemId));
    const late = lines.filter((l) => !locked.has(l.itemId)).map((l) => l.itemId);
    // Only a reservation added to the same reference meanwhile gets here; locking more now could deadlock.
    if (late.length > 0) throw new Conflict(`The reservation ${reference} changed while it was settled (${late.join(', ')}); try again.`);
    for (const line of lines) {
      const outcome = book.move(line.itemId, type, line.quantity, { ...meta, reference });
      if (!outcome.ok) throw new Error(`inventory ledger of ${line.itemId} disagrees with its position: ${refusalOf(line.itemId, outcome)}`);
    }
    await book.commit(emit, this.deps.region);
    return lines;
  }

  private async outstanding(tx: Tx | Db, storeId: string, reference: string): Promise<ReservationLine[]> {
    const t = inventoryTransactions;
    const quantity = sql<number>`sum(case ${t.type} when 'reserve' then ${t.quantity} else -${t.quantity} end)::int`;
    const rows = await tx
      .select({ itemId: t.itemId, quantity })
      .from(t)
      .where(and(eq(t.storeId, storeId), eq(t.reference, reference), inArray(t.type, ['reserve', 'release', 'sale'])))
      .groupBy(t.itemId)
      .orderBy(asc(t.itemId));
    return rows.filter((r) => r.quantity > 0);
  }

  /** Units free to promise per item (0 for an item never stocked). */
  async available(storeId: string, itemIds: string[], tx?: Tx): Promise<Record<string, number>> {
    const out: Record<string, number> = Object.fromEntries(itemIds.map((id) => [id, 0]));
    if (itemIds.length === 0) return out;
    const rows = await (tx ?? this.deps.db)
      .select({ itemId: inventoryPositions.itemId, available: sql<number>`(${inventoryPositions.onHand} - ${inventoryPositions.reserved})::int` })
      .from(inventoryPositions)
      .where(and(eq(inventoryPositions.storeId, storeId), inArray(inventoryPositions.itemId, [...new Set(itemIds)])));
    for (const r of rows) out[r.itemId] = r.available;
    return out;
  }

  /** One movement recorded by staff (or a system), in its own transaction; a retried Idempotency-Key returns the first. */
  async record(input: RecordInput): Promise<{ entry: LedgerEntry; replayed: boolean }> {
    const problem = quantityProblem(input.type, input.quantity);
    if (problem) throw new Invalid(`Invalid quantity for a ${input.type}.`, [{ field: 'body.quantity', message: problem }]);
    const write = () => this.deps.replication.transaction(async (tx, emit) => {
      const book = await PositionBook.open(tx, input.storeId, [input.itemId], { create: true, at: this.at() });
      if (input.idempotencyKey) {
        const earlier = await this.byIdempotencyKey(tx, input.storeId, input.idempotencyKey);
        if (earlier) return { entry: sameRequestOr409(earlier, input), replayed: true };
      }
      const outcome = book.move(input.itemId, input.type, input.quantity, input);
      if (!outcome.ok) throw new Conflict(`Cannot record this ${input.type}: ${refusalOf(input.itemId, outcome)}.`, [{ field: 'body.quantity', message: refusalOf(input.itemId, outcome) }], 'stock_below_zero');
      const [entry] = await book.commit(emit, this.deps.region);
      return { entry: entry!, replayed: false };
    });
    try {
      return await write();
    } catch (err) {
      // Two first uses of one key for different items race past the lookup; the unique index stops the second.
      if (!input.idempotencyKey || !isUniqueViolation(err)) throw err;
      return write();
    }
  }

  /**
   * Several movements in the caller's transaction, all or none: for supply
   * (ordered, shipped, delivered, transit_loss against a delivery id).
   */
  async recordIn(tx: Tx, storeId: string, movements: { itemId: string; type: MovementType; quantity: number }[], meta: WriteMeta, emit?: Emit): Promise<LedgerEntry[]> {
    const errors: FieldError[] = [];
    for (const [i, m] of movements.entries()) {
      const problem = quantityProblem(m.type, m.quantity);
      if (problem) errors.push({ field: `items.${i}.quantity`, message: problem });
    }
    if (errors.length > 0) throw new Invalid('Invalid inventory movements.', errors);
    const book = await PositionBook.open(tx, storeId, movements.map((m) => m.itemId), { create: true, at: this.at() });
    for (const [i, m] of movements.entries()) {
      const outcome = book.move(m.itemId, m.type, m.quantity, meta);
      if (!outcome.ok) errors.push({ field: `items.${i}.quantity`, message: refusalOf(m.itemId, outcome) });
    }
    if (errors.length > 0) throw new Conflict('Some movements would take stock below zero.', errors, 'stock_below_zero');
    return book.commit(emit, this.deps.region);
  }

  async setThreshold(storeId: string, itemId: string, threshold: number): Promise<InventoryItem> {
    await this.deps.replication.transaction(async (tx, emit) => {
      const book = await PositionBook.open(tx, storeId, [itemId], { create: true, at: this.at() });
      book.setThreshold(itemId, threshold);
      await book.commit(emit, this.deps.region);
    });
    return (await this.items(storeId, [itemId]))[0]!;
  }

  /** Receipts (and thresholds) for a new store: the demo and tests. */
  async seedInventory(storeId: string, items: { itemId: string; quantity: number; threshold: number }[], actor: string): Promise<void> {
    await this.deps.replication.transaction(async (tx, emit) => {
      const book = await PositionBook.open(tx, storeId, items.map((i) => i.itemId), { create: true, at: this.at() });
      for (const item of items) {
        book.setThreshold(item.itemId, item.threshold);
        if (item.quantity <= 0) continue;
        const outcome = book.move(item.itemId, 'receipt', item.quantity, { actor, reason: 'opening stock' });
        if (!outcome.ok) throw new Invalid(`Cannot seed ${item.itemId}: ${refusalOf(item.itemId, outcome)}.`);
      }
      await book.commit(emit, this.deps.region);
    });
  }

  /** Positions with names, sorted by name; `itemIds` narrows to those items. */
  async items(storeId: string, itemIds?: string[]): Promise<InventoryItem[]> {
    const p = inventoryPositions;
    const where = itemIds ? and(eq(p.storeId, storeId), inArray(p.itemId, itemIds)) : eq(p.storeId, storeId);
    const rows = await this.deps.db.select().from(p).where(where).orderBy(asc(p.itemId));
    const known = (await this.deps.itemInfo?.(rows.map((r) => r.itemId))) ?? new Map<string, { name: string; type: string }>();
    const infos = rows.map((r) => known.get(r.itemId));
    const out = rows.map((r, i): InventoryItem => {
      const position = { onHand: r.onHand, reserved: r.reserved, inTransit: r.inTransit, onOrder: r.onOrder, damaged: r.damaged };
      return {
        itemId: r.itemId,
        name: infos[i]?.name ?? r.itemId,
        type: infos[i]?.type ?? null,
        ...viewOf(position),
        threshold: r.threshold,
        lowStock: isLow(position, r.threshold),
        updatedAt: r.updatedAt.toISOString(),
      };
    });
    return out.sort((a, b) => a.name.localeCompare(b.name) || (a.itemId < b.itemId ? -1 : 1));
  }

  /** The ledger, newest first, a page at a time. */
  async transactions(storeId: string, q: TransactionQuery): Promise<{ items: LedgerEntry[]; nextCursor: string | null }> {
    const t = inventoryTransactions;
    const rows = await this.deps.db
      .select()
      .from(t)
      .where(
        and(
          eq(t.storeId, storeId),
          q.itemId ? eq(t.itemId, q.itemId) : undefined,
          q.type ? eq(t.type, q.type) : undefined,
          q.cursor !== undefined ? lt(t.seq, q.cursor) : undefined,
        ),
      )
      .orderBy(desc(t.seq))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    return { items: page.map(entryOf), nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.seq) : null };
  }

  /** The ledger position of the store's latest sale (0 when none): a cheap "has anything sold since" check. */
  async lastSaleSeq(storeId: string): Promise<number> {
    const t = inventoryTransactions;
    const rows = await this.deps.db.select({ seq: sql<number>`coalesce(max(${t.seq}), 0)::bigint` }).from(t).where(and(eq(t.storeId, storeId), eq(t.type, 'sale')));
    return Number(rows[0]?.seq ?? 0);
  }

  /** Units sold per local day and item since `fromDay` (in `timeZone`): the store's usage, for its hub's history. */
  async salesByDay(storeId: string, fromDay: string, timeZone: string): Promise<{ day: string; itemId: string; quantity: number }[]> {
    const t = inventoryTransactions;
    const day = sql<string>`to_char(${t.at} at time zone ${timeZone}, 'YYYY-MM-DD')`;
    const rows = await this.deps.db
      .select({ day, itemId: t.itemId, quantity: sql<number>`sum(${t.quantity})::int` })
      .from(t)
      .where(and(eq(t.storeId, storeId), eq(t.type, 'sale'), sql`${t.at} >= (${fromDay}::date::timestamp at time zone ${timeZone})`))
      // By position: the day expression carries parameters, and a repeated one would not match itself.
      .groupBy(sql`1`, sql`2`)
      .orderBy(sql`1`, sql`2`);
    return rows;
  }

  async countTransactions(storeId: string): Promise<number> {
    const [row] = await this.deps.db.select({ n: sql<number>`count(*)::int` }).from(inventoryTransactions).where(eq(inventoryTransactions.storeId, storeId));
    return row?.n ?? 0;
  }

  private async byIdempotencyKey(tx: Tx, storeId: string, key: string) {
    const t = inventoryTransactions;
    const rows = await tx.select().from(t).where(and(eq(t.storeId, storeId), eq(t.idempotencyKey, key)));
    return rows[0];
  }

  /** Rebuilds positions from the ledger and reports differences; `repair` makes the positions match it. */
  recompute(storeId: string, options: { repair?: boolean } = {}): Promise<VerifyReport> {
    return recompute(this.deps.db, storeId, { repair: options.repair ?? false, now: this.at() });
  }

  importCounts(storeId: string, rows: CountRow[], actor: string): Promise<CountResult> {
    return importCounts(this.deps, storeId, rows, actor);
  }

  async exportCounts(storeId: string): Promise<string> {
    return exportCounts(await this.items(storeId));
  }

  /**
   * Sends the signals a write without `emit` left behind (see PositionBook.commit):
   * rows whose low state differs from what the region was last told.
   */
  async flushSignals(): Promise<number> {
    const p = inventoryPositions;
    return this.deps.replication.transaction(async (tx, emit) => {
      const rows = await tx
        .select()
        .from(p)
        .where(sql`${p.lowStockSignalled} <> ((${p.onHand} - ${p.reserved}) < ${p.threshold})`)
        .orderBy(asc(p.storeId), asc(p.itemId))
        .limit(100)
        .for('update', { skipLocked: true });
      const at = this.at().toISOString();
      for (const r of rows) {
        const position = { onHand: r.onHand, reserved: r.reserved, inTransit: r.inTransit, onOrder: r.onOrder, damaged: r.damaged };
        const low = isLow(position, r.threshold);
        await emitSignal(emit, this.deps.region, low, { storeId: r.storeId, itemId: r.itemId, available: availableOf(position), threshold: r.threshold, at });
        await tx.update(p).set({ lowStockSignalled: low }).where(and(eq(p.storeId, r.storeId), eq(p.itemId, r.itemId)));
      }
      return rows.length;
    });
  }
}

/** A replayed Idempotency-Key must carry the same request; another one under the key is a client bug worth a 409. */
function sameRequestOr409(row: typeof inventoryTransactions.$inferSelect, input: RecordInput): LedgerEntry {
  if (row.itemId !== input.itemId || row.type !== input.type || row.quantity !== input.quantity) {
    throw new Conflict('This Idempotency-Key was used for a different inventory transaction.', [
      { field: 'headers.idempotency-key', message: `already used for a ${row.type} of ${row.quantity} ${row.itemId}` },
    ], 'idempotency_key_reused');
  }
  return entryOf(row);
}
