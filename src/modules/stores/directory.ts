// The directory held in memory for discovery: every record, and the spatial
// index over them. It loads once, then follows changes: the store.set applier
// tells it which store changed and the hlc it wrote, and the next read fetches
// just those rows. The applier runs inside a transaction that commits later
// (or rolls back), so a row that does not show the expected hlc yet stays
// pending and is fetched again on a later read; one that never shows it (its
// batch rolled back) is dropped after a while and comes back when the event
// is applied again.
import { inArray } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { compareEncodedHlc } from '../../lib/hlc.js';
import type { LwwMap } from '../../lib/merge.js';
import { recordOf, type StoreRecord } from './model.js';
import { regionTimeZone } from './regions.js';
import { storeDirectory } from './schema.js';
import { StoreIndex } from './store-index.js';

const PENDING_FOR_MS = 5 * 60_000;

export function rowToRecord(row: typeof storeDirectory.$inferSelect): StoreRecord {
  return recordOf(row.storeId, row.fields as LwwMap, regionTimeZone);
}

export class StoreDirectory {
  private records = new Map<string, StoreRecord>();
  private index = StoreIndex.build([]);
  private loaded = false;
  private readonly pending = new Map<string, { hlc: string; since: number }>();
  private syncing: Promise<void> | undefined;
  /** Rebuilds of the spatial index, for tests and metrics. */
  rebuilds = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  /** Called by the applier, inside its transaction, with the hlc the row will carry once committed. */
  noteChange(storeId: string, hlc: string): void {
    const seen = this.pending.get(storeId);
    if (!seen || compareEncodedHlc(hlc, seen.hlc) > 0) this.pending.set(storeId, { hlc, since: this.now() });
  }

  /** The index and records, brought up to date with what has committed. */
  async current(): Promise<{ index: StoreIndex; records: ReadonlyMap<string, StoreRecord> }> {
    if (!this.loaded || this.pending.size > 0) {
      // One sync at a time; callers arriving meanwhile share it.
      this.syncing ??= this.sync().finally(() => (this.syncing = undefined));
      await this.syncing;
    }
    return { index: this.index, records: this.records };
  }

  private async sync(): Promise<void> {
    if (!this.loaded) {
      const ids = [...this.pending.keys()];
      const rows = await this.db.select().from(storeDirectory);
      this.records = new Map(rows.map((row) => [row.storeId, rowToRecord(row)]));
      this.index = StoreIndex.build(this.records.values());
      this.rebuilds += 1;
      this.loaded = true;
      this.settle(ids, rows);
      return;
    }
    const ids = [...this.pending.keys()];
    const rows = await this.db.select().from(storeDirectory).where(inArray(storeDirectory.storeId, ids));
    let rebuild = false;
    for (const row of rows) {
      const record = rowToRecord(row);
      this.records.set(row.storeId, record);
      if (!this.index.replace(record)) rebuild = true;
    }
    if (rebuild) {
      this.index = StoreIndex.build(this.records.values());
      this.rebuilds += 1;
    }
    this.settle(ids, rows);
  }

  /** Clears pending marks the rows now satisfy, and ones waited on too long. */
  private settle(ids: string[], rows: { storeId: string; updatedHlc: string }[]): void {
    const hlcOf = new Map(rows.map((r) => [r.storeId, r.updatedHlc]));
    const now = this.now();
    for (const id of ids) {
      const mark = this.pending.get(id);
      if (!mark) continue;
      const held = hlcOf.get(id);
      if ((held !== undefined && compareEncodedHlc(held, mark.hlc) >= 0) || now - mark.since > PENDING_FOR_MS) this.pending.delete(id);
    }
  }
}
