// Stock counts as CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF).
// The import reads `itemId,onHand[,threshold]`, with or without a header; a
// header may name more columns (an edited export) and those are ignored.
// Every problem names its line, and one bad line refuses the whole file.
import type { FieldError } from '../../http/errors.js';
import { MAX_POSITION } from './ledger.js';

export interface CsvRecord {
  /** The line the record starts on, 1-based, as a spreadsheet shows it. */
  line: number;
  fields: string[];
}

/** Splits CSV text into records; a stray quote is reported with its line. */
export function parseCsv(text: string): { records: CsvRecord[]; error?: FieldError } {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let fieldStarted = false;
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: start, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
        const next = body[i + 1];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          return { records, error: { field: `body.line.${line}`, message: `line ${line}: text after a closing quote` } };
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) return { records, error: { field: `body.line.${start}`, message: `line ${start}: a quoted field is never closed` } };
  if (field !== '' || fields.length > 0) endRecord();
  return { records };
}

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

/** One CSV field: quoted when it must be, and a leading = + - @ defused so a spreadsheet shows text, not a formula. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
