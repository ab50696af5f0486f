// Usage history at a hub: imports (all rows of a file in one transaction, in
// chunks of one statement each), the stores' own sales (each store sends its
// daily sales per item as an event on the region topic; the hub upserts
// them), and the daily series a forecast reads.
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import type { ReplicationApi } from '../../core/context.js';
import { regionTopic } from './events.js';
import type { StockReportLine } from './replenishment.js';
import { supplyStoreStock, supplyUsage } from './schema.js';
import { itemKeyOf, type UsageRow } from './usage-rows.js';

export const SUPPLY_USAGE_SALES = 'supply.usage.sales';
/** A store's stock as it stands, for its hub's region overview. */
export const SUPPLY_STORE_STOCK = 'supply.store.stock';

export interface StoreStockReport {
  storeId: string;
  hubId: string;
  at: string;
  items: StockReportLine[];
}
const CHUNK = 5000;

export interface SalesDay {
  storeId: string;
  hubId: string;
  day: string;
  items: { itemName: string; itemType: string; quantity: number }[];
}

export interface UsageDeps {
  db: Db;
  replication: ReplicationApi;
  nodeId: string;
  role: 'store' | 'hub';
  region: string;
  now: () => number;
  /** At a store: its sales per local day and item since `fromDay` (names and types from the catalog). */
  salesByDay?: (fromDay: string) => Promise<{ day: string; itemName: string; itemType: string; quantity: number }[]>;
  /** At a store: the hub of its region, when known. */
  hubOfRegion?: () => string | undefined;
  /** At a store: its stock per item with its daily use. */
  stockReport?: () => Promise<StockReportLine[]>;
  /** At a store: the ledger position of its latest sale, to see cheaply whether anything sold since. */
  lastSaleSeq?: () => Promise<number>;
}

export interface ImportResult {
  imported: number;
  replacedInFile: number;
  dateRange: { start: string; end: string } | null;
  stores: number;
  items: number;
}

export class UsageService {
  /** What this store last sent per day, so an unchanged day is not sent again. */
  private readonly sent = new Map<string, string>();

  constructor(private readonly d: UsageDeps) {
    d.replication.on(SUPPLY_STORE_STOCK, async (tx, e) => {
      const p = e.payload as StoreStockReport;
      if (d.role === 'hub' && p.hubId === d.nodeId) await this.keepStock(tx, p, e.hlc);
    });
    d.replication.on(SUPPLY_USAGE_SALES, async (tx, e) => {
      const p = e.payload as SalesDay;
      if (d.role !== 'hub' || p.hubId !== d.nodeId) return;
      await this.upsert(tx, p.hubId, p.items.map((i) => ({ day: p.day, storeId: p.storeId, itemKey: itemKeyOf(i.itemName, i.itemType), itemName: i.itemName, itemType: i.itemType, quantity: i.quantity })), 'sales');
    });
  }

  private async keepStock(tx: Pick<Db, 'insert'>, report: StoreStockReport, hlc: string): Promise<void> {
    const row = { storeId: report.storeId, hubId: report.hubId, items: report.items, reportedAt: new Date(report.at), hlc };
    await tx.insert(supplyStoreStock).values(row).onConflictDoUpdate({ target: supplyStoreStock.storeId, set: { ...row, storeId: undefined }, setWhere: lt(supplyStoreStock.hlc, hlc) });
  }

  /** What each store of this hub last reported of its stock. */
  async storeStock(): Promise<StoreStockReport[]> {
    const rows = await this.d.db.select().from(supplyStoreStock).where(eq(supplyStoreStock.hubId, this.d.nodeId));
    return rows.map((r) => ({ storeId: r.storeId, hubId: r.hubId, at: r.reportedAt.toISOString(), items: r.items as StockReportLine[] }));
  }

  private async upsert(exec: Pick<Db, 'execute'>, hubId: string, rows: readonly UsageRow[], source: 'import' | 'sales'): Promise<void> {
    const at = new Date(this.d.now()).toISOString();
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = JSON.stringify(rows.slice(i, i + CHUNK).map((r) => ({ s: r.storeId, d: r.day, k: r.itemKey, n: r.itemName, t: r.itemType, q: r.quantity })));
      await exec.execute(sql`
        insert into supply_usage (hub_id, store_id, day, item_key, item_name, item_type, quantity, source, updated_at)
        select ${hubId}, r.s, r.d::date, r.k, r.n, r.t, r.q, ${source}, ${at}::timestamptz
        from jsonb_to_recordset(${chunk}::jsonb) as r(s text, d text, k text, n text, t text, q float8)
        on conflict (store_id, day, item_key) do update
        set quantity = excluded.quantity, item_name = excluded.item_name, source = excluded.source, updated_at = excluded.updated_at, hub_id = excluded.hub_id`);
    }
  }

  /** All rows of a checked file, in one transaction: a failure part way leaves nothing. */
  async import(hubId: string, rows: readonly UsageRow[], replacedInFile: number): Promise<ImportResult> {
    await this.d.db.transaction((tx) => this.upsert(tx, hubId, rows, 'import'));
    let start = '';
    let end = '';
    for (const r of rows) {
      if (!start || r.day < start) start = r.day;
      if (!end || r.day > end) end = r.day;
    }
    return {
      imported: rows.length,
      replacedInFile,
      dateRange: rows.length ? { start, end } : null,
      stores: new Set(rows.map((r) => r.storeId)).size,
      items: new Set(rows.map((r) => r.itemKey)).size,
    };
  }

  /** The daily series of an item (one store's, or the hub's region summed), missing days as 0, from its first day to its last. */
  async series(hubId: string, itemName: string, itemType: string, storeId?: string): Promise<{ start: string; values: number[] } | null> {
    const u = supplyUsage;
    const rows = await this.d.db
      .select({ day: u.day, quantity: sql<number>`sum(${u.quantity})::float8` })
      .from(u)
      .where(and(eq(u.hubId, hubId), eq(u.itemKey, itemKeyOf(itemName, itemType)), storeId ? eq(u.storeId, storeId) : undefined))
      .groupBy(u.day)
      .orderBy(asc(u.day));
    if (rows.length === 0) return null;
    const start = rows[0]!.day;
    const dayIndex = (d: string) => Math.round((Date.parse(`${d}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000);
    const values = new Array<number>(dayIndex(rows[rows.length - 1]!.day) + 1).fill(0);
    for (const r of rows) values[dayIndex(r.day)] = Number(r.quantity);
    return { start, values };
  }

  /** What the hub holds: each item with its days, first and last day and the recent daily average. */
  async summary(hubId: string, since: string): Promise<{ itemName: string; itemType: string; days: number; first: string; last: string; total: number; stores: number }[]> {
    const u = supplyUsage;
    const rows = await this.d.db
      .select({
        itemName: sql<string>`min(${u.itemName})`,
        itemType: u.itemType,
        days: sql<number>`count(distinct ${u.day})::int`,
        first: sql<string>`min(${u.day})::text`,
        last: sql<string>`max(${u.day})::text`,
        total: sql<number>`sum(${u.quantity})::float8`,
        stores: sql<number>`count(distinct ${u.storeId})::int`,
      })
      .from(u)
      .where(and(eq(u.hubId, hubId), gte(u.day, since)))
      .groupBy(u.itemKey, u.itemType)
      .orderBy(asc(sql`min(${u.itemName})`));
    return rows.map((r) => ({ ...r, total: Number(r.total) }));
  }

  private lastCheck = 0;
  private lastSale = -1;

  /**
   * At a store: sends its sales of the last two days and its stock to its
   * hub, each once it has changed. Looks at every call until it has sent
   * (the hub may not be known yet), then whenever something sold since, and
   * at least every `everyMs` (stock moves without sales too).
   */
  async sendSales(everyMs = 0): Promise<number> {
    if (this.d.role !== 'store' || !this.d.salesByDay) return 0;
    const lastSale = (await this.d.lastSaleSeq?.()) ?? -1;
    if (this.sent.size > 0 && lastSale === this.lastSale && this.d.now() - this.lastCheck < everyMs) return 0;
    this.lastSale = lastSale;
    const hubId = this.d.hubOfRegion?.();
    if (!hubId) return 0;
    this.lastCheck = this.d.now();
    const from = new Date(this.d.now() - 86_400_000).toISOString().slice(0, 10);
    const rows = await this.d.salesByDay(from);
    const byDay = new Map<string, SalesDay['items']>();
    for (const r of rows) byDay.set(r.day, [...(byDay.get(r.day) ?? []), { itemName: r.itemName, itemType: r.itemType, quantity: r.quantity }]);
    let sent = 0;
    if (this.d.stockReport) {
      const items = await this.d.stockReport();
      const digest = JSON.stringify(items);
      // A store that stocks nothing yet has nothing to report (and writes no event).
      if (items.length > 0 && this.sent.get('stock') !== digest) {
        const payload: StoreStockReport = { storeId: this.d.nodeId, hubId, at: new Date(this.d.now()).toISOString(), items };
        await this.d.replication.transaction(async (_tx, emit) => void (await emit({ topic: regionTopic(this.d.region), type: SUPPLY_STORE_STOCK, payload })));
        this.sent.set('stock', digest);
        sent++;
      }
    }
    for (const [day, items] of byDay) {
      const digest = JSON.stringify(items);
      if (this.sent.get(day) === digest) continue;
      const payload: SalesDay = { storeId: this.d.nodeId, hubId, day, items };
      await this.d.replication.transaction(async (_tx, emit) => void (await emit({ topic: regionTopic(this.d.region), type: SUPPLY_USAGE_SALES, payload })));
      this.sent.set(day, digest);
      sent++;
    }
    return sent;
  }
}
