// Stock counts: the shelf as counted by staff, applied as one adjustment per
// item whose count differs (reason 'stock count', one reference per file),
// all in one transaction; and the export a count sheet starts from.
import { randomUUID } from 'node:crypto';
import { Conflict, type FieldError } from '../../http/errors.js';
import type { ReplicationApi } from '../../core/context.js';
import { PositionBook, type InventoryItem } from './book.js';
import { toCsv } from '../../lib/csv.js';
import type { CountRow } from './csv.js';
import { refusalOf } from './ledger.js';

export interface CountResult {
  /** The reference of this count's adjustments in the ledger. */
  countId: string;
  lines: number;
  adjusted: { line: number; itemId: string; from: number; to: number }[];
  thresholdsChanged: number;
  unchanged: number;
}

export async function importCounts(
  deps: { replication: ReplicationApi; region: string; now: () => number },
  storeId: string,
  rows: CountRow[],
  actor: string,
): Promise<CountResult> {
  const countId = `count-${randomUUID()}`;
  return deps.replication.transaction(async (tx, emit) => {
    const book = await PositionBook.open(tx, storeId, rows.map((r) => r.itemId), { create: true, at: new Date(deps.now()) });
    const result: CountResult = { countId, lines: rows.length, adjusted: [], thresholdsChanged: 0, unchanged: 0 };
    const errors: FieldError[] = [];
    for (const row of rows) {
      const from = book.position(row.itemId).onHand;
      let changed = false;
      if (row.onHand !== from) {
        const outcome = book.move(row.itemId, 'adjustment', row.onHand - from, { actor, reason: 'stock count', reference: countId });
        if (!outcome.ok) {
          errors.push({ field: `body.line.${row.line}.onHand`, message: `line ${row.line}: ${refusalOf(row.itemId, outcome)}` });
          continue;
        }
        result.adjusted.push({ line: row.line, itemId: row.itemId, from, to: row.onHand });
        changed = true;
      }
      if (row.threshold !== undefined && row.threshold !== book.threshold(row.itemId)) {
        book.setThreshold(row.itemId, row.threshold);
        result.thresholdsChanged += 1;
        changed = true;
      }
      if (!changed) result.unchanged += 1;
    }
    // Thrown inside the transaction: a count is applied whole or not at all.
    if (errors.length > 0) throw new Conflict('Some counts are below what is reserved for open orders; nothing was applied.', errors, 'stock_below_zero');
    await book.commit(emit, deps.region);
    return result;
  });
}

export const exportColumns = ['itemId', 'name', 'type', 'onHand', 'reserved', 'available', 'inTransit', 'onOrder', 'damaged', 'threshold'] as const;

export function exportCounts(items: InventoryItem[]): string {
  return toCsv([...exportColumns], items.map((i) => exportColumns.map((c) => i[c])));
}
