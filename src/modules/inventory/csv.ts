// Stock counts as CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF).
// The import reads `itemId,onHand[,threshold]`, with or without a header; a
// header may name more columns (an edited export) and those are ignored.
// Every problem names its line, and one bad line refuses the whole file.
import type { FieldError } from '../../http/errors.js';
import { parseCsv } from '../../lib/csv.js';
import { MAX_POSITION } from './ledger.js';

export interface CountRow {
  line: number;
  itemId: string;
  onHand: number;
  threshold?: number;
}

export const ITEM_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const COUNT = /^\d{1,10}$/;

/** Reads stock-count rows; `errors` lists every bad line (the caller applies nothing then). */
export function parseCounts(text: string, maxRows = 10_000): { rows: CountRow[]; errors: FieldError[] } {
  const { records, error } = parseCsv(text);
  if (error) return { rows: [], errors: [error] };
  if (records.length === 0) return { rows: [], errors: [{ field: 'body', message: 'the file has no rows: send itemId,onHand[,threshold] lines' }] };
  let columns = { itemId: 0, onHand: 1, threshold: 2 as number | undefined };
  let data = records;
  const header = records[0]!.fields.map((f) => f.trim());
  if (header[0]?.toLowerCase() === 'itemid' || header.some((h) => h.toLowerCase() === 'onhand')) {
    const at = (name: string) => header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
    const [itemId, onHand, threshold] = [at('itemId'), at('onHand'), at('threshold')];
    if (itemId < 0 || onHand < 0) {
      return { rows: [], errors: [{ field: 'body.line.1', message: 'line 1: the header must name the columns itemId and onHand' }] };
    }
    columns = { itemId, onHand, threshold: threshold < 0 ? undefined : threshold };
    data = records.slice(1);
  }
  if (data.length > maxRows) return { rows: [], errors: [{ field: 'body', message: `at most ${maxRows} rows per file` }] };
  const rows: CountRow[] = [];
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  for (const { line, fields } of data) {
    const bad = (column: string, message: string) => errors.push({ field: `body.line.${line}.${column}`, message: `line ${line}: ${message}` });
    const itemId = (fields[columns.itemId] ?? '').trim();
    const onHand = (fields[columns.onHand] ?? '').trim();
    const threshold = columns.threshold === undefined ? '' : (fields[columns.threshold] ?? '').trim();
    if (!ITEM_ID.test(itemId)) {
      bad('itemId', itemId ? `"${itemId.slice(0, 40)}" is not an item id` : 'the item id is missing');
      continue;
    }
    const first = seen.get(itemId);
    if (first !== undefined) {
      bad('itemId', `${itemId} was already counted on line ${first}`);
      continue;
    }
    seen.set(itemId, line);
    if (!COUNT.test(onHand) || Number(onHand) > MAX_POSITION) {
      bad('onHand', onHand ? `on hand "${onHand.slice(0, 20)}" is not a whole number of units` : 'the on-hand count is missing');
      continue;
    }
    if (threshold !== '' && (!COUNT.test(threshold) || Number(threshold) > MAX_POSITION)) {
      bad('threshold', `threshold "${threshold.slice(0, 20)}" is not a whole number of units`);
      continue;
    }
    rows.push({ line, itemId, onHand: Number(onHand), ...(threshold !== '' ? { threshold: Number(threshold) } : {}) });
  }
  return { rows, errors };
}
