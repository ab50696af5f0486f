// Usage history rows, checked: from CSV (`date,store_id,item_name,item_type,
// quantity_used`, a header first) or JSON. Every bad row is reported with its
// line (CSV) or index (JSON) and reason, and a file with any bad row imports
// nothing. The same day, store and item twice in one file: the later row
// wins, and the answer says how many rows did so. Pure.
import { parseCsv } from '../../lib/csv.js';
import { textProblem } from '../../lib/text.js';
import { ingredientTypes } from '../catalog/index.js';

export const USAGE_COLUMNS = ['date', 'store_id', 'item_name', 'item_type', 'quantity_used'] as const;
export const MAX_USAGE_ROWS = 200_000;
const MAX_ERRORS = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface UsageRow {
  day: string;
  storeId: string;
  itemKey: string;
  itemName: string;
  itemType: string;
  quantity: number;
}

export interface RawUsage {
  date: unknown;
  storeId: unknown;
  itemName: unknown;
  itemType: unknown;
  quantityUsed: unknown;
}

export interface UsageCheck {
  /** Today at the hub: no usage from the future. */
  today: string;
  /** Whether a store id is a store of this hub's region. */
  isRegionStore: (storeId: string) => boolean;
}

export interface UsageProblem {
  field: string;
  message: string;
}

export const itemKeyOf = (name: string, type: string) => `${name.trim().toLowerCase()}|${type}`;

function isCalendarDay(s: string): boolean {
  if (!DAY.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** One row's problems, or the row. `where` names it: `line 12` or `rows.3`. */
function checkRow(raw: RawUsage, check: UsageCheck): { row?: UsageRow; problems: string[] } {
  const problems: string[] = [];
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
  const day = str(raw.date);
  if (!isCalendarDay(day)) problems.push(`date "${day}" is not a calendar date like 2026-11-30`);
  else if (day > check.today) problems.push(`date ${day} is in the future`);
  else if (day < '2000-01-01') problems.push(`date ${day} is before 2000`);
  const storeId = str(raw.storeId).toLowerCase();
  if (!UUID.test(storeId)) problems.push(`store_id "${storeId}" is not a store id`);
  else if (!check.isRegionStore(storeId)) problems.push(`store_id ${storeId} is not a store of this hub's region`);
  const itemName = str(raw.itemName);
  const nameProblem = itemName === '' ? 'is empty' : itemName.length > 100 ? 'is longer than 100 characters' : textProblem(itemName, { multiline: false });
  if (nameProblem) problems.push(`item_name ${nameProblem}`);
  const itemType = str(raw.itemType).toLowerCase();
  if (!(ingredientTypes as readonly string[]).includes(itemType)) problems.push(`item_type "${itemType.slice(0, 40)}" is not one of ${ingredientTypes.join(', ')}`);
  const q = typeof raw.quantityUsed === 'number' ? raw.quantityUsed : str(raw.quantityUsed) === '' ? Number.NaN : Number(str(raw.quantityUsed));
  if (!Number.isFinite(q)) problems.push(`quantity_used "${str(raw.quantityUsed).slice(0, 40)}" is not a number`);
  else if (q < 0) problems.push('quantity_used is negative');
  else if (q > 1_000_000) problems.push('quantity_used is over 1,000,000');
  if (problems.length > 0) return { problems };
  return { row: { day, storeId, itemKey: itemKeyOf(itemName, itemType), itemName, itemType, quantity: q }, problems };
}

export interface CheckedUsage {
  rows: UsageRow[];
  errors: UsageProblem[];
  /** Rows that an earlier row of the same day, store and item gave way to. */
  replacedInFile: number;
  /** How many bad rows there were in all (errors lists the first 100). */
  badRows: number;
}

function finish(checked: { row?: UsageRow; problems: string[]; where: string; field: string }[]): CheckedUsage {
  const errors: UsageProblem[] = [];
  let badRows = 0;
  const byKey = new Map<string, UsageRow>();
  let replaced = 0;
  for (const c of checked) {
    if (c.problems.length > 0) {
      badRows++;
      if (errors.length < MAX_ERRORS) errors.push({ field: c.field, message: `${c.where}: ${c.problems.join('; ')}` });
      continue;
    }
    const key = `${c.row!.storeId}|${c.row!.day}|${c.row!.itemKey}`;
    if (byKey.has(key)) replaced++;
    byKey.set(key, c.row!);
  }
  return { rows: badRows ? [] : [...byKey.values()], errors, replacedInFile: replaced, badRows };
}

export function checkUsageCsv(text: string, check: UsageCheck): CheckedUsage {
  const { records, error } = parseCsv(text);
  if (error) return { rows: [], errors: [error], replacedInFile: 0, badRows: 1 };
  const header = records[0]?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  const missing = USAGE_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    return { rows: [], errors: [{ field: 'body.line.1', message: `line 1: the header must name ${USAGE_COLUMNS.join(',')}; missing ${missing.join(', ')}` }], replacedInFile: 0, badRows: 1 };
  }
  if (records.length - 1 > MAX_USAGE_ROWS) return { rows: [], errors: [{ field: 'body', message: `at most ${MAX_USAGE_ROWS} rows in one file; split it` }], replacedInFile: 0, badRows: 0 };
  const at = (name: (typeof USAGE_COLUMNS)[number]) => header.indexOf(name);
  const cols = { date: at('date'), storeId: at('store_id'), itemName: at('item_name'), itemType: at('item_type'), quantityUsed: at('quantity_used') };
  return finish(
    records.slice(1).map((r) => ({
      ...checkRow({ date: r.fields[cols.date], storeId: r.fields[cols.storeId], itemName: r.fields[cols.itemName], itemType: r.fields[cols.itemType], quantityUsed: r.fields[cols.quantityUsed] }, check),
      where: `line ${r.line}`,
      field: `body.line.${r.line}`,
    })),
  );
}

export function checkUsageJson(rows: readonly RawUsage[], check: UsageCheck): CheckedUsage {
  return finish(rows.map((r, i) => ({ ...checkRow(r, check), where: `row ${i}`, field: `body.rows.${i}` })));
}
