// Deliveries, the rules: statuses and moves, what a receipt may say, and the
// movements a store's ledger gets as its request moves (ordered when the hub
// approves, shipped when the truck leaves, received when the store counts it
// in). Pure; one place for each rule.
import type { MovementType } from '../inventory/index.js';
import type { SupplyLine, SupplyStatus } from './model.js';

export const deliveryStatuses = ['SCHEDULED', 'IN_TRANSIT', 'COMPLETED', 'FAILED'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export const DELIVERY_TRANSITIONS: Readonly<Record<DeliveryStatus, readonly DeliveryStatus[]>> = {
  SCHEDULED: ['IN_TRANSIT', 'FAILED'],
  IN_TRANSIT: ['COMPLETED', 'FAILED'],
  COMPLETED: [],
  FAILED: [],
};

export const mayMoveDelivery = (from: DeliveryStatus, to: DeliveryStatus): boolean => DELIVERY_TRANSITIONS[from].includes(to);

/** What the store counted in, per line: received in good order, damaged; the rest of what was shipped is short. */
export interface ReceiptLine {
  itemId: string;
  shipped: number;
  received: number;
  damaged: number;
  short: number;
}

/** The quantity a line ships: what the hub approved (the rest is back-ordered). */
export const shippedOf = (l: SupplyLine): number => l.approvedQuantity ?? l.quantity;

/**
 * Checks a store's count against what was shipped: every shipped line once,
 * nothing more than shipped. Answers the receipt lines or the field errors.
 */
export function receiptOf(
  shipped: readonly SupplyLine[],
  counted: readonly { itemId: string; received: number; damaged?: number | undefined }[],
): { lines: ReceiptLine[]; errors: { field: string; message: string }[] } {
  const errors: { field: string; message: string }[] = [];
  const byItem = new Map(shipped.filter((l) => shippedOf(l) > 0).map((l) => [l.itemId, shippedOf(l)]));
  const seen = new Set<string>();
  const lines: ReceiptLine[] = [];
  counted.forEach((c, i) => {
    const sent = byItem.get(c.itemId);
    if (sent === undefined) return void errors.push({ field: `body.lines.${i}.itemId`, message: `${c.itemId} was not shipped on this request` });
    if (seen.has(c.itemId)) return void errors.push({ field: `body.lines.${i}.itemId`, message: `${c.itemId} is counted twice` });
    seen.add(c.itemId);
    const damaged = c.damaged ?? 0;
    if (c.received + damaged > sent) return void errors.push({ field: `body.lines.${i}.received`, message: `received ${c.received} + damaged ${damaged} is more than the ${sent} shipped` });
    lines.push({ itemId: c.itemId, shipped: sent, received: c.received, damaged, short: sent - c.received - damaged });
  });
  for (const itemId of byItem.keys()) if (!seen.has(itemId)) errors.push({ field: 'body.lines', message: `${itemId} was shipped; count it (0 when nothing arrived)` });
  return { lines, errors };
}

/** The store ledger's movements for a counted receipt: in transit becomes on hand, damaged is set aside, short is lost on the way. */
export function receiptMovements(lines: readonly ReceiptLine[]): { itemId: string; type: MovementType; quantity: number }[] {
  return lines.flatMap((l) => [
    ...(l.received + l.damaged > 0 ? [{ itemId: l.itemId, type: 'delivered' as const, quantity: l.received + l.damaged }] : []),
    ...(l.damaged > 0 ? [{ itemId: l.itemId, type: 'damage' as const, quantity: l.damaged }] : []),
    ...(l.short > 0 ? [{ itemId: l.itemId, type: 'transit_loss' as const, quantity: l.short }] : []),
  ]);
}

/** How far a store's ledger has followed its request. */
export const ledgerStages = ['none', 'ordered', 'shipped', 'received', 'closed'] as const;
export type LedgerStage = (typeof ledgerStages)[number];

/** The stage a request's status calls for at its store (received is reached by the store's own count). */
export function stageFor(status: SupplyStatus, current: LedgerStage): LedgerStage {
  switch (status) {
    case 'PENDING':
      return 'none';
    case 'APPROVED':
      return 'ordered';
    case 'IN_TRANSIT':
      return 'shipped';
    case 'DELIVERED':
      return current === 'received' ? 'received' : 'shipped';
    case 'DENIED':
    case 'CANCELLED':
      return 'closed';
  }
}

/**
 * The store ledger's movements from one stage to the next, so on order and
 * in transit always match the requests (a delivery that failed puts stock
 * back on order). Unknown moves write nothing.
 */
export function stageMovements(from: LedgerStage, to: LedgerStage, lines: readonly SupplyLine[]): { itemId: string; type: MovementType; quantity: number }[] {
  const each = (type: MovementType) => lines.filter((l) => shippedOf(l) > 0).map((l) => ({ itemId: l.itemId, type, quantity: shippedOf(l) }));
  const key = `${from}>${to}`;
  switch (key) {
    case 'none>ordered':
      return each('ordered');
    case 'none>shipped':
      return [...each('ordered'), ...each('shipped')];
    case 'ordered>shipped':
      return each('shipped');
    case 'ordered>closed':
      return each('order_cancelled');
    case 'shipped>ordered':
      return [...each('transit_loss'), ...each('ordered')];
    default:
      return [];
  }
}
