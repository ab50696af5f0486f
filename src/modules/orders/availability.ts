// Questions about drinks at this store that change nothing: can it make
// them now (and if not, what is short), and how complex an order is for the
// golden window.
import { Invalid } from '../../http/errors.js';
import { complexityOf, type Complexity } from './golden-window.js';
import type { CatalogPort, IngredientInfo, InventoryPort, OrderableDrink } from './needs.js';

export interface DrinkAvailability {
  drinkId: string;
  name: string;
  canMake: boolean;
  missing: { itemId: string; name: string | null; needed: number; available: number }[];
}

/** Cups, lids, straws and ice come with every drink; they are not flavours that make one harder to pour. */
const isFlavour = (info: IngredientInfo | undefined): boolean => info === undefined || !['physical', 'ice'].includes(info.type);

export async function complexityOfDrinks(catalog: CatalogPort, drinks: { drink: OrderableDrink; quantity: number }[]): Promise<Complexity> {
  const info = await catalog.ingredientInfo([...new Set(drinks.flatMap((d) => d.drink.ingredients.map((i) => i.itemId)))]);
  const count = drinks.reduce((n, d) => n + d.quantity, 0);
  const components = drinks.reduce((n, d) => n + d.quantity * d.drink.ingredients.filter((i) => isFlavour(info.get(i.itemId))).length, 0);
  return complexityOf(count, components);
}

/** Why `viewer` may not order a drink the catalog holds, if they may not. */
function refusal(drink: OrderableDrink, viewer: string | undefined): string | undefined {
  if (drink.retired) return `${drink.name} is no longer offered`;
  if (drink.userCreated && drink.createdBy !== viewer) return `no drink ${drink.drinkId} in the catalog`;
  return undefined;
}

/** The drinks asked for, or a 400 naming each one the catalog does not have (or not for this person). */
export async function drinksOrInvalid(catalog: CatalogPort, drinkIds: string[], fieldOf: (i: number) => string, viewer?: string): Promise<Map<string, OrderableDrink>> {
  const found = new Map((await catalog.getDrinks([...new Set(drinkIds)])).map((d) => [d.drinkId, d]));
  const errors = drinkIds.flatMap((id, i) => {
    const drink = found.get(id);
    const why = drink ? refusal(drink, viewer) : `no drink ${id} in the catalog`;
    return why ? [{ field: fieldOf(i), message: why }] : [];
  });
  if (errors.length > 0) throw new Invalid('Some drinks are not in the catalog.', errors);
  return found;
}

/** Whether one of each drink can be made from what is available now (each on its own, not all together). */
export async function checkInventory(catalog: CatalogPort, inventory: InventoryPort, storeId: string, drinkIds: string[], viewer?: string): Promise<DrinkAvailability[]> {
  const drinks = await drinksOrInvalid(catalog, drinkIds, (i) => `body.drinkIds.${i}`, viewer);
  const itemIds = [...new Set([...drinks.values()].flatMap((d) => d.ingredients.map((i) => i.itemId)))];
  const [available, info] = await Promise.all([inventory.available(storeId, itemIds), catalog.ingredientInfo(itemIds)]);
  return [...new Set(drinkIds)].map((id) => {
    const drink = drinks.get(id)!;
    const missing = drink.ingredients
      .filter((i) => (available[i.itemId] ?? 0) < i.quantity)
      .map((i) => ({ itemId: i.itemId, name: info.get(i.itemId)?.name ?? null, needed: i.quantity, available: Math.max(0, available[i.itemId] ?? 0) }));
    return { drinkId: id, name: drink.name, canMake: missing.length === 0, missing };
  });
}
