// What a store's staff and the chain's admins look at: the queue, today's
// revenue (today as the store's own clock reads it), low stock and the last
// orders. A store answers its compact summary to peers; a hub gathers its
// region's; the super admin's node gathers the hubs'. A store or region that
// does not answer is marked unknown, never counted as zero.
import { and, asc, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { localTimeOf, zonedTimeToUtc } from '../../lib/hours.js';
import type { InventoryPort, StoreInfo } from './needs.js';
import { orders, revenue } from './schema.js';
import { activeStatuses } from './status-flow.js';
import { viewOf, type OrderView } from './views.js';

export interface RevenueToday {
  /** The store's local date, YYYY-MM-DD. */
  date: string;
  timeZone: string;
  salesCents: number;
  refundsCents: number;
  netCents: number;
  paidOrders: number;
  averageOrderCents: number;
}

/** The figures a store answers to peers; no order details, no customers. */
export interface StoreSummary {
  storeId: string;
  name: string;
  region: string;
  acceptingOrders: boolean;
  activeOrders: number;
  ordersByStatus: Record<string, number>;
  revenueToday: RevenueToday;
  lowStockCount: number;
  refundFailures: number;
  waitMinutes: number;
  generatedAt: string;
}

export interface StoreDashboard extends StoreSummary {
  pendingOrders: OrderView[];
  recentOrders: OrderView[];
  lowStock: { itemId: string; name?: string | undefined; available: number; threshold: number }[];
}

/** The instant the store's local day containing `now` began. */
export function startOfLocalDay(now: number, timeZone: string): { start: Date; date: string } {
  const l = localTimeOf(now, timeZone);
  const date = `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`;
  return { start: new Date(zonedTimeToUtc(l, 0, timeZone)), date };
}

export class DashboardReader {
  constructor(
    private readonly d: {
      db: Db;
      inventory: InventoryPort;
      region: string;
      now: () => number;
      waitMinutes: (storeId: string) => Promise<number>;
    },
  ) {}

  async revenueToday(storeId: string, timeZone: string): Promise<RevenueToday> {
    const { start, date } = startOfLocalDay(this.d.now(), timeZone);
    const [row] = await this.d.db
      .select({
        sales: sql<number>`coalesce(sum(case when ${revenue.kind} = 'sale' then ${revenue.amountCents} else 0 end), 0)::int`,
        refunds: sql<number>`coalesce(sum(case when ${revenue.kind} = 'refund' then ${revenue.amountCents} else 0 end), 0)::int`,
        paid: sql<number>`count(*) filter (where ${revenue.kind} = 'sale')::int`,
      })
      .from(revenue)
      .where(and(eq(revenue.storeId, storeId), gte(revenue.recordedAt, start)));
    const sales = row?.sales ?? 0;
    const paid = row?.paid ?? 0;
    return {
      date,
      timeZone,
      salesCents: sales,
      refundsCents: row?.refunds ?? 0,
      netCents: sales + (row?.refunds ?? 0),
      paidOrders: paid,
      averageOrderCents: paid > 0 ? Math.round(sales / paid) : 0,
    };
  }

  async summary(store: StoreInfo): Promise<StoreSummary> {
    const [byStatus, revenueToday, low, failures, waitMinutes] = await Promise.all([
      this.d.db
        .select({ status: orders.status, n: sql<number>`count(*)::int` })
        .from(orders)
        .where(and(eq(orders.storeId, store.storeId), inArray(orders.status, [...activeStatuses])))
        .groupBy(orders.status),
      this.revenueToday(store.storeId, store.timeZone),
      this.d.inventory.lowStock(store.storeId),
      this.d.db
        .select({ n: sql<number>`count(*)::int` })
        .from(orders)
        .where(and(eq(orders.storeId, store.storeId), eq(orders.paymentStatus, 'refund_failed'))),
      this.d.waitMinutes(store.storeId),
    ]);
    const ordersByStatus = Object.fromEntries(activeStatuses.map((s) => [s, byStatus.find((r) => r.status === s)?.n ?? 0]));
    return {
      storeId: store.storeId,
      name: store.name,
      region: this.d.region,
      acceptingOrders: store.isAcceptingOrders,
      activeOrders: Object.values(ordersByStatus).reduce((a, b) => a + b, 0),
      ordersByStatus,
      revenueToday,
      lowStockCount: low.length,
      refundFailures: failures[0]?.n ?? 0,
      waitMinutes,
      generatedAt: new Date(this.d.now()).toISOString(),
    };
  }

  async dashboard(store: StoreInfo): Promise<StoreDashboard> {
    const [summary, lowStock, pendingRows, recentRows] = await Promise.all([
      this.summary(store),
      this.d.inventory.lowStock(store.storeId),
      // Oldest first: the order at the top is the one to make next.
      this.d.db
        .select()
        .from(orders)
        .where(and(eq(orders.storeId, store.storeId), inArray(orders.status, ['pending', 'paid', 'preparing', 'ready'])))
        .orderBy(asc(orders.pickupEstimate), asc(orders.createdAt))
        .limit(50),
      this.d.db.select().from(orders).where(eq(orders.storeId, store.storeId)).orderBy(desc(orders.createdAt), desc(orders.orderId)).limit(10),
    ]);
    return { ...summary, lowStock, pendingOrders: pendingRows.map((r) => viewOf(r, true)), recentOrders: recentRows.map((r) => viewOf(r, true)) };
  }
}
