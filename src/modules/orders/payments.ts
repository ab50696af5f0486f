// Paying for an order and giving the money back. A payment attempt is a row
// written before the provider is asked (a partial unique index allows one
// live attempt per order, so two "pay" taps cannot charge twice); the
// provider's answer, now or later through the signed webhook, then moves the
// order to paid and books the sale in one transaction. A refund is booked
// (negative revenue) only once the provider confirms it. Every transaction
// here locks the order row before its payment rows, as cancelling does, so
// none can deadlock another.
import { randomUUID } from 'node:crypto';
import { and, eq, lte } from 'drizzle-orm';
import type { Logger } from 'pino';
import { isUniqueViolation, type Db, type Tx } from '../../db/database.js';
import type { CheckoutCalls } from './checkout.js';
import { Conflict, HttpError, Invalid, NotFound } from '../../http/errors.js';
import type { ChargeResult, PaymentProvider, PaymentWebhookEvent } from './payment-provider.js';
import { orders, payments } from './schema.js';
import { lockOrder, recordRevenue } from './transitions.js';
import { orderRowFromRaw, type OrderRow, type PaymentState } from './views.js';

export class PaymentDeclined extends HttpError {
  constructor(reason: string) {
    super('payment_declined', `The payment was declined (${reason}); the order is still pending, so you may pay with another method.`, [
      { field: 'body.paymentMethod', message: reason },
    ]);
  }
}

type Answer = { outcome: 'approved' | 'declined' | 'pending'; providerRef: string; reason?: string };

export class PaymentService {
  constructor(
    private readonly d: {
      db: Db;
      /** The checkout's database calls, batched (checkout.ts): paying is payments_open then payments_settle. */
      checkout: CheckoutCalls;
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
    return this.charge(orderId, paymentId, amountCents, method);
  }

  /** A new attempt's id and this provider's name, for an attempt written with its order (orders_place). */
  newAttempt(): { paymentId: string; provider: string } {
    return { paymentId: randomUUID(), provider: this.d.provider.name };
  }

  /** Asks the provider about an attempt already written ('processing'), and settles it with the answer. */
  async charge(orderId: string, paymentId: string, amountCents: number, method: string): Promise<{ status: PaymentState; order?: OrderRow }> {
    let result: ChargeResult;
    try {
      result = await this.d.provider.charge({ paymentId, orderId, amountCents, method });
    } catch (err) {
      // The provider may have charged before its answer was lost: the attempt
      // stays processing, and sweepInterrupted asks the provider what became of it.
      this.d.log.warn({ err: String(err), orderId, paymentId }, 'payment provider did not answer; the attempt is checked with the provider later');
      throw new HttpError(
        'payment_provider_unavailable',
        'The payment provider did not answer. The store checks with the provider within a minute and the order then shows whether it is paid; do not pay again before.',
      );
    }
    const settled = await this.settle(paymentId, orderId, result);
    if (settled.status === 'declined' && result.outcome === 'declined') throw new PaymentDeclined(result.reason);
    if (settled.status !== 'refunding') return settled;
    await this.refundIfCancelled(orderId);
    return { status: 'refunding' };
  }

  /**
   * Writes the attempt with payments_open (src/modules/orders/sql/),
   * which also checks the order is the caller's and still pending; only when
   * it writes nothing is it worth reading the order to say why.
   */
  private async open(orderId: string, callerSubject: string, paymentId: string): Promise<number> {
    const at = this.at();
    let amount: unknown;
    try {
      amount = await this.d.checkout.open.submit({ payment: paymentId, order: orderId, owner: callerSubject, provider: this.d.provider.name, at: at.toISOString() });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      throw new Conflict('A payment for this order is already in progress or awaiting confirmation from the provider.', [{ field: 'path.orderId', message: 'payment in progress' }], 'payment_in_progress');
    }
    if (amount !== null && amount !== undefined) return Number(amount);
    const row = (await this.d.db.select({ ownerId: orders.ownerId, status: orders.status }).from(orders).where(eq(orders.orderId, orderId)))[0];
    if (!row || row.ownerId !== callerSubject) throw new NotFound(`No order ${orderId} of yours at this store.`);
    throw new Conflict(`The order is ${row.status}; only a pending order is paid.`, [{ field: 'path.orderId', message: `order is ${row.status}` }]);
  }

  /**
   * Applies a provider's answer to an attempt with payments_settle
   * (src/modules/orders/sql/), one call: lock the order, settle
   * the attempt (an approval for an order cancelled meanwhile becomes a
   * refund, never a revived order), mirror it on the order (paid, with its
   * history entry, when approved) and book the sale. One call is one round
   * trip with plans the database keeps, which matters at a store's checkout
   * rate. A repeated answer for a settled attempt changes nothing.
   */
  private async settle(paymentId: string, orderId: string, answer: Answer): Promise<{ status: PaymentState; order?: OrderRow }> {
    const at = this.at().toISOString();
    const reason = answer.outcome === 'declined' ? (answer.reason ?? 'declined') : null;
    const settled = await this.d.checkout.settle.submit({
      payment: paymentId,
      order: orderId,
      outcome: answer.outcome,
      ref: answer.providerRef,
      reason,
      at,
      entry: [{ status: 'paid', at, actor: `payment:${this.d.provider.name}`, note: null }],
    });
    if (settled) {
      const order = orderRowFromRaw(settled);
      return { status: order.paymentStatus as PaymentState, order };
    }
    const current = (await this.d.db.select({ status: payments.status }).from(payments).where(eq(payments.paymentId, paymentId)))[0];
    if (!current) throw new NotFound(`No payment ${paymentId}.`);
    return { status: current.status as PaymentState };
  }

  /**
   * Attempts left processing longer than `olderThanMs`: the provider's answer
   * was lost (a timeout, or this node stopped between asking and recording).
   * Asks the provider what became of each and records it as if it had just
   * answered; one it never received is declined as interrupted, so the
   * customer can pay again. Answers how many it settled.
   */
  async sweepInterrupted(olderThanMs: number): Promise<number> {
    const cutoff = new Date(this.d.now() - olderThanMs);
    const stale = await this.d.db
      .select({ paymentId: payments.paymentId, orderId: payments.orderId })
      .from(payments)
      .where(and(eq(payments.status, 'processing'), lte(payments.createdAt, cutoff)))
      .limit(100);
    let settled = 0;
    for (const p of stale) {
      let answer: ChargeResult | undefined;
      try {
        answer = await this.d.provider.lookup({ paymentId: p.paymentId });
      } catch (err) {
        this.d.log.warn({ err: String(err), paymentId: p.paymentId }, 'payment provider did not answer a lookup; asking again later');
        continue;
      }
      const result = await this.settle(p.paymentId, p.orderId, answer ?? { outcome: 'declined', providerRef: `interrupted:${p.paymentId}`, reason: 'interrupted' });
      this.d.log.info({ paymentId: p.paymentId, orderId: p.orderId, status: result.status }, 'interrupted payment settled from the provider');
      if (result.status === 'refunding') await this.refundIfCancelled(p.orderId);
      settled += 1;
    }
    return settled;
  }

  /** A provider's later word on a pending payment (the webhook, signature already checked). */
  async confirm(event: PaymentWebhookEvent): Promise<{ paymentId: string; orderId: string; status: PaymentState; changed: boolean }> {
    const byRef = (await this.d.db.select().from(payments).where(and(eq(payments.provider, this.d.provider.name), eq(payments.providerRef, event.providerRef))))[0];
    // A confirmation can overtake the recording of the provider's first answer: the attempt is then found by the id the node sent.
    const pay =
      byRef ??
      (event.paymentId
        ? (await this.d.db.select().from(payments).where(and(eq(payments.provider, this.d.provider.name), eq(payments.paymentId, event.paymentId), eq(payments.status, 'processing'))))[0]
        : undefined);
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

  /**
   * Staff ask again for a refund the provider refused (refund_failed): the
   * attempt goes back to refunding, under the order's lock, and the provider
   * is asked once more. A 409 when there is no failed refund to retry.
   */
  async retryRefund(orderId: string): Promise<void> {
    const at = this.at();
    const marked = await this.d.db.transaction(async (tx) => {
      const order = await lockOrder(tx, orderId);
      const rows = await tx
        .update(payments)
        .set({ status: 'refunding', updatedAt: at })
        .where(and(eq(payments.orderId, orderId), eq(payments.status, 'refund_failed')))
        .returning({ paymentId: payments.paymentId });
      if (rows.length === 0) return order.paymentStatus;
      await tx.update(orders).set({ paymentStatus: 'refunding', paymentReason: null, updatedAt: at }).where(eq(orders.orderId, orderId));
      return 'refunding';
    });
    if (marked !== 'refunding') {
      throw new Conflict(`There is no failed refund to retry: the payment is ${marked}.`, [{ field: 'path.orderId', message: `payment is ${marked}` }], 'refund_not_retryable');
    }
    await this.refundIfCancelled(orderId);
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
