import { describe, expect, it } from 'vitest';
import { haversineMiles, isValidLatLon } from '../lib/geo.js';
import { demoHubs, demoRegions, demoStores, type DemoStore } from './demo-network.js';

const codes = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];

const regionOf = (code: string) => {
  const region = demoRegions.find((r) => r.code === code);
  if (region === undefined) throw new Error(`no region ${code}`);
  return region;
};

const countByRegion = (stores: DemoStore[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const s of stores) counts[s.region] = (counts[s.region] ?? 0) + 1;
  return counts;
};

const isValidTimeZone = (timeZone: string): boolean => {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return true;
  } catch {
    return false;
  }
};

describe('demo regions and hubs', () => {
  it('has seven regions, A to G, each once', () => {
    expect(demoRegions.map((r) => r.code)).toEqual(codes);
  });

  it('has one hub per region', () => {
    expect(demoHubs.map((h) => h.region)).toEqual(codes);
  });

  it('puts region G and its hub in Boise, Idaho, not Seattle', () => {
    expect(regionOf('G').name).toBe('Boise, ID');
    expect(regionOf('G').centre).toEqual({ lat: 43.615, lon: -116.2023 });
    const g = demoHubs.find((h) => h.region === 'G');
    expect(g).toMatchObject({ city: 'Boise', state: 'ID', zip: '83702' });
    expect(JSON.stringify([demoRegions, demoHubs, demoStores()])).not.toMatch(/seattle/i);
  });

  it('gives every hub a 1000-mile service radius', () => {
    for (const h of demoHubs) expect(h.serviceRadiusMiles).toBe(1000);
  });

  it('places every hub inside its own region', () => {
    for (const h of demoHubs) {
      const region = regionOf(h.region);
      expect(haversineMiles(region.centre, h), h.name).toBeLessThanOrEqual(region.radiusMiles);
    }
  });

  it('gives every region a valid IANA time zone', () => {
    for (const r of demoRegions) expect(isValidTimeZone(r.timeZone), r.timeZone).toBe(true);
  });

  it('puts only Phoenix and Boise hubs within 1000 miles of Logan, as the original data computed', () => {
    const logan = regionOf('C').centre;
    const near = demoHubs
      .filter((h) => h.region !== 'C' && haversineMiles(logan, h) <= 1000)
      .map((h) => h.region);
    expect(near).toEqual(['F', 'G']);
  });
});

describe('demoStores', () => {
  const stores = demoStores();

  it('has 44 stores by default: 20 in C, 5 each in B, D, E, and 3 each in A, F, G', () => {
    expect(stores).toHaveLength(44);
    expect(countByRegion(stores)).toEqual({ A: 3, B: 5, C: 20, D: 5, E: 5, F: 3, G: 3 });
  });

  it('has at least three stores in every region', () => {
    const counts = countByRegion(stores);
    for (const code of codes) expect(counts[code] ?? 0, code).toBeGreaterThanOrEqual(3);
  });

  it('numbers region C stores LOGAN-001 to LOGAN-020 in the original order', () => {
    const c = stores.filter((s) => s.region === 'C');
    expect(c.map((s) => s.storeNumber)).toEqual(
      Array.from({ length: 20 }, (_, i) => `LOGAN-${String(i + 1).padStart(3, '0')}`),
    );
    expect(c[0]).toMatchObject({ name: 'Logan Main Street', lat: 41.737, lon: -111.8338 });
    expect(c[9]).toMatchObject({ name: 'River Heights', street: '500 E 500 S' });
    expect(c[19]).toMatchObject({ name: 'Cornish', lat: 41.967, lon: -111.955 });
    expect(c[4]).toMatchObject({ phone: '435-555-1005', email: 'logan5@codepop.com' });
  });

  it('keeps the original coordinates of the B, D and E stores', () => {
    const byNumber = new Map(stores.map((s) => [s.storeNumber, s]));
    expect(byNumber.get('B-001')).toMatchObject({ name: 'Newark Downtown', lat: 40.7357, lon: -74.1724 });
    expect(byNumber.get('B-005')).toMatchObject({ name: 'Elizabeth', lat: 40.6639, lon: -74.2107 });
    expect(byNumber.get('D-002')).toMatchObject({ name: 'Fort Worth', lat: 32.7555, lon: -97.3308 });
    expect(byNumber.get('E-004')).toMatchObject({ name: 'Roswell', lat: 34.0232, lon: -84.3616 });
  });

  it('gives A, F and G stores real nearby towns', () => {
    const names = (code: string) => stores.filter((s) => s.region === code).map((s) => s.city);
    expect(names('A')).toEqual(['Chicago', 'Evanston', 'Oak Park']);
    expect(names('F')).toEqual(['Tempe', 'Mesa', 'Scottsdale']);
    expect(names('G')).toEqual(['Meridian', 'Nampa', 'Eagle']);
  });

  it('places every store within its region radius of the region centre', () => {
    for (const s of stores) {
      const region = regionOf(s.region);
      expect(isValidLatLon(s), s.storeNumber).toBe(true);
      expect(haversineMiles(region.centre, s), s.storeNumber).toBeLessThanOrEqual(region.radiusMiles);
    }
  });

  it('gives every store a unique store number, phone and email', () => {
    for (const key of ['storeNumber', 'phone', 'email'] as const) {
      expect(new Set(stores.map((s) => s[key])).size, key).toBe(stores.length);
    }
  });

  it('gives every store a valid IANA time zone matching its state', () => {
    const expected: Record<string, string> = {
      IL: 'America/Chicago',
      NJ: 'America/New_York',
      UT: 'America/Denver',
      TX: 'America/Chicago',
      GA: 'America/New_York',
      AZ: 'America/Phoenix',
      ID: 'America/Boise',
    };
    for (const s of stores) {
      expect(isValidTimeZone(s.timeZone), s.timeZone).toBe(true);
      expect(s.timeZone, s.storeNumber).toBe(expected[s.state]);
    }
  });

  it('gives every store the region C hours every day of the week', () => {
    for (const s of stores) {
      expect(s.hours, s.storeNumber).toEqual({
        mon: { open: '06:00', close: '22:00' },
        tue: { open: '06:00', close: '22:00' },
        wed: { open: '06:00', close: '22:00' },
        thu: { open: '06:00', close: '22:00' },
        fri: { open: '06:00', close: '23:00' },
        sat: { open: '07:00', close: '23:00' },
        sun: { open: '08:00', close: '20:00' },
      });
    }
  });

  it('gives every store a real-looking address: 5-digit zip that is not 00000, a phone, a state', () => {
    for (const s of stores) {
      expect(s.zip, s.storeNumber).toMatch(/^\d{5}$/);
      expect(s.zip, s.storeNumber).not.toBe('00000');
      expect(s.phone, s.storeNumber).toMatch(/^\d{3}-555-\d{4}$/);
      expect(s.email, s.storeNumber).toMatch(/^[a-z0-9-]+@codepop\.com$/);
      expect(s.state, s.storeNumber).toMatch(/^[A-Z]{2}$/);
      expect(s.street.length, s.storeNumber).toBeGreaterThan(0);
    }
    // The original data put all 20 Cache Valley towns at "Logan 84321".
    expect(stores.find((s) => s.name === 'Smithfield')).toMatchObject({ city: 'Smithfield', zip: '84335' });
  });

  it('gives one store per region with perRegion = 1', () => {
    const one = demoStores(1);
    expect(one).toHaveLength(7);
    expect(one.map((s) => s.region)).toEqual(codes);
    expect(one.find((s) => s.region === 'C')?.storeNumber).toBe('LOGAN-001');
  });

  it('caps each region at its own count when perRegion is larger', () => {
    expect(countByRegion(demoStores(4))).toEqual({ A: 3, B: 4, C: 4, D: 4, E: 4, F: 3, G: 3 });
    expect(demoStores(100)).toHaveLength(44);
    expect(demoStores(0)).toEqual([]);
  });

  it('refuses a negative or fractional perRegion', () => {
    expect(() => demoStores(-1)).toThrow(RangeError);
    expect(() => demoStores(1.5)).toThrow(RangeError);
  });

  it('returns fresh objects, so one caller cannot change another caller’s stores', () => {
    const first = demoStores(1);
    const hours = first[0]?.hours;
    if (hours) hours.mon = null;
    expect(demoStores(1)[0]?.hours.mon).toEqual({ open: '06:00', close: '22:00' });
  });
});
