// The logistics manager's region overview, answered by the region's hub:
// stores by days of stock (critical 0-1 day, low 2-3, from what each store
// last reported), requests by urgency, deliveries under way, the hub's own
// stock and open purchase orders, and how well the forecasts have been doing
// (a backtest against seasonal naive over the region's busiest items).
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import type { InventoryService } from '../inventory/index.js';
import { forecastDaily } from '../forecast/index.js';
import { deliveryOf } from './delivery-events.js';
import { isOverdue, urgencies, type Urgency } from './model.js';
import { recordOf } from './events.js';
import { purchaseOrders, supplyDeliveries, supplyRequests, supplyUsage } from './schema.js';
import type { UsageService } from './usage.js';

export const CRITICAL_DAYS = 1;
export const LOW_DAYS = 3;
const ACCURACY_ITEMS = 10;
const ACCURACY_TTL_MS = 10 * 60_000;

export interface StoreLevel {
  storeId: string;
  name: string;
  reportedAt: string | null;
  /** The item that runs out first, and the days it lasts. */
  worst: { itemId: string; name: string; available: number; daysOfStock: number } | null;
  shortItems: number;
}

export interface Accuracy {
  items: number;
  mase: number | null;
  seasonalNaiveMase: number | null;
  /** Below 1: the forecasts beat seasonal naive. */
  ratio: number | null;
  computedAt: string;
}

export class RegionOverview {
  private accuracy: { at: number; value: Accuracy } | undefined;

  constructor(
    private readonly d: {
      db: Db;
      usage: UsageService;
      inventory: InventoryService;
      hubId: string;
      region: string;
      now: () => number;
      regionStores: () => Promise<{ storeId: string; name: string }[]>;
    },
  ) {}

  /** Each store's worst item by days of stock; a store that never reported is listed as unknown. */
  async storeLevels(): Promise<{ critical: StoreLevel[]; low: StoreLevel[]; ok: number; unknown: StoreLevel[] }> {
    const reports = new Map((await this.d.usage.storeStock()).map((r) => [r.storeId, r]));
    const out = { critical: [] as StoreLevel[], low: [] as StoreLevel[], ok: 0, unknown: [] as StoreLevel[] };
    for (const store of await this.d.regionStores()) {
      const report = reports.get(store.storeId);
      if (!report) {
        out.unknown.push({ ...store, reportedAt: null, worst: null, shortItems: 0 });
        continue;
      }
      const lasting = report.items.filter((i) => i.daysOfStock !== null).sort((a, b) => a.daysOfStock! - b.daysOfStock!);
      const w = lasting[0];
      const level: StoreLevel = {
        ...store,
        reportedAt: report.at,
        worst: w ? { itemId: w.itemId, name: w.name, available: w.available, daysOfStock: w.daysOfStock! } : null,
        shortItems: lasting.filter((i) => i.daysOfStock! <= LOW_DAYS).length,
      };
      if (w && w.daysOfStock! <= CRITICAL_DAYS) out.critical.push(level);
      else if (w && w.daysOfStock! <= LOW_DAYS) out.low.push(level);
      else out.ok++;
    }
    const byDays = (a: StoreLevel, b: StoreLevel) => (a.worst?.daysOfStock ?? 0) - (b.worst?.daysOfStock ?? 0);
    out.critical.sort(byDays);
    out.low.sort(byDays);
    return out;
  }

  async requests(): Promise<{ pending: Record<Urgency, number>; approved: number; inTransit: number; overdue: number }> {
    const rows = await this.d.db.select().from(supplyRequests).where(and(eq(supplyRequests.hubId, this.d.hubId), inArray(supplyRequests.status, ['PENDING', 'APPROVED', 'IN_TRANSIT'])));
    const pending = Object.fromEntries(urgencies.map((u) => [u, 0])) as Record<Urgency, number>;
    let approved = 0;
    let inTransit = 0;
    let overdue = 0;
    for (const row of rows) {
      const r = recordOf(row);
      if (r.status === 'PENDING') pending[r.urgency]++;
      else if (r.status === 'APPROVED') approved++;
      else inTransit++;
      if (isOverdue(r, this.d.now())) overdue++;
    }
    return { pending, approved, inTransit, overdue };
  }

  async deliveries(): Promise<{ scheduled: number; inTransit: { deliveryId: string; driver: string | null; vehicle: string | null; stops: number; dispatchedAt: string | null; miles: number }[]; completedLast7Days: number; failedLast7Days: number }> {
    const t = supplyDeliveries;
    const open = await this.d.db.select().from(t).where(and(eq(t.hubId, this.d.hubId), inArray(t.status, ['SCHEDULED', 'IN_TRANSIT'])));
    const weekAgo = new Date(this.d.now() - 7 * 86_400_000);
    const closed = await this.d.db
      .select({ status: t.status, n: sql<number>`count(*)::int` })
      .from(t)
      .where(and(eq(t.hubId, this.d.hubId), inArray(t.status, ['COMPLETED', 'FAILED']), gte(t.closedAt, weekAgo)))
      .groupBy(t.status);
    const count = (s: string) => closed.find((c) => c.status === s)?.n ?? 0;
    const views = open.map(deliveryOf);
    return {
      scheduled: views.filter((v) => v.status === 'SCHEDULED').length,
      inTransit: views.filter((v) => v.status === 'IN_TRANSIT').map((v) => ({ deliveryId: v.deliveryId, driver: v.driver, vehicle: v.vehicle, stops: v.stops.length, dispatchedAt: v.dispatchedAt, miles: v.route.miles })),
      completedLast7Days: count('COMPLETED'),
      failedLast7Days: count('FAILED'),
    };
  }

  async hub(): Promise<{ items: number; low: number; openPurchaseOrders: number; unitsOnOrder: number }> {
    const items = await this.d.inventory.items(this.d.hubId);
    const pos = await this.d.db.select({ n: sql<number>`count(*)::int` }).from(purchaseOrders).where(and(eq(purchaseOrders.hubId, this.d.hubId), inArray(purchaseOrders.status, ['DRAFT', 'APPROVED', 'PARTIALLY_RECEIVED'])));
    return { items: items.length, low: items.filter((i) => i.lowStock).length, openPurchaseOrders: pos[0]?.n ?? 0, unitsOnOrder: items.reduce((s, i) => s + i.onOrder, 0) };
  }

  /** The backtest of the region's busiest items (the region's daily totals), kept for ten minutes. */
  async forecastAccuracy(): Promise<Accuracy> {
    if (this.accuracy && this.d.now() - this.accuracy.at < ACCURACY_TTL_MS) return this.accuracy.value;
    const u = supplyUsage;
    const since = new Date(this.d.now() - 90 * 86_400_000).toISOString().slice(0, 10);
    const top = await this.d.db
      .select({ name: sql<string>`min(${u.itemName})`, type: u.itemType })
      .from(u)
      .where(and(eq(u.hubId, this.d.hubId), gte(u.day, since)))
      .groupBy(u.itemKey, u.itemType)
      .orderBy(sql`sum(${u.quantity}) desc`)
      .limit(ACCURACY_ITEMS);
    let mase = 0;
    let naive = 0;
    let n = 0;
    for (const item of top) {
      const series = await this.d.usage.series(this.d.hubId, item.name, item.type);
      if (!series) continue;
      const f = forecastDaily(series.start, series.values, 7);
      if (f.backtest.mase === null || f.backtest.seasonalNaiveMase === null) continue;
      mase += f.backtest.mase;
      naive += f.backtest.seasonalNaiveMase;
      n++;
    }
    const round = (x: number) => Math.round(x * 1000) / 1000;
    const value: Accuracy = {
      items: n,
      mase: n ? round(mase / n) : null,
      seasonalNaiveMase: n ? round(naive / n) : null,
      ratio: n && naive > 0 ? round(mase / naive) : null,
      computedAt: new Date(this.d.now()).toISOString(),
    };
    this.accuracy = { at: this.d.now(), value };
    return value;
  }
}
