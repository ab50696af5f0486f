import { describe, expect, it } from 'vitest';
import { nextStore, orderable, shouldFailOver, type StoreChoice } from './failover';

const store = (storeId: string, distanceMiles: number, extra: Partial<StoreChoice> = {}): StoreChoice => ({
  storeId,
  name: storeId,
  apiBaseUrl: `http://${storeId}`,
  distanceMiles,
  healthy: true,
  isOpen: true,
  acceptingOrders: true,
  ...extra,
});

describe('choosing the store to fail over to', () => {
  it('takes the nearest store that is healthy, open and taking orders, skipping those that failed', () => {
    const stores = [store('far', 9), store('near', 1), store('closed', 0.5, { isOpen: false }), store('down', 0.7, { healthy: false }), store('off', 0.2, { acceptingOrders: false }), store('mid', 3)];
    expect(nextStore(stores, new Set())?.storeId).toBe('near');
    expect(nextStore(stores, new Set(['near']))?.storeId).toBe('mid');
    expect(nextStore(stores, new Set(['near', 'mid', 'far']))).toBeUndefined();
  });

  it('counts a store whose health is not known yet as orderable, one without an address as not', () => {
    expect(orderable(store('a', 1, { healthy: null }))).toBe(true);
    expect(orderable(store('b', 1, { apiBaseUrl: '' }))).toBe(false);
  });

  it('fails over when the store does not answer or will not take orders, never on a problem with the order itself', () => {
    expect(shouldFailOver({ status: 0, code: 'unreachable' })).toBe(true);
    expect(shouldFailOver({ status: 503, code: 'unavailable' })).toBe(true);
    expect(shouldFailOver({ status: 409, code: 'store_not_accepting_orders' })).toBe(true);
    expect(shouldFailOver({ status: 409, code: 'store_closed' })).toBe(true);
    expect(shouldFailOver({ status: 409, code: 'insufficient_stock' })).toBe(false);
    expect(shouldFailOver({ status: 400, code: 'invalid_request' })).toBe(false);
    expect(shouldFailOver({ status: 402, code: 'payment_declined' })).toBe(false);
  });
});
