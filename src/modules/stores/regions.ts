// The network's seven regions (domain notes §1.1, with the demo's repairs).
// The demo network's table is the one source, so `codepop demo` and every
// node agree on names, centres, radii and time zones.
import { demoRegions } from '../../cli/demo-network.js';

export interface Region {
  code: string;
  name: string;
  centre: { lat: number; lon: number };
  radiusMiles: number;
  timeZone: string;
}

export const regions: readonly Region[] = demoRegions.map((r) => ({
  code: r.code,
  name: r.name,
  centre: { lat: r.centre.lat, lon: r.centre.lon },
  radiusMiles: r.radiusMiles,
  timeZone: r.timeZone,
}));

/** A store's time zone until its manager sets one: its region's, or UTC for a region not in the table. */
export function regionTimeZone(code: string): string {
  return regions.find((r) => r.code === code)?.timeZone ?? 'UTC';
}
