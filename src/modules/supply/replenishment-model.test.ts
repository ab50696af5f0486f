import { describe, expect, it } from 'vitest';
import { fires, orderQuantity, projectedOf, ruleNote, toReorder, urgencyOf } from './replenishment-model.js';

const rule = { itemId: 'syrup-cherry', reorderPoint: 20, orderUpTo: 60, caseMultiple: 6, enabled: true };
const at = (onHand: number, extra: Partial<{ reserved: number; inTransit: number; onOrder: number }> = {}) => ({ onHand, reserved: 0, inTransit: 0, onOrder: 0, ...extra });

describe('replenishment rules', () => {
  it('counts what is coming in the projected quantity, so stock on its way does not ask twice', () => {
    expect(projectedOf(at(10, { reserved: 2, inTransit: 5, onOrder: 7 }))).toBe(20);
    expect(fires(rule, at(10, { inTransit: 5, onOrder: 7 }))).toBe(false);
    expect(fires(rule, at(10, { reserved: 3, inTransit: 5, onOrder: 7 }))).toBe(true);
    expect(fires({ ...rule, enabled: false }, at(0))).toBe(false);
  });

  it('asks for enough to reach order-up-to, in whole cases, at least one case', () => {
    expect(orderQuantity(rule, at(20))).toBe(42);
    expect(orderQuantity(rule, at(0))).toBe(60);
    expect(orderQuantity(rule, at(59))).toBe(6);
    expect(orderQuantity({ ...rule, caseMultiple: 1 }, at(18))).toBe(42);
  });

  it('says how urgent, and names the rule in the notes', () => {
    expect(urgencyOf(rule, at(0))).toBe('CRITICAL');
    expect(urgencyOf(rule, at(5, { reserved: 5 }))).toBe('CRITICAL');
    expect(urgencyOf(rule, at(10))).toBe('URGENT');
    expect(urgencyOf(rule, at(15))).toBe('NORMAL');
    expect(ruleNote(rule, at(15, { onOrder: 2 }))).toBe('Automatic: reorder point 20, order up to 60, in cases of 6; projected 17 (available 15, in transit 0, on order 2).');
  });

  it('lists what crosses before the next delivery and warns of what runs out before it, most urgent first', () => {
    const items = [
      { itemId: 'syrup-cherry', threshold: 5, ...at(30) },
      { itemId: 'syrup-mint', threshold: 10, ...at(12) },
      { itemId: 'cup-24oz', threshold: 50, ...at(500) },
      { itemId: 'syrup-lime', threshold: 5, ...at(8, { inTransit: 100 }) },
    ];
    const use = new Map([['syrup-cherry', 4], ['syrup-mint', 1], ['syrup-lime', 3]]);
    const lines = toReorder(items, new Map([['syrup-cherry', rule]]), use, 3);
    expect(lines.map((l) => l.itemId)).toEqual(['syrup-lime', 'syrup-cherry', 'syrup-mint']);
    expect(lines[0]).toMatchObject({ runsOutBeforeDelivery: true, willCross: false, basis: 'threshold', daysOfStock: 2.7 });
    expect(lines[1]).toMatchObject({ basis: 'rule', willCross: true, runsOutBeforeDelivery: false, projectedAtNextDelivery: 18, daysOfStock: 7.5 });
    expect(lines[2]).toMatchObject({ basis: 'threshold', reorderPoint: 10, willCross: true });
  });
});
