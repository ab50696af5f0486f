/// <reference lib="dom" />
// Browser tests' world: a hub and two stores of region C as real node
// processes on PGlite, seeded as the demo seeds them (catalog, store
// profiles, opening stock, the demo's people), open all day so a test never
// depends on the clock; and the system Chromium driven by playwright-core.
// Screenshots go to test-results/screens/ (not committed).
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { seedDemoStock } from '../../src/cli/demo-stock.js';
import { seedDemoUsers, type DemoNode } from '../../src/cli/demo-users.js';
import { getJson, OPERATOR_TOKEN, TestNetwork, waitFor, type NodeHandle } from '../harness/network.js';

export const CHROMIUM = process.env.CODEPOP_CHROMIUM ?? '/usr/bin/chromium';
const SCREENS = path.resolve('test-results/screens');
const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, { open: '00:00', close: '24:00' }]));

export interface WebWorld {
  network: TestNetwork;
  hub: NodeHandle;
  main: NodeHandle;
  west: NodeHandle;
  storeIds: Map<NodeHandle, string>;
  password: (username: string) => string;
  browser: Browser;
  stop(): Promise<void>;
}

export async function api<T>(url: string, method: string, body?: unknown, token = OPERATOR_TOKEN, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
}

export async function startWebWorld(): Promise<WebWorld> {
  const network = new TestNetwork({ heartbeatMs: 1000, backoffCapMs: 2000, pgliteTemplate: inject('pgliteTemplateDir') });
  const hub = await network.defineHub('C', 41.737, -111.8338, 'Logan UT Supply Hub');
  const main = await network.defineStore('C', 'Logan Main Street', 41.737, -111.8338);
  const west = await network.defineStore('C', 'Logan West', 41.734, -111.86);
  await network.start(hub);
  await Promise.all([network.start(main), network.start(west)]);
  const storeIds = new Map<NodeHandle, string>();
  for (const n of [main, west]) storeIds.set(n, (await getJson<{ storeId: string }>(`${n.url}/api/v1/node`)).storeId);
  await waitFor('both stores registered with the hub', async () => {
    const states = await Promise.all([main, west].map((n) => getJson<{ mesh: { registered: boolean } }>(`${n.url}/api/v1/node/status`)));
    return states.every((s) => s.mesh.registered) ? true : undefined;
  });

  const demoNodes: DemoNode[] = [
    { slug: 'hub-c', role: 'hub', name: hub.name, region: 'C', url: hub.url },
    { slug: 'store-logan-001', role: 'store', name: main.name, region: 'C', url: main.url },
    { slug: 'store-logan-003', role: 'store', name: west.name, region: 'C', url: west.url },
  ];
  const quiet = () => undefined;
  await seedDemoStock({ dataDir: network.dir, nodes: demoNodes, operatorToken: OPERATOR_TOKEN, out: quiet });
  for (const n of [main, west]) {
    const res = await api(`${n.url}/api/v1/stores/${storeIds.get(n)}`, 'PATCH', { weeklyHours: ALL_DAY });
    if (res.status !== 200) throw new Error(`opening ${n.name} all day: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
  await seedDemoUsers({ dataDir: network.dir, nodes: demoNodes, operatorToken: OPERATOR_TOKEN, out: quiet, parallel: 4 });
  const users = JSON.parse(readFileSync(path.join(network.dir, 'demo-users.json'), 'utf8')) as { users: Record<string, { password: string }> };
  // Each store lists both, with their addresses, wherever the app is opened.
  for (const n of [hub, main, west]) {
    await waitFor(`${n.name} to list both stores nearby`, async () => {
      const near = await getJson<{ items: { apiBaseUrl: string | null; isOpen: boolean }[] }>(`${n.url}/api/v1/stores/nearby?lat=41.737&lon=-111.8338`);
      return near.items.length === 2 && near.items.every((s) => s.apiBaseUrl && s.isOpen) ? true : undefined;
    });
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  return {
    network,
    hub,
    main,
    west,
    storeIds,
    password: (u) => users.users[u]?.password ?? '',
    browser,
    stop: async () => {
      await browser.close().catch(() => undefined);
      await network.stopAll();
    },
  };
}

/** A fresh browser context (its own storage) and page; console errors and failed requests are kept. */
export async function openPage(world: WebWorld, options: { width?: number } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await world.browser.newContext({ viewport: { width: options.width ?? 1100, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|net::ERR_CONNECTION_REFUSED/.test(m.text())) errors.push(m.text());
  });
  page.setDefaultTimeout(15_000);
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENS, `${name}.png`), fullPage: true });
}

export async function signIn(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(`Signed in as ${username}`).waitFor();
}

/** axe-core run in the page (through the DevTools protocol, so the page's CSP stays on); serious and critical violations. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const source = readFileSync(path.resolve('node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: unknown) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
