// The catalog's replicated events and their appliers. Each carries the
// fields it changes, merged last-writer-wins per field by hlc: two super
// admins editing one drink during a partition keep each other's other
// fields, and seeding the default catalog on two nodes at once converges to
// one row per id. A malformed payload fails to apply (the engine keeps the
// event unheld and logs it) instead of writing a half row.
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../../db/database.js';
import { lwwMapSet, lwwMapValue, type LwwMap } from '../../lib/merge.js';
import type { ReplicatedEvent, ReplicationApi } from '../../core/context.js';
import { drinkFieldsSchema, drinkIdSchema, ingredientFieldsSchema, itemIdSchema, type DrinkFields, type IngredientFields } from './model.js';
import { catalogDrinks, catalogIngredients } from './schema.js';

export const INGREDIENT_SET = 'catalog.ingredient.set';
export const DRINK_SET = 'catalog.drink.set';
export const CATALOG_TOPIC = 'global';
export const userTopic = (userId: string): string => `user:${userId}`;

export const ingredientSetPayloadSchema = z.strictObject({ itemId: itemIdSchema, fields: ingredientFieldsSchema.partial() });
export const drinkSetPayloadSchema = z.strictObject({ drinkId: drinkIdSchema, fields: drinkFieldsSchema.partial() });
export type IngredientSetPayload = z.infer<typeof ingredientSetPayloadSchema>;
export type DrinkSetPayload = z.infer<typeof drinkSetPayloadSchema>;

function merge(held: LwwMap, incoming: Record<string, unknown>, hlc: string): { fields: LwwMap; newest: string } {
  let fields = held;
  for (const [field, value] of Object.entries(incoming)) if (value !== undefined) fields = lwwMapSet(fields, field, value, hlc);
  const newest = Object.values(fields).reduce((max, r) => (r.hlc > max ? r.hlc : max), '');
  return { fields, newest };
}

function parse<T>(schema: z.ZodType<T>, event: ReplicatedEvent): T {
  const parsed = schema.safeParse(event.payload);
  if (!parsed.success) throw new Error(`${event.type} from ${event.origin} is malformed: ${parsed.error.message}`);
  return parsed.data;
}

export async function applyIngredientSet(tx: Tx, event: ReplicatedEvent): Promise<void> {
  const p = parse(ingredientSetPayloadSchema, event);
  const rows = await tx.select().from(catalogIngredients).where(eq(catalogIngredients.itemId, p.itemId)).for('update');
  const { fields, newest } = merge((rows[0]?.fields as LwwMap | undefined) ?? {}, p.fields, event.hlc);
  const v = lwwMapValue(fields) as Partial<IngredientFields>;
  const row = { type: v.type ?? 'physical', retired: v.retired ?? false, fields, updatedHlc: newest };
  await tx
    .insert(catalogIngredients)
    .values({ itemId: p.itemId, ...row })
    .onConflictDoUpdate({ target: catalogIngredients.itemId, set: row });
}

export async function applyDrinkSet(tx: Tx, event: ReplicatedEvent): Promise<void> {
  const p = parse(drinkSetPayloadSchema, event);
  const rows = await tx.select().from(catalogDrinks).where(eq(catalogDrinks.drinkId, p.drinkId)).for('update');
  const held = rows[0];
  // A drink keeps the topic it was made on; an id reused on another topic is somebody's mistake, not an edit.
  if (held && held.topic !== event.topic) throw new Error(`drink ${p.drinkId} lives on ${held.topic}, not ${event.topic}`);
  const { fields, newest } = merge((held?.fields as LwwMap | undefined) ?? {}, p.fields, event.hlc);
  const v = lwwMapValue(fields) as Partial<DrinkFields>;
  const ownerId = event.topic.startsWith('user:') ? event.topic.slice('user:'.length) : null;
  const row = { topic: event.topic, userCreated: ownerId !== null, ownerId, retired: v.retired ?? false, fields, updatedHlc: newest };
  await tx
    .insert(catalogDrinks)
    .values({ drinkId: p.drinkId, ...row })
    .onConflictDoUpdate({ target: catalogDrinks.drinkId, set: row });
}

export function registerCatalogAppliers(replication: ReplicationApi): void {
  replication.on(INGREDIENT_SET, applyIngredientSet);
  replication.on(DRINK_SET, applyDrinkSet);
}
