// The basket as React state, saved on every change (basket.ts holds the rules).
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { loadBasket, saveBasket, type Basket } from './basket';

const Ctx = createContext<{ basket: Basket; setBasket: (f: (b: Basket) => Basket) => void } | null>(null);

export function BasketProvider({ children }: { children: ReactNode }) {
  const [basket, set] = useState<Basket>(() => loadBasket());
  useEffect(() => saveBasket(basket), [basket]);
  const value = useMemo(() => ({ basket, setBasket: (f: (b: Basket) => Basket) => set(f) }), [basket]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useBasket() {
  const v = useContext(Ctx);
  if (!v) throw new Error('useBasket outside BasketProvider');
  return v;
}
