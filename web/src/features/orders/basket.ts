// The basket: drinks and quantities for one store, kept in localStorage so a
// reload, a sign-in or a move to another store keeps it. Pure functions over
// a plain value, plus load/save.
export interface BasketLine {
  drinkId: string;
  name: string;
  unitPriceCents: number;
  quantity: number;
}

export interface Basket {
  lines: BasketLine[];
  /** The checkout's Idempotency-Key: kept across retries of the same checkout at the same store. */
  checkout?: { storeId: string; key: string };
}

export const MAX_QUANTITY = 20;
export const MAX_LINES = 20;
const KEY = 'codepop.basket';

export const emptyBasket = (): Basket => ({ lines: [] });

export function addToBasket(b: Basket, drink: Omit<BasketLine, 'quantity'>, quantity = 1): Basket {
  const existing = b.lines.find((l) => l.drinkId === drink.drinkId);
  if (!existing && b.lines.length >= MAX_LINES) return b;
  const lines = existing
    ? b.lines.map((l) => (l.drinkId === drink.drinkId ? { ...l, quantity: Math.min(MAX_QUANTITY, l.quantity + quantity) } : l))
    : [...b.lines, { ...drink, quantity: Math.min(MAX_QUANTITY, quantity) }];
  return { lines };
}

export function setQuantity(b: Basket, drinkId: string, quantity: number): Basket {
  const q = Math.max(0, Math.min(MAX_QUANTITY, Math.floor(quantity)));
  return { lines: q === 0 ? b.lines.filter((l) => l.drinkId !== drinkId) : b.lines.map((l) => (l.drinkId === drinkId ? { ...l, quantity: q } : l)) };
}

export function basketTotal(b: Basket): number {
  return b.lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0);
}

export function basketCount(b: Basket): number {
  return b.lines.reduce((sum, l) => sum + l.quantity, 0);
}

/** The key for a checkout at this store: the same one while the basket and store stay, a new one otherwise. */
export function checkoutKey(b: Basket, storeId: string, fresh: () => string): { basket: Basket; key: string } {
  if (b.checkout?.storeId === storeId) return { basket: b, key: b.checkout.key };
  const key = fresh();
  return { basket: { ...b, checkout: { storeId, key } }, key };
}

export function loadBasket(storage: Pick<Storage, 'getItem'> = localStorage): Basket {
  try {
    const b = JSON.parse(storage.getItem(KEY) ?? 'null') as Basket | null;
    if (!b || !Array.isArray(b.lines)) return emptyBasket();
    return { lines: b.lines.filter((l) => typeof l.drinkId === 'string' && l.quantity > 0), ...(b.checkout ? { checkout: b.checkout } : {}) };
  } catch {
    return emptyBasket();
  }
}

export function saveBasket(b: Basket, storage: Pick<Storage, 'setItem'> = localStorage): void {
  storage.setItem(KEY, JSON.stringify(b));
}
