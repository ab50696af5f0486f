// The catalog through HTTP on one store node, per database: the default
// catalog seeds once, only a super admin changes the catalog, a person's own
// drink is priced by the store and stays theirs, and bad input names its
// field and changes nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';
import { defaultDrinks, defaultIngredients } from './default-catalog.js';

const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const password = 'Sparkling-Cola-9071!';

interface Drink {
  drinkId: string;
  name: string;
  priceCents: number;
  size: string;
  ice: string;
  ingredients: { itemId: string; quantity: number }[];
  userCreated: boolean;
  createdBy: string | null;
  retired: boolean;
}
interface Ingredient {
  itemId: string;
  type: string;
  retired: boolean;
}
interface Problem {
  errors?: { field: string }[];
}

describeEachDb('catalog', (db) => {
  let node: TestNode;
  const users: Record<string, { id: string; token: string }> = {};

  const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string> = {}, payload?: object) =>
    node.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const drinks = async (headers: Record<string, string> = {}) => (await inject('GET', '/api/v1/drinks', headers)).json<{ items: Drink[] }>().items;
  const ingredients = async (query = '') => (await inject('GET', `/api/v1/ingredients${query}`)).json<{ items: Ingredient[] }>().items;

  beforeAll(async () => {
    node = await createTestNode({ role: 'store', db, config: { authRateLimit: 10_000 } });
    for (const name of ['carla', 'dmitri', 'manny']) {
      const reg = await inject('POST', '/api/v1/auth/register', {}, { username: name, email: `${name}@example.com`, password });
      expect(reg.statusCode, reg.body).toBe(201);
      const id = reg.json<{ user: { id: string } }>().user.id;
      if (name === 'manny') {
        const given = await inject('POST', '/api/v1/roles', operator, { userId: id, roleType: 'MANAGER', storeId: node.ctx.identity.nodeId });
        expect(given.statusCode, given.body).toBe(201);
      }
      const token = (await inject('POST', '/api/v1/auth/login', {}, { username: name, password })).json<{ token: string }>().token;
      users[name] = { id, token };
    }
  });
  afterAll(() => node?.close());

  it('seeds the default catalog once: the same ids again add nothing', async () => {
    const first = await inject('POST', '/api/v1/catalog/default', operator);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ ingredientsAdded: defaultIngredients.length, drinksAdded: defaultDrinks.length, drinksSkipped: [] });
    const again = await inject('POST', '/api/v1/catalog/default', operator);
    expect(again.json()).toEqual({ ingredientsAdded: 0, drinksAdded: 0, drinksSkipped: [] });
    expect(await ingredients()).toHaveLength(defaultIngredients.length);
    expect(await drinks()).toHaveLength(defaultDrinks.length);
  });

  it('lists ingredients by type', async () => {
    const syrups = await ingredients('?type=syrup');
    expect(syrups.length).toBeGreaterThan(20);
    expect(syrups.every((i) => i.type === 'syrup')).toBe(true);
    expect((await ingredients('?type=physical')).map((i) => i.itemId).sort()).toEqual(['cup-16oz', 'cup-24oz', 'cup-32oz', 'lid', 'straw']);
    expect((await inject('GET', '/api/v1/ingredients?type=gravel')).statusCode).toBe(400);
  });

  it('a catalog drink holds the recipe for one drink in cents, cup, lid, straw and ice included', async () => {
    const res = await inject('GET', '/api/v1/drinks/drink-classic-cherry-cola');
    expect(res.statusCode).toBe(200);
    expect(res.json<Drink>()).toMatchObject({
      name: 'Classic Cherry Cola',
      priceCents: 500,
      size: '24oz',
      ice: 'regular',
      userCreated: false,
      ingredients: [
        { itemId: 'syrup-cherry', quantity: 2 },
        { itemId: 'soda-cola-base', quantity: 1 },
        { itemId: 'cup-24oz', quantity: 1 },
        { itemId: 'lid', quantity: 1 },
        { itemId: 'straw', quantity: 1 },
        { itemId: 'ice', quantity: 2 },
      ],
    });
  });

  it('only a super admin changes the catalog: a manager and a customer get 403 and nothing changes', async () => {
    for (const who of ['manny', 'carla']) {
      const headers = bearer(users[who]!.token);
      expect((await inject('POST', '/api/v1/ingredients', headers, { name: 'Kiwi', type: 'syrup' })).statusCode).toBe(403);
      expect((await inject('PATCH', '/api/v1/ingredients/syrup-cherry', headers, { retired: true })).statusCode).toBe(403);
      expect((await inject('PATCH', '/api/v1/drinks/drink-classic-cherry-cola', headers, { priceCents: 1 })).statusCode).toBe(403);
      expect((await inject('POST', '/api/v1/catalog/default', headers)).statusCode).toBe(403);
    }
    expect((await inject('POST', '/api/v1/ingredients', {}, { name: 'Kiwi', type: 'syrup' })).statusCode).toBe(401);
    expect((await ingredients()).map((i) => i.itemId)).not.toContain('syrup-kiwi');
    expect((await inject('GET', '/api/v1/drinks/drink-classic-cherry-cola')).json<Drink>().priceCents).toBe(500);
  });

  it('a super admin adds, renames and retires an ingredient; a taken id is a conflict', async () => {
    const res = await inject('POST', '/api/v1/ingredients', operator, { name: 'Kiwi', type: 'syrup' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ itemId: 'syrup-kiwi', name: 'Kiwi', type: 'syrup', unit: 'pump', retired: false });
    expect((await inject('POST', '/api/v1/ingredients', operator, { name: 'Kiwi', type: 'syrup' })).statusCode).toBe(409);
    const retired = await inject('PATCH', '/api/v1/ingredients/syrup-kiwi', operator, { retired: true });
    expect(retired.json<Ingredient>().retired).toBe(true);
    expect((await ingredients()).map((i) => i.itemId)).not.toContain('syrup-kiwi');
    expect((await ingredients('?includeRetired=true')).map((i) => i.itemId)).toContain('syrup-kiwi');
    const withRetired = await inject('POST', '/api/v1/drinks', bearer(users.carla!.token), { name: 'Kiwi Cola', ingredients: [{ itemId: 'syrup-kiwi', quantity: 1 }, { itemId: 'soda-cola-base', quantity: 1 }] });
    expect(withRetired.statusCode).toBe(400);
    expect(withRetired.json<Problem>().errors?.map((e) => e.field)).toEqual(['body.ingredients.0.itemId']);
  });

  it('a super admin adds a catalog drink everyone sees, with the price given', async () => {
    const res = await inject('POST', '/api/v1/drinks', operator, {
      name: 'Peach Fizz',
      size: '16oz',
      ice: 'light',
      priceCents: 425,
      ingredients: [{ itemId: 'syrup-peach', quantity: 2 }, { itemId: 'soda-sparkling-water', quantity: 1 }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const drink = res.json<Drink>();
    expect(drink).toMatchObject({ priceCents: 425, userCreated: false, size: '16oz' });
    expect(drink.ingredients).toContainEqual({ itemId: 'cup-16oz', quantity: 1 });
    expect(drink.ingredients).toContainEqual({ itemId: 'ice', quantity: 1 });
    expect((await drinks()).map((d) => d.drinkId)).toContain(drink.drinkId);
  });

  it('a person’s own drink is priced by the store, travels on their topic and is theirs to see', async () => {
    const carla = users.carla!;
    const res = await inject('POST', '/api/v1/drinks', bearer(carla.token), {
      name: 'Carla’s Cherry Cream',
      size: '32oz',
      ice: 'extra',
      ingredients: [{ itemId: 'syrup-cherry', quantity: 3 }, { itemId: 'soda-cola-base', quantity: 1 }, { itemId: 'addin-whipped-cream', quantity: 1 }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const drink = res.json<Drink>();
    // 32 oz base 459 + 3 pumps × 50 + 1 add-in × 75.
    expect(drink).toMatchObject({ priceCents: 459 + 150 + 75, userCreated: true, createdBy: carla.id });
    expect(drink.ingredients).toContainEqual({ itemId: 'ice', quantity: 3 });
    expect((await drinks(bearer(carla.token))).map((d) => d.drinkId)).toContain(drink.drinkId);
    expect((await drinks()).map((d) => d.drinkId)).not.toContain(drink.drinkId);
    expect((await drinks(bearer(users.dmitri!.token))).map((d) => d.drinkId)).not.toContain(drink.drinkId);
    expect((await inject('GET', `/api/v1/drinks/${drink.drinkId}`, bearer(users.dmitri!.token))).statusCode).toBe(404);
    expect((await inject('GET', `/api/v1/drinks/${drink.drinkId}`, bearer(carla.token))).statusCode).toBe(200);
    const status = (await inject('GET', '/api/v1/node/status', operator)).json<{ replication: { vector: Record<string, Record<string, number>> } }>();
    expect(status.replication.vector[`user:${carla.id}`]?.[node.ctx.identity.nodeId]).toBeGreaterThanOrEqual(1);

    // Another person may not change it; its owner changes the recipe and the store prices it again.
    expect((await inject('PATCH', `/api/v1/drinks/${drink.drinkId}`, bearer(users.dmitri!.token), { name: 'Mine now' })).statusCode).toBe(404);
    const edited = await inject('PATCH', `/api/v1/drinks/${drink.drinkId}`, bearer(carla.token), { size: '16oz' });
    expect(edited.json<Drink>()).toMatchObject({ priceCents: 299 + 150 + 75, size: '16oz', name: 'Carla’s Cherry Cream' });
    expect(edited.json<Drink>().ingredients).toContainEqual({ itemId: 'cup-16oz', quantity: 1 });
    expect(edited.json<Drink>().ingredients).not.toContainEqual({ itemId: 'cup-32oz', quantity: 1 });
  });

  it.each([
    ['a price from the client', { priceCents: 1, ingredients: [{ itemId: 'soda-cola-base', quantity: 1 }] }, 'body.priceCents'],
    ['an unknown ingredient', { ingredients: [{ itemId: 'syrup-unobtainium', quantity: 1 }] }, 'body.ingredients.0.itemId'],
    ['a zero quantity', { ingredients: [{ itemId: 'soda-cola-base', quantity: 0 }] }, 'body.ingredients.0.quantity'],
    ['a negative quantity', { ingredients: [{ itemId: 'soda-cola-base', quantity: -2 }] }, 'body.ingredients.0.quantity'],
    ['a fractional quantity', { ingredients: [{ itemId: 'soda-cola-base', quantity: 1.5 }] }, 'body.ingredients.0.quantity'],
    ['an ingredient listed twice', { ingredients: [{ itemId: 'soda-cola-base', quantity: 1 }, { itemId: 'soda-cola-base', quantity: 1 }] }, 'body.ingredients.1.itemId'],
    ['a cup listed by the client', { ingredients: [{ itemId: 'soda-cola-base', quantity: 1 }, { itemId: 'cup-24oz', quantity: 1 }] }, 'body.ingredients.1.itemId'],
    ['no soda', { ingredients: [{ itemId: 'syrup-cherry', quantity: 1 }] }, 'body.ingredients'],
    ['no ingredients', { ingredients: [] }, 'body.ingredients'],
    ['an unknown size', { size: '64oz', ingredients: [{ itemId: 'soda-cola-base', quantity: 1 }] }, 'body.size'],
    ['an unknown field', { sugar: 'lots', ingredients: [{ itemId: 'soda-cola-base', quantity: 1 }] }, 'body.sugar'],
  ])('refuses %s, naming the field, and writes nothing', async (_name, body, field) => {
    const dmitri = bearer(users.dmitri!.token);
    const before = await drinks(dmitri);
    const res = await inject('POST', '/api/v1/drinks', dmitri, { name: 'Test', ...body });
    expect(res.statusCode).toBe(400);
    expect(res.json<Problem>().errors?.map((e) => e.field)).toContain(field);
    expect(await drinks(dmitri)).toEqual(before);
  });

  it('no one adds a drink without logging in', async () => {
    expect((await inject('POST', '/api/v1/drinks', {}, { name: 'x', ingredients: [{ itemId: 'soda-cola-base', quantity: 1 }] })).statusCode).toBe(401);
  });

  it('a retired catalog drink leaves the menu but can still be read by id', async () => {
    const res = await inject('PATCH', '/api/v1/drinks/drink-mint-refresher', operator, { retired: true });
    expect(res.statusCode, res.body).toBe(200);
    expect((await drinks()).map((d) => d.drinkId)).not.toContain('drink-mint-refresher');
    expect((await inject('GET', '/api/v1/drinks/drink-mint-refresher')).json<Drink>().retired).toBe(true);
  });
});
