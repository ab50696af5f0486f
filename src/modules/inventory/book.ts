// One write to a store's inventory, inside a transaction: lock the items'
// position rows in item-id order (so two writers never wait on each other in
// a cycle), apply movements in memory with the ledger's rule, then write the
// ledger rows, the positions and any low-stock signal together.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { regionTopic, INVENTORY_LOW_STOCK, INVENTORY_STOCK_RESTORED, type Emit, type StockSignalPayload } from './events.js';
import { applyMovement, availableOf, emptyPosition, isLow, type MoveOutcome, type MovementType, type Position } from './ledger.js';
import { inventoryPositions, inventoryTransactions } from './schema.js';

export interface PositionView extends Position {
  available: number;
}

export interface InventoryItem extends PositionView {
  itemId: string;
  /** The catalog's name, or the item id when the catalog does not know it. */
  name: string;
  type: string | null;
  threshold: number;
  lowStock: boolean;
  updatedAt: string;
}

export interface LedgerEntry {
  txId: string;
  storeId: string;
  itemId: string;
  type: MovementType;
  quantity: number;
  actor: string;
  reason: string | null;
  reference: string | null;
  at: string;
  /** The item's position right after this movement. */
  position: PositionView;
}

export interface WriteMeta {
  actor: string;
  reason?: string | null | undefined;
  reference?: string | null | undefined;
  idempotencyKey?: string | null | undefined;
}

interface Held {
  position: Position;
  threshold: number;
  signalled: boolean;
  changed: boolean;
}

export const viewOf = (p: Position): PositionView => ({ ...p, available: availableOf(p) });

export function entryOf(row: typeof inventoryTransactions.$inferSelect): LedgerEntry {
  const position = { onHand: row.onHandAfter, reserved: row.reservedAfter, inTransit: row.inTransitAfter, onOrder: row.onOrderAfter, damaged: row.damagedAfter };
  return {
    txId: row.txId,
    storeId: row.storeId,
    itemId: row.itemId,
    type: row.type as MovementType,
    quantity: row.quantity,
    actor: row.actor,
    reason: row.reason,
    reference: row.reference,
    at: row.at.toISOString(),
    position: viewOf(position),
  };
}

export class PositionBook {
  private readonly entries: (typeof inventoryTransactions.$inferInsert)[] = [];

  private constructor(
    private readonly tx: Tx,
    readonly storeId: string,
    private readonly held: Map<string, Held>,
    private readonly at: Date,
  ) {}

  /**
   * Locks the items' rows (SELECT … FOR UPDATE, sorted). With `create`, rows
   * missing are inserted first, also sorted, so a first receipt of an item
   * racing another one locks the same fresh row instead of both starting from 0.
   */
  static async open(tx: Tx, storeId: string, itemIds: Iterable<string>, options: { create: boolean; at: Date }): Promise<PositionBook> {
    const ids = [...new Set(itemIds)].sort();
    const held = new Map<string, Held>();
    if (ids.length > 0) {
      if (options.create) {
        await tx
          .insert(inventoryPositions)
          .values(ids.map((itemId) => ({ storeId, itemId, updatedAt: options.at })))
          .onConflictDoNothing();
      }
      const rows = await tx
        .select()
        .from(inventoryPositions)
        .where(and(eq(inventoryPositions.storeId, storeId), inArray(inventoryPositions.itemId, ids)))
        .orderBy(asc(inventoryPositions.itemId))
        .for('update');
      for (const r of rows) {
        const position = { onHand: r.onHand, reserved: r.reserved, inTransit: r.inTransit, onOrder: r.onOrder, damaged: r.damaged };
        held.set(r.itemId, { position, threshold: r.threshold, signalled: r.lowStockSignalled, changed: false });
      }
    }
    return new PositionBook(tx, storeId, held, options.at);
  }

  position(itemId: string): Position {
    return { ...(this.held.get(itemId)?.position ?? emptyPosition()) };
  }

  threshold(itemId: string): number {
    return this.held.get(itemId)?.threshold ?? 0;
  }

  /** Applies a movement if the ledger's rule allows it; on refusal nothing changes. */
  move(itemId: string, type: MovementType, quantity: number, meta: WriteMeta): MoveOutcome {
    const item = this.held.get(itemId);
    const outcome = applyMovement(item?.position ?? emptyPosition(), type, quantity);
    if (!outcome.ok) return outcome;
    if (!item) throw new Error(`inventory row for ${itemId} was not locked; open the book with create`);
    item.position = outcome.position;
    item.changed = true;
    const p = outcome.position;
    this.entries.push({
      txId: randomUUID(),
      storeId: this.storeId,
      itemId,
      type,
      quantity,
      actor: meta.actor,
      reason: meta.reason ?? null,
      reference: meta.reference ?? null,
      idempotencyKey: meta.idempotencyKey ?? null,
      at: this.at,
      onHandAfter: p.onHand,
      reservedAfter: p.reserved,
      inTransitAfter: p.inTransit,
      onOrderAfter: p.onOrder,
      damagedAfter: p.damaged,
    });
    return outcome;
  }

  setThreshold(itemId: string, threshold: number): void {
    const item = this.held.get(itemId);
    if (!item) throw new Error(`inventory row for ${itemId} was not locked; open the book with create`);
    if (item.threshold === threshold) return;
    item.threshold = threshold;
    item.changed = true;
  }

  /**
   * Writes what was applied. Signals go out with `emit` when the caller has
   * one; without it the row keeps its old signalled state and the signal job
   * (InventoryService.flushSignals) sends it after commit.
   */
  async commit(emit: Emit | undefined, region: string): Promise<LedgerEntry[]> {
    if (this.entries.length > 0) await this.tx.insert(inventoryTransactions).values(this.entries);
    const changed = [...this.held].filter(([, h]) => h.changed);
    if (emit) {
      for (const [itemId, h] of changed) {
        const low = isLow(h.position, h.threshold);
        if (low === h.signalled) continue;
        await emitSignal(emit, region, low, { storeId: this.storeId, itemId, available: availableOf(h.position), threshold: h.threshold, at: this.at.toISOString() });
        h.signalled = low;
      }
    }
    if (changed.length > 0) {
      await this.tx
        .insert(inventoryPositions)
        .values(changed.map(([itemId, h]) => ({ storeId: this.storeId, itemId, ...h.position, threshold: h.threshold, lowStockSignalled: h.signalled, updatedAt: this.at })))
        .onConflictDoUpdate({
          target: [inventoryPositions.storeId, inventoryPositions.itemId],
          set: {
            onHand: sql`excluded.on_hand`,
            reserved: sql`excluded.reserved`,
            inTransit: sql`excluded.in_transit`,
            onOrder: sql`excluded.on_order`,
            damaged: sql`excluded.damaged`,
            threshold: sql`excluded.threshold`,
            lowStockSignalled: sql`excluded.low_stock_signalled`,
            updatedAt: sql`excluded.updated_at`,
          },
        });
    }
    return this.entries.map((e) => entryOf({ ...e, seq: 0, reason: e.reason ?? null, reference: e.reference ?? null, idempotencyKey: e.idempotencyKey ?? null }));
  }
}

export async function emitSignal(emit: Emit, region: string, low: boolean, payload: StockSignalPayload): Promise<void> {
  await emit({ topic: regionTopic(region), type: low ? INVENTORY_LOW_STOCK : INVENTORY_STOCK_RESTORED, payload });
}
