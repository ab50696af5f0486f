// Replenishment, the rules: the projected quantity (what the store will have
// once what is coming has come), when a rule fires, how much it asks for
// (up to its order-up-to level, in whole cases), how urgent that is, and
// what will cross its reorder point or run out before the next delivery.
// Pure.
import type { Urgency } from './model.js';

export interface RuleLike {
  itemId: string;
  reorderPoint: number;
  orderUpTo: number;
  caseMultiple: number;
  enabled: boolean;
}

export interface PositionLike {
  onHand: number;
  reserved: number;
  inTransit: number;
  onOrder: number;
}

/** Available now plus what is on its way or on order. */
export const projectedOf = (p: PositionLike): number => p.onHand - p.reserved + p.inTransit + p.onOrder;

export const fires = (rule: RuleLike, p: PositionLike): boolean => rule.enabled && projectedOf(p) <= rule.reorderPoint;

/** Enough to bring the projected quantity back to order-up-to, rounded up to whole cases (at least one case). */
export function orderQuantity(rule: RuleLike, p: PositionLike): number {
  const need = Math.max(1, rule.orderUpTo - projectedOf(p));
  return Math.ceil(need / rule.caseMultiple) * rule.caseMultiple;
}

/** CRITICAL when nothing is left to sell, URGENT at half the reorder point or less, else NORMAL. */
export function urgencyOf(rule: RuleLike, p: PositionLike): Urgency {
  const available = p.onHand - p.reserved;
  if (available <= 0) return 'CRITICAL';
  if (available <= rule.reorderPoint / 2) return 'URGENT';
  return 'NORMAL';
}

export function ruleNote(rule: RuleLike, p: PositionLike): string {
  const cases = rule.caseMultiple > 1 ? `, in cases of ${rule.caseMultiple}` : '';
  return `Automatic: reorder point ${rule.reorderPoint}, order up to ${rule.orderUpTo}${cases}; projected ${projectedOf(p)} (available ${p.onHand - p.reserved}, in transit ${p.inTransit}, on order ${p.onOrder}).`;
}

export interface ReorderLine {
  itemId: string;
  available: number;
  projected: number;
  reorderPoint: number;
  /** Where the reorder point came from: the item's rule, or its low-stock threshold when it has none. */
  basis: 'rule' | 'threshold';
  dailyUse: number;
  /** Days the available stock lasts at the daily use; null when nothing is used. */
  daysOfStock: number | null;
  /** Projected quantity less the use until the next delivery. */
  projectedAtNextDelivery: number;
  /** Crosses its reorder point before the next delivery. */
  willCross: boolean;
  /** The predictive warning: runs out before the next delivery comes. */
  runsOutBeforeDelivery: boolean;
  suggestedQuantity: number;
}

/** What will cross its reorder point (or run out) before the next delivery, most urgent first. */
export function toReorder(
  items: readonly (PositionLike & { itemId: string; threshold: number })[],
  rules: ReadonlyMap<string, RuleLike>,
  dailyUse: ReadonlyMap<string, number>,
  daysToDelivery: number,
): ReorderLine[] {
  const out: ReorderLine[] = [];
  for (const item of items) {
    const rule = rules.get(item.itemId);
    const effective: RuleLike = rule ?? { itemId: item.itemId, reorderPoint: item.threshold, orderUpTo: item.threshold * 2, caseMultiple: 1, enabled: true };
    const use = dailyUse.get(item.itemId) ?? 0;
    const available = item.onHand - item.reserved;
    const projected = projectedOf(item);
    const atDelivery = projected - use * daysToDelivery;
    const willCross = atDelivery <= effective.reorderPoint;
    // Stock on order or on its way arrives with the delivery; until then only what is here sells.
    const runsOut = available - use * daysToDelivery < 0;
    if (!willCross && !runsOut) continue;
    if (!rule && effective.reorderPoint === 0 && !runsOut) continue;
    out.push({
      itemId: item.itemId,
      available,
      projected,
      reorderPoint: effective.reorderPoint,
      basis: rule ? 'rule' : 'threshold',
      dailyUse: Math.round(use * 100) / 100,
      daysOfStock: use > 0 ? Math.round((available / use) * 10) / 10 : null,
      projectedAtNextDelivery: Math.round(atDelivery * 10) / 10,
      willCross,
      runsOutBeforeDelivery: runsOut,
      suggestedQuantity: orderQuantity({ ...effective, orderUpTo: Math.max(effective.orderUpTo, Math.ceil(use * daysToDelivery) + effective.reorderPoint) }, item),
    });
  }
  return out.sort((a, b) => Number(b.runsOutBeforeDelivery) - Number(a.runsOutBeforeDelivery) || (a.daysOfStock ?? Infinity) - (b.daysOfStock ?? Infinity) || a.itemId.localeCompare(b.itemId));
}
