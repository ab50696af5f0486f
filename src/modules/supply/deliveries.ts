// Deliveries at a hub: approved requests of a day are put on one truck, the
// stops ordered by the route optimiser (the saving against the order given
// is kept); dispatch takes the stock out of the hub's ledger and puts the
// requests in transit; each store counts its part in (receipt.ts) and the
// delivery completes when every stop has; a failed delivery puts the stock
// back in the hub, held again, and its requests back to APPROVED.
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.js';
import type { ReplicatedEvent, ReplicationApi } from '../../core/context.js';
import { Conflict, NotFound } from '../../http/errors.js';
import type { InventoryService } from '../inventory/index.js';
import { planRoutes } from '../routes/index.js';
import { DELIVERY_TRANSITIONS, mayMoveDelivery, shippedOf, type DeliveryStatus, type ReceiptLine } from './delivery-model.js';
import { applyDeliverySet, deliveryOf, SUPPLY_DELIVERY_SET, type DeliveryRecord, type DeliveryStop } from './delivery-events.js';
import { recordOf, regionTopic, SUPPLY_RECEIVED, type SupplyRecord } from './events.js';
import { supplyDeliveries, supplyRequests } from './schema.js';
import type { SupplyService } from './service.js';

export interface DeliveryDeps {
  db: Db;
  replication: ReplicationApi;
  inventory: InventoryService;
  supply: SupplyService;
  nodeId: string;
  role: 'store' | 'hub';
  region: string;
  position: { lat: number; lon: number };
  now: () => number;
  storeInfo: (storeId: string) => Promise<{ name: string; lat: number; lon: number; region: string } | undefined>;
}

export interface PlanInput {
  requestIds: string[];
  scheduledDate: string;
  driver?: string | undefined;
  vehicle?: string | undefined;
  timeLimitMs: number;
}

const AVERAGE_SPEED_MPH = 45;

export type DeliveryView = DeliveryRecord & {
  allowedNext: DeliveryStatus[];
  savingMiles: number;
  requests: (Pick<SupplyRecord, 'requestId' | 'storeId' | 'status' | 'items' | 'urgency'> & {
    receipt: ReceiptLine[] | null;
    receivedAt: string | null;
    shortUnits: number;
    damagedUnits: number;
  })[];
};

type Emit = Parameters<Parameters<ReplicationApi['transaction']>[0]>[1];

export class DeliveryService {
  constructor(private readonly d: DeliveryDeps) {
    const keeps = (x: DeliveryRecord) => (d.role === 'hub' ? x.hubId === d.nodeId : x.stops.some((s) => s.storeId === d.nodeId));
    d.replication.on(SUPPLY_DELIVERY_SET, (tx, e) => applyDeliverySet(tx, e, keeps));
    if (d.role === 'hub') {
      // A store's count may complete its delivery: settled right after it is applied here (and by a job as a backstop).
      d.replication.afterCommit((events) => {
        if (events.some((e) => e.type === SUPPLY_RECEIVED)) setImmediate(() => void this.settleCompletions().catch(() => undefined));
      });
    }
  }

  private iso(): string {
    return new Date(this.d.now()).toISOString();
  }

  async get(deliveryId: string): Promise<DeliveryView> {
    const rows = await this.d.db.select().from(supplyDeliveries).where(eq(supplyDeliveries.deliveryId, deliveryId));
    if (!rows[0]) throw new NotFound(`No delivery ${deliveryId} here; it is kept by its hub and the stores it stops at.`);
    return (await this.views([deliveryOf(rows[0])]))[0]!;
  }

  async list(q: { hubId?: string | undefined; storeId?: string | undefined; status?: DeliveryStatus | undefined; limit: number }): Promise<DeliveryView[]> {
    const t = supplyDeliveries;
    const where: (SQL | undefined)[] = [
      q.hubId ? eq(t.hubId, q.hubId) : undefined,
      q.storeId ? sql`${t.stops} @> ${JSON.stringify([{ storeId: q.storeId }])}::jsonb` : undefined,
      q.status ? eq(t.status, q.status) : undefined,
    ];
    const rows = await this.d.db.select().from(t).where(and(...where)).orderBy(desc(t.scheduledDate), desc(t.createdAt)).limit(q.limit);
    return this.views(rows.map(deliveryOf));
  }

  private async views(list: DeliveryRecord[]): Promise<DeliveryView[]> {
    const ids = list.map((x) => x.deliveryId);
    const rows = ids.length ? await this.d.db.select().from(supplyRequests).where(inArray(supplyRequests.deliveryId, ids)).orderBy(asc(supplyRequests.createdAt)) : [];
    return list.map((x) => ({
      ...x,
      allowedNext: [...DELIVERY_TRANSITIONS[x.status]].filter((s) => s !== 'COMPLETED'),
      savingMiles: Math.round((x.route.givenOrderMiles - x.route.miles) * 100) / 100,
      requests: rows
        .filter((r) => r.deliveryId === x.deliveryId)
        .map((row) => {
          const r = recordOf(row);
          const receipt = r.receipt ?? [];
          return {
            requestId: r.requestId,
            storeId: r.storeId,
            status: r.status,
            urgency: r.urgency,
            items: r.items,
            receipt: r.receipt ?? null,
            receivedAt: r.receivedAt ?? null,
            shortUnits: receipt.reduce((s, l) => s + l.short, 0),
            damagedUnits: receipt.reduce((s, l) => s + l.damaged, 0),
          };
        }),
    }));
  }

  /** Puts approved requests on one delivery, stops in the order the optimiser found. */
  async plan(actor: string, input: PlanInput): Promise<DeliveryView> {
    const ids = [...new Set(input.requestIds)];
    const rows = await this.d.db.select().from(supplyRequests).where(inArray(supplyRequests.requestId, ids));
    const byId = new Map(rows.map((r) => [r.requestId, recordOf(r)]));
    const errors: { field: string; message: string }[] = [];
    ids.forEach((id, i) => {
      const r = byId.get(id);
      const field = `body.requestIds.${i}`;
      if (!r || r.hubId !== this.d.nodeId) errors.push({ field, message: `no request ${id} at this hub` });
      else if (r.status !== 'APPROVED') errors.push({ field, message: `${id} is ${r.status}; only APPROVED requests are delivered` });
      else if (r.deliveryId) errors.push({ field, message: `${id} is already on delivery ${r.deliveryId}` });
    });
    if (errors.length > 0) throw new Conflict('Some requests cannot go on this delivery.', errors, 'not_deliverable');
    const stops: DeliveryStop[] = [];
    for (const id of ids) {
      const r = byId.get(id)!;
      const stop = stops.find((s) => s.storeId === r.storeId);
      if (stop) stop.requestIds.push(id);
      else {
        const info = await this.d.storeInfo(r.storeId);
        if (!info) throw new Conflict(`Store ${r.storeId} is not in this hub's directory; its position is needed for the route.`);
        stops.push({ storeId: r.storeId, region: info.region, name: info.name, lat: info.lat, lon: info.lon, requestIds: [id] });
      }
    }
    const plan = await planRoutes(
      { start: this.d.position, stops: stops.map((s) => ({ id: s.storeId, lat: s.lat, lon: s.lon, serviceMinutes: 20 })), returnToStart: true, timeLimitMs: input.timeLimitMs, averageSpeedMph: AVERAGE_SPEED_MPH },
      { now: () => performance.now(), pause: () => new Promise((r) => setImmediate(r)) },
    );
    const order = plan.routes[0]?.stopIds ?? [];
    const ordered = order.map((id) => stops.find((s) => s.storeId === id)!);
    const at = this.iso();
    const record: DeliveryRecord = {
      deliveryId: randomUUID(),
      hubId: this.d.nodeId,
      region: this.d.region,
      status: 'SCHEDULED',
      driver: input.driver ?? null,
      vehicle: input.vehicle ?? null,
      scheduledDate: input.scheduledDate,
      start: this.d.position,
      stops: ordered,
      route: {
        miles: plan.totalMiles,
        minutes: plan.routes[0]?.minutes ?? 0,
        givenOrderMiles: plan.givenOrderMiles,
        nearestNeighbourMiles: plan.nearestNeighbourMiles,
        averageSpeedMph: AVERAGE_SPEED_MPH,
        method: plan.method,
      },
      createdBy: actor,
      createdAt: at,
      updatedAt: at,
      dispatchedAt: null,
      closedAt: null,
      failureReason: null,
    };
    await this.d.replication.transaction(async (tx, emit) => {
      for (const id of ids) {
        // Read again under the row lock: a concurrent plan or cancel has committed by now.
        await this.d.supply.moveIn(tx, emit, id, 'same', actor, async (_tx, r) => {
          if (r.status !== 'APPROVED' || r.deliveryId) throw new Conflict(`Request ${id} changed meanwhile (${r.status}${r.deliveryId ? `, on delivery ${r.deliveryId}` : ''}); plan again.`, undefined, 'not_deliverable');
          return { deliveryId: record.deliveryId };
        });
      }
      await this.publish(tx, emit, record);
    });
    return this.get(record.deliveryId);
  }

  private async publish(tx: Tx, emit: Emit, record: DeliveryRecord): Promise<void> {
    const away = record.stops.some((s) => s.region !== undefined && s.region !== record.region);
    const event: ReplicatedEvent = await emit({ topic: away ? 'global' : regionTopic(record.region), type: SUPPLY_DELIVERY_SET, payload: record });
    await applyDeliverySet(tx, event, () => true);
  }

  /** One move of a delivery this hub owns, with the requests it carries, in one transaction. */
  private async move(deliveryId: string, work: (tx: Tx, emit: Emit, x: DeliveryRecord) => Promise<Partial<DeliveryRecord>>): Promise<DeliveryView> {
    await this.d.replication.transaction(async (tx, emit) => {
      const rows = await tx.select().from(supplyDeliveries).where(eq(supplyDeliveries.deliveryId, deliveryId)).for('update');
      if (!rows[0]) throw new NotFound(`No delivery ${deliveryId} here.`);
      const x = deliveryOf(rows[0]);
      if (x.hubId !== this.d.nodeId) throw new NotFound(`Delivery ${deliveryId} is run by its hub ${x.hubId}, not here.`);
      const changes = await work(tx, emit, x);
      await this.publish(tx, emit, { ...x, ...changes, updatedAt: this.iso() });
    });
    return this.get(deliveryId);
  }

  private checkMove(x: DeliveryRecord, to: DeliveryStatus): void {
    if (mayMoveDelivery(x.status, to)) return;
    const allowed = DELIVERY_TRANSITIONS[x.status];
    throw new Conflict(`A ${x.status} delivery cannot become ${to}; it may become ${allowed.length ? allowed.join(', ') : 'nothing (it is closed)'}.`, allowed.map((s) => ({ field: 'status', message: `allowed: ${s}` })), 'invalid_transition');
  }

  async update(deliveryId: string, changes: { driver?: string | undefined; vehicle?: string | undefined; scheduledDate?: string | undefined }): Promise<DeliveryView> {
    return this.move(deliveryId, async (_tx, _emit, x) => {
      if (x.status !== 'SCHEDULED') throw new Conflict(`Only a SCHEDULED delivery can be changed; this one is ${x.status}.`, undefined, 'invalid_transition');
      return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    });
  }

  /** The truck leaves: the hub's stock for each request leaves its ledger, the requests go in transit. Requests cancelled meanwhile stay behind. */
  async dispatch(actor: string, deliveryId: string): Promise<DeliveryView> {
    return this.move(deliveryId, async (tx, emit, x) => {
      this.checkMove(x, 'IN_TRANSIT');
      const carried: string[] = [];
      for (const id of x.stops.flatMap((s) => s.requestIds)) {
        const r = await this.d.supply.lockIn(tx, id);
        if (r.status !== 'APPROVED' || r.deliveryId !== deliveryId) continue;
        await this.d.inventory.release(tx, { storeId: this.d.nodeId, reference: id, actor, reason: 'loaded for delivery' });
        const out = r.items.filter((l) => shippedOf(l) > 0).map((l) => ({ itemId: l.itemId, type: 'transfer_out' as const, quantity: shippedOf(l) }));
        await this.d.inventory.recordIn(tx, this.d.nodeId, out, { actor, reason: `delivery ${deliveryId}`, reference: id });
        await this.d.supply.moveIn(tx, emit, id, 'IN_TRANSIT', actor, async () => ({}));
        carried.push(id);
      }
      if (carried.length === 0) throw new Conflict('Nothing is left to carry on this delivery: its requests were cancelled.', undefined, 'not_deliverable');
      const stops = x.stops.map((s) => ({ ...s, requestIds: s.requestIds.filter((id) => carried.includes(id)) })).filter((s) => s.requestIds.length > 0);
      return { status: 'IN_TRANSIT', stops, dispatchedAt: this.iso() };
    });
  }

  /** The delivery did not happen: what had left comes back into the hub, held again; the requests are APPROVED again, free for another delivery. */
  async fail(actor: string, deliveryId: string, reason: string): Promise<DeliveryView> {
    return this.move(deliveryId, async (tx, emit, x) => {
      this.checkMove(x, 'FAILED');
      for (const id of x.stops.flatMap((s) => s.requestIds)) {
        const r = await this.d.supply.lockIn(tx, id);
        if (r.deliveryId !== deliveryId) continue;
        if (r.status === 'IN_TRANSIT') {
          const lines = r.items.filter((l) => shippedOf(l) > 0).map((l) => ({ itemId: l.itemId, quantity: shippedOf(l) }));
          await this.d.inventory.recordIn(tx, this.d.nodeId, lines.map((l) => ({ ...l, type: 'transfer_in' as const })), { actor, reason: `delivery ${deliveryId} failed`, reference: id });
          await this.d.inventory.reserve(tx, { storeId: this.d.nodeId, reference: id, items: lines, actor });
          await this.d.supply.moveIn(tx, emit, id, 'APPROVED', actor, async () => ({ deliveryId: null }));
        } else if (r.status === 'APPROVED') {
          await this.d.supply.moveIn(tx, emit, id, 'same', actor, async () => ({ deliveryId: null }));
        }
      }
      return { status: 'FAILED', failureReason: reason, closedAt: this.iso() };
    });
  }

  /** Deliveries in transit whose every request has been counted in by its store become COMPLETED. */
  async settleCompletions(): Promise<number> {
    if (this.d.role !== 'hub') return 0;
    const open = await this.d.db.select({ id: supplyDeliveries.deliveryId }).from(supplyDeliveries).where(and(eq(supplyDeliveries.hubId, this.d.nodeId), eq(supplyDeliveries.status, 'IN_TRANSIT')));
    let done = 0;
    for (const { id } of open) {
      const pending = await this.d.db.select({ n: sql<number>`count(*)::int` }).from(supplyRequests).where(and(eq(supplyRequests.deliveryId, id), eq(supplyRequests.status, 'IN_TRANSIT')));
      if ((pending[0]?.n ?? 0) > 0) continue;
      await this.move(id, async (_tx, _emit, x) => (x.status === 'IN_TRANSIT' ? { status: 'COMPLETED', closedAt: this.iso() } : {}));
      done++;
    }
    return done;
  }
}
