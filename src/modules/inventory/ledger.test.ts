// The ledger's arithmetic alone: what each movement does, and the refusals
// that keep every position possible.
import { describe, expect, it } from 'vitest';
import { applyMovement, emptyPosition, isLow, isPossible, MAX_POSITION, movementTypes, quantityProblem, refusalOf, type Position } from './ledger.js';

const at = (p: Partial<Position>): Position => ({ ...emptyPosition(), ...p });

describe('inventory ledger', () => {
  it('moves stock along the supply path: ordered, shipped, delivered', () => {
    let p = emptyPosition();
    for (const [type, q] of [['ordered', 10], ['shipped', 8], ['order_cancelled', 2], ['delivered', 7], ['transit_loss', 1]] as const) {
      const r = applyMovement(p, type, q);
      if (!r.ok) throw new Error(`${type} refused`);
      p = r.position;
    }
    expect(p).toEqual(at({ onOrder: 0, inTransit: 0, onHand: 7 }));
  });

  it('turns a reservation into a sale, taking from on hand and reserved together', () => {
    expect(applyMovement(at({ onHand: 5, reserved: 3 }), 'sale', 3)).toEqual({ ok: true, position: at({ onHand: 2, reserved: 0 }) });
  });

  it('refuses what would go negative or promise more than is on hand, and says what is short', () => {
    const short = applyMovement(at({ onHand: 5, reserved: 2 }), 'reserve', 4);
    expect(short).toEqual({ ok: false, field: 'available', have: 3, need: 4, reason: 'short' });
    if (!short.ok) expect(refusalOf('cola', short)).toBe('cola: need 4 available, have 3 (the rest is reserved for orders)');
    expect(applyMovement(at({ onHand: 5, reserved: 2 }), 'damage', 4)).toMatchObject({ ok: false, field: 'available' });
    expect(applyMovement(at({ damaged: 1 }), 'disposal', 2)).toMatchObject({ ok: false, field: 'damaged', have: 1, need: 2 });
    expect(applyMovement(at({ onHand: MAX_POSITION }), 'receipt', 1)).toMatchObject({ ok: false, reason: 'too-large' });
  });

  it('lets only an adjustment carry a signed quantity', () => {
    for (const type of movementTypes) {
      expect(quantityProblem(type, 0)).toBeDefined();
      expect(quantityProblem(type, 2.5)).toBeDefined();
      expect(quantityProblem(type, -1) === undefined).toBe(type === 'adjustment');
    }
  });

  it('is low only below a threshold, never with a threshold of 0', () => {
    expect(isLow(at({ onHand: 4 }), 5)).toBe(true);
    expect(isLow(at({ onHand: 5 }), 5)).toBe(false);
    expect(isLow(at({ onHand: 0 }), 0)).toBe(false);
    expect(isPossible(at({ onHand: 1, reserved: 2 }))).toBe(false);
  });
});
