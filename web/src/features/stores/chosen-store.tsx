// The store the customer orders from, kept across reloads, and the stores
// that failed during this visit (so failover never offers them again).
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { StoreChoice } from './failover';

interface ChosenStoreState {
  chosen: StoreChoice | null;
  /** The stores nearby when this one was chosen, nearest first: where failover looks. */
  candidates: StoreChoice[];
  choose: (s: StoreChoice | null, candidates?: StoreChoice[]) => void;
  failed: ReadonlySet<string>;
  markFailed: (storeId: string) => void;
}

const KEY = 'codepop.store';
const CANDIDATES = 'codepop.candidates';
const Ctx = createContext<ChosenStoreState | null>(null);

function load<T>(key: string, fallback: T): T {
  try {
    return (JSON.parse(localStorage.getItem(key) ?? 'null') as T | null) ?? fallback;
  } catch {
    return fallback;
  }
}

export function ChosenStoreProvider({ children }: { children: ReactNode }) {
  const [chosen, setChosen] = useState<StoreChoice | null>(() => load(KEY, null));
  const [candidates, setCandidates] = useState<StoreChoice[]>(() => load(CANDIDATES, []));
  const [failed, setFailed] = useState<ReadonlySet<string>>(new Set());
  const choose = useCallback((s: StoreChoice | null, list?: StoreChoice[]) => {
    setChosen(s);
    if (s) localStorage.setItem(KEY, JSON.stringify(s));
    else localStorage.removeItem(KEY);
    if (list) {
      setCandidates(list);
      localStorage.setItem(CANDIDATES, JSON.stringify(list));
    }
  }, []);
  const markFailed = useCallback((storeId: string) => setFailed((f) => new Set([...f, storeId])), []);
  const value = useMemo(() => ({ chosen, candidates, choose, failed, markFailed }), [chosen, candidates, choose, failed, markFailed]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useChosenStore(): ChosenStoreState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useChosenStore outside ChosenStoreProvider');
  return v;
}
