// The replicated record of a delivery, on the region's topic. The hub owns
// it; each store on its stops keeps a copy (the store's tracker). The newest
// hlc wins, as for requests.
import { lt } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import type { ReplicatedEvent } from '../../core/context.js';
import type { DeliveryStatus } from './delivery-model.js';
import { supplyDeliveries } from './schema.js';

export const SUPPLY_DELIVERY_SET = 'supply.delivery.set';

export interface DeliveryStop {
  storeId: string;
  /** The store's region: a stop outside the hub's region (a covered request) sends the delivery on the global topic. */
  region?: string | undefined;
  name: string;
  lat: number;
  lon: number;
  requestIds: string[];
}

export interface DeliveryRoute {
  miles: number;
  minutes: number;
  /** The stops in the order the requests were given: the saving is measured against it. */
  givenOrderMiles: number;
  nearestNeighbourMiles: number;
  averageSpeedMph: number;
  method: string;
}

export interface DeliveryRecord {
  deliveryId: string;
  hubId: string;
  region: string;
  status: DeliveryStatus;
  driver: string | null;
  vehicle: string | null;
  scheduledDate: string;
  start: { lat: number; lon: number };
  stops: DeliveryStop[];
  route: DeliveryRoute;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  dispatchedAt: string | null;
  closedAt: string | null;
  failureReason: string | null;
}

export function deliveryOf(row: typeof supplyDeliveries.$inferSelect): DeliveryRecord {
  return {
    deliveryId: row.deliveryId,
    hubId: row.hubId,
    region: row.region,
    status: row.status as DeliveryStatus,
    driver: row.driver,
    vehicle: row.vehicle,
    scheduledDate: row.scheduledDate,
    start: { lat: row.startLat, lon: row.startLon },
    stops: row.stops as DeliveryStop[],
    route: row.route as DeliveryRoute,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    dispatchedAt: row.dispatchedAt?.toISOString() ?? null,
    closedAt: row.closedAt?.toISOString() ?? null,
    failureReason: row.failureReason,
  };
}

/** The hub's newest word on a delivery, kept by the hub and by the stores it stops at. */
export async function applyDeliverySet(tx: Tx, event: Pick<ReplicatedEvent, 'hlc' | 'payload'>, keeps: (d: DeliveryRecord) => boolean): Promise<void> {
  const d = event.payload as DeliveryRecord;
  if (!keeps(d)) return;
  const row: typeof supplyDeliveries.$inferInsert = {
    deliveryId: d.deliveryId,
    hubId: d.hubId,
    region: d.region,
    status: d.status,
    driver: d.driver,
    vehicle: d.vehicle,
    scheduledDate: d.scheduledDate,
    stops: d.stops,
    startLat: d.start.lat,
    startLon: d.start.lon,
    route: d.route,
    createdBy: d.createdBy,
    createdAt: new Date(d.createdAt),
    updatedAt: new Date(d.updatedAt),
    dispatchedAt: d.dispatchedAt ? new Date(d.dispatchedAt) : null,
    closedAt: d.closedAt ? new Date(d.closedAt) : null,
    failureReason: d.failureReason,
    hlc: event.hlc,
  };
  await tx
    .insert(supplyDeliveries)
    .values(row)
    .onConflictDoUpdate({ target: supplyDeliveries.deliveryId, set: { ...row, deliveryId: undefined }, setWhere: lt(supplyDeliveries.hlc, event.hlc) });
}
