// The catalog: ingredients (syrups, sodas, add-ins, juices, cups, lids,
// straws, ice) and drinks. Catalog rows replicate on `global`; a drink a
// person made travels on their `user:<id>` topic. Rows are written only by
// the appliers in events.ts, so every holder ends with the same rows.
import { boolean, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';

export const catalogIngredients = pgTable(
  'catalog_ingredients',
  {
    itemId: text('item_id').primaryKey(),
    /** syrup | soda | add-in | juice | physical | ice; copied from the fields for filtering. */
    type: text('type').notNull(),
    retired: boolean('retired').notNull(),
    /** Per-field last-writer-wins state: name, type, unit, retired. */
    fields: jsonb('fields').notNull(),
    updatedHlc: text('updated_hlc').notNull(),
  },
  (t) => [index('catalog_ingredients_type_idx').on(t.type, t.itemId)],
);

export const catalogDrinks = pgTable(
  'catalog_drinks',
  {
    drinkId: text('drink_id').primaryKey(),
    /** The topic it travels on: global for the catalog, user:<id> for a person's own drink. */
    topic: text('topic').notNull(),
    userCreated: boolean('user_created').notNull(),
    /** The person who made a user drink; null for catalog drinks. */
    ownerId: text('owner_id'),
    retired: boolean('retired').notNull(),
    /** Per-field last-writer-wins state: name, priceCents, size, ice, ingredients, rating, retired… */
    fields: jsonb('fields').notNull(),
    updatedHlc: text('updated_hlc').notNull(),
  },
  (t) => [index('catalog_drinks_owner_idx').on(t.ownerId, t.drinkId), index('catalog_drinks_catalog_idx').on(t.userCreated, t.retired, t.drinkId)],
);
