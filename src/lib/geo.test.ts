import { describe, expect, it } from 'vitest';
import { EARTH_RADIUS_MILES, haversineMiles, isValidLatLon } from './geo.js';

const logan = { lat: 41.737, lon: -111.8338 };
const boise = { lat: 43.615, lon: -116.2023 };
const chicago = { lat: 41.8781, lon: -87.6298 };

const expectWithinPercent = (actual: number, expected: number, percent: number): void => {
  expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(percent / 100);
};

describe('haversineMiles', () => {
  it('puts Logan about 257 miles from Boise', () => {
    expectWithinPercent(haversineMiles(logan, boise), 257, 1);
  });

  it('puts Logan about 1242 miles from Chicago', () => {
    expectWithinPercent(haversineMiles(logan, chicago), 1242, 1);
  });

  it('is zero from a point to itself', () => {
    expect(haversineMiles(logan, logan)).toBe(0);
  });

  it('is the same in both directions', () => {
    expect(haversineMiles(boise, chicago)).toBeCloseTo(haversineMiles(chicago, boise), 9);
  });

  it('gives one degree of latitude as about 69.1 miles', () => {
    expect(haversineMiles({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(69.09, 1);
  });

  it('gives half the circumference for antipodal points instead of NaN', () => {
    const d = haversineMiles({ lat: 0, lon: 0 }, { lat: 0, lon: 180 });
    expect(d).toBeCloseTo(Math.PI * EARTH_RADIUS_MILES, 6);
    // These two round the haversine term a hair above 1 (1.0000000000000002).
    const rounded = haversineMiles({ lat: -88.2, lon: 0 }, { lat: 88.2, lon: -180 });
    expect(rounded).toBeCloseTo(Math.PI * EARTH_RADIUS_MILES, 6);
  });

  it('handles crossing the antimeridian by the short way', () => {
    const d = haversineMiles({ lat: 0, lon: 179.5 }, { lat: 0, lon: -179.5 });
    expect(d).toBeCloseTo(69.09, 1);
  });
});

describe('isValidLatLon', () => {
  it('accepts real coordinates and the extreme edges', () => {
    expect(isValidLatLon(logan)).toBe(true);
    expect(isValidLatLon({ lat: 90, lon: 180 })).toBe(true);
    expect(isValidLatLon({ lat: -90, lon: -180 })).toBe(true);
  });

  it('rejects latitudes and longitudes out of range', () => {
    expect(isValidLatLon({ lat: 90.0001, lon: 0 })).toBe(false);
    expect(isValidLatLon({ lat: -91, lon: 0 })).toBe(false);
    expect(isValidLatLon({ lat: 0, lon: 180.5 })).toBe(false);
    expect(isValidLatLon({ lat: 0, lon: -181 })).toBe(false);
  });

  it('rejects NaN and infinities', () => {
    expect(isValidLatLon({ lat: Number.NaN, lon: 0 })).toBe(false);
    expect(isValidLatLon({ lat: 0, lon: Number.POSITIVE_INFINITY })).toBe(false);
  });
});
