// Paying for an order and giving the money back. A payment attempt is a row
// written before the provider is asked (a partial unique index allows one
// live attempt per order, so two "pay" taps cannot charge twice); the
// provider's answer, now or later through the signed webhook, then moves the
// order to paid and books the sale in one transaction. A refund is booked
// (negative revenue) only once the provider confirms it. Every transaction
// here locks the order row before its payment rows, as cancelling does, so
// none can deadlock another.
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db, Tx } from '../../db/database.js';
import { Conflict, HttpError, Invalid, NotFound } from '../../http/errors.js';
import type { ChargeResult, PaymentProvider, PaymentWebhookEvent } from './payment-provider.js';
import { orders, payments, revenue } from './schema.js';
import { lockOrder, recordRevenue } from './transitions.js';
import { orderRowFromRaw, type HistoryEntry, type OrderRow, type PaymentState } from './views.js';

export class PaymentDeclined extends HttpError {
  constructor(reason: string) {
    super(402, 'Payment declined', `The payment was declined (${reason}); the order is still pending, so you may pay with another method.`, [
      { field: 'body.paymentMethod', message: reason },
    ]);
  }
}

function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) if ((e as { code?: unknown }).code === '23505') return true;
  return false;
}

type Answer = { outcome: 'approved' | 'declined' | 'pending'; providerRef: string; reason?: string };

export class PaymentService {
  constructor(
    private readonly d: {
      db: Db;
      provider: PaymentProvider;
      now: () => number;
      log: Logger;
    },
  ) {}

  private at(): Date {
    return new Date(this.d.now());
  }

  /** Charges the order's total; answers the payment's state after the provider's first answer. */
  async pay(orderId: string, callerSubject: string, method: string): Promise<{ status: PaymentState; order?: OrderRow }> {
    const paymentId = randomUUID();
    const amountCents = await this.open(orderId, callerSubject, paymentId);
    let result: ChargeResult;
    try {
      result = await this.d.provider.charge({ paymentId, orderId, amountCents, method });
    } catch (err) {
      this.d.log.warn({ err: String(err), orderId, paymentId }, 'payment provider failed; the attempt is marked declined');
      await this.settle(paymentId, orderId, { outcome: 'declined', providerRef: `failed:${paymentId}`, reason: 'provider_unavailable' });
      throw new HttpError(502, 'Payment provider unavailable', 'The payment provider did not answer; nothing was charged. Try again in a moment.');
    }
    const settled = await this.settle(paymentId, orderId, result);
    if (settled.status === 'declined' && result.outcome === 'declined') throw new PaymentDeclined(result.reason);
    if (settled.status !== 'refunding') return settled;
    await this.refundIfCancelled(orderId);
    return { status: 'refunding' };
  }

  /**
   * Writes the attempt in one statement that also checks the order is the
   * caller's and still pending; only when it writes nothing is it worth
   * reading the order to say why.
   */
  private async open(orderId: string, callerSubject: string, paymentId: string): Promise<number> {
    const at = this.at();
    let inserted: { amount_cents: number }[];
    try {
      const result = await this.d.db.execute<{ amount_cents: number }>(sql`
        insert into ${payments} (payment_id, order_id, provider, amount_cents, status, created_at, updated_at)
        select ${paymentId}, ${orders.orderId}, ${this.d.provider.name}, ${orders.totalCents}, 'processing', ${at}, ${at}
        from ${orders}
        where ${orders.orderId} = ${orderId} and ${orders.ownerId} = ${callerSubject} and ${orders.status} = 'pending'
        returning amount_cents`);
      inserted = (result as unknown as { rows: { amount_cents: number }[] }).rows;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      throw new Conflict('A payment for this order is already in progress or awaiting confirmation from the provider.', [{ field: 'path.orderId', message: 'payment in progress' }]);
    }
    if (inserted[0]) return Number(inserted[0].amount_cents);
    const row = (await this.d.db.select({ ownerId: orders.ownerId, status: orders.status }).from(orders).where(eq(orders.orderId, orderId)))[0];
    if (!row || row.ownerId !== callerSubject) throw new NotFound(`No order ${orderId} of yours at this store.`);
    throw new Conflict(`The order is ${row.status}; only a pending order is paid.`, [{ field: 'path.orderId', message: `order is ${row.status}` }]);
  }

  /**
   * Applies a provider's answer to an attempt, in one statement: lock the
   * order, settle the attempt (an approval for an order cancelled meanwhile
   * becomes a refund, never a revived order), mirror it on the order (paid,
   * with its history entry, when approved) and book the sale. One statement
   * is one round trip, which matters at a store's checkout rate. A repeated
   * answer for a settled attempt changes nothing.
   */
  private async settle(paymentId: string, orderId: string, answer: Answer): Promise<{ status: PaymentState; order?: OrderRow }> {
    const at = this.at().toISOString();
    const reason = answer.outcome === 'declined' ? (answer.reason ?? 'declined') : null;
    const entry = JSON.stringify([{ status: 'paid', at, actor: `payment:${this.d.provider.name}`, note: null } satisfies HistoryEntry]);
    const result = await this.d.db.execute(sql`
      with o as (
        select order_id, store_id, status from ${orders} where order_id = ${orderId} for update
      ), p as (
        update ${payments} set
          status = case when ${answer.outcome}::text <> 'approved' then ${answer.outcome}::text
                        when (select status from o) = 'pending' then 'approved' else 'refunding' end,
          provider_ref = ${answer.providerRef}, reason = ${reason}::text, updated_at = ${at}::timestamptz
        where payment_id = ${paymentId} and status in ('processing', 'pending')
        returning order_id, amount_cents, status
      ), u as (
        update ${orders} set
          status = case when p.status = 'approved' then 'paid' else orders.status end,
          history = case when p.status = 'approved' then orders.history || ${entry}::jsonb else orders.history end,
          payment_status = p.status, payment_reason = ${reason}::text, updated_at = ${at}::timestamptz
        from p where orders.order_id = p.order_id
        returning orders.*
      ), r as (
        insert into ${revenue} (revenue_id, store_id, order_id, kind, amount_cents, recorded_at)
        select p.order_id || ':sale', o.store_id, p.order_id, 'sale', p.amount_cents, ${at}::timestamptz
        from p, o where p.status in ('approved', 'refunding')
        on conflict do nothing
      )
      select * from u`);
    const raw = (result as unknown as { rows: Record<string, unknown>[] }).rows[0];
    if (raw) {
      const order = orderRowFromRaw(raw);
      return { status: order.paymentStatus as PaymentState, order };
    }
    const current = (await this.d.db.select({ status: payments.status }).from(payments).where(eq(payments.paymentId, paymentId)))[0];
    if (!current) throw new NotFound(`No payment ${paymentId}.`);
    return { status: current.status as PaymentState };
  }

  /** A provider's later word on a pending payment (the webhook, signature already checked). */
  async confirm(event: PaymentWebhookEvent): Promise<{ paymentId: string; orderId: string; status: PaymentState; changed: boolean }> {
    const pay = (await this.d.db.select().from(payments).where(and(eq(payments.provider, this.d.provider.name), eq(payments.providerRef, event.providerRef))))[0];
    if (!pay) throw new NotFound(`No payment with provider reference ${event.providerRef} here.`);
    if (pay.amountCents !== event.amountCents) {
      throw new Invalid(`The confirmation is for ${event.amountCents} cents; the payment is ${pay.amountCents}.`, [{ field: 'body.amountCents', message: 'does not match the payment' }]);
    }
    const { status } = await this.settle(pay.paymentId, pay.orderId, {
      outcome: event.type === 'payment.approved' ? 'approved' : 'declined',
      providerRef: event.providerRef,
      ...(event.reason ? { reason: event.reason } : {}),
    });
    if (status === 'refunding') await this.refundIfCancelled(pay.orderId);
    return { paymentId: pay.paymentId, orderId: pay.orderId, status, changed: status !== pay.status };
  }

  /**
   * Marks a cancelled order's approved payment for refund, in the cancel's
   * own transaction (which holds the order's lock); `refundIfCancelled` asks
   * the provider after commit. Answers the payment state the order now has.
   */
  async markForRefund(tx: Tx, orderId: string, at: Date): Promise<PaymentState | undefined> {
    const marked = await tx
      .update(payments)
      .set({ status: 'refunding', updatedAt: at })
      .where(and(eq(payments.orderId, orderId), eq(payments.status, 'approved')))
      .returning({ paymentId: payments.paymentId });
    return marked.length > 0 ? 'refunding' : undefined;
  }

  /** Refunds whatever of the order is marked refunding; a failed refund stays visible as refund_failed. */
  async refundIfCancelled(orderId: string): Promise<void> {
    const due = await this.d.db.select().from(payments).where(and(eq(payments.orderId, orderId), eq(payments.status, 'refunding')));
    for (const pay of due) {
      let outcome: { outcome: 'refunded' } | { outcome: 'failed'; reason: string };
      try {
        outcome = await this.d.provider.refund({ paymentId: pay.paymentId, providerRef: pay.providerRef ?? '', amountCents: pay.amountCents });
      } catch (err) {
        outcome = { outcome: 'failed', reason: `provider error: ${String(err)}` };
      }
      await this.d.db.transaction(async (tx) => {
        const order = await lockOrder(tx, orderId);
        const at = this.at();
        const status: PaymentState = outcome.outcome === 'refunded' ? 'refunded' : 'refund_failed';
        const reason = outcome.outcome === 'failed' ? outcome.reason : null;
        const [settled] = await tx
          .update(payments)
          .set({ status, reason, updatedAt: at })
          .where(and(eq(payments.paymentId, pay.paymentId), eq(payments.status, 'refunding')))
          .returning({ paymentId: payments.paymentId });
        if (!settled) return;
        await tx.update(orders).set({ paymentStatus: status, paymentReason: reason, updatedAt: at }).where(eq(orders.orderId, orderId));
        if (status === 'refunded') await recordRevenue(tx, order, 'refund', pay.amountCents, at);
        else this.d.log.error({ orderId, paymentId: pay.paymentId, reason }, 'refund failed; staff must settle it');
      });
    }
  }
}
