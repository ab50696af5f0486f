// The "golden window" (domain notes §4.2): start pouring just as the
// customer comes within the distance they cover while the drink is made, so
// it is fresh when they arrive. Pure arithmetic; the route supplies the
// distance from the store and the drinks.
import { haversineMiles, type LatLon } from '../../lib/geo.js';

export type Complexity = 'simple' | 'medium' | 'complex';

/** Minutes the machine needs per complexity. */
export const prepMinutesOf: Record<Complexity, number> = { simple: 2, medium: 3, complex: 5 };

/** City driving, the domain's assumption when the phone reports no speed. */
export const DEFAULT_SPEED_MPH = 30;

/**
 * One drink of at most 3 components is simple; up to 2 drinks with at most 6
 * components in all is medium; anything more is complex. Components are the
 * flavours a drink is made of (syrups, sodas, add-ins), not its cup or ice.
 */
export function complexityOf(drinkCount: number, componentCount: number): Complexity {
  if (drinkCount <= 1 && componentCount <= 3) return 'simple';
  if (drinkCount <= 2 && componentCount <= 6) return 'medium';
  return 'complex';
}

export interface GoldenWindow {
  distanceMiles: number;
  speedMph: number;
  complexity: Complexity;
  prepMinutes: number;
  /** How far away the customer is when the pour should start. */
  windowDistanceMiles: number;
  /** Already inside the window: start now. */
  startNow: boolean;
  /** Minutes until the customer enters the window (0 when startNow). */
  startInMinutes: number;
  arrivalMinutes: number;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The window for a customer `distanceMiles` away moving at `speedMph` (> 0). */
export function goldenWindow(distanceMiles: number, complexity: Complexity, speedMph = DEFAULT_SPEED_MPH): GoldenWindow {
  if (!(speedMph > 0) || !Number.isFinite(speedMph)) throw new RangeError('speed must be a positive number of mph');
  if (!(distanceMiles >= 0) || !Number.isFinite(distanceMiles)) throw new RangeError('distance must be a non-negative number of miles');
  const prepMinutes = prepMinutesOf[complexity];
  const windowDistanceMiles = (speedMph / 60) * prepMinutes;
  const startNow = distanceMiles <= windowDistanceMiles;
  const minutesPerMile = 60 / speedMph;
  return {
    distanceMiles: round(distanceMiles, 2),
    speedMph,
    complexity,
    prepMinutes,
    windowDistanceMiles: round(windowDistanceMiles, 2),
    startNow,
    startInMinutes: startNow ? 0 : round((distanceMiles - windowDistanceMiles) * minutesPerMile, 1),
    arrivalMinutes: round(distanceMiles * minutesPerMile, 1),
  };
}

export function goldenWindowFrom(customer: LatLon, store: LatLon, complexity: Complexity, speedMph?: number): GoldenWindow {
  return goldenWindow(haversineMiles(customer, store), complexity, speedMph);
}
