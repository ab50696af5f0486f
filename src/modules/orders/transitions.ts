// The writes every status change shares: lock the order row, check the
// step against the flow, and apply it with its history entry in one
// statement. Orders and payments both move orders, and both go through
// here, so a step is checked one way.
import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { Conflict, NotFound } from '../../http/errors.js';
import { canMove, staffNextStatuses, type OrderStatus } from './status-flow.js';
import { orders, revenue } from './schema.js';
import type { HistoryEntry, OrderRow, PaymentState } from './views.js';

/** The order, locked for the rest of the transaction, so concurrent steps on it queue. */
export async function lockOrder(tx: Tx, orderId: string): Promise<OrderRow> {
  const rows = await tx.select().from(orders).where(eq(orders.orderId, orderId)).for('update');
  if (!rows[0]) throw new NotFound(`No order ${orderId} at this store.`);
  return rows[0];
}

export function refuseStep(from: OrderStatus, to: OrderStatus, allowed: readonly OrderStatus[] = staffNextStatuses(from)): Conflict {
  const next = allowed.length > 0 ? `it can move to ${allowed.join(' or ')}` : 'it is finished and moves no further';
  return new Conflict(`The order is ${from}; it cannot become ${to}: ${next}.`, [{ field: 'body.status', message: `allowed from ${from}: ${allowed.join(', ') || 'none'}` }], 'invalid_transition');
}

export interface Step {
  actor: string;
  at: Date;
  note?: string | undefined;
  stock?: OrderRow['stock'];
  cancelReason?: string | undefined;
  payment?: { status: PaymentState; reason?: string | null };
}

/** The SET of a step: status, time, history entry appended, and whatever else moves with it. */
export function stepSet(to: OrderStatus, step: Step) {
  const entry: HistoryEntry = { status: to, at: step.at.toISOString(), actor: step.actor, note: step.note ?? null };
  return {
    status: to,
    updatedAt: step.at,
    history: sql`${orders.history} || ${JSON.stringify([entry])}::jsonb`,
    ...(step.stock ? { stock: step.stock } : {}),
    ...(step.cancelReason !== undefined ? { cancelReason: step.cancelReason } : {}),
    ...(step.payment ? { paymentStatus: step.payment.status, paymentReason: step.payment.reason ?? null } : {}),
  };
}

/** Moves a locked order one step along the flow, or refuses with the steps it allows. */
export async function moveOrder(tx: Tx, row: OrderRow, to: OrderStatus, step: Step): Promise<void> {
  const from = row.status as OrderStatus;
  if (!canMove(from, to)) throw refuseStep(from, to);
  await tx.update(orders).set(stepSet(to, step)).where(eq(orders.orderId, row.orderId));
  row.status = to;
}

/** A sale or a refund in the revenue book; recorded once per order and kind, however often it is asked. */
export async function recordRevenue(tx: Tx, row: Pick<OrderRow, 'orderId' | 'storeId'>, kind: 'sale' | 'refund', amountCents: number, at: Date): Promise<void> {
  await tx
    .insert(revenue)
    .values({ revenueId: `${row.orderId}:${kind}`, storeId: row.storeId, orderId: row.orderId, kind, amountCents: kind === 'refund' ? -Math.abs(amountCents) : amountCents, recordedAt: at })
    .onConflictDoNothing();
}
