// The ledger's arithmetic, with no I/O: what each kind of movement does to a
// position, and the rule that no part of a position ever goes negative nor
// promises more than is on hand. The service writes with it, and recompute
// reads the ledger back with the same table, so they cannot disagree.

export const movementTypes = [
  'receipt',
  'sale',
  'reserve',
  'release',
  'transfer_out',
  'transfer_in',
  'adjustment',
  'damage',
  'disposal',
  'ordered',
  'order_cancelled',
  'shipped',
  'delivered',
  'transit_loss',
] as const;
export type MovementType = (typeof movementTypes)[number];

/** What staff record by hand; the others belong to orders (reserve, release, sale) and supply (the rest). */
export const manualTypes = ['receipt', 'adjustment', 'damage', 'disposal', 'transfer_out', 'transfer_in'] as const satisfies readonly MovementType[];
export type ManualType = (typeof manualTypes)[number];

/** Movements of stock ordered from the hub: placed, on the road, arrived, lost on the way. */
export const supplyTypes = ['ordered', 'order_cancelled', 'shipped', 'delivered', 'transit_loss'] as const satisfies readonly MovementType[];
export type SupplyType = (typeof supplyTypes)[number];

export const positionFields = ['onHand', 'reserved', 'inTransit', 'onOrder', 'damaged'] as const;
export type PositionField = (typeof positionFields)[number];
export type Position = Record<PositionField, number>;

export const emptyPosition = (): Position => ({ onHand: 0, reserved: 0, inTransit: 0, onOrder: 0, damaged: 0 });

/**
 * The change one unit of each movement makes. A sale is always the end of a
 * reservation (orders reserve first), so it takes from both on hand and
 * reserved; damaged stock is set aside until it is disposed of.
 */
export const effects: Record<MovementType, Partial<Position>> = {
  receipt: { onHand: 1 },
  sale: { onHand: -1, reserved: -1 },
  reserve: { reserved: 1 },
  release: { reserved: -1 },
  transfer_out: { onHand: -1 },
  transfer_in: { onHand: 1 },
  adjustment: { onHand: 1 },
  damage: { onHand: -1, damaged: 1 },
  disposal: { damaged: -1 },
  ordered: { onOrder: 1 },
  order_cancelled: { onOrder: -1 },
  shipped: { onOrder: -1, inTransit: 1 },
  delivered: { inTransit: -1, onHand: 1 },
  transit_loss: { inTransit: -1 },
};

/** No single position may pass this: it keeps every sum inside a PostgreSQL integer. */
export const MAX_POSITION = 1_000_000_000;

export const availableOf = (p: Position): number => p.onHand - p.reserved;

/** Whether a movement of this type may carry this quantity: only an adjustment is signed. */
export function quantityProblem(type: MovementType, quantity: number): string | undefined {
  if (!Number.isSafeInteger(quantity)) return 'must be a whole number';
  if (type === 'adjustment') return quantity === 0 ? 'an adjustment must change something: use a signed, non-zero number' : undefined;
  return quantity > 0 ? undefined : 'must be a positive whole number';
}

export type MoveOutcome =
  | { ok: true; position: Position }
  | { ok: false; field: PositionField | 'available'; have: number; need: number; reason: 'short' | 'too-large' };

/** The position after a movement, or which part of it would go wrong. */
export function applyMovement(position: Position, type: MovementType, quantity: number): MoveOutcome {
  const next = { ...position };
  for (const field of positionFields) next[field] += (effects[type][field] ?? 0) * quantity;
  for (const field of positionFields) {
    if (next[field] < 0) return { ok: false, field, have: position[field], need: position[field] - next[field], reason: 'short' };
    if (next[field] > MAX_POSITION) return { ok: false, field, have: position[field], need: next[field], reason: 'too-large' };
  }
  // Stock promised to orders cannot leave the shelf by any other way.
  if (next.reserved > next.onHand) {
    return { ok: false, field: 'available', have: availableOf(position), need: next.reserved - next.onHand + availableOf(position), reason: 'short' };
  }
  return { ok: true, position: next };
}

/** Whether a position could exist at all: nothing negative, nothing promised beyond what is on hand. */
export const isPossible = (p: Position): boolean =>
  positionFields.every((f) => p[f] >= 0 && p[f] <= MAX_POSITION) && p.reserved <= p.onHand;

/** Whether an item counts as low: fewer available than its threshold (a threshold of 0 never is). */
export const isLow = (p: Position, threshold: number): boolean => availableOf(p) < threshold;

/** Explains a refused movement in a store manager's words. */
export function refusalOf(itemId: string, outcome: Extract<MoveOutcome, { ok: false }>): string {
  if (outcome.reason === 'too-large') return `${itemId}: ${outcome.field} would pass the largest position a store keeps`;
  if (outcome.field === 'available') return `${itemId}: need ${outcome.need} available, have ${outcome.have} (the rest is reserved for orders)`;
  return `${itemId}: need ${outcome.need} ${outcome.field}, have ${outcome.have}`;
}
