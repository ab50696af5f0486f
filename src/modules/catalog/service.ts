// The catalog: ingredients and drinks, read by every other module through
// this service (orders price and reserve by it, inventory names items by
// it). Only a super admin changes the catalog; a person may add drinks of
// their own, priced here from size and components. Every change is an event
// written with its row in one transaction.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, or } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../../http/errors.js';
import type { LwwMap } from '../../lib/merge.js';
import type { ReplicationApi } from '../../core/context.js';
import { defaultDrinks, defaultIngredients } from './default-catalog.js';
import { applyDrinkSet, applyIngredientSet, CATALOG_TOPIC, DRINK_SET, INGREDIENT_SET, userTopic } from './events.js';
import {
  assembleRecipe,
  componentsOf,
  drinkOf,
  ingredientOf,
  priceOf,
  type Drink,
  type DrinkFields,
  type DrinkSize,
  type IceLevel,
  type Ingredient,
  type IngredientFields,
  type IngredientType,
  type RecipeLine,
} from './model.js';
import { catalogDrinks, catalogIngredients } from './schema.js';

/** Who asks: a user id, or 'operator'; `isSuperAdmin` when they may change the catalog. */
export interface CatalogActor {
  subject: string;
  isSuperAdmin: boolean;
}

export interface DrinkInput {
  drinkId?: string | undefined;
  name: string;
  size: DrinkSize;
  ice: IceLevel;
  ingredients: RecipeLine[];
  priceCents?: number | undefined;
  rating?: number | null | undefined;
}

export type DrinkChanges = Partial<Omit<DrinkInput, 'drinkId'>> & { retired?: boolean | undefined };

type DrinkRow = typeof catalogDrinks.$inferSelect;

function toDrink(row: DrinkRow): Drink {
  const drink = drinkOf(row.drinkId, row.fields as LwwMap);
  // The topic decides whose drink it is, whatever the fields claim.
  return { ...drink, userCreated: row.userCreated, createdBy: row.ownerId ?? drink.createdBy };
}

const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 50);

export class CatalogService {
  constructor(
    private readonly db: Db,
    private readonly replication: ReplicationApi,
    private readonly now: () => number,
  ) {}

  // ---------------------------------------------------------------- reads

  async ingredients(filter: { type?: IngredientType | undefined; includeRetired?: boolean } = {}): Promise<Ingredient[]> {
    const where = [];
    if (filter.type) where.push(eq(catalogIngredients.type, filter.type));
    if (!filter.includeRetired) where.push(eq(catalogIngredients.retired, false));
    const rows = await this.db.select().from(catalogIngredients).where(and(...where)).orderBy(asc(catalogIngredients.itemId));
    return rows.map((r) => ingredientOf(r.itemId, r.fields as LwwMap));
  }

  async ingredient(itemId: string): Promise<Ingredient | undefined> {
    const rows = await this.db.select().from(catalogIngredients).where(eq(catalogIngredients.itemId, itemId));
    return rows[0] ? ingredientOf(rows[0].itemId, rows[0].fields as LwwMap) : undefined;
  }

  /** Names and types of items, by id, in one query (retired ones too: a ledger or an order may still name them). */
  async ingredientInfo(itemIds: readonly string[]): Promise<Map<string, { name: string; type: string }>> {
    if (itemIds.length === 0) return new Map();
    const rows = await this.db.select().from(catalogIngredients).where(inArray(catalogIngredients.itemId, [...new Set(itemIds)]));
    return new Map(rows.map((r) => ingredientOf(r.itemId, r.fields as LwwMap)).map((i) => [i.itemId, { name: i.name, type: i.type }]));
  }

  private async ingredientMap(): Promise<Map<string, Ingredient>> {
    return new Map((await this.ingredients({ includeRetired: true })).map((i) => [i.itemId, i]));
  }

  /** Any drink this node holds, catalog or a person's own, retired ones too (an order may name one). */
  async getDrink(drinkId: string): Promise<Drink | undefined> {
    const rows = await this.db.select().from(catalogDrinks).where(eq(catalogDrinks.drinkId, drinkId));
    return rows[0] ? toDrink(rows[0]) : undefined;
  }

  async getDrinks(drinkIds: readonly string[]): Promise<Map<string, Drink>> {
    if (drinkIds.length === 0) return new Map();
    const rows = await this.db.select().from(catalogDrinks).where(inArray(catalogDrinks.drinkId, [...new Set(drinkIds)]));
    return new Map(rows.map((r) => [r.drinkId, toDrink(r)]));
  }

  /** The catalog's drinks on offer, and the viewer's own when one is given. */
  async listDrinks(viewer?: string): Promise<Drink[]> {
    const catalog = and(eq(catalogDrinks.userCreated, false), eq(catalogDrinks.retired, false));
    const mine = viewer ? and(eq(catalogDrinks.ownerId, viewer), eq(catalogDrinks.retired, false)) : undefined;
    const rows = await this.db
      .select()
      .from(catalogDrinks)
      .where(mine ? or(catalog, mine) : catalog)
      .orderBy(asc(catalogDrinks.userCreated), asc(catalogDrinks.drinkId));
    return rows.map(toDrink);
  }

  /** A drink as `viewer` may see it: catalog drinks to anyone, a person's own to them and super admins. */
  async drinkFor(drinkId: string, viewer: CatalogActor | undefined): Promise<Drink> {
    const drink = await this.getDrink(drinkId);
    if (!drink || (drink.userCreated && drink.createdBy !== viewer?.subject && !viewer?.isSuperAdmin)) throw new NotFound(`No drink ${drinkId} here.`);
    return drink;
  }

  // ---------------------------------------------------------------- writes

  private async setIngredient(itemId: string, fields: Partial<IngredientFields>): Promise<void> {
    await this.replication.transaction(async (tx, emit) => {
      await applyIngredientSet(tx, await emit({ topic: CATALOG_TOPIC, type: INGREDIENT_SET, payload: { itemId, fields } }));
    });
  }

  private async setDrink(topic: string, drinkId: string, fields: Partial<DrinkFields>): Promise<void> {
    await this.replication.transaction(async (tx, emit) => {
      await applyDrinkSet(tx, await emit({ topic, type: DRINK_SET, payload: { drinkId, fields } }));
    });
  }

  private static requireSuperAdmin(actor: CatalogActor): void {
    if (!actor.isSuperAdmin) throw new Forbidden('Only a super admin changes the catalog.');
  }

  async createIngredient(actor: CatalogActor, input: { itemId?: string | undefined; name: string; type: IngredientType; unit?: string | undefined }): Promise<Ingredient> {
    CatalogService.requireSuperAdmin(actor);
    const itemId = input.itemId ?? `${input.type}-${slug(input.name)}`;
    if (await this.ingredient(itemId)) throw new Conflict(`The catalog has an ingredient ${itemId} already.`, [{ field: input.itemId ? 'body.itemId' : 'body.name', message: 'already in the catalog' }], 'already_exists');
    const unit = input.unit ?? { syrup: 'pump', soda: 'pour', 'add-in': 'scoop', juice: 'splash', physical: 'each', ice: 'scoop' }[input.type];
    await this.setIngredient(itemId, { name: input.name, type: input.type, unit, retired: false });
    return (await this.ingredient(itemId))!;
  }

  async updateIngredient(actor: CatalogActor, itemId: string, changes: { name?: string | undefined; unit?: string | undefined; retired?: boolean | undefined }): Promise<Ingredient> {
    CatalogService.requireSuperAdmin(actor);
    if (!(await this.ingredient(itemId))) throw new NotFound(`No ingredient ${itemId} in the catalog.`);
    const fields = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    if (Object.keys(fields).length > 0) await this.setIngredient(itemId, fields);
    return (await this.ingredient(itemId))!;
  }

  /**
   * A super admin adds a catalog drink (its price given, or computed like a
   * person's); anyone else adds a drink of their own, priced here from size
   * and components, on their own topic so it follows them to any store.
   */
  async createDrink(actor: CatalogActor, input: DrinkInput): Promise<Drink> {
    if (!actor.isSuperAdmin) {
      const refused = (['priceCents', 'rating', 'drinkId'] as const).filter((f) => input[f] !== undefined);
      if (refused.length > 0) throw new Invalid('These are set by the store.', refused.map((f) => ({ field: `body.${f}`, message: 'set by the store, not by the client' })));
    }
    const items = await this.ingredientMap();
    const { recipe, errors } = assembleRecipe(input, (id) => items.get(id), { needsSoda: true });
    if (errors.length > 0) throw new Invalid('The drink cannot be made from these ingredients.', errors);
    const priceCents = input.priceCents ?? priceOf(input.size, input.ingredients, (id) => items.get(id)?.type);
    const drinkId = input.drinkId ?? randomUUID();
    if (input.drinkId && (await this.getDrink(drinkId))) throw new Conflict(`A drink ${drinkId} exists already.`, [{ field: 'body.drinkId', message: 'already in use' }], 'already_exists');
    const topic = actor.isSuperAdmin ? CATALOG_TOPIC : userTopic(actor.subject);
    // A store holds a visitor's topic once it served them; subscribing again is a no-op.
    if (topic !== CATALOG_TOPIC) await this.replication.subscribe(topic);
    await this.setDrink(topic, drinkId, {
      name: input.name,
      priceCents,
      size: input.size,
      ice: input.ice,
      ingredients: recipe,
      userCreated: !actor.isSuperAdmin,
      createdBy: actor.subject,
      rating: input.rating ?? null,
      retired: false,
      createdAt: new Date(this.now()).toISOString(),
    });
    return (await this.getDrink(drinkId))!;
  }

  /** A super admin edits a catalog drink; a person edits their own (repriced here when its recipe changes). */
  async updateDrink(actor: CatalogActor, drinkId: string, changes: DrinkChanges): Promise<Drink> {
    const rows = await this.db.select().from(catalogDrinks).where(eq(catalogDrinks.drinkId, drinkId));
    const row = rows[0];
    if (!row || (row.userCreated && row.ownerId !== actor.subject && !actor.isSuperAdmin)) throw new NotFound(`No drink ${drinkId} here.`);
    if (!row.userCreated) CatalogService.requireSuperAdmin(actor);
    if (row.userCreated && row.ownerId !== actor.subject) throw new Forbidden('A person’s own drink is theirs to change.');
    if (row.userCreated) {
      const refused = (['priceCents', 'rating'] as const).filter((f) => changes[f] !== undefined);
      if (refused.length > 0) throw new Invalid('These are set by the store.', refused.map((f) => ({ field: `body.${f}`, message: 'set by the store, not by the client' })));
    }
    const current = toDrink(row);
    const fields: Partial<DrinkFields> = {};
    if (changes.name !== undefined) fields.name = changes.name;
    if (changes.retired !== undefined) fields.retired = changes.retired;
    if (changes.rating !== undefined) fields.rating = changes.rating;
    if (changes.size !== undefined || changes.ice !== undefined || changes.ingredients !== undefined) {
      const items = await this.ingredientMap();
      const lookup = (id: string) => items.get(id);
      const next = { size: changes.size ?? current.size, ice: changes.ice ?? current.ice, ingredients: changes.ingredients ?? componentsOf(current, lookup) };
      const { recipe, errors } = assembleRecipe(next, lookup, { needsSoda: true });
      if (errors.length > 0) throw new Invalid('The drink cannot be made from these ingredients.', errors);
      Object.assign(fields, { size: next.size, ice: next.ice, ingredients: recipe });
      if (row.userCreated) fields.priceCents = priceOf(next.size, next.ingredients, (id) => items.get(id)?.type);
    }
    if (changes.priceCents !== undefined) fields.priceCents = changes.priceCents;
    if (Object.keys(fields).length > 0) await this.setDrink(row.topic, drinkId, fields);
    return (await this.getDrink(drinkId))!;
  }

  /**
   * Adds the default catalog's ingredients and drinks that this node does not
   * hold yet, with their fixed ids: running it again adds nothing, and an
   * item a super admin has changed since is left as they made it.
   */
  async seedDefaultCatalog(actor: CatalogActor): Promise<{ ingredientsAdded: number; drinksAdded: number; drinksSkipped: string[] }> {
    CatalogService.requireSuperAdmin(actor);
    const heldItems = await this.ingredientMap();
    const missingItems = defaultIngredients.filter((i) => !heldItems.has(i.itemId));
    const heldDrinks = await this.getDrinks(defaultDrinks.map((d) => d.drinkId));
    const missingDrinks = defaultDrinks.filter((d) => !heldDrinks.has(d.drinkId));
    const drinksSkipped: string[] = [];
    const lookup = (id: string): Ingredient | undefined => {
      const d = defaultIngredients.find((i) => i.itemId === id);
      return heldItems.get(id) ?? (d ? { ...d, retired: false } : undefined);
    };
    const createdAt = new Date(this.now()).toISOString();
    await this.replication.transaction(async (tx, emit) => {
      for (const i of missingItems) {
        const fields: IngredientFields = { name: i.name, type: i.type, unit: i.unit, retired: false };
        await applyIngredientSet(tx, await emit({ topic: CATALOG_TOPIC, type: INGREDIENT_SET, payload: { itemId: i.itemId, fields } }));
      }
      for (const d of missingDrinks) {
        const { recipe, errors } = assembleRecipe({ size: d.size, ice: d.ice, ingredients: d.components }, lookup, { needsSoda: true });
        // A super admin retired one of its ingredients: the drink stays out rather than coming back.
        if (errors.length > 0) {
          drinksSkipped.push(d.drinkId);
          continue;
        }
        const fields: DrinkFields = {
          name: d.name,
          priceCents: d.priceCents,
          size: d.size,
          ice: d.ice,
          ingredients: recipe,
          userCreated: false,
          createdBy: actor.subject,
          rating: d.rating,
          retired: false,
          createdAt,
        };
        await applyDrinkSet(tx, await emit({ topic: CATALOG_TOPIC, type: DRINK_SET, payload: { drinkId: d.drinkId, fields } }));
      }
    });
    return { ingredientsAdded: missingItems.length, drinksAdded: missingDrinks.length - drinksSkipped.length, drinksSkipped };
  }
}
