// Supply requests, the rules: statuses and the moves between them, urgency
// order, when a request is overdue. Pure; one place for each rule.
export const supplyStatuses = ['PENDING', 'APPROVED', 'IN_TRANSIT', 'DELIVERED', 'DENIED', 'CANCELLED'] as const;
export type SupplyStatus = (typeof supplyStatuses)[number];

export const urgencies = ['CRITICAL', 'URGENT', 'NORMAL', 'LOW'] as const;
export type Urgency = (typeof urgencies)[number];

/** The one transition table: from each status, the statuses it may move to. */
export const SUPPLY_TRANSITIONS: Readonly<Record<SupplyStatus, readonly SupplyStatus[]>> = {
  PENDING: ['APPROVED', 'DENIED', 'CANCELLED'],
  APPROVED: ['IN_TRANSIT', 'CANCELLED'],
  // Back to APPROVED only when its delivery fails: the stock goes back to the hub, held again, for the next delivery.
  IN_TRANSIT: ['DELIVERED', 'APPROVED'],
  DELIVERED: [],
  DENIED: [],
  CANCELLED: [],
};

export const allowedFrom = (s: SupplyStatus): readonly SupplyStatus[] => SUPPLY_TRANSITIONS[s];
export const mayMove = (from: SupplyStatus, to: SupplyStatus): boolean => SUPPLY_TRANSITIONS[from].includes(to);
export const isOpen = (s: SupplyStatus): boolean => SUPPLY_TRANSITIONS[s].length > 0;

/** Days after which an open request is overdue, by urgency. */
export const OVERDUE_DAYS: Readonly<Record<Urgency, number>> = { CRITICAL: 1, URGENT: 3, NORMAL: 7, LOW: 14 };

export function isOverdue(r: { status: SupplyStatus; urgency: Urgency; createdAt: string }, now: number): boolean {
  return isOpen(r.status) && now - Date.parse(r.createdAt) > OVERDUE_DAYS[r.urgency] * 86_400_000;
}

/** CRITICAL first (not alphabetically), then the oldest. */
export function byUrgencyThenAge(a: { urgency: Urgency; createdAt: string }, b: { urgency: Urgency; createdAt: string }): number {
  return urgencies.indexOf(a.urgency) - urgencies.indexOf(b.urgency) || Date.parse(a.createdAt) - Date.parse(b.createdAt);
}

export interface SupplyLine {
  itemId: string;
  quantity: number;
  /** Set when the request is approved: what the hub holds for it; the rest is back-ordered. */
  approvedQuantity?: number | undefined;
}

/**
 * What a partial approval holds: each line's quantity, or what is available
 * when less; lines with nothing available are back-ordered whole.
 */
export function partialLines(lines: readonly SupplyLine[], available: Readonly<Record<string, number>>): SupplyLine[] {
  return lines.map((l) => ({ ...l, approvedQuantity: Math.max(0, Math.min(l.quantity, available[l.itemId] ?? 0)) }));
}
