import { describe, expect, it } from 'vitest';
import { receiptMovements, receiptOf, stageFor, stageMovements } from './delivery-model.js';
import { byUrgencyThenAge, isOverdue, mayMove, partialLines, SUPPLY_TRANSITIONS, supplyStatuses, type SupplyStatus, type Urgency } from './model.js';

describe('supply request rules', () => {
  it('allows exactly the moves of the state machine', () => {
    const allowed = new Set(['PENDING>APPROVED', 'PENDING>DENIED', 'PENDING>CANCELLED', 'APPROVED>IN_TRANSIT', 'APPROVED>CANCELLED', 'IN_TRANSIT>DELIVERED', 'IN_TRANSIT>APPROVED']);
    for (const from of supplyStatuses) for (const to of supplyStatuses) expect(mayMove(from, to), `${from}>${to}`).toBe(allowed.has(`${from}>${to}`));
    expect(Object.keys(SUPPLY_TRANSITIONS).sort()).toEqual([...supplyStatuses].sort());
  });

  it('sorts CRITICAL first (not alphabetically), then the oldest', () => {
    const r = (urgency: Urgency, createdAt: string) => ({ urgency, createdAt });
    const sorted = [r('LOW', '2026-01-01'), r('NORMAL', '2026-01-03'), r('CRITICAL', '2026-01-05'), r('URGENT', '2026-01-02'), r('CRITICAL', '2026-01-04')].sort(byUrgencyThenAge);
    expect(sorted.map((x) => `${x.urgency} ${x.createdAt}`)).toEqual(['CRITICAL 2026-01-04', 'CRITICAL 2026-01-05', 'URGENT 2026-01-02', 'NORMAL 2026-01-03', 'LOW 2026-01-01']);
  });

  it('marks an open request overdue after 1, 3, 7 or 14 days by urgency, a settled one never', () => {
    const day = 86_400_000;
    const now = Date.parse('2026-06-30T12:00:00Z');
    const made = (days: number) => new Date(now - days * day - 1000).toISOString();
    const open = (urgency: Urgency, days: number, status: SupplyStatus = 'PENDING') => isOverdue({ status, urgency, createdAt: made(days) }, now);
    expect([open('CRITICAL', 1), open('CRITICAL', 0.9)]).toEqual([true, false]);
    expect([open('URGENT', 3), open('URGENT', 2.9)]).toEqual([true, false]);
    expect([open('NORMAL', 7), open('NORMAL', 6.9)]).toEqual([true, false]);
    expect([open('LOW', 14), open('LOW', 13.9)]).toEqual([true, false]);
    expect(open('CRITICAL', 30, 'DELIVERED')).toBe(false);
    expect(open('CRITICAL', 30, 'APPROVED')).toBe(true);
  });

  it('approves in part what the hub holds, back-ordering the rest', () => {
    expect(partialLines([{ itemId: 'a', quantity: 10 }, { itemId: 'b', quantity: 4 }, { itemId: 'c', quantity: 2 }], { a: 6, b: 9 })).toEqual([
      { itemId: 'a', quantity: 10, approvedQuantity: 6 },
      { itemId: 'b', quantity: 4, approvedQuantity: 4 },
      { itemId: 'c', quantity: 2, approvedQuantity: 0 },
    ]);
  });
});

describe('delivery rules', () => {
  const shipped = [
    { itemId: 'syrup-cherry', quantity: 10, approvedQuantity: 8 },
    { itemId: 'cup-24oz', quantity: 4 },
    { itemId: 'syrup-mint', quantity: 3, approvedQuantity: 0 },
  ];

  it('takes a count of every shipped line, short and damaged apart', () => {
    const { lines, errors } = receiptOf(shipped, [
      { itemId: 'syrup-cherry', received: 6, damaged: 1 },
      { itemId: 'cup-24oz', received: 4 },
    ]);
    expect(errors).toEqual([]);
    expect(lines).toEqual([
      { itemId: 'syrup-cherry', shipped: 8, received: 6, damaged: 1, short: 1 },
      { itemId: 'cup-24oz', shipped: 4, received: 4, damaged: 0, short: 0 },
    ]);
    expect(receiptMovements(lines)).toEqual([
      { itemId: 'syrup-cherry', type: 'delivered', quantity: 7 },
      { itemId: 'syrup-cherry', type: 'damage', quantity: 1 },
      { itemId: 'syrup-cherry', type: 'transit_loss', quantity: 1 },
      { itemId: 'cup-24oz', type: 'delivered', quantity: 4 },
    ]);
  });

  it('refuses a count of more than was shipped, of an item not shipped, twice, or with a line missing', () => {
    const { errors } = receiptOf(shipped, [
      { itemId: 'syrup-cherry', received: 8, damaged: 1 },
      { itemId: 'syrup-mint', received: 1 },
      { itemId: 'syrup-cherry', received: 1 },
    ]);
    expect(errors.map((e) => e.field)).toEqual(['body.lines.0.received', 'body.lines.1.itemId', 'body.lines.2.itemId', 'body.lines']);
    expect(errors[3]!.message).toContain('cup-24oz');
  });

  it("moves the store's ledger with the request: ordered, shipped, cancelled, back on order after a failed delivery", () => {
    expect(stageFor('APPROVED', 'none')).toBe('ordered');
    expect(stageFor('DELIVERED', 'received')).toBe('received');
    expect(stageFor('CANCELLED', 'ordered')).toBe('closed');
    expect(stageMovements('none', 'ordered', shipped)).toEqual([
      { itemId: 'syrup-cherry', type: 'ordered', quantity: 8 },
      { itemId: 'cup-24oz', type: 'ordered', quantity: 4 },
    ]);
    expect(stageMovements('none', 'shipped', shipped).map((m) => m.type)).toEqual(['ordered', 'ordered', 'shipped', 'shipped']);
    expect(stageMovements('ordered', 'closed', shipped).map((m) => m.type)).toEqual(['order_cancelled', 'order_cancelled']);
    expect(stageMovements('shipped', 'ordered', shipped).map((m) => m.type)).toEqual(['transit_loss', 'transit_loss', 'ordered', 'ordered']);
    expect(stageMovements('none', 'closed', shipped)).toEqual([]);
  });
});
