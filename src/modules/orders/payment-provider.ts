// Payment providers. The node never trusts a client to say an order is
// paid: it asks a provider to charge, and a provider that answers later
// calls back at /api/v1/payments/webhook with a body signed by a secret only
// the two share. FakePaymentProvider stands in for a card processor in tests
// and the demo, answering by the test token it is given.
import { createHmac, randomUUID, type KeyObject } from 'node:crypto';
import { secretsEqual } from '../../http/auth.js';
import type { Clock } from '../../lib/clock.js';

export type ChargeResult =
  | { outcome: 'approved'; providerRef: string }
  | { outcome: 'declined'; providerRef: string; reason: string }
  /** The provider confirms later through the webhook. */
  | { outcome: 'pending'; providerRef: string };

export type RefundResult = { outcome: 'refunded' } | { outcome: 'failed'; reason: string };

export interface PaymentProvider {
  readonly name: string;
  /** Called once per payment attempt; `paymentId` lets a real provider deduplicate a retried call. */
  charge(input: { paymentId: string; orderId: string; amountCents: number; method: string }): Promise<ChargeResult>;
  refund(input: { paymentId: string; providerRef: string; amountCents: number }): Promise<RefundResult>;
  /**
   * What became of the charge asked for with `paymentId` (providers keep
   * charges by the idempotency key they were sent); undefined when the
   * provider never received it. Used for attempts whose answer was lost.
   */
  lookup(input: { paymentId: string }): Promise<ChargeResult | undefined>;
}

/** What a provider sends to the webhook once a pending payment settles. */
export interface PaymentWebhookEvent {
  eventId: string;
  type: 'payment.approved' | 'payment.declined';
  providerRef: string;
  amountCents: number;
  reason?: string;
  /** The id the node sent with the charge, as providers echo it: finds the attempt before its reference is recorded. */
  paymentId?: string;
}

export const WEBHOOK_SIGNATURE_HEADER = 'x-payment-signature';
/** A signed webhook older than this is refused, so a captured one cannot be replayed for long. */
export const WEBHOOK_TOLERANCE_MS = 5 * 60_000;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, the shape card processors commonly use. */
export function signWebhook(secret: string, rawBody: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

export function verifyWebhook(secret: string, rawBody: string, header: string | undefined, nowMs: number): 'ok' | 'missing' | 'stale' | 'bad' {
  if (!header) return 'missing';
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  const v1 = parts.v1;
  if (!Number.isInteger(t) || !v1) return 'bad';
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  if (!secretsEqual(v1, expected)) return 'bad';
  return Math.abs(nowMs - t * 1000) > WEBHOOK_TOLERANCE_MS ? 'stale' : 'ok';
}

/**
 * The fake provider's webhook secret: derived from the node's own key, so it
 * survives restarts with no extra file and differs per node. A real provider
 * hands out its secret; that one would come from configuration.
 */
export function fakeWebhookSecret(privateKey: KeyObject): string {
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return createHmac('sha256', der).update('codepop fake payments webhook v1').digest('base64url');
}

/**
 * The fake provider's test tokens:
 *   tok_approve          approved at once
 *   tok_decline          declined (card_declined)
 *   tok_insufficient     declined (insufficient_funds)
 *   tok_later            pending; approved through the webhook after `confirmAfterMs`
 *   tok_later_decline    pending; declined through the webhook after `confirmAfterMs`
 *   tok_refund_fails     approved, but a refund of it fails
 *   tok_refund_fails_once approved; its first refund fails, a retry succeeds
 *   tok_timeout          approved, but the answer is lost: charge() throws as a timeout would
 * Anything else is declined as an unknown payment method.
 */
export const fakePaymentTokens = ['tok_approve', 'tok_decline', 'tok_insufficient', 'tok_later', 'tok_later_decline', 'tok_refund_fails', 'tok_refund_fails_once', 'tok_timeout'] as const;

/**
 * The fake provider's own books: every charge it made, by the payment id it
 * was sent. One per process, as a real provider is one system whoever asks.
 */
const fakeCharges = new Map<string, ChargeResult>();
const FAKE_CHARGES_KEPT = 100_000;

export class FakePaymentProvider implements PaymentProvider {
  readonly name = 'fake';
  private readonly refundFails = new Set<string>();
  private readonly refundFailsOnce = new Set<string>();
  private readonly timers = new Set<{ cancel(): void }>();
  /** Where settled confirmations go; the orders module points it at its own webhook route. */
  deliver: (rawBody: string, signature: string) => Promise<void> = async () => undefined;

  constructor(
    private readonly secret: string,
    private readonly clock: Clock,
    private readonly confirmAfterMs = 1500,
  ) {}

  async charge(input: { paymentId: string; orderId: string; amountCents: number; method: string }): Promise<ChargeResult> {
    const earlier = fakeCharges.get(input.paymentId);
    if (earlier) return earlier; // a retried call with the same key charges once
    const result = this.decide(input);
    if (fakeCharges.size >= FAKE_CHARGES_KEPT) fakeCharges.delete(fakeCharges.keys().next().value as string);
    fakeCharges.set(input.paymentId, result);
    if (input.method === 'tok_timeout') throw new Error('payment provider timed out (the charge went through)');
    return result;
  }

  async lookup(input: { paymentId: string }): Promise<ChargeResult | undefined> {
    return fakeCharges.get(input.paymentId);
  }

  private decide(input: { paymentId: string; amountCents: number; method: string }): ChargeResult {
    const providerRef = `fake_${randomUUID()}`;
    switch (input.method) {
      case 'tok_timeout':
      case 'tok_approve':
        return { outcome: 'approved', providerRef };
      case 'tok_refund_fails':
        this.refundFails.add(providerRef);
        return { outcome: 'approved', providerRef };
      case 'tok_refund_fails_once':
        this.refundFailsOnce.add(providerRef);
        return { outcome: 'approved', providerRef };
      case 'tok_decline':
        return { outcome: 'declined', providerRef, reason: 'card_declined' };
      case 'tok_insufficient':
        return { outcome: 'declined', providerRef, reason: 'insufficient_funds' };
      case 'tok_later':
      case 'tok_later_decline': {
        const approved = input.method === 'tok_later';
        this.later({
          eventId: randomUUID(),
          type: approved ? 'payment.approved' : 'payment.declined',
          providerRef,
          amountCents: input.amountCents,
          ...(approved ? {} : { reason: 'card_declined' }),
          paymentId: input.paymentId,
        });
        return { outcome: 'pending', providerRef };
      }
      default:
        return { outcome: 'declined', providerRef, reason: 'unknown_payment_method' };
    }
  }

  async refund(input: { paymentId: string; providerRef: string; amountCents: number }): Promise<RefundResult> {
    if (this.refundFailsOnce.delete(input.providerRef)) return { outcome: 'failed', reason: 'the card issuer could not be reached; try again' };
    return this.refundFails.has(input.providerRef) ? { outcome: 'failed', reason: 'the card issuer refused the refund' } : { outcome: 'refunded' };
  }

  /** The signed request the provider would send for an event: for tests and `later`. */
  sign(event: PaymentWebhookEvent): { rawBody: string; signature: string } {
    const rawBody = JSON.stringify(event);
    return { rawBody, signature: signWebhook(this.secret, rawBody, this.clock.now()) };
  }

  private later(event: PaymentWebhookEvent): void {
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      const { rawBody, signature } = this.sign(event);
      void this.deliver(rawBody, signature).catch(() => undefined);
    }, this.confirmAfterMs);
    this.timers.add(timer);
  }

  close(): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
  }
}
