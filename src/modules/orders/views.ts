// How an order reads back (one row: its lines, payment state and history
// live on it), shaped for the person asking. The locker combination is
// there only for the order's owner and the store's staff, the only callers
// who get an order at all; customers see who moved their order as roles,
// not user ids.
import { and, desc, eq, getTableColumns, lt, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { Invalid } from '../../http/errors.js';
import { staffNextStatuses, type OrderStatus } from './status-flow.js';
import { orders } from './schema.js';

export type PaymentState = 'unpaid' | 'processing' | 'pending' | 'approved' | 'declined' | 'refunding' | 'refunded' | 'refund_failed';

export interface OrderLineView {
  drinkId: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

export interface OrderView {
  orderId: string;
  storeId: string;
  status: OrderStatus;
  totalCents: number;
  lockerCombo: string;
  pickupTime: string | null;
  pickupEstimate: string;
  guest: boolean;
  items: OrderLineView[];
  payment: { status: PaymentState; reason: string | null };
  /** Where staff may move it next (empty for customers). */
  nextStatuses: OrderStatus[];
  history: { status: string; at: string; by: string; note: string | null }[];
  createdAt: string;
  updatedAt: string;
}

export type OrderRow = typeof orders.$inferSelect;

/** One drink line as kept on the order row. */
export interface OrderLine {
  drinkId: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  /** The recipe for one drink when it was ordered. */
  ingredients: { itemId: string; quantity: number }[];
}

export interface HistoryEntry {
  status: string;
  at: string;
  actor: string;
  note: string | null;
}

const orderColumns = Object.entries(getTableColumns(orders));

/** The row as a JSON object keyed by column name: what orders_place writes (jsonb_populate_record). */
export function orderRowJson(row: OrderRow): string {
  const out: Record<string, unknown> = {};
  for (const [key, column] of orderColumns) {
    const v = (row as Record<string, unknown>)[key];
    out[column.name] = v instanceof Date ? v.toISOString() : (v ?? null);
  }
  return JSON.stringify(out);
}

/** An order row from raw SQL (snake_case names, as a hand-written statement returns it). */
export function orderRowFromRaw(raw: Record<string, unknown>): OrderRow {
  const row: Record<string, unknown> = {};
  for (const [key, column] of orderColumns) {
    const value = raw[column.name];
    row[key] = column.dataType === 'date' && value !== null && !(value instanceof Date) ? new Date(value as string) : value;
  }
  return row as OrderRow;
}

/** Who moved an order, as a customer may see it. */
function roleOfActor(actor: string, ownerId: string): string {
  if (actor === ownerId) return 'you';
  if (actor.startsWith('payment:')) return 'payment';
  if (actor === 'golden-window') return 'golden-window';
  return 'store';
}

export function viewOf(r: OrderRow, forStaff: boolean): OrderView {
  const status = r.status as OrderStatus;
  return {
    orderId: r.orderId,
    storeId: r.storeId,
    status,
    totalCents: r.totalCents,
    lockerCombo: r.lockerCombo,
    pickupTime: r.pickupTime?.toISOString() ?? null,
    pickupEstimate: r.pickupEstimate.toISOString(),
    guest: r.ownerKind === 'guest',
    items: (r.lines as OrderLine[]).map((l) => ({
      drinkId: l.drinkId,
      name: l.name,
      quantity: l.quantity,
      unitPriceCents: l.unitPriceCents,
      lineTotalCents: l.unitPriceCents * l.quantity,
    })),
    payment: { status: r.paymentStatus as PaymentState, reason: r.paymentReason },
    nextStatuses: forStaff ? staffNextStatuses(status) : [],
    history: (r.history as HistoryEntry[]).map((h) => ({ status: h.status, at: h.at, by: forStaff ? h.actor : roleOfActor(h.actor, r.ownerId), note: h.note })),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

// ---------------------------------------------------------------- paging

/** Newest first; the cursor is the last order of the previous page (its time and id). */
export function encodeCursor(row: Pick<OrderRow, 'createdAt' | 'orderId'>): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.orderId}`).toString('base64url');
}

export function cursorCondition(cursor: string | undefined): SQL | undefined {
  if (!cursor) return undefined;
  const [iso, orderId] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (!orderId || Number.isNaN(at.getTime())) throw new Invalid('The cursor is not one this list gave out.', [{ field: 'query.cursor', message: 'use nextCursor from the previous page' }]);
  return or(lt(orders.createdAt, at), and(eq(orders.createdAt, at), lt(orders.orderId, orderId)));
}

export async function pageOfOrders(
  db: Db,
  where: (SQL | undefined)[],
  limit: number,
  cursor: string | undefined,
  forStaff: boolean,
): Promise<{ items: OrderView[]; nextCursor: string | null }> {
  const rows = await db
    .select()
    .from(orders)
    .where(and(...where, cursorCondition(cursor)))
    .orderBy(desc(orders.createdAt), desc(orders.orderId))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map((r) => viewOf(r, forStaff)), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
