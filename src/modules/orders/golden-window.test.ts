import { describe, expect, it } from 'vitest';
import { complexityOf, goldenWindow, goldenWindowFrom } from './golden-window.js';

describe('golden window', () => {
  it('matches the domain example: 5 mi at 30 mph with a medium drink → window 1.5 mi, arrival 10 min', () => {
    const w = goldenWindow(5, 'medium', 30);
    expect(w).toMatchObject({ prepMinutes: 3, windowDistanceMiles: 1.5, arrivalMinutes: 10, startNow: false, startInMinutes: 7 });
  });

  it('assumes 30 mph when no speed is given', () => {
    expect(goldenWindow(5, 'medium').arrivalMinutes).toBe(10);
  });

  it('starts now once the customer is inside the window', () => {
    expect(goldenWindow(1.5, 'medium', 30)).toMatchObject({ startNow: true, startInMinutes: 0, arrivalMinutes: 3 });
    expect(goldenWindow(0, 'complex', 3)).toMatchObject({ startNow: true, arrivalMinutes: 0 });
  });

  it('uses 2, 3 and 5 minutes for simple, medium and complex orders', () => {
    expect(goldenWindow(10, 'simple', 60).windowDistanceMiles).toBe(2);
    expect(goldenWindow(10, 'complex', 60).windowDistanceMiles).toBe(5);
  });

  it('classifies complexity by drinks and components', () => {
    expect(complexityOf(1, 3)).toBe('simple');
    expect(complexityOf(1, 4)).toBe('medium');
    expect(complexityOf(2, 6)).toBe('medium');
    expect(complexityOf(2, 7)).toBe('complex');
    expect(complexityOf(3, 3)).toBe('complex');
  });

  it('measures the distance on the globe: 0.073° of latitude is about 5 miles', () => {
    const w = goldenWindowFrom({ lat: 41.737 + 0.073, lon: -111.8338 }, { lat: 41.737, lon: -111.8338 }, 'medium');
    expect(w.distanceMiles).toBeCloseTo(5.04, 1);
    expect(w.windowDistanceMiles).toBe(1.5);
    expect(w.arrivalMinutes).toBeCloseTo(10, 0);
  });

  it('refuses a speed that is not positive', () => {
    expect(() => goldenWindow(5, 'medium', 0)).toThrow(RangeError);
    expect(() => goldenWindow(5, 'medium', Number.NaN)).toThrow(RangeError);
  });
});
