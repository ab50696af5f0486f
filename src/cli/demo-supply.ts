// The demo's supply hubs, with something to show: each hub's opening stock,
// 90 days of usage history for its region's stores (domain notes §2: more
// at weekends, Cherry, Vanilla and Cola Base, with a slow rise and noise), a
// few requests from its stores (some approved and put on one delivery whose
// stops the optimiser orders), and one purchase order. Through each hub's own
// API, as a logistics manager would; once per data directory.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writePrivateFile } from '../core/identity.js';
import { OPENING_STOCK } from './demo-stock.js';
import { call, failure, retrying, Retryable, transient } from './demo-http.js';
import type { DemoNode } from './demo-users.js';

const USAGE_ITEMS: readonly [name: string, base: number][] = [['Cherry', 18], ['Vanilla', 14], ['Cola Base', 30]];
export const USAGE_DAYS = 90;

/** A store's usage history as CSV: weekends busier, a slow rise, a deterministic wobble per store. */
export function usageCsv(storeIds: readonly string[], today: Date, days = USAGE_DAYS): string {
  const lines = ['date,store_id,item_name,item_type,quantity_used'];
  storeIds.forEach((storeId, s) => {
    for (let d = days; d >= 1; d--) {
      const date = new Date(today.getTime() - d * 86_400_000);
      const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
      USAGE_ITEMS.forEach(([name, base], k) => {
        const wobble = ((s * 31 + d * 17 + k * 7) % 11) - 5;
        const quantity = Math.max(0, Math.round(base * (weekend ? 1.35 : 1) + (days - d) * 0.03 + wobble));
        lines.push(`${date.toISOString().slice(0, 10)},${storeId},${name},${name === 'Cola Base' ? 'soda' : 'syrup'},${quantity}`);
      });
    }
  });
  return `${lines.join('\n')}\n`;
}

async function must<T>(what: string, out: (l: string) => void, step: () => Promise<{ status: number; body: T }>, ok: number[] = [200, 201]): Promise<T> {
  return retrying(what, out, async () => {
    const res = await step();
    if (transient(res.status)) throw new Retryable(`HTTP ${res.status}`);
    if (!ok.includes(res.status)) throw failure(what, res.status, res.body);
    return res.body;
  });
}

export async function seedDemoSupply(o: { dataDir: string; nodes: readonly DemoNode[]; operatorToken: string; out: (line: string) => void }): Promise<void> {
  const marker = path.join(o.dataDir, 'demo-supply.json');
  if (existsSync(marker)) {
    o.out('Demo hub stock, usage history and deliveries: seeded earlier');
    return;
  }
  const hubs = o.nodes.filter((n) => n.role === 'hub');
  o.out(`Seeding ${hubs.length} hubs' stock, ${USAGE_DAYS} days of usage history, requests and a delivery each…`);
  const token = o.operatorToken;
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  for (const hub of hubs) {
    const { nodeId: hubId } = await must(`the id of ${hub.name}`, o.out, () => call<{ nodeId: string }>(`${hub.url}/api/v1/node`, 'GET'));
    for (const [itemId, quantity] of OPENING_STOCK) {
      await must(`${hub.name}: stock of ${itemId}`, o.out, () => call(`${hub.url}/api/v1/hubs/${hubId}/inventory/transactions`, 'POST', { type: 'receipt', itemId, quantity: quantity * 8 }, token));
    }
    const stores = o.nodes.filter((n) => n.role === 'store' && n.region === hub.region);
    const storeIds: string[] = [];
    for (const s of stores) storeIds.push((await must(`the id of ${s.name}`, o.out, () => call<{ storeId: string }>(`${s.url}/api/v1/node`, 'GET'))).storeId);
    await must(`${hub.name}: usage history`, o.out, async () => {
      const res = await fetch(`${hub.url}/api/v1/hubs/${hubId}/usage`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
        body: usageCsv(storeIds, new Date()),
        signal: AbortSignal.timeout(60_000),
      });
      return { status: res.status, body: await res.json().catch(() => ({})) };
    });
    // Requests from the first stores: the first three approved and put on one delivery, the next waiting.
    const asked: string[] = [];
    for (const [i, storeId] of storeIds.slice(0, 4).entries()) {
      const body = { items: [{ itemId: 'syrup-cherry', quantity: 24 + i * 6 }, { itemId: 'cup-24oz', quantity: 50 }], urgency: i === 3 ? 'CRITICAL' : 'NORMAL', notes: 'demo' };
      asked.push((await must(`${hub.name}: a request of ${stores[i]!.name}`, o.out, () => call<{ requestId: string }>(`${hub.url}/api/v1/stores/${storeId}/supply-requests`, 'POST', body, token))).requestId);
    }
    const approved = asked.slice(0, 3);
    for (const id of approved) await must(`${hub.name}: approving`, o.out, () => call(`${hub.url}/api/v1/supply-requests/${id}/approve`, 'POST', {}, token));
    if (approved.length > 0) {
      await must(`${hub.name}: a delivery`, o.out, () => call(`${hub.url}/api/v1/deliveries`, 'POST', { requestIds: approved, scheduledDate: tomorrow, driver: 'Dana Whitlock', vehicle: 'Truck 1' }, token));
    }
    await must(`${hub.name}: a purchase order`, o.out, () =>
      call(`${hub.url}/api/v1/purchase-orders`, 'POST', { supplier: 'Torani', lines: [{ itemId: 'syrup-cherry', quantity: 240 }, { itemId: 'syrup-vanilla', quantity: 120 }], expectedDate: tomorrow }, token),
    );
    o.out(`  ${hub.name}: stock, ${storeIds.length * USAGE_DAYS * USAGE_ITEMS.length} usage rows, ${asked.length} requests, 1 delivery, 1 purchase order`);
  }
  writePrivateFile(marker, `${JSON.stringify({ seededAt: new Date().toISOString(), hubs: hubs.length })}\n`);
}
