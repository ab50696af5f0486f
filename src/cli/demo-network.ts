// The demo network `codepop demo` starts: 7 regions, their supply hubs and
// stores, from the CodePop Phase 6 test data (domain notes §1.1–1.3), with the
// faults listed in §12 item 27 repaired:
// - region G is Boise, ID (the original implementation said Seattle);
// - regions A, F and G had no stores, so each gets three real nearby towns;
// - only region C had hours, so every store gets region C's hours;
// - region B/D/E stores had zip 00000 and region C stores all claimed Logan
//   84321, so every store gets its real town, state and zip;
// - region B was named "New Jersey, NY"; its centre is New York City and its
//   hub Newark, so it is named for both.
// Pure data: no I/O.
import { standardHours, type WeeklyHours } from '../lib/hours.js';
import { regions, type Region } from '../modules/stores/index.js';

export type RegionCode = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G';

export type { DayOfWeek, WeeklyHours } from '../lib/hours.js';

export type DemoRegion = Region;

export interface DemoHub {
  readonly region: RegionCode;
  readonly name: string;
  readonly street: string;
  readonly city: string;
  readonly state: string;
  readonly zip: string;
  readonly phone: string;
  readonly email: string;
  readonly lat: number;
  readonly lon: number;
  /** How far the hub delivers (miles). */
  readonly serviceRadiusMiles: number;
}

export interface DemoStore {
  readonly region: RegionCode;
  readonly storeNumber: string;
  readonly name: string;
  readonly street: string;
  readonly city: string;
  readonly state: string;
  readonly zip: string;
  readonly phone: string;
  readonly email: string;
  readonly lat: number;
  readonly lon: number;
  /** IANA zone. */
  readonly timeZone: string;
  readonly hours: WeeklyHours;
}

export const demoRegions: readonly DemoRegion[] = regions;

const HUB_SERVICE_RADIUS_MILES = 1000;

export const demoHubs: readonly DemoHub[] = [
  hub('A', 'Chicago Supply Hub', '123 Industrial Pkwy', 'Chicago', 'IL', '60601', '312-555-0001', 'chicago@codepop.com', 41.8781, -87.6298),
  hub('B', 'New Jersey Supply Hub', '456 Commerce Blvd', 'Newark', 'NJ', '07102', '973-555-0002', 'newjersey@codepop.com', 40.7357, -74.1724),
  hub('C', 'Logan UT Supply Hub', '789 Distribution Way', 'Logan', 'UT', '84321', '435-555-0003', 'logan@codepop.com', 41.737, -111.8338),
  hub('D', 'Dallas Supply Hub', '321 Logistics Dr', 'Dallas', 'TX', '75201', '214-555-0004', 'dallas@codepop.com', 32.7767, -96.797),
  hub('E', 'Atlanta Supply Hub', '654 Warehouse Rd', 'Atlanta', 'GA', '30303', '404-555-0005', 'atlanta@codepop.com', 33.749, -84.388),
  hub('F', 'Phoenix Supply Hub', '987 Supply Center Ave', 'Phoenix', 'AZ', '85001', '602-555-0006', 'phoenix@codepop.com', 33.4484, -112.074),
  hub('G', 'Boise Supply Hub', '147 Depot St', 'Boise', 'ID', '83702', '208-555-0007', 'boise@codepop.com', 43.615, -116.2023),
];

function hub(
  region: RegionCode,
  name: string,
  street: string,
  city: string,
  state: string,
  zip: string,
  phone: string,
  email: string,
  lat: number,
  lon: number,
): DemoHub {
  return { region, name, street, city, state, zip, phone, email, lat, lon, serviceRadiusMiles: HUB_SERVICE_RADIUS_MILES };
}

/** [name, street, city, zip, phone area code, lat, lon] */
type StoreSeed = readonly [string, string, string, string, string, number, number];

interface RegionStores {
  readonly region: RegionCode;
  readonly state: string;
  /** First phone line number; store i gets base + i. */
  readonly phoneBase: number;
  readonly storeNumber: (i: number) => string;
  readonly email: (i: number, storeNumber: string) => string;
  readonly seeds: readonly StoreSeed[];
}

const pad3 = (i: number): string => String(i).padStart(3, '0');
const lettered = (code: RegionCode) => (i: number): string => `${code}-${pad3(i)}`;
const byStoreNumber = (_i: number, storeNumber: string): string => `${storeNumber.toLowerCase()}@codepop.com`;
// The original data numbered B/D/E streets 100·i on Main St; kept, with real towns and zips.
const mainSt = (i: number): string => `${100 * i} Main St`;

const storeTable: readonly RegionStores[] = [
  {
    region: 'A', state: 'IL', phoneBase: 2000, storeNumber: lettered('A'), email: byStoreNumber,
    seeds: [
      ['Chicago Loop', '20 N State St', 'Chicago', '60602', '312', 41.8826, -87.6278],
      ['Evanston', '1600 Sherman Ave', 'Evanston', '60201', '847', 42.0465, -87.6815],
      ['Oak Park', '1000 Lake St', 'Oak Park', '60301', '708', 41.8885, -87.8],
    ],
  },
  {
    region: 'B', state: 'NJ', phoneBase: 3000, storeNumber: lettered('B'), email: byStoreNumber,
    seeds: [
      ['Newark Downtown', mainSt(1), 'Newark', '07102', '973', 40.7357, -74.1724],
      ['Jersey City', mainSt(2), 'Jersey City', '07302', '201', 40.7178, -74.0431],
      ['Hoboken', mainSt(3), 'Hoboken', '07030', '201', 40.7439, -74.0324],
      ['Paterson', mainSt(4), 'Paterson', '07505', '973', 40.9168, -74.1718],
      ['Elizabeth', mainSt(5), 'Elizabeth', '07201', '908', 40.6639, -74.2107],
    ],
  },
  {
    // Phone 435-555-(1000+i) and email logan{i}@ as in the original data.
    region: 'C', state: 'UT', phoneBase: 1000, storeNumber: (i) => `LOGAN-${pad3(i)}`, email: (i) => `logan${i}@codepop.com`,
    seeds: [
      ['Logan Main Street', '100 N Main St', 'Logan', '84321', '435', 41.737, -111.8338],
      ['Logan University', '800 E 1200 N', 'Logan', '84341', '435', 41.748, -111.81],
      ['Logan West', '1200 W 200 N', 'Logan', '84321', '435', 41.734, -111.86],
      ['Logan South', '600 S Main St', 'Logan', '84321', '435', 41.725, -111.834],
      ['Providence', '50 S Main St', 'Providence', '84332', '435', 41.706, -111.817],
      ['Smithfield', '100 S Main St', 'Smithfield', '84335', '435', 41.839, -111.832],
      ['Hyde Park', '25 Center St', 'Hyde Park', '84318', '435', 41.799, -111.819],
      ['Nibley', '2500 S Main St', 'Nibley', '84321', '435', 41.673, -111.833],
      ['North Logan', '1900 N Main St', 'North Logan', '84341', '435', 41.769, -111.805],
      ['River Heights', '500 E 500 S', 'River Heights', '84321', '435', 41.72, -111.81],
      ['Millville', '50 E Center St', 'Millville', '84326', '435', 41.681, -111.823],
      ['Hyrum', '50 W Main St', 'Hyrum', '84319', '435', 41.634, -111.852],
      ['Wellsville', '100 S Main St', 'Wellsville', '84339', '435', 41.638, -111.933],
      ['Mendon', '25 N Main St', 'Mendon', '84325', '435', 41.714, -111.977],
      ['Lewiston', '50 S Main St', 'Lewiston', '84320', '435', 41.977, -111.856],
      ['Richmond', '100 N State St', 'Richmond', '84333', '435', 41.922, -111.813],
      ['Trenton', '25 E Center St', 'Trenton', '84338', '435', 41.93, -111.933],
      ['Clarkston', '50 S Main St', 'Clarkston', '84305', '435', 41.911, -112.051],
      ['Newton', '100 N Main St', 'Newton', '84327', '435', 41.867, -111.991],
      ['Cornish', '25 Center St', 'Cornish', '84308', '435', 41.967, -111.955],
    ],
  },
  {
    region: 'D', state: 'TX', phoneBase: 4000, storeNumber: lettered('D'), email: byStoreNumber,
    seeds: [
      ['Dallas Downtown', mainSt(1), 'Dallas', '75201', '214', 32.7767, -96.797],
      ['Fort Worth', mainSt(2), 'Fort Worth', '76102', '817', 32.7555, -97.3308],
      ['Arlington', mainSt(3), 'Arlington', '76010', '817', 32.7357, -97.1081],
      ['Plano', mainSt(4), 'Plano', '75074', '972', 33.0198, -96.6989],
      ['Irving', mainSt(5), 'Irving', '75061', '972', 32.814, -96.9489],
    ],
  },
  {
    region: 'E', state: 'GA', phoneBase: 5000, storeNumber: lettered('E'), email: byStoreNumber,
    seeds: [
      ['Atlanta Downtown', mainSt(1), 'Atlanta', '30303', '404', 33.749, -84.388],
      ['Marietta', mainSt(2), 'Marietta', '30060', '770', 33.9526, -84.5499],
      ['Decatur', mainSt(3), 'Decatur', '30030', '404', 33.7748, -84.2963],
      ['Roswell', mainSt(4), 'Roswell', '30075', '770', 34.0232, -84.3616],
      ['Sandy Springs', mainSt(5), 'Sandy Springs', '30328', '404', 33.9304, -84.3733],
    ],
  },
  {
    region: 'F', state: 'AZ', phoneBase: 6000, storeNumber: lettered('F'), email: byStoreNumber,
    seeds: [
      ['Tempe', '600 S Mill Ave', 'Tempe', '85281', '480', 33.4236, -111.94],
      ['Mesa', '100 W Main St', 'Mesa', '85201', '480', 33.4151, -111.834],
      ['Scottsdale', '7000 E Camelback Rd', 'Scottsdale', '85251', '480', 33.502, -111.9295],
    ],
  },
  {
    region: 'G', state: 'ID', phoneBase: 7000, storeNumber: lettered('G'), email: byStoreNumber,
    seeds: [
      ['Meridian', '100 E Fairview Ave', 'Meridian', '83642', '208', 43.6196, -116.39],
      ['Nampa', '1200 1st St S', 'Nampa', '83651', '208', 43.5778, -116.5617],
      ['Eagle', '50 E State St', 'Eagle', '83616', '208', 43.6955, -116.354],
    ],
  },
];

function regionTimeZone(code: RegionCode): string {
  const region = demoRegions.find((r) => r.code === code);
  if (region === undefined) throw new Error(`demo store table names unknown region ${code}`);
  return region.timeZone;
}

/**
 * The demo stores, regions A to G, each region in store-number order. With no
 * argument, all 44; with `perRegion = N`, the first N of every region, so a
 * small demo still has a store in each region. Every call returns fresh
 * objects, so a caller may not corrupt another's data.
 */
export function demoStores(perRegion?: number): DemoStore[] {
  if (perRegion !== undefined && (!Number.isInteger(perRegion) || perRegion < 0)) {
    throw new RangeError(`perRegion must be a whole number >= 0, got ${perRegion}`);
  }
  const stores: DemoStore[] = [];
  for (const table of storeTable) {
    const timeZone = regionTimeZone(table.region);
    const seeds = perRegion === undefined ? table.seeds : table.seeds.slice(0, perRegion);
    seeds.forEach(([name, street, city, zip, areaCode, lat, lon], index) => {
      const i = index + 1;
      const storeNumber = table.storeNumber(i);
      stores.push({
        region: table.region,
        storeNumber,
        name,
        street,
        city,
        state: table.state,
        zip,
        phone: `${areaCode}-555-${table.phoneBase + i}`,
        email: table.email(i, storeNumber),
        lat,
        lon,
        timeZone,
        hours: standardHours(),
      });
    });
  }
  return stores;
}
