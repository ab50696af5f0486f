import { describe, expect, it } from 'vitest';
import { defaultDrinks, defaultIngredients } from '../modules/catalog/index.js';
import { OPENING_STOCK, openingStockCsv } from './demo-stock.js';

describe("the demo's opening stock", () => {
  it('holds every item of the default catalog once, so every drink on the menu can be made', () => {
    const ids = OPENING_STOCK.map(([id]) => id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const ingredient of defaultIngredients) expect(ids, ingredient.itemId).toContain(ingredient.itemId);
    for (const drink of defaultDrinks) for (const c of drink.components) expect(ids, `${drink.name}: ${c.itemId}`).toContain(c.itemId);
  });

  it('keeps each count above its reorder threshold, whatever the jitter', () => {
    for (const jitter of [0, 0.5, 0.999]) {
      const rows = openingStockCsv(() => jitter).trim().split('\n').slice(1).map((l) => l.split(','));
      expect(rows).toHaveLength(OPENING_STOCK.length);
      for (const [, onHand, threshold] of rows) expect(Number(onHand)).toBeGreaterThan(Number(threshold));
    }
  });
});
