// Where each order lives (orders are kept by the store that makes them), so
// an order page can ask the right node after a reload.
const KEY = 'codepop.orderStores';

export function rememberOrderStore(orderId: string, apiBaseUrl: string): void {
  const all = known();
  all[orderId] = apiBaseUrl;
  const entries = Object.entries(all).slice(-50);
  localStorage.setItem(KEY, JSON.stringify(Object.fromEntries(entries)));
}

export function orderStore(orderId: string): string | undefined {
  return known()[orderId];
}

function known(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}
