import { describe, expect, it } from 'vitest';
import type { Tx } from '../../db/database.js';
import { haversineMiles } from '../../lib/geo.js';
import { standardHours } from '../../lib/hours.js';
import { prng } from '../../lib/prng.js';
import { storeSetApplier, StoreRecordRefused } from './events.js';
import { waitMinutesFor, type StoreRecord } from './model.js';
import { StoreIndex } from './store-index.js';

function store(storeId: string, lat: number | null, lon: number | null, isOperational = true): StoreRecord {
  return {
    storeId,
    storeNumber: null,
    name: storeId,
    region: 'C',
    address: null,
    phone: null,
    email: null,
    lat,
    lon,
    timeZone: 'America/Denver',
    weeklyHours: standardHours(),
    isOperational,
    isAcceptingOrders: true,
    apiBaseUrl: null,
    waitMinutes: 5,
    updatedAt: '',
  };
}

describe('the spatial index', () => {
  it('finds the same nearest stores as sorting every store by great-circle distance', () => {
    const random = prng(7);
    const records = Array.from({ length: 2000 }, (_, i) => store(`s${i}`, 25 + random() * 24, -124 + random() * 57));
    const index = StoreIndex.build(records);
    for (let q = 0; q < 50; q++) {
      const here = { lat: 25 + random() * 24, lon: -124 + random() * 57 };
      const got = index.nearest(here.lat, here.lon, 300, 8).map((h) => h.record.storeId);
      const want = records
        .map((r) => ({ id: r.storeId, d: haversineMiles(here, { lat: r.lat!, lon: r.lon! }) }))
        .filter((r) => r.d <= 300)
        .sort((a, b) => a.d - b.d)
        .slice(0, 8)
        .map((r) => r.id);
      expect(got).toEqual(want);
    }
  });

  it('skips stores that are not operational and stores with no position', () => {
    const index = StoreIndex.build([store('a', 41.7, -111.8, false), store('b', 41.8, -111.8), store('c', null, null)]);
    expect(index.size).toBe(2);
    expect(index.nearest(41.7, -111.8, 50, 10).map((h) => h.record.storeId)).toEqual(['b']);
  });

  it('takes a change in place unless the store moved or is new', () => {
    const index = StoreIndex.build([store('a', 41.7, -111.8)]);
    expect(index.replace({ ...store('a', 41.7, -111.8), isOperational: false })).toBe(true);
    expect(index.nearest(41.7, -111.8, 50, 10)).toEqual([]);
    expect(index.replace(store('a', 42, -111.8))).toBe(false);
    expect(index.replace(store('new', 42, -111.8))).toBe(false);
    expect(index.replace(store('nowhere', null, null))).toBe(true);
    expect(StoreIndex.build([]).nearest(0, 0, 100, 5)).toEqual([]);
  });
});

describe('who may publish a store’s record', () => {
  const apply = storeSetApplier({ mayPublish: (origin, storeId) => origin === storeId || origin === 'hub-1', changed: () => undefined });
  const event = (origin: string, payload: unknown) => ({ origin, topic: 'global', seq: 1, hlc: '0', type: 'store.set', payload });

  it('refuses a record of store B published by store A, before touching the database', async () => {
    await expect(apply({} as Tx, event('store-a', { storeId: 'store-b', fields: { isOperational: false } }))).rejects.toBeInstanceOf(StoreRecordRefused);
  });

  it('refuses a malformed record', async () => {
    await expect(apply({} as Tx, event('store-b', { storeId: 'store-b', fields: { lat: 'north' } }))).rejects.toBeInstanceOf(StoreRecordRefused);
  });
});

describe('the wait estimate', () => {
  it('is 2 minutes per open order, never under 5', () => {
    expect([0, 1, 2, 3, 10, -1].map(waitMinutesFor)).toEqual([5, 5, 5, 6, 20, 5]);
  });
});
