import { describe, expect, it } from 'vitest';
import { byUrgencyThenAge, isOverdue, mayMove, partialLines, SUPPLY_TRANSITIONS, supplyStatuses, type SupplyStatus, type Urgency } from './model.js';

describe('supply request rules', () => {
  it('allows exactly the moves of the state machine', () => {
    const allowed = new Set(['PENDING>APPROVED', 'PENDING>DENIED', 'PENDING>CANCELLED', 'APPROVED>IN_TRANSIT', 'APPROVED>CANCELLED', 'IN_TRANSIT>DELIVERED']);
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
