// The network's seven regions (domain notes §1.1, with the demo's repairs:
// region G is Boise, region B is named for New York and its Newark hub).
// This table is the one source: every node and `codepop demo` read it.

export interface Region {
  readonly code: string;
  readonly name: string;
  readonly centre: { readonly lat: number; readonly lon: number };
  readonly radiusMiles: number;
  /** IANA zone. */
  readonly timeZone: string;
}

export const regions: readonly Region[] = [
  { code: 'A', name: 'Chicago, IL', centre: { lat: 41.8781, lon: -87.6298 }, radiusMiles: 200, timeZone: 'America/Chicago' },
  { code: 'B', name: 'New York–New Jersey', centre: { lat: 40.7128, lon: -74.006 }, radiusMiles: 150, timeZone: 'America/New_York' },
  { code: 'C', name: 'Logan, UT', centre: { lat: 41.737, lon: -111.8338 }, radiusMiles: 100, timeZone: 'America/Denver' },
  { code: 'D', name: 'Dallas, TX', centre: { lat: 32.7767, lon: -96.797 }, radiusMiles: 250, timeZone: 'America/Chicago' },
  { code: 'E', name: 'Atlanta, GA', centre: { lat: 33.749, lon: -84.388 }, radiusMiles: 200, timeZone: 'America/New_York' },
  { code: 'F', name: 'Phoenix, AZ', centre: { lat: 33.4484, lon: -112.074 }, radiusMiles: 180, timeZone: 'America/Phoenix' },
  // America/Boise is southern Idaho's own IANA zone; it keeps Mountain Time like America/Denver.
  { code: 'G', name: 'Boise, ID', centre: { lat: 43.615, lon: -116.2023 }, radiusMiles: 120, timeZone: 'America/Boise' },
];

/** A store's time zone until its manager sets one: its region's, or UTC for a region not in the table. */
export function regionTimeZone(code: string): string {
  return regions.find((r) => r.code === code)?.timeZone ?? 'UTC';
}
