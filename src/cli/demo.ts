// `codepop demo`: the whole network on one machine. Seven hubs and their
// stores, each a real `codepop node` process with its own embedded database,
// admitted with real certificates. A second run restarts the same network
// with its data. Progress is printed as it goes; Ctrl-C stops every node.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createPgliteTemplateDir } from '../db/database.js';
import { certifyHub, initNetwork, issueJoinTokenFor, loadAdmission } from '../mesh/admission/admission.js';
import { writePrivateFile } from '../core/identity.js';
import { demoHubs, demoRegions, demoStores } from './demo-network.js';
import { seedDemoUsers } from './demo-users.js';
import { seedDemoStock } from './demo-stock.js';
import { seedDemoSupply } from './demo-supply.js';
import { spawnNodeProcess, type NodeProcess } from './node-process.js';

export interface DemoOptions {
  dataDir: string;
  basePort: number;
  storesPerRegion?: number;
  /** Only these regions' hubs and stores (default: all seven). */
  regions?: string[];
  heartbeatMs: number;
  /** Nodes started at once; each start costs CPU, and the machine may have two cores. */
  parallel: number;
  out: (line: string) => void;
  /** Called with the planned nodes before any starts, so a Ctrl-C during start-up can stop those already running. */
  onPlan?: (nodes: DemoNode[]) => void;
}

export interface DemoNode {
  slug: string;
  role: 'hub' | 'store';
  name: string;
  region: string;
  lat: number;
  lon: number;
  port: number;
  dataDir: string;
  url: string;
  proc?: NodeProcess;
}

/** V8 flags that keep a node small: baseline-compiled WebAssembly holds PGlite in ~60 MB less (docs/demo.md). */
export const DEMO_NODE_FLAGS = ['--liftoff-only', '--max-semi-space-size=2'];

export function planDemo(options: Pick<DemoOptions, 'dataDir' | 'basePort' | 'storesPerRegion' | 'regions'>): DemoNode[] {
  const nodesDir = path.join(options.dataDir, 'nodes');
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const hubs: DemoNode[] = demoHubs.map((h, i) => ({
    slug: `hub-${h.region.toLowerCase()}`,
    role: 'hub',
    name: h.name,
    region: h.region,
    lat: h.lat,
    lon: h.lon,
    port: options.basePort + i,
    dataDir: path.join(nodesDir, `hub-${h.region.toLowerCase()}`),
    url: url(options.basePort + i),
  }));
  // Ports follow the full store list, so a smaller demo keeps each store's port.
  const all = demoStores();
  const chosen = new Set(demoStores(options.storesPerRegion).map((s) => s.storeNumber));
  const stores: DemoNode[] = all.flatMap((s, i) => {
    if (!chosen.has(s.storeNumber)) return [];
    const port = options.basePort + hubs.length + i;
    const slug = `store-${s.storeNumber.toLowerCase()}`;
    return [{ slug, role: 'store' as const, name: s.name, region: s.region, lat: s.lat, lon: s.lon, port, dataDir: path.join(nodesDir, slug), url: url(port) }];
  });
  // Ports follow the full lists too, so a demo of fewer regions keeps each node's port.
  const wanted = (n: DemoNode) => !options.regions || options.regions.includes(n.region);
  return [...hubs.filter(wanted), ...stores.filter(wanted)];
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function operatorToken(dataDir: string): { token: string; created: boolean } {
  const file = path.join(dataDir, 'operator-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), created: false };
  const token = randomBytes(24).toString('base64url');
  writePrivateFile(file, `${token}\n`);
  return { token, created: true };
}

async function startNode(node: DemoNode, o: DemoOptions, env: NodeJS.ProcessEnv, hubUrls: string): Promise<void> {
  const args = [
    '--role', node.role, '--name', node.name, '--region', node.region,
    '--lat', String(node.lat), '--lon', String(node.lon), '--port', String(node.port),
    '--data-dir', node.dataDir, '--hubs', hubUrls, '--heartbeat-ms', String(o.heartbeatMs),
    '--pglite-template', path.join(o.dataDir, 'template', 'pgdata'),
  ];
  const nodeEnv = { ...env };
  if (node.role === 'store' && !loadAdmission(node.dataDir).chain) {
    // First start: a one-time token from its hub. Given by environment, not argv, which `ps` shows.
    const hubDir = path.join(o.dataDir, 'nodes', `hub-${node.region.toLowerCase()}`);
    const hubUrl = `http://127.0.0.1:${o.basePort + demoHubs.findIndex((h) => h.region === node.region)}`;
    nodeEnv.CODEPOP_JOIN_TOKEN = issueJoinTokenFor({ hubDataDir: hubDir, ttlMs: 60 * 60_000, hubUrl }).token;
  }
  mkdirSync(node.dataDir, { recursive: true, mode: 0o700 });
  node.proc = spawnNodeProcess({ args, env: nodeEnv, nodeFlags: DEMO_NODE_FLAGS, logFile: path.join(o.dataDir, 'logs', `${node.slug}.log`) });
  await node.proc.ready;
}

/** Runs up to `parallel` starts at once, reporting each as it completes. */
async function startAll(nodes: DemoNode[], o: DemoOptions, label: string, start: (n: DemoNode) => Promise<void>): Promise<void> {
  let next = 0;
  let done = 0;
  const t0 = Date.now();
  const worker = async () => {
    while (next < nodes.length) {
      const node = nodes[next++]!;
      await start(node);
      done += 1;
      o.out(`  ${label} ${String(done).padStart(2)}/${nodes.length}  ${node.name.padEnd(28)} ${node.url}  (${seconds(t0)})`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.parallel, nodes.length) }, worker));
}

function rssBytes(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function registeredCount(nodes: DemoNode[], token: string): Promise<number> {
  const answers = await Promise.all(
    nodes.map(async (n) => {
      try {
        const res = await fetch(`${n.url}/api/v1/node/status`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(3000) });
        const body = (await res.json()) as { mesh?: { registered?: boolean } };
        return body.mesh?.registered === true;
      } catch {
        return false;
      }
    }),
  );
  return answers.filter(Boolean).length;
}

export async function runDemo(o: DemoOptions): Promise<DemoNode[]> {
  const t0 = Date.now();
  const { out } = o;
  const nodes = planDemo(o);
  o.onPlan?.(nodes);
  const hubs = nodes.filter((n) => n.role === 'hub');
  const stores = nodes.filter((n) => n.role === 'store');
  out(`CodePop demo: ${hubs.length} hubs and ${stores.length} stores in ${o.regions?.length ?? demoRegions.length} regions, data in ${o.dataDir}`);
  mkdirSync(path.join(o.dataDir, 'logs'), { recursive: true });

  const rootDir = path.join(o.dataDir, 'network');
  const rootKey = path.join(rootDir, 'root.key');
  const fresh = !existsSync(rootKey);
  if (fresh) initNetwork(rootDir);
  out(`[1/5] network root key ${fresh ? 'created' : 'found'}: ${rootKey}`);

  const templateDir = path.join(o.dataDir, 'template', 'pgdata');
  if (!existsSync(path.join(templateDir, 'PG_VERSION'))) {
    out('[2/5] preparing the embedded database template (initdb and migrations, once; about 5 s)…');
    const t = Date.now();
    await createPgliteTemplateDir(templateDir);
    out(`      template ready in ${seconds(t)}`);
  } else {
    out('[2/5] embedded database template found');
  }

  for (const hub of hubs) certifyHub({ rootKeyFile: rootKey, dataDir: hub.dataDir, region: hub.region });
  const { token, created } = operatorToken(o.dataDir);
  const env = { CODEPOP_OPERATOR_TOKEN: token, CODEPOP_LOG_LEVEL: 'info' };
  const hubUrls = hubs.map((h) => h.url).join(',');

  out(`[3/5] starting ${hubs.length} supply hubs (certified by the root)`);
  await startAll(hubs, o, 'hub  ', (n) => startNode(n, o, env, hubUrls));
  out(`[4/5] starting ${stores.length} stores, ${o.parallel} at a time (first start: each joins with a one-time token)`);
  await startAll(stores, o, 'store', (n) => startNode(n, o, env, hubUrls));

  out('[5/5] waiting for every node to register with its hub…');
  const deadline = Date.now() + 60_000;
  let registered = 0;
  while (Date.now() < deadline) {
    registered = await registeredCount(nodes, token);
    out(`      ${registered}/${nodes.length} registered (${seconds(t0)})`);
    if (registered === nodes.length) break;
    await new Promise((r) => setTimeout(r, 2000));
  }

  // Before "Press Ctrl-C": sign-ups cut short by a stop would hold nodes up in their drain. Each step is
  // retried; one that still fails stops the demo with the reason (a demo without its logins is no demo),
  // and the next run resumes where this one stopped (the seed records say what is done).
  try {
    await seedDemoUsers({ dataDir: o.dataDir, nodes, operatorToken: token, out, env: process.env });
    await seedDemoStock({ dataDir: o.dataDir, nodes, operatorToken: token, out });
    await seedDemoSupply({ dataDir: o.dataDir, nodes, operatorToken: token, out });
  } catch (err) {
    throw new Error(`the demo could not be seeded (${(err as Error).message}); run it again to resume, or see ${path.join(o.dataDir, 'logs')}/`, { cause: err });
  }

  const rss = nodes.reduce((sum, n) => sum + rssBytes(n.proc?.child.pid), 0);
  out('');
  out(`Network up in ${seconds(t0)}: ${nodes.length} nodes, ${registered} registered; memory ${(rss / 2 ** 30).toFixed(2)} GiB RSS in all (${Math.round(rss / nodes.length / 2 ** 20)} MiB a node)`);
  out('');
  for (const n of nodes) out(`${n.role === 'hub' ? 'hub  ' : 'store'} ${n.region}  ${n.name.padEnd(30)} ${n.url}`);
  out('');
  const firstStore = stores[0] ?? hubs[0];
  out(`Open the app at any node, e.g. ${firstStore?.url}/ (order as a guest, or sign in with a login above)`);
  out(`  staff: sign in as manager_… or admin_… at their store; superadmin at ${hubs[0]?.url}/ for the network map`);
  out(`API docs ${hubs[0]?.url}/docs · whole network ${hubs[0]?.url}/api/v1/network`);
  out(`Operator token (super admin on every node${created ? ', made now' : ''}): ${token}`);
  out(`  e.g. curl -H "Authorization: Bearer ${token}" ${hubs[0]?.url}/api/v1/network`);
  out(`Logs: ${path.join(o.dataDir, 'logs')}/   Press Ctrl-C to stop every node.`);
  return nodes;
}

export async function stopDemo(nodes: DemoNode[], out: (line: string) => void): Promise<number> {
  const running = nodes.filter((n) => n.proc);
  out(`stopping ${running.length} nodes…`);
  const codes = await Promise.all(running.map((n) => n.proc!.stop(10_000)));
  const clean = codes.filter((c) => c === 0 || c === 'SIGINT' || c === 'SIGTERM').length;
  out(`stopped: ${clean}/${running.length} cleanly`);
  return clean === running.length ? 0 : 1;
}
