// The web app's first load (issue: under 250 kB of compressed JavaScript,
// interactive in under 1.5 s on this machine). Reads the built app
// (dist/web) for what a store's home page loads first, gzipped as the wire
// carries it; then starts a store node (in this process, embedded database,
// the built app) and loads the home page in the system Chromium with a cold
// cache, timing until the nearest stores are listed (data fetched, React
// rendered, buttons live). The baseline, loaded in the same browser against
// the same node in the same run, is a page without script (a problem page):
// the ratio is what the app costs over the bare round trip.
import { readFileSync, statSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { loadNodeConfig } from '../src/core/config.js';
import { startNode } from '../src/node/node.js';
import { fmt, intOption, parseOptions, percentile, progress, ratio, table, usage, UsageError, type OptionSpec } from './lib/report.js';

export const description = 'the web app: compressed JavaScript of the first load, and time until the home page lists stores (vs a script-free page)';

const spec: OptionSpec = {
  runs: { type: 'string', help: 'cold loads of each page (default 15)' },
  help: { type: 'boolean', help: 'this help' },
};
const BUDGET_KB = 250;
const TARGET_MS = 1500;
const WEB = path.resolve('dist/web');

/** What index.html makes the browser fetch before the app can start: the entry script, its preloads and the CSS. */
export function firstLoad(indexHtml: string): { scripts: string[]; styles: string[] } {
  const scripts = [...indexHtml.matchAll(/<script[^>]+src="([^"]+)"/g), ...indexHtml.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  const styles = [...indexHtml.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  return { scripts, styles };
}

/** The bytes a browser that takes brotli receives: the .br file the build wrote beside each asset. */
const wire = (file: string) => statSync(path.join(WEB, `${file}.br`)).size;
const raw = (file: string) => statSync(path.join(WEB, file)).size;

export async function main(args: string[]): Promise<void> {
  const values = parseOptions(args, spec);
  if (values.help) throw new UsageError(usage(spec));
  const runs = intOption(values, 'runs', 15, 1);
  const index = readFileSync(path.join(WEB, 'index.html'), 'utf8');
  const { scripts, styles } = firstLoad(index);
  const jsBytes = scripts.reduce((n, s) => n + wire(s), 0);
  const cssBytes = styles.reduce((n, s) => n + wire(s), 0);
  console.log(table('first load of the app (as served to a browser that takes brotli)', ['what', 'files', 'kB on the wire', 'kB raw', 'budget'], [
    ['JavaScript', String(scripts.length), fmt(jsBytes / 1000, 1), fmt(scripts.reduce((n, s) => n + raw(s), 0) / 1000, 1), `${BUDGET_KB} kB ${jsBytes / 1000 <= BUDGET_KB ? '(met)' : '(NOT met)'}`],
    ['CSS', String(styles.length), fmt(cssBytes / 1000, 1), fmt(styles.reduce((n, s) => n + raw(s), 0) / 1000, 1), ''],
  ]));

  progress('starting a store node with the built app…');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'codepop-bench-web-'));
  const config = loadNodeConfig({ role: 'store', name: 'Bench Store', region: 'C', lat: 41.737, lon: -111.8338, port: 0, dataDir, logLevel: 'warn' }, {});
  const node = await startNode(config, { database: { kind: 'pglite' }, webRoot: WEB });
  const entry = scripts[0];
  if (entry) {
    const res = await fetch(`${node.url}${entry}`, { headers: { 'accept-encoding': 'br, gzip' } });
    const bytes = (await res.arrayBuffer()).byteLength;
    console.log(`the node serves ${entry} as ${res.headers.get('content-encoding') ?? 'identity'}: ${fmt(bytes / 1000, 1)} kB received (fetch decodes it: ${bytes === raw(entry) ? 'the raw size, as expected' : 'unexpected size'})`);
  }
  const browser = await chromium.launch({ executablePath: process.env.CODEPOP_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const time = async (url: string, ready: string): Promise<number> => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const t0 = Date.now();
      await page.goto(url, { waitUntil: 'commit' });
      await page.locator(ready).first().waitFor({ timeout: 30_000 });
      const ms = Date.now() - t0;
      await context.close();
      return ms;
    };
    const app: number[] = [];
    const bare: number[] = [];
    // Interleaved, so both see the same machine; the first of each warms the node, not counted.
    await time(`${node.url}/`, 'ul[aria-label="Nearby stores"], .empty');
    await time(`${node.url}/problems/not-found`, 'h1');
    for (let i = 0; i < runs; i++) {
      progress(`cold load ${i + 1}/${runs}`);
      app.push(await time(`${node.url}/`, 'ul[aria-label="Nearby stores"], .empty'));
      bare.push(await time(`${node.url}/problems/not-found`, 'h1'));
    }
    const p50 = percentile(app, 50);
    const p95 = percentile(app, 95);
    console.log(table(`cold loads until usable (${runs} each, same browser and node)`, ['page', 'p50 ms', 'p95 ms', 'vs baseline', 'target'], [
      ['home page: stores listed', fmt(p50), fmt(p95), ratio(p50, percentile(bare, 50)), `${TARGET_MS} ms ${p95 <= TARGET_MS ? '(met at p95)' : '(NOT met at p95)'}`],
      ['baseline: a page without script', fmt(percentile(bare, 50)), fmt(percentile(bare, 95)), '1.00×', ''],
    ]));
  } finally {
    await browser.close();
    await node.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
