// The replicated event of the store directory, `store.set` on `global`: the
// fields of one store it changes, merged last-writer-wins per field by hlc,
// so a manager's edit and the store's own start-up publication made on two
// sides of a partition both keep their fields.
//
// Who may write a store's record is checked where the event is applied, not
// only where it was made: its origin must be the store itself or a hub. An
// event from anyone else fails to apply and stays unheld (the replication
// engine logs it and keeps asking), rather than being dropped: the usual
// cause is a hub this node has not heard of yet, which membership fixes.
import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { lwwMapSet, lwwMapValue, type LwwMap } from '../../lib/merge.js';
import type { ReplicatedEvent } from '../../core/context.js';
import { storeDirectory } from './schema.js';
import { storeSetPayloadSchema, type StoreFields } from './model.js';

export const STORE_SET = 'store.set';
export const DIRECTORY_TOPIC = 'global';

export interface StoreApplierDeps {
  /** Whether `origin` may publish the record of `storeId`. */
  mayPublish(origin: string, storeId: string): boolean;
  /** Told, inside the transaction, which store changed and the hlc its row now carries. */
  changed(storeId: string, hlc: string): void;
}

export class StoreRecordRefused extends Error {
  override readonly name = 'StoreRecordRefused';
}

export function storeSetApplier(deps: StoreApplierDeps): (tx: Tx, event: ReplicatedEvent) => Promise<void> {
  return async (tx, event) => {
    const parsed = storeSetPayloadSchema.safeParse(event.payload);
    if (!parsed.success) throw new StoreRecordRefused(`store.set from ${event.origin} is malformed: ${parsed.error.message}`);
    const { storeId, fields: incoming } = parsed.data;
    if (!deps.mayPublish(event.origin, storeId)) {
      throw new StoreRecordRefused(`${event.origin} is neither store ${storeId} nor a hub, so may not publish its record`);
    }
    const rows = await tx.select().from(storeDirectory).where(eq(storeDirectory.storeId, storeId)).for('update');
    let fields: LwwMap = (rows[0]?.fields as LwwMap | undefined) ?? {};
    for (const [field, value] of Object.entries(incoming)) {
      if (value !== undefined) fields = lwwMapSet(fields, field, value, event.hlc);
    }
    const v = lwwMapValue(fields) as Partial<StoreFields>;
    const newest = Object.values(fields).reduce((max, r) => (r.hlc > max ? r.hlc : max), '');
    const row = {
      region: v.region ?? '',
      lat: v.lat ?? null,
      lon: v.lon ?? null,
      isOperational: v.isOperational ?? true,
      fields,
      updatedHlc: newest,
    };
    await tx
      .insert(storeDirectory)
      .values({ storeId, ...row })
      .onConflictDoUpdate({ target: storeDirectory.storeId, set: row });
    deps.changed(storeId, newest);
  };
}
