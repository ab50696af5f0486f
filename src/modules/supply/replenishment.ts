// Replenishment at a store: its rules per item, the run that raises a supply
// request when an item's projected quantity crosses its reorder point (never
// a second open request for the same item, so a retry or a second run asks
// nothing twice), and the "to reorder" view with the predictive warning.
import { and, asc, eq, gte, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { Invalid, NotFound } from '../../http/errors.js';
import type { InventoryService } from '../inventory/index.js';
import { recordOf } from './events.js';
import { fires, orderQuantity, ruleNote, toReorder, urgencyOf, type ReorderLine } from './replenishment-model.js';
import { replenishmentRules, supplyDeliveries, supplyRequests } from './schema.js';
import type { SupplyService } from './service.js';

/** Days assumed until the next delivery when none is scheduled for the store. */
export const DEFAULT_LEAD_DAYS = 3;
const USE_WINDOW_DAYS = 28;

export interface StockReportLine {
  itemId: string;
  name: string;
  available: number;
  threshold: number;
  dailyUse: number;
  /** null when the item does not sell. */
  daysOfStock: number | null;
}

export type Rule = Omit<typeof replenishmentRules.$inferSelect, 'updatedAt' | 'lastTriggeredAt'> & { updatedAt: string; lastTriggeredAt: string | null };

const ruleOf = (r: typeof replenishmentRules.$inferSelect): Rule => ({ ...r, updatedAt: r.updatedAt.toISOString(), lastTriggeredAt: r.lastTriggeredAt?.toISOString() ?? null });

export interface ReplenishmentDeps {
  db: Db;
  inventory: InventoryService;
  supply: SupplyService;
  storeId: string;
  now: () => number;
  itemNames: (ids: string[]) => Promise<Map<string, { name: string }>>;
  timeZone: () => Promise<string>;
}

export class ReplenishmentService {
  private running: Promise<number> | undefined;

  constructor(private readonly d: ReplenishmentDeps) {}

  async rules(): Promise<Rule[]> {
    const rows = await this.d.db.select().from(replenishmentRules).where(eq(replenishmentRules.storeId, this.d.storeId)).orderBy(asc(replenishmentRules.itemId));
    return rows.map(ruleOf);
  }

  async save(actor: string, input: { itemId: string; reorderPoint: number; orderUpTo: number; caseMultiple: number; enabled: boolean }): Promise<{ rule: Rule; created: boolean }> {
    if (!(await this.d.itemNames([input.itemId])).has(input.itemId)) throw new Invalid('Not a catalog item.', [{ field: 'body.itemId', message: `${input.itemId} is not in the catalog` }]);
    if (input.orderUpTo <= input.reorderPoint) throw new Invalid('Order up to must be above the reorder point.', [{ field: 'body.orderUpTo', message: `must be more than the reorder point ${input.reorderPoint}` }]);
    const at = new Date(this.d.now());
    const row = { storeId: this.d.storeId, ...input, updatedBy: actor, updatedAt: at };
    const existed = (await this.d.db.select({ id: replenishmentRules.itemId }).from(replenishmentRules).where(and(eq(replenishmentRules.storeId, this.d.storeId), eq(replenishmentRules.itemId, input.itemId)))).length > 0;
    await this.d.db.insert(replenishmentRules).values(row).onConflictDoUpdate({ target: [replenishmentRules.storeId, replenishmentRules.itemId], set: { ...input, updatedBy: actor, updatedAt: at } });
    // A rule that is already crossed asks at once rather than at the next run.
    await this.run().catch(() => undefined);
    const rule = (await this.rules()).find((r) => r.itemId === input.itemId)!;
    return { rule, created: !existed };
  }

  async remove(itemId: string): Promise<void> {
    const gone = await this.d.db.delete(replenishmentRules).where(and(eq(replenishmentRules.storeId, this.d.storeId), eq(replenishmentRules.itemId, itemId))).returning({ itemId: replenishmentRules.itemId });
    if (gone.length === 0) throw new NotFound(`No replenishment rule for ${itemId} at this store.`);
  }

  /** Items with a request still open (pending, approved or on its way): a rule does not ask for them again. */
  private async openItems(): Promise<Set<string>> {
    const rows = await this.d.db
      .select()
      .from(supplyRequests)
      .where(and(eq(supplyRequests.storeId, this.d.storeId), inArray(supplyRequests.status, ['PENDING', 'APPROVED', 'IN_TRANSIT']), isNull(supplyRequests.cancelAskedAt)));
    return new Set(rows.flatMap((r) => recordOf(r).items.map((l) => l.itemId)));
  }

  /** Raises a request for each rule that fires and has no open request; one run at a time. */
  async run(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.runOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runOnce(): Promise<number> {
    const rules = (await this.rules()).filter((r) => r.enabled);
    if (rules.length === 0) return 0;
    const positions = new Map((await this.d.inventory.items(this.d.storeId, rules.map((r) => r.itemId))).map((i) => [i.itemId, i]));
    const open = await this.openItems();
    let raised = 0;
    for (const rule of rules) {
      const p = positions.get(rule.itemId) ?? { onHand: 0, reserved: 0, inTransit: 0, onOrder: 0 };
      if (!fires(rule, p) || open.has(rule.itemId)) continue;
      const request = await this.d.supply.submit('replenishment', this.d.storeId, { items: [{ itemId: rule.itemId, quantity: orderQuantity(rule, p) }], urgency: urgencyOf(rule, p), notes: ruleNote(rule, p) });
      await this.d.db
        .update(replenishmentRules)
        .set({ lastRequestId: request.requestId, lastTriggeredAt: new Date(this.d.now()) })
        .where(and(eq(replenishmentRules.storeId, this.d.storeId), eq(replenishmentRules.itemId, rule.itemId)));
      raised++;
    }
    return raised;
  }

  /** Units sold per day per item, averaged over the last 28 days of the store's own sales. */
  async dailyUse(): Promise<Map<string, number>> {
    const from = new Date(this.d.now() - USE_WINDOW_DAYS * 86_400_000).toISOString().slice(0, 10);
    const use = new Map<string, number>();
    for (const s of await this.d.inventory.salesByDay(this.d.storeId, from, await this.d.timeZone())) use.set(s.itemId, (use.get(s.itemId) ?? 0) + s.quantity / USE_WINDOW_DAYS);
    return use;
  }

  /** The store's stock as its hub's region overview shows it: each item's available, use per day and the days it lasts. */
  async stockReport(): Promise<StockReportLine[]> {
    const use = await this.dailyUse();
    return (await this.d.inventory.items(this.d.storeId)).map((i) => {
      const daily = use.get(i.itemId) ?? 0;
      const available = i.onHand - i.reserved;
      return { itemId: i.itemId, name: i.name, available, threshold: i.threshold, dailyUse: Math.round(daily * 100) / 100, daysOfStock: daily > 0 ? Math.round((available / daily) * 10) / 10 : null };
    });
  }

  /** The next delivery that stops here, if one is scheduled or on its way. */
  private async nextDelivery(): Promise<{ deliveryId: string; scheduledDate: string; status: string } | null> {
    const today = new Date(this.d.now()).toISOString().slice(0, 10);
    const t = supplyDeliveries;
    const rows = await this.d.db
      .select({ deliveryId: t.deliveryId, scheduledDate: t.scheduledDate, status: t.status })
      .from(t)
      .where(and(inArray(t.status, ['SCHEDULED', 'IN_TRANSIT']), gte(t.scheduledDate, today)))
      .orderBy(asc(t.scheduledDate))
      .limit(1);
    return rows[0] ?? null;
  }

  async toReorder(): Promise<{ nextDelivery: { deliveryId: string; scheduledDate: string; status: string } | null; daysToDelivery: number; items: (ReorderLine & { name: string })[] }> {
    const rules = new Map((await this.rules()).map((r) => [r.itemId, r]));
    const stocked = await this.d.inventory.items(this.d.storeId);
    // An item with a rule and no stock yet counts as none.
    const unstocked = [...rules.keys()].filter((id) => !stocked.some((i) => i.itemId === id));
    const unstockedNames = await this.d.itemNames(unstocked);
    const items = [...stocked, ...unstocked.map((itemId) => ({ itemId, name: unstockedNames.get(itemId)?.name ?? itemId, onHand: 0, reserved: 0, inTransit: 0, onOrder: 0, threshold: 0 }))];
    const use = await this.dailyUse();
    const next = await this.nextDelivery();
    const days = next ? Math.max(0, Math.ceil((Date.parse(`${next.scheduledDate}T00:00:00Z`) - this.d.now()) / 86_400_000)) : DEFAULT_LEAD_DAYS;
    const names = new Map(items.map((i) => [i.itemId, i.name]));
    return { nextDelivery: next, daysToDelivery: days, items: toReorder(items, rules, use, days).map((l) => ({ ...l, name: names.get(l.itemId) ?? l.itemId })) };
  }
}
