// The demo's shops, ready to sell: the default catalog (once, at a hub; it
// reaches every node on the global topic), each store's profile from the demo
// data (number, address, phone, email, time zone, hours) and its opening stock
// (domain notes §1.5: base quantity ± 30, threshold), imported as a stock
// count through each store's own API, as a manager would. Done once per data
// directory: a second run keeps whatever stock the first run's orders left.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writePrivateFile } from '../core/identity.js';
import { defaultIngredients } from '../modules/catalog/index.js';
import { demoStores } from './demo-network.js';
import { call, failure, retrying, Retryable, transient } from './demo-http.js';
import type { DemoNode } from './demo-users.js';

/** Opening stock of the items the domain notes name (§1.5): base quantity and reorder threshold. */
const NAMED_STOCK: readonly [itemId: string, quantity: number, threshold: number][] = [
  ['syrup-cherry', 100, 20], ['syrup-vanilla', 100, 20], ['syrup-caramel', 80, 15], ['syrup-mint', 60, 15],
  ['syrup-chocolate', 90, 20], ['syrup-strawberry', 70, 15], ['soda-cola-base', 150, 30], ['soda-lemon-lime-base', 120, 25],
  ['soda-orange-base', 100, 20], ['soda-root-beer-base', 80, 20], ['addin-whipped-cream', 50, 10], ['ice', 500, 100],
  ['cup-16oz', 200, 40], ['cup-24oz', 200, 40], ['cup-32oz', 200, 40], ['lid', 300, 60], ['straw', 400, 80],
];

/** The rest of the catalog, by kind: every drink on the menu can be made on the first day. */
const BY_TYPE: Record<string, [quantity: number, threshold: number]> = { syrup: [60, 15], soda: [80, 20], 'add-in': [40, 10], juice: [40, 10], physical: [200, 40], ice: [500, 100] };

export const OPENING_STOCK: readonly [itemId: string, quantity: number, threshold: number][] = [
  ...NAMED_STOCK,
  ...defaultIngredients
    .filter((i) => !NAMED_STOCK.some(([id]) => id === i.itemId))
    .map((i): [string, number, number] => [i.itemId, ...(BY_TYPE[i.type] ?? [40, 10])]),
];

/** A store's opening count as CSV; `jitter` in [0, 1) per item keeps stores different but runs reproducible. */
export function openingStockCsv(jitter: (i: number) => number): string {
  const lines = OPENING_STOCK.map(([itemId, quantity, threshold], i) => `${itemId},${Math.max(threshold + 1, quantity + Math.round(jitter(i) * 60 - 30))},${threshold}`);
  return `itemId,onHand,threshold\n${lines.join('\n')}\n`;
}

function jitterFor(seed: string): (i: number) => number {
  return (i) => {
    let h = 2166136261;
    for (const c of `${seed}:${i}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
    return ((h >>> 0) % 1000) / 1000;
  };
}

export async function seedDemoStock(o: { dataDir: string; nodes: readonly DemoNode[]; operatorToken: string; out: (line: string) => void }): Promise<void> {
  const marker = path.join(o.dataDir, 'demo-stock.json');
  if (existsSync(marker)) {
    o.out('Demo catalog, store profiles and stock: seeded earlier');
    return;
  }
  const hub = o.nodes.find((n) => n.role === 'hub' && n.region === 'C') ?? o.nodes.find((n) => n.role === 'hub');
  if (!hub) return;
  const seeded = await call(`${hub.url}/api/v1/catalog/default`, 'POST', {}, o.operatorToken);
  if (seeded.status >= 300) throw failure('catalog', seeded.status, seeded.body);
  const stores = o.nodes.filter((n) => n.role === 'store');
  o.out(`Seeding the catalog and ${stores.length} stores' profiles and opening stock…`);
  const catalogOfStores = demoStores();
  let done = 0;
  // Each store's profile and counts are idempotent (the same PATCH, counts equal to what is there change
  // nothing), so a step is retried while its node is overloaded; four stores at a time.
  const stockOne = async (node: DemoNode): Promise<void> => {
    const data = catalogOfStores.find((s) => s.name === node.name);
    const { body } = await retrying(`asking ${node.name} its id`, o.out, () => call<{ storeId?: string }>(`${node.url}/api/v1/node`, 'GET'));
    const storeId = body.storeId;
    if (!data || !storeId) return;
    await retrying(`the profile of ${node.name}`, o.out, async () => {
      const profile = await call(
        `${node.url}/api/v1/stores/${storeId}`,
        'PATCH',
        {
          storeNumber: data.storeNumber,
          address: { street: data.street, city: data.city, state: data.state, zip: data.zip },
          phone: data.phone,
          email: data.email,
          timeZone: data.timeZone,
          weeklyHours: data.hours,
        },
        o.operatorToken,
      );
      if (transient(profile.status)) throw new Retryable(`HTTP ${profile.status}`);
      if (profile.status >= 300) throw failure(`profile of ${node.name}`, profile.status, profile.body);
    });
    await retrying(`the stock of ${node.name}`, o.out, async () => {
      const res = await fetch(`${node.url}/api/v1/stores/${storeId}/inventory.csv`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', authorization: `Bearer ${o.operatorToken}` },
        body: openingStockCsv(jitterFor(data.storeNumber)),
        signal: AbortSignal.timeout(30_000),
      });
      if (transient(res.status)) throw new Retryable(`HTTP ${res.status}`);
      if (res.status >= 300) throw failure(`stock of ${node.name}`, res.status, await res.json().catch(() => ({})));
    });
    done += 1;
    if (done % 10 === 0 || done === stores.length) o.out(`  ${done}/${stores.length} stores stocked`);
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(4, stores.length) }, async () => {
      while (next < stores.length) await stockOne(stores[next++]!);
    }),
  );
  writePrivateFile(marker, `${JSON.stringify({ seededAt: new Date().toISOString(), stores: done })}\n`);
}
