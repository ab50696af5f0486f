// What an ingredient and a drink are, how a drink's recipe is completed from
// its size and ice (the cup, lid, straw and scoops of ice are the store's to
// add, never the client's to list), and how a person's own drink is priced:
// from its size and components only, in integer cents.
import { nameText } from '../../lib/text.js';
import { z } from 'zod';
import type { FieldError } from '../../http/errors.js';
import { lwwMapValue, type LwwMap } from '../../lib/merge.js';

export const ingredientTypes = ['syrup', 'soda', 'add-in', 'juice', 'physical', 'ice'] as const;
export type IngredientType = (typeof ingredientTypes)[number];
export const drinkSizes = ['16oz', '24oz', '32oz'] as const;
export type DrinkSize = (typeof drinkSizes)[number];
export const iceLevels = ['none', 'light', 'regular', 'extra'] as const;
export type IceLevel = (typeof iceLevels)[number];

/** Components a customer chooses; the rest (cup, lid, straw, ice) follow from size and ice. */
export const flavourTypes: readonly IngredientType[] = ['syrup', 'soda', 'add-in', 'juice'];

export interface Ingredient {
  itemId: string;
  name: string;
  type: IngredientType;
  /** What one unit of quantity is: pump, pour, scoop, splash, each. */
  unit: string;
  retired: boolean;
}

export interface RecipeLine {
  itemId: string;
  quantity: number;
}

export interface Drink {
  drinkId: string;
  name: string;
  priceCents: number;
  size: DrinkSize;
  ice: IceLevel;
  /** The recipe for one drink, cup, lid, straw and ice included. */
  ingredients: RecipeLine[];
  userCreated: boolean;
  createdBy: string | null;
  rating: number | null;
  retired: boolean;
}

export const itemIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes');
export const drinkIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/, 'letters, digits and dashes');

export const ingredientFieldsSchema = z.strictObject({
  name: nameText(100),
  type: z.enum(ingredientTypes),
  unit: nameText(20),
  retired: z.boolean(),
});
export type IngredientFields = z.infer<typeof ingredientFieldsSchema>;

export const recipeLineSchema = z.strictObject({
  itemId: itemIdSchema,
  quantity: z.number().int('a whole number').min(1, 'at least 1').max(10, 'at most 10'),
});

export const drinkFieldsSchema = z.strictObject({
  name: nameText(100),
  priceCents: z.number().int().min(0).max(100_000),
  size: z.enum(drinkSizes),
  ice: z.enum(iceLevels),
  ingredients: z.array(recipeLineSchema).min(1).max(30),
  userCreated: z.boolean(),
  createdBy: z.string().max(128).nullable(),
  rating: z.number().min(0).max(5).nullable(),
  retired: z.boolean(),
  createdAt: z.string().max(40),
});
export type DrinkFields = z.infer<typeof drinkFieldsSchema>;

export function ingredientOf(itemId: string, fields: LwwMap): Ingredient {
  const v = lwwMapValue(fields) as Partial<IngredientFields>;
  return { itemId, name: v.name ?? itemId, type: v.type ?? 'physical', unit: v.unit ?? 'each', retired: v.retired ?? false };
}

export function drinkOf(drinkId: string, fields: LwwMap): Drink {
  const v = lwwMapValue(fields) as Partial<DrinkFields>;
  return {
    drinkId,
    name: v.name ?? drinkId,
    priceCents: v.priceCents ?? 0,
    size: v.size ?? '24oz',
    ice: v.ice ?? 'regular',
    ingredients: v.ingredients ?? [],
    userCreated: v.userCreated ?? false,
    createdBy: v.createdBy ?? null,
    rating: v.rating ?? null,
    retired: v.retired ?? false,
  };
}

// ---------------------------------------------------------------- recipe and price

export const CUP_OF: Record<DrinkSize, string> = { '16oz': 'cup-16oz', '24oz': 'cup-24oz', '32oz': 'cup-32oz' };
export const LID = 'lid';
export const STRAW = 'straw';
export const ICE = 'ice';
export const ICE_SCOOPS: Record<IceLevel, number> = { none: 0, light: 1, regular: 2, extra: 3 };

/** A person’s own drink: the base price of its size, cup, lid, straw, ice and sodas included… */
export const SIZE_BASE_CENTS: Record<DrinkSize, number> = { '16oz': 299, '24oz': 379, '32oz': 459 };
/** …plus each unit of what they add. */
export const UNIT_CENTS: Record<IngredientType, number> = { syrup: 50, 'add-in': 75, juice: 50, soda: 0, physical: 0, ice: 0 };

export function priceOf(size: DrinkSize, components: readonly RecipeLine[], typeOf: (itemId: string) => IngredientType | undefined): number {
  return components.reduce((sum, line) => sum + line.quantity * UNIT_CENTS[typeOf(line.itemId) ?? 'physical'], SIZE_BASE_CENTS[size]);
}

/**
 * Checks the components a client chose against the catalog this node holds
 * and completes the recipe with the cup for the size, a lid, a straw and the
 * ice. Problems name the field (`body.ingredients.2.itemId`).
 */
export function assembleRecipe(
  input: { size: DrinkSize; ice: IceLevel; ingredients: readonly RecipeLine[] },
  lookup: (itemId: string) => Ingredient | undefined,
  opts: { needsSoda: boolean; path?: string },
): { recipe: RecipeLine[]; errors: FieldError[] } {
  const path = opts.path ?? 'body';
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  input.ingredients.forEach((line, i) => {
    const field = `${path}.ingredients.${i}.itemId`;
    const item = lookup(line.itemId);
    if (seen.has(line.itemId)) errors.push({ field, message: `${line.itemId} is listed twice; give one line with the total quantity` });
    else if (!item) errors.push({ field, message: `no ingredient ${line.itemId} in the catalog` });
    else if (item.retired) errors.push({ field, message: `${item.name} is no longer offered` });
    else if (!flavourTypes.includes(item.type)) errors.push({ field, message: 'cups, lids, straws and ice follow from size and ice; list only syrups, sodas, add-ins and juices' });
    seen.add(line.itemId);
  });
  if (errors.length === 0 && opts.needsSoda && !input.ingredients.some((l) => lookup(l.itemId)?.type === 'soda')) {
    errors.push({ field: `${path}.ingredients`, message: 'a drink needs at least one soda' });
  }
  const fixed: RecipeLine[] = [
    { itemId: CUP_OF[input.size], quantity: 1 },
    { itemId: LID, quantity: 1 },
    { itemId: STRAW, quantity: 1 },
    ...(ICE_SCOOPS[input.ice] > 0 ? [{ itemId: ICE, quantity: ICE_SCOOPS[input.ice] }] : []),
  ];
  for (const line of fixed) {
    const item = lookup(line.itemId);
    if (!item || item.retired) {
      const field = line.itemId === ICE ? `${path}.ice` : `${path}.size`;
      errors.push({ field, message: `the catalog has no ${line.itemId} item to make it with (seed the default catalog)` });
    }
  }
  return { recipe: [...input.ingredients.map((l) => ({ itemId: l.itemId, quantity: l.quantity })), ...fixed], errors };
}

/** The components a client chose, without what size and ice added (for editing a drink). */
export function componentsOf(drink: Pick<Drink, 'ingredients'>, lookup: (itemId: string) => Ingredient | undefined): RecipeLine[] {
  return drink.ingredients.filter((l) => {
    const type = lookup(l.itemId)?.type;
    return type !== undefined && flavourTypes.includes(type);
  });
}
