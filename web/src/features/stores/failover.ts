// Which store to order from: the nearest one that is healthy, open and
// taking orders, and, when the chosen one stops answering or refuses
// orders, the next such store that has not failed. Pure.
export interface StoreChoice {
  storeId: string;
  name: string;
  apiBaseUrl: string;
  distanceMiles: number;
  healthy: boolean | null;
  isOpen: boolean;
  acceptingOrders?: boolean;
}

export function orderable(s: StoreChoice): boolean {
  return s.healthy !== false && s.isOpen && s.acceptingOrders !== false && s.apiBaseUrl !== '';
}

/** The nearest orderable store not in `failed`; undefined when none is left. */
export function nextStore<T extends StoreChoice>(stores: readonly T[], failed: ReadonlySet<string>): T | undefined {
  return [...stores].filter((s) => orderable(s) && !failed.has(s.storeId)).sort((a, b) => a.distanceMiles - b.distanceMiles)[0];
}

/** Problem codes after which another store should be offered: it did not answer, or will not take orders now. */
export const FAILOVER_CODES = new Set(['unreachable', 'unavailable', 'store_not_accepting_orders', 'store_closed', 'http_502', 'http_503', 'http_504']);

export function shouldFailOver(problem: { status: number; code: string }): boolean {
  return problem.status === 0 || problem.status === 503 || problem.status === 504 || FAILOVER_CODES.has(problem.code);
}
