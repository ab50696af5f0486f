// The real networks bench/membership.ts measures: hubs and stores as real
// `codepop node` processes (test/harness TestNetwork) started from a copy of
// one initialised PGlite template, some stores optionally reachable only
// through a delaying proxy; plus what the benchmark asks of them: who should
// watch whom, their peer states from GET /api/v1/node/status, and every
// process's captured log lines (restarts included).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createPgliteTemplateDir } from '../../src/db/database.js';
import { haversineMiles } from '../../src/lib/geo.js';
import { startJitterProxy, type JitterProxy } from '../../test/harness/jitter-proxy.js';
import { getJson, peersOf, TestNetwork, type NodeHandle } from '../../test/harness/network.js';
import { tempDir, type StartedProcess } from '../../test/harness/processes.js';
import { onCleanup, progress, sleep } from './report.js';

export const REGIONS = [
  { code: 'C', lat: 41.737, lon: -111.8338 },
  { code: 'D', lat: 32.7767, lon: -96.797 },
] as const;

/** How peers reach a store: directly, through a proxy adding no delay, or through one adding 0–jitter ms. */
export type Link = 'hub' | 'direct' | 'proxy-0ms' | 'jittered';

export interface BenchNode {
  handle: NodeHandle;
  nodeId: string;
  link: Link;
  proxy?: JitterProxy;
}

export interface LogEntry {
  node: BenchNode;
  entry: Record<string, unknown>;
  spawnedAt: number;
}

/** Creates the initialised, migrated database every node process starts from (initdb runs once, here). */
export async function createTemplate(): Promise<{ dir: string; ms: number }> {
  const root = tempDir('codepop-bench-template-');
  onCleanup(async () => rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, 'pgdata');
  const t0 = performance.now();
  await createPgliteTemplateDir(dir);
  return { dir, ms: performance.now() - t0 };
}

export class BenchNetwork {
  readonly nodes: BenchNode[] = [];
  /** Every process ever started, restarts included, with the node it ran and when it was spawned. */
  readonly processes: { node: BenchNode; proc: StartedProcess; spawnedAt: number }[] = [];

  constructor(readonly net: TestNetwork) {}

  hubs(): BenchNode[] {
    return this.nodes.filter((n) => n.handle.role === 'hub');
  }

  stores(): BenchNode[] {
    return this.nodes.filter((n) => n.handle.role === 'store');
  }

  /** The nodes that heartbeat `node` and so must notice it die: its region's hub and stores. */
  regionPeers(node: BenchNode): BenchNode[] {
    return this.nodes.filter((n) => n !== node && n.handle.region === node.handle.region);
  }

  /**
   * The peers `node` itself heartbeats (src/mesh/membership/membership.ts isWatched): a hub its region's stores and the
   * other hubs; a store its hub and its `watchNeighbours` (default 4) nearest region stores, ties by node id.
   * (It knows the rest of its region by report, so their state need not be 'alive' from its own watch.)
   */
  watchedBy(node: BenchNode, watchNeighbours = 4): BenchNode[] {
    const others = this.nodes.filter((n) => n !== node);
    if (node.handle.role === 'hub') return others.filter((n) => n.handle.role === 'hub' || n.handle.region === node.handle.region);
    const hub = others.filter((n) => n.handle.role === 'hub' && n.handle.region === node.handle.region);
    const nearest = others
      .filter((n) => n.handle.role === 'store' && n.handle.region === node.handle.region)
      .sort((a, b) => haversineMiles(node.handle, a.handle) - haversineMiles(node.handle, b.handle) || a.nodeId.localeCompare(b.nodeId))
      .slice(0, watchNeighbours);
    return [...hub, ...nearest];
  }

  byId(nodeId: unknown): BenchNode | undefined {
    return this.nodes.find((n) => n.nodeId === nodeId);
  }

  async start(node: BenchNode): Promise<StartedProcess> {
    const spawnedAt = Date.now();
    const proc = await this.net.start(node.handle, node.proxy ? { publicUrl: node.proxy.url } : {});
    this.processes.push({ node, proc, spawnedAt });
    return proc;
  }

  /** Every log line of every process, with the node that wrote it and when that process was spawned. */
  logs(): LogEntry[] {
    return this.processes.flatMap(({ node, proc, spawnedAt }) => proc.logs.map((entry) => ({ node, entry, spawnedAt })));
  }

  async stop(): Promise<void> {
    await this.net.stopAll();
    await Promise.all(this.nodes.map((n) => n.proxy?.close()));
    rmSync(this.net.dir, { recursive: true, force: true });
  }
}

/** The time of a log line (pino isoTime), in ms since the epoch. */
export function logTime(entry: Record<string, unknown>): number {
  return typeof entry.time === 'string' ? Date.parse(entry.time) : Number.NaN;
}

export interface NetworkPlan {
  template: string;
  storesPerRegion: number;
  heartbeatMs: number;
  /** How peers reach the i-th store of a region (default: directly). */
  linkOf?: (index: number) => { link: Link; jitterMs?: number };
  /** Stores started at once (default 3; each start is a process boot on a 2-core machine). */
  parallel?: number;
}

/** Defines and starts the hubs, then the stores joining with tokens; returns once every node listens. */
export async function buildNetwork(plan: NetworkPlan): Promise<BenchNetwork> {
  const net = new TestNetwork({ heartbeatMs: plan.heartbeatMs, pgliteTemplate: plan.template });
  const bn = new BenchNetwork(net);
  onCleanup(() => bn.stop());
  for (const r of REGIONS) bn.nodes.push({ handle: await net.defineHub(r.code, r.lat, r.lon), nodeId: '', link: 'hub' });
  for (const r of REGIONS) {
    for (let i = 0; i < plan.storesPerRegion; i++) {
      // Stores spread within ~30 miles of the hub.
      const lat = r.lat + ((i % 3) - 1) * 0.2;
      const lon = r.lon + (Math.floor(i / 3) - 1) * 0.2;
      const handle = await net.defineStore(r.code, `Store ${r.code}-${String(i + 1).padStart(2, '0')}`, lat, lon);
      const { link, jitterMs = 0 } = plan.linkOf?.(i) ?? { link: 'direct' as const };
      const proxy = link === 'direct' ? undefined : await startJitterProxy({ target: handle.url, jitterMs });
      bn.nodes.push({ handle, nodeId: '', link, ...(proxy ? { proxy } : {}) });
    }
  }
  const t0 = performance.now();
  progress(`starting ${bn.hubs().length} hubs…`);
  await Promise.all(bn.hubs().map((n) => bn.start(n)));
  const stores = bn.stores();
  const parallel = plan.parallel ?? 3;
  for (let i = 0; i < stores.length; i += parallel) {
    await Promise.all(stores.slice(i, i + parallel).map((n) => bn.start(n)));
    progress(`started ${Math.min(i + parallel, stores.length)}/${stores.length} stores (${((performance.now() - t0) / 1000).toFixed(1)} s since the first hub)`);
  }
  for (const n of bn.nodes) n.nodeId = (await getJson<{ nodeId: string }>(`${n.handle.url}/api/v1/node`)).nodeId;
  return bn;
}

/** Polls every node's status until each sees every peer it watches as alive; returns the ms it took. */
export async function waitConverged(bn: BenchNetwork, timeoutMs = 120_000): Promise<number> {
  const t0 = performance.now();
  let lastReport = 0;
  for (;;) {
    const ok = await Promise.all(
      bn.nodes.map(async (n) => {
        try {
          const states = new Map((await peersOf(n.handle)).map((p) => [p.nodeId, p.state]));
          return bn.watchedBy(n).every((w) => states.get(w.nodeId) === 'alive');
        } catch {
          return false;
        }
      }),
    );
    const done = ok.filter(Boolean).length;
    const elapsed = performance.now() - t0;
    if (done === bn.nodes.length) return elapsed;
    if (elapsed > timeoutMs) throw new Error(`the network did not converge in ${timeoutMs / 1000} s (${done}/${bn.nodes.length} nodes see all their peers alive)`);
    if (elapsed - lastReport > 3000) {
      lastReport = elapsed;
      progress(`converging: ${done}/${bn.nodes.length} nodes see every peer they watch as alive`);
    }
    await sleep(500);
  }
}

/**
 * Polls the observers' status every `pollMs` until each reports `target` in
 * `state`; returns, per observer, the ms after `since` at which its answer
 * said so (Date.now() when the answer arrived).
 */
export async function waitForState(
  observers: BenchNode[],
  target: BenchNode,
  state: 'alive' | 'dead',
  since: number,
  pollMs: number,
  timeoutMs = 60_000,
): Promise<Map<BenchNode, number>> {
  const seen = new Map<BenchNode, number>();
  for (;;) {
    const pending = observers.filter((o) => !seen.has(o));
    await Promise.all(
      pending.map(async (o) => {
        try {
          const peer = (await peersOf(o.handle)).find((p) => p.nodeId === target.nodeId);
          if (peer?.state === state) seen.set(o, Date.now() - since);
        } catch {
          // an observer busy or restarting answers next time
        }
      }),
    );
    if (seen.size === observers.length) return seen;
    if (Date.now() - since > timeoutMs) {
      const missing = observers.filter((o) => !seen.has(o)).map((o) => o.handle.name);
      throw new Error(`${target.handle.name} not ${state} after ${timeoutMs / 1000} s at: ${missing.join(', ')}`);
    }
    await sleep(pollMs);
  }
}
