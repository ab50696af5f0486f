// The store directory: one row per store of the network, replicated on the
// `global` topic and written only by the store.set applier, so every node
// ends with the same rows. Position and flags are copied out of the merged
// fields into columns for listing by region and for loading the spatial index.
import { boolean, doublePrecision, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';

export const storeDirectory = pgTable(
  'store_directory',
  {
    storeId: text('store_id').primaryKey(),
    /** '' until the store's own record (or a hub's entry) names it. */
    region: text('region').notNull(),
    /** Null until a position is known; such a store is not found by position. */
    lat: doublePrecision('lat'),
    lon: doublePrecision('lon'),
    isOperational: boolean('is_operational').notNull(),
    /** Per-field last-writer-wins state of the record (see events.ts). */
    fields: jsonb('fields').notNull(),
    /** The newest hlc of any field. */
    updatedHlc: text('updated_hlc').notNull(),
  },
  (t) => [index('store_directory_region_idx').on(t.region, t.storeId)],
);
