// The catalog a new network starts with: the drinks and stock items of the
// original CodePop seed data (domain notes §1.5) and a subset of its flavour
// lists (§7: syrups, sodas, add-ins, juices, cups, lids, straws). Ids are
// fixed, so seeding twice, or on two nodes at once, names the same rows.
// Pure data.
import type { DrinkSize, IceLevel, IngredientType } from './model.js';

export interface DefaultIngredient {
  itemId: string;
  name: string;
  type: IngredientType;
  unit: string;
}

export interface DefaultDrink {
  drinkId: string;
  name: string;
  priceCents: number;
  size: DrinkSize;
  ice: IceLevel;
  rating: number | null;
  /** Flavour components; cup, lid, straw and ice are added from size and ice. */
  components: { itemId: string; quantity: number }[];
}

const units: Record<IngredientType, string> = { syrup: 'pump', soda: 'pour', 'add-in': 'scoop', juice: 'splash', physical: 'each', ice: 'scoop' };

const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function items(type: IngredientType, prefix: string, names: string[]): DefaultIngredient[] {
  return names.map((name) => ({ itemId: `${prefix}-${slug(name)}`, name, type, unit: units[type] }));
}

export const defaultIngredients: readonly DefaultIngredient[] = [
  // §1.5 store inventory first, then a selection of §7's 48 syrups.
  ...items('syrup', 'syrup', [
    'Cherry', 'Vanilla', 'Caramel', 'Mint', 'Chocolate', 'Strawberry',
    'Coconut', 'Pineapple', 'Passion Fruit', 'Mango', 'Peach', 'Raspberry', 'Blue Raspberry', 'Watermelon', 'Sweetened Lime',
    'Orange', 'Cinnamon', 'Pumpkin Spice', 'Lavender', 'Peppermint', 'Bubble Gum', 'Cotton Candy', 'Cucumber',
    'Salted Caramel', 'White Chocolate', 'Huckleberry', 'Pomegranate', 'Guava', 'Cherry Blossom',
  ]),
  ...items('soda', 'soda', ['Cola Base', 'Lemon-Lime Base', 'Orange Base', 'Root Beer Base', 'Dr Pepper', 'Diet Cola', 'Cream Soda', 'Lemonade', 'Mountain Dew', 'Sparkling Water']),
  ...items('add-in', 'addin', [
    'Whipped Cream', 'Cream', 'Coconut Cream', 'French Vanilla Creamer', 'Lemon Wedge', 'Lime Wedge', 'Candy Sprinkles',
    'Strawberry Puree', 'Peach Puree', 'Mango Puree', 'Raspberry Puree',
  ]),
  ...items('juice', 'juice', ['Lemon', 'Lime', 'Pineapple', 'Coconut']),
  { itemId: 'cup-16oz', name: 'Small Cup (16 oz)', type: 'physical', unit: 'each' },
  { itemId: 'cup-24oz', name: 'Medium Cup (24 oz)', type: 'physical', unit: 'each' },
  { itemId: 'cup-32oz', name: 'Large Cup (32 oz)', type: 'physical', unit: 'each' },
  { itemId: 'lid', name: 'Lid', type: 'physical', unit: 'each' },
  { itemId: 'straw', name: 'Straw', type: 'physical', unit: 'each' },
  { itemId: 'ice', name: 'Ice', type: 'ice', unit: 'scoop' },
];

function drink(name: string, priceCents: number, size: DrinkSize, ice: IceLevel, rating: number | null, flavours: string[]): DefaultDrink {
  // One or two syrups get two pumps each; a drink of many syrups one pump of each.
  const syrups = flavours.filter((f) => f.startsWith('syrup-')).length;
  return {
    drinkId: `drink-${slug(name)}`,
    name,
    priceCents,
    size,
    ice,
    rating,
    components: flavours.map((itemId) => ({ itemId, quantity: itemId.startsWith('syrup-') && syrups <= 2 ? 2 : 1 })),
  };
}

export const defaultDrinks: readonly DefaultDrink[] = [
  // §1.5 (sizes M → 24 oz, L → 32 oz).
  drink('Classic Cherry Cola', 500, '24oz', 'regular', 4.5, ['syrup-cherry', 'soda-cola-base']),
  drink('Vanilla Dream', 550, '32oz', 'regular', 4.7, ['syrup-vanilla', 'soda-lemon-lime-base']),
  drink('Caramel Delight', 600, '32oz', 'light', 4.6, ['syrup-caramel', 'soda-cola-base', 'addin-whipped-cream']),
  drink('Mint Refresher', 500, '24oz', 'regular', 4.3, ['syrup-mint', 'soda-lemon-lime-base']),
  drink('Chocolate Frosty', 650, '32oz', 'extra', 4.8, ['syrup-chocolate', 'soda-root-beer-base', 'addin-whipped-cream']),
  // §7 catalog drinks and the spring seasonal list.
  drink('Coke Float', 599, '24oz', 'regular', null, ['syrup-vanilla', 'soda-cola-base', 'addin-cream']),
  drink('Seasonal Depression', 499, '24oz', 'regular', null, ['syrup-cinnamon', 'syrup-chocolate', 'syrup-pumpkin-spice', 'syrup-cucumber', 'soda-root-beer-base', 'addin-candy-sprinkles']),
  drink("I've Heard It Both Ways", 250, '16oz', 'regular', null, ['syrup-pineapple', 'syrup-bubble-gum', 'syrup-cotton-candy', 'soda-dr-pepper', 'addin-lime-wedge']),
  drink('Cherry Blossom Fizz', 549, '24oz', 'regular', null, ['syrup-cherry-blossom', 'syrup-cherry', 'soda-sparkling-water']),
  drink('Strawberry Garden Lemonade', 499, '24oz', 'regular', null, ['syrup-strawberry', 'soda-lemonade', 'addin-strawberry-puree']),
  drink('Lavender Mist', 525, '24oz', 'light', null, ['syrup-lavender', 'syrup-vanilla', 'soda-lemon-lime-base']),
  drink('Mango Sunrise Splash', 575, '24oz', 'regular', null, ['syrup-mango', 'syrup-orange', 'soda-orange-base', 'addin-mango-puree']),
  drink('Pink Guava Spritz', 475, '16oz', 'regular', null, ['syrup-guava', 'soda-sparkling-water', 'juice-lime']),
];
