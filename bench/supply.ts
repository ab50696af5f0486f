// The supply hub: approvals per second (each holds hub stock in the same
// transaction as the approval) against plain ledger receipts through the same
// HTTP layer in the same run; a 100,000-row usage upload (target: under 10 s),
// its check alone beside it; the forecast against seasonal naive on public M5
// daily sales held out from it; and the route optimiser's gap to known optima.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createScratchDatabase } from '../test/harness/databases.js';
import { evaluate, type SeriesSet } from './lib/forecast-eval.js';
import { fmt, intOption, onCleanup, parseOptions, percentile, progress, ratio, table, usage, UsageError, type OptionSpec } from './lib/report.js';

export const description = 'the supply hub: approvals/s vs ledger receipts, 100k-row usage upload, forecast vs seasonal naive on M5, route optimiser gaps';

const spec: OptionSpec = {
  parts: { type: 'string', help: 'comma-separated: approvals,usage,forecast,routes (default all)' },
  db: { type: 'string', help: 'pglite or postgres (default pglite)' },
  requests: { type: 'string', help: 'requests approved in the approvals part (default 400)' },
  concurrency: { type: 'string', help: 'requests in flight (default 8)' },
  rows: { type: 'string', help: 'rows in the usage upload (default 100000)' },
  help: { type: 'boolean', help: 'this help' },
};

const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, { open: '00:00', close: '24:00' }]));
const ITEMS = ['syrup-cherry', 'syrup-vanilla', 'syrup-mint', 'cup-24oz', 'soda-cola-base'];

type Inject = (o: { method: 'GET' | 'POST' | 'PUT'; url: string; payload?: unknown; headers?: Record<string, string> }) => Promise<{ statusCode: number; body: string; json<T>(): T }>;

async function startHub(db: string) {
  const [{ loadNodeConfig }, { startNode }] = await Promise.all([import('../src/core/config.js'), import('../src/node/node.js')]);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'codepop-bench-supply-'));
  const scratch = db === 'postgres' ? await createScratchDatabase() : undefined;
  const operatorToken = randomUUID();
  const config = loadNodeConfig(
    { role: 'hub', name: 'Bench Hub', region: 'C', lat: 41.737, lon: -111.8338, port: 0, dataDir, operatorToken, logLevel: 'warn', authRateLimit: 1_000_000, ...(scratch ? { databaseUrl: scratch.url } : {}) },
    {},
  );
  const node = await startNode(config, scratch ? {} : { database: { kind: 'pglite' } });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await node.stop();
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  onCleanup(stop);
  const auth = { authorization: `Bearer ${operatorToken}` };
  const inject: Inject = (o) => node.app.inject({ method: o.method, url: o.url, headers: { ...auth, ...o.headers }, ...(o.payload !== undefined ? { payload: o.payload as string } : {}) });
  const must = async (o: Parameters<Inject>[0], status: number) => {
    const res = await inject(o);
    if (res.statusCode !== status) throw new Error(`${o.method} ${o.url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res;
  };
  await must({ method: 'POST', url: '/api/v1/catalog/default', payload: {} }, 200);
  const stores: string[] = [];
  for (let i = 0; i < 10; i++) {
    const id = randomUUID();
    await must(
      {
        method: 'PUT',
        url: `/api/v1/stores/${id}`,
        payload: {
          name: `Bench ${i}`, region: 'C', lat: 41.5 + i / 20, lon: -111.9 + i / 30, storeNumber: `BENCH-${i}`, apiBaseUrl: 'http://127.0.0.1:1',
          address: { street: '1 Main St', city: 'Logan', state: 'UT', zip: '84321' }, phone: '435-555-1003', email: `bench${i}@codepop.com`,
          timeZone: 'America/Denver', weeklyHours: ALL_DAY, isOperational: true, isAcceptingOrders: true,
        },
      },
      200,
    );
    stores.push(id);
  }
  return { hubId: node.ctx.identity.nodeId, inject, must, stores, stop };
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        const t0 = performance.now();
        await work(item);
        times.push(performance.now() - t0);
      }
    }),
  );
  return times;
}

async function approvals(hub: Awaited<ReturnType<typeof startHub>>, n: number, concurrency: number): Promise<string> {
  progress(`approvals: ${n} ledger receipts (the baseline)`);
  const receipts = Array.from({ length: n }, (_, i) => ITEMS[i % ITEMS.length]!);
  const t0 = performance.now();
  const receiptTimes = await pool(receipts, concurrency, async (itemId) => void (await hub.must({ method: 'POST', url: `/api/v1/hubs/${hub.hubId}/inventory/transactions`, payload: { type: 'receipt', itemId, quantity: 1000 } }, 201)));
  const receiptSecs = (performance.now() - t0) / 1000;
  progress(`approvals: ${n} requests asked`);
  const ids: string[] = [];
  await pool(Array.from({ length: n }, (_, i) => i), concurrency, async (i) => {
    const items = [0, 1, 2].map((k) => ({ itemId: ITEMS[(i + k) % ITEMS.length]!, quantity: 1 + (i % 5) }));
    ids.push((await hub.must({ method: 'POST', url: `/api/v1/stores/${hub.stores[i % hub.stores.length]}/supply-requests`, payload: { items, urgency: 'NORMAL' } }, 201)).json<{ requestId: string }>().requestId);
  });
  progress(`approvals: ${n} approved`);
  const t1 = performance.now();
  const times = await pool(ids, concurrency, async (id) => void (await hub.must({ method: 'POST', url: `/api/v1/supply-requests/${id}/approve`, payload: {} }, 200)));
  const secs = (performance.now() - t1) / 1000;
  return table(`approvals at a hub (${n}, ${concurrency} in flight; each holds three lines of hub stock)`, ['what', 'per second', 'p50 ms', 'p99 ms', 'ratio'], [
    ['ledger receipt (baseline)', fmt(n / receiptSecs), fmt(percentile(receiptTimes, 50), 1), fmt(percentile(receiptTimes, 99), 1), '1.00×'],
    ['approval', fmt(n / secs), fmt(percentile(times, 50), 1), fmt(percentile(times, 99), 1), ratio(n / secs, n / receiptSecs)],
  ]);
}

async function usageUpload(hub: Awaited<ReturnType<typeof startHub>>, rows: number): Promise<string> {
  const { checkUsageCsv } = await import('../src/modules/supply/usage-rows.js');
  const items = 50;
  const days = Math.ceil(rows / (hub.stores.length * items));
  const lines = ['date,store_id,item_name,item_type,quantity_used'];
  const today = Date.now();
  outer: for (let d = 0; d < days; d++) {
    const day = new Date(today - (d + 1) * 86_400_000).toISOString().slice(0, 10);
    for (const store of hub.stores) {
      for (let i = 0; i < items; i++) {
        if (lines.length > rows) break outer;
        lines.push(`${day},${store},Item ${i},syrup,${(i * 7 + d) % 40}`);
      }
    }
  }
  const csv = lines.join('\n');
  progress(`usage: checking ${rows} rows (${fmt(csv.length / 1024 / 1024, 1)} MiB) without the database`);
  const stores = new Set(hub.stores);
  const c0 = performance.now();
  const checked = checkUsageCsv(csv, { today: new Date(today).toISOString().slice(0, 10), isRegionStore: (id) => stores.has(id) });
  const checkMs = performance.now() - c0;
  if (checked.errors.length) throw new Error(`the bench file is bad: ${checked.errors[0]!.message}`);
  progress(`usage: uploading ${rows} rows`);
  const t0 = performance.now();
  const res = await hub.must({ method: 'POST', url: `/api/v1/hubs/${hub.hubId}/usage`, payload: csv, headers: { 'content-type': 'text/csv' } }, 201);
  const ms = performance.now() - t0;
  progress('usage: uploading the same file again (every row an update)');
  const t1 = performance.now();
  await hub.must({ method: 'POST', url: `/api/v1/hubs/${hub.hubId}/usage`, payload: csv, headers: { 'content-type': 'text/csv' } }, 201);
  const againMs = performance.now() - t1;
  const imported = res.json<{ imported: number }>().imported;
  return table(`usage upload, ${imported} rows (target: under 10 s)`, ['what', 'seconds', 'rows per second'], [
    ['check only (parse, validate; no database)', fmt(checkMs / 1000, 2), fmt(imported / (checkMs / 1000))],
    ['upload, new rows', fmt(ms / 1000, 2), fmt(imported / (ms / 1000))],
    ['upload again, every row replaced', fmt(againMs / 1000, 2), fmt(imported / (againMs / 1000))],
  ]);
}

function forecast(): string {
  const file = new URL('./data/forecast/m5-foods3-tx3.json', import.meta.url);
  const data = JSON.parse(readFileSync(file, 'utf8')) as SeriesSet & { aggregates: SeriesSet['series'] };
  progress('forecast: M5 item series');
  const items = evaluate({ start: data.start, series: data.series });
  progress('forecast: M5 summed series');
  const totals = evaluate({ start: data.start, series: data.aggregates });
  const row = (name: string, r: typeof items) => [name, String(r.series), fmt(r.mase, 3), fmt(r.naiveMase, 3), fmt(r.ratio, 3), `${fmt(r.smape, 1)} / ${fmt(r.naiveSmape, 1)}`, `${fmt(r.holtWintersShare * 100)} %`, `${fmt(r.coverage80 * 100, 1)} %`, fmt(r.msPerForecast, 1)];
  return table(
    `forecasts on days held out (14 ahead, ${items.origins} outer origins a series; target: MASE ratio under 0.9); data: bench/data/forecast (M5, FOODS_3 at TX_3)`,
    ['series', 'n', 'MASE', 'seasonal naive MASE', 'ratio', 'sMAPE / naive', 'chose Holt-Winters', '80 % interval held', 'ms a forecast'],
    [row('items (54 % zero days)', items), row('sums of 40 items', totals)],
  );
}

export async function main(args: string[]): Promise<void> {
  const values = parseOptions(args, spec);
  if (values.help) throw new UsageError(usage(spec));
  const parts = new Set(String(values.parts ?? 'approvals,usage,forecast,routes').split(','));
  const db = String(values.db ?? 'pglite');
  if (db !== 'pglite' && db !== 'postgres') throw new UsageError('--db must be pglite or postgres');
  const out: string[] = [];
  if (parts.has('approvals') || parts.has('usage')) {
    progress(`starting a hub on ${db}`);
    const hub = await startHub(db);
    if (parts.has('approvals')) out.push(await approvals(hub, intOption(values, 'requests', 400, 10), intOption(values, 'concurrency', 8, 1)));
    if (parts.has('usage')) out.push(await usageUpload(hub, intOption(values, 'rows', 100_000, 100)));
    await hub.stop();
  }
  if (parts.has('forecast')) out.push(forecast());
  for (const t of out) console.log(t);
  if (parts.has('routes')) {
    progress('routes: the optimiser against known optima (one seed a run)');
    const routes = await import('./routes.js');
    await routes.main(['--seeds', '1']);
  }
}
