// Places a customer may type when the browser does not share its location:
// a few dozen US cities (approximate city-centre coordinates), or "lat, lon".
const PLACES: readonly [name: string, lat: number, lon: number][] = [
  ['Logan, UT', 41.737, -111.834], ['Salt Lake City, UT', 40.761, -111.891], ['Ogden, UT', 41.223, -111.974], ['Provo, UT', 40.234, -111.659],
  ['Boise, ID', 43.615, -116.202], ['Chicago, IL', 41.878, -87.63], ['Evanston, IL', 42.046, -87.682], ['Newark, NJ', 40.736, -74.172],
  ['Jersey City, NJ', 40.718, -74.043], ['New York, NY', 40.713, -74.006], ['Dallas, TX', 32.777, -96.797], ['Fort Worth, TX', 32.755, -97.331],
  ['Houston, TX', 29.76, -95.37], ['Austin, TX', 30.267, -97.743], ['Atlanta, GA', 33.749, -84.388], ['Phoenix, AZ', 33.448, -112.074],
  ['Tucson, AZ', 32.222, -110.975], ['Denver, CO', 39.739, -104.99], ['Las Vegas, NV', 36.17, -115.14], ['Los Angeles, CA', 34.052, -118.244],
  ['San Francisco, CA', 37.775, -122.419], ['Seattle, WA', 47.606, -122.332], ['Portland, OR', 45.515, -122.679], ['Minneapolis, MN', 44.978, -93.265],
  ['Kansas City, MO', 39.1, -94.579], ['St. Louis, MO', 38.627, -90.199], ['Nashville, TN', 36.163, -86.781], ['Miami, FL', 25.762, -80.192],
  ['Orlando, FL', 28.538, -81.379], ['Charlotte, NC', 35.227, -80.843], ['Boston, MA', 42.36, -71.059], ['Philadelphia, PA', 39.953, -75.165],
];

export interface Place {
  label: string;
  lat: number;
  lon: number;
}

/** A typed place: "lat, lon", or the first city whose name starts with (then contains) the text. */
export function findPlace(text: string): Place | undefined {
  const t = text.trim();
  const coords = /^(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)$/.exec(t);
  if (coords) {
    const lat = Number(coords[1]);
    const lon = Number(coords[2]);
    if (Math.abs(lat) <= 90 && Math.abs(lon) <= 180) return { label: `${lat}, ${lon}`, lat, lon };
    return undefined;
  }
  const q = t.toLowerCase();
  if (q.length < 2) return undefined;
  const hit = PLACES.find(([n]) => n.toLowerCase().startsWith(q)) ?? PLACES.find(([n]) => n.toLowerCase().includes(q));
  return hit ? { label: hit[0], lat: hit[1], lon: hit[2] } : undefined;
}

export const placeNames = (): string[] => PLACES.map(([n]) => n);
