// A nearest-stores answer as a client reads it: distance in miles, open now
// in the store's own time zone, health as this node sees it, the wait. Pure,
// so the service and the benchmark shape answers the same way.
import { isOpenAt } from '../../lib/hours.js';
import type { StoreRecord } from './model.js';
import type { NearbyHit } from './store-index.js';

export interface NearbyStore {
  storeId: string;
  name: string;
  distanceMiles: number;
  isOpen: boolean;
  apiBaseUrl: string | null;
  /** As this node's failure detector sees it; null when this node does not watch that store. */
  healthy: boolean | null;
  waitMinutes: number;
  acceptingOrders: boolean;
  region: string;
  address: StoreRecord['address'];
}

export function nearbyItems(
  hits: readonly NearbyHit[],
  now: number,
  view: { healthOf(storeId: string): boolean | null; waitOf(record: StoreRecord): number },
): NearbyStore[] {
  return hits.map(({ record: r, distanceMiles }) => ({
    storeId: r.storeId,
    name: r.name,
    distanceMiles: Math.round(distanceMiles * 100) / 100,
    isOpen: isOpenAt(r.weeklyHours, r.timeZone, now),
    apiBaseUrl: r.apiBaseUrl,
    healthy: view.healthOf(r.storeId),
    waitMinutes: view.waitOf(r),
    acceptingOrders: r.isAcceptingOrders,
    region: r.region,
    address: r.address,
  }));
}
