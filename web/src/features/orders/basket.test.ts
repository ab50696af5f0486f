import { describe, expect, it } from 'vitest';
import { addToBasket, basketCount, basketTotal, checkoutKey, emptyBasket, loadBasket, MAX_LINES, MAX_QUANTITY, saveBasket, setQuantity } from './basket';

const cola = { drinkId: 'drink-cola', name: 'Cola', unitPriceCents: 450 };
const float = { drinkId: 'drink-float', name: 'Float', unitPriceCents: 599 };

describe('the basket', () => {
  it('adds drinks, merging a drink added twice, and totals them', () => {
    const b = addToBasket(addToBasket(addToBasket(emptyBasket(), cola), float), cola, 2);
    expect(b.lines).toEqual([{ ...cola, quantity: 3 }, { ...float, quantity: 1 }]);
    expect(basketCount(b)).toBe(4);
    expect(basketTotal(b)).toBe(3 * 450 + 599);
  });

  it('keeps quantities within what the store takes, and removes a line set to zero', () => {
    let b = addToBasket(emptyBasket(), cola, 50);
    expect(b.lines[0]!.quantity).toBe(MAX_QUANTITY);
    b = setQuantity(b, 'drink-cola', 2.7);
    expect(b.lines[0]!.quantity).toBe(2);
    expect(setQuantity(b, 'drink-cola', 0).lines).toEqual([]);
    let many = emptyBasket();
    for (let i = 0; i < MAX_LINES + 3; i++) many = addToBasket(many, { ...cola, drinkId: `d${i}` });
    expect(many.lines).toHaveLength(MAX_LINES);
  });

  it('keeps one Idempotency-Key per checkout at a store, and a new one at another store', () => {
    let n = 0;
    const fresh = () => `key-${++n}`;
    const first = checkoutKey(addToBasket(emptyBasket(), cola), 'store-a', fresh);
    const retry = checkoutKey(first.basket, 'store-a', fresh);
    expect(retry.key).toBe(first.key);
    const elsewhere = checkoutKey(retry.basket, 'store-b', fresh);
    expect(elsewhere.key).not.toBe(first.key);
    // Changing the basket starts a new checkout: the old key must not carry a different order.
    expect(setQuantity(first.basket, 'drink-cola', 2).checkout).toBeUndefined();
  });

  it('survives a reload, and ignores a damaged saved basket', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    const b = addToBasket(emptyBasket(), float, 2);
    saveBasket(b, storage);
    expect(loadBasket(storage)).toEqual(b);
    store.set('codepop.basket', '{not json');
    expect(loadBasket(storage)).toEqual(emptyBasket());
  });
});
