// Purchase orders from a hub to its suppliers: drafted, approved by the
// hub's logistics manager (the stock goes on order in the hub's ledger),
// received in parts (each receipt puts what came on hand), cancelled (what
// has not come leaves on order). Each move and its ledger lines are one
// transaction. Kept at the hub only.
import { randomUUID } from 'node:crypto';
import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { Conflict, Invalid, NotFound } from '../../http/errors.js';
import type { InventoryService } from '../inventory/index.js';
import { purchaseOrders } from './schema.js';

export const poStatuses = ['DRAFT', 'APPROVED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'] as const;
export type PoStatus = (typeof poStatuses)[number];

export const PO_TRANSITIONS: Readonly<Record<PoStatus, readonly PoStatus[]>> = {
  DRAFT: ['APPROVED', 'CANCELLED'],
  APPROVED: ['PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'],
  PARTIALLY_RECEIVED: ['PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'],
  RECEIVED: [],
  CANCELLED: [],
};

export interface PoLine {
  itemId: string;
  quantity: number;
  received: number;
}

export type PurchaseOrder = Omit<typeof purchaseOrders.$inferSelect, 'lines' | 'status' | 'createdAt' | 'approvedAt' | 'updatedAt'> & {
  lines: PoLine[];
  status: PoStatus;
  createdAt: string;
  approvedAt: string | null;
  updatedAt: string;
  outstanding: number;
  allowedNext: PoStatus[];
};

function viewOf(row: typeof purchaseOrders.$inferSelect): PurchaseOrder {
  const lines = row.lines as PoLine[];
  const status = row.status as PoStatus;
  return {
    ...row,
    lines,
    status,
    createdAt: row.createdAt.toISOString(),
    approvedAt: row.approvedAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
    outstanding: lines.reduce((s, l) => s + l.quantity - l.received, 0),
    allowedNext: [...new Set(PO_TRANSITIONS[status])],
  };
}

export class PurchaseOrderService {
  constructor(private readonly d: { db: Db; inventory: InventoryService; hubId: string; now: () => number; knownItems: (ids: string[]) => Promise<Set<string>> }) {}

  async create(actor: string, input: { supplier: string; lines: { itemId: string; quantity: number }[]; expectedDate: string; notes?: string | undefined }): Promise<PurchaseOrder> {
    const known = await this.d.knownItems(input.lines.map((l) => l.itemId));
    const errors: { field: string; message: string }[] = [];
    const seen = new Set<string>();
    input.lines.forEach((l, i) => {
      if (!known.has(l.itemId)) errors.push({ field: `body.lines.${i}.itemId`, message: `${l.itemId} is not in the catalog` });
      else if (seen.has(l.itemId)) errors.push({ field: `body.lines.${i}.itemId`, message: `${l.itemId} is listed twice` });
      seen.add(l.itemId);
    });
    if (errors.length > 0) throw new Invalid('Some lines cannot be ordered.', errors);
    const at = new Date(this.d.now());
    const poId = randomUUID();
    await this.d.db.insert(purchaseOrders).values({
      poId,
      hubId: this.d.hubId,
      supplier: input.supplier,
      lines: input.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity, received: 0 })),
      expectedDate: input.expectedDate,
      status: 'DRAFT',
      notes: input.notes ?? null,
      createdBy: actor,
      createdAt: at,
      updatedAt: at,
    });
    return this.get(poId);
  }

  async get(poId: string): Promise<PurchaseOrder> {
    const rows = await this.d.db.select().from(purchaseOrders).where(and(eq(purchaseOrders.poId, poId), eq(purchaseOrders.hubId, this.d.hubId)));
    if (!rows[0]) throw new NotFound(`No purchase order ${poId} at this hub.`);
    return viewOf(rows[0]);
  }

  async list(q: { status?: PoStatus | undefined; limit: number }): Promise<PurchaseOrder[]> {
    const where: (SQL | undefined)[] = [eq(purchaseOrders.hubId, this.d.hubId), q.status ? eq(purchaseOrders.status, q.status) : undefined];
    const rows = await this.d.db.select().from(purchaseOrders).where(and(...where)).orderBy(desc(purchaseOrders.createdAt)).limit(q.limit);
    return rows.map(viewOf);
  }

  private invalid(from: PoStatus, to: string): Conflict {
    const allowed = PO_TRANSITIONS[from];
    return new Conflict(`A ${from} purchase order cannot be ${to}; it may become ${allowed.length ? [...new Set(allowed)].join(', ') : 'nothing (it is closed)'}.`, allowed.map((s) => ({ field: 'status', message: `allowed: ${s}` })), 'invalid_transition');
  }

  /** One move under the row lock, with its ledger lines, in one transaction. */
  private async move(poId: string, work: (po: PurchaseOrder, tx: Parameters<Parameters<Db['transaction']>[0]>[0]) => Promise<Partial<typeof purchaseOrders.$inferInsert>>): Promise<PurchaseOrder> {
    await this.d.db.transaction(async (tx) => {
      const rows = await tx.select().from(purchaseOrders).where(and(eq(purchaseOrders.poId, poId), eq(purchaseOrders.hubId, this.d.hubId))).for('update');
      if (!rows[0]) throw new NotFound(`No purchase order ${poId} at this hub.`);
      const changes = await work(viewOf(rows[0]), tx);
      await tx.update(purchaseOrders).set({ ...changes, updatedAt: new Date(this.d.now()) }).where(eq(purchaseOrders.poId, poId));
    });
    return this.get(poId);
  }

  async approve(actor: string, poId: string): Promise<PurchaseOrder> {
    return this.move(poId, async (po, tx) => {
      if (po.status !== 'DRAFT') throw this.invalid(po.status, 'approved');
      await this.d.inventory.recordIn(tx, this.d.hubId, po.lines.map((l) => ({ itemId: l.itemId, type: 'ordered' as const, quantity: l.quantity })), { actor, reason: `purchase order from ${po.supplier}`, reference: poId });
      return { status: 'APPROVED', approvedBy: actor, approvedAt: new Date(this.d.now()) };
    });
  }

  /** What came, line by line: on hand now, off order; the order is RECEIVED when nothing is outstanding. */
  async receive(actor: string, poId: string, lines: { itemId: string; quantity: number }[]): Promise<PurchaseOrder> {
    return this.move(poId, async (po, tx) => {
      if (po.status !== 'APPROVED' && po.status !== 'PARTIALLY_RECEIVED') throw this.invalid(po.status, 'received');
      const errors: { field: string; message: string }[] = [];
      const next = po.lines.map((l) => ({ ...l }));
      lines.forEach((r, i) => {
        const line = next.find((l) => l.itemId === r.itemId);
        if (!line) return void errors.push({ field: `body.lines.${i}.itemId`, message: `${r.itemId} is not on this order` });
        if (line.received + r.quantity > line.quantity) return void errors.push({ field: `body.lines.${i}.quantity`, message: `${line.quantity - line.received} of ${r.itemId} are outstanding; ${r.quantity} is more` });
        line.received += r.quantity;
      });
      if (errors.length > 0) throw new Invalid('The receipt does not match the order.', errors);
      const moves = lines.flatMap((r) => [
        { itemId: r.itemId, type: 'shipped' as const, quantity: r.quantity },
        { itemId: r.itemId, type: 'delivered' as const, quantity: r.quantity },
      ]);
      await this.d.inventory.recordIn(tx, this.d.hubId, moves, { actor, reason: `received from ${po.supplier}`, reference: poId });
      const done = next.every((l) => l.received === l.quantity);
      return { lines: next, status: done ? 'RECEIVED' : 'PARTIALLY_RECEIVED' };
    });
  }

  async cancel(actor: string, poId: string): Promise<PurchaseOrder> {
    return this.move(poId, async (po, tx) => {
      if (!PO_TRANSITIONS[po.status].includes('CANCELLED')) throw this.invalid(po.status, 'cancelled');
      if (po.status !== 'DRAFT') {
        const open = po.lines.filter((l) => l.quantity > l.received).map((l) => ({ itemId: l.itemId, type: 'order_cancelled' as const, quantity: l.quantity - l.received }));
        if (open.length > 0) await this.d.inventory.recordIn(tx, this.d.hubId, open, { actor, reason: 'purchase order cancelled', reference: poId });
      }
      return { status: 'CANCELLED' };
    });
  }
}
