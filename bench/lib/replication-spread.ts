// Replication benchmark, part (a): how long a change takes to reach every
// holder of its topic in a network of real `codepop node` processes. Each
// sample publishes one announcement (POST, operator token) at a random store,
// alternating a region topic (holders: every hub and the region's stores) and
// the global topic (holders: every node); samples are spaced `intervalMs`
// apart and nobody polls while they spread.
//
// The times are not observed by polling: every node stamps each event it
// stores with its own `stored_at` (Date.now(), one machine clock for all). After
// the run the processes are stopped and every node's PGlite directory is read:
// time to everywhere = max over the holders' stored_at − the origin's stored_at
// (the origin stamps inside the transaction that commits the change, a holder
// inside the transaction that applies it; both a few ms before their commits).
// So measuring costs the nodes nothing while they spread the samples; only the
// wait for the final convergence polls, after the last sample was published.
import { PGlite } from '@electric-sql/pglite';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import type { VersionVector } from '../../src/mesh/replication/vector.js';
import { getJson, OPERATOR_TOKEN } from '../../test/harness/network.js';
import type { BenchNetwork, BenchNode } from './mesh-network.js';
import { fmt, progress, sleep } from './report.js';
import { cpuSecondsOf } from './proc-stats.js';

export type SpreadTopic = 'region' | 'global';

export interface SpreadSample {
  topic: SpreadTopic;
  origin: BenchNode;
  announcementId: string;
  /** The publishing POST's round trip at the client (commit included). */
  postMs: number;
  holders: number;
  /** Origin stored_at → the last holder's stored_at. */
  everywhereMs: number;
  /** Origin stored_at → its region hub's stored_at: one push, the baseline. */
  hubHopMs: number;
  /** Origin stored_at → each holder's stored_at. */
  perHolderMs: number[];
  /** Holders that never stored it (should be none). */
  missing: string[];
}

export interface SpreadResult {
  samples: SpreadSample[];
  nodes: number;
  intervalMs: number;
  /** Last sample published → every holder held every sample (polled every 500 ms, so ±500 ms). */
  settleMs: number;
  /** Summed over every node at the end: events applied from peers, and duplicates received. */
  applied: number;
  duplicates: number;
  /** The machine while samples were published and spread (publication of the first → the last + settle). */
  machine: { seconds: number; nodesCpuPct: number; busyPct: number; load1Start: number; load1End: number };
}


/** Busy and total CPU ticks of the whole machine (/proc/stat), to tell our nodes' load from everything else's. */
function machineTicks(): { busy: number; total: number } {
  try {
    const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

interface StatusBody {
  nodeId: string;
  replication: { applied: number; duplicates: number; vector: VersionVector };
}

const statusOf = (n: BenchNode) => getJson<StatusBody>(`${n.handle.url}/api/v1/node/status`);

function topicOf(topic: SpreadTopic, origin: BenchNode): string {
  return topic === 'global' ? 'global' : `region:${origin.handle.region}`;
}

/** Who holds the topic (DESIGN §3): every node for global; every hub and the region's stores for a region. */
export function holdersOf(bn: BenchNetwork, topic: SpreadTopic, origin: BenchNode): BenchNode[] {
  return topic === 'global' ? bn.nodes : bn.nodes.filter((n) => n.handle.role === 'hub' || n.handle.region === origin.handle.region);
}

async function publish(origin: BenchNode, topic: SpreadTopic, title: string): Promise<{ id: string; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${origin.handle.url}/api/v1/announcements`, {
    method: 'POST',
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ scope: topic, title, body: 'replication benchmark sample' }),
  });
  if (res.status !== 201) throw new Error(`POST at ${origin.handle.name} answered ${res.status}: ${await res.text()}`);
  const { announcementId } = (await res.json()) as { announcementId: string };
  return { id: announcementId, ms: performance.now() - t0 };
}

/** Polls every node's vector until each holds, of every topic it holds, what each origin says it emitted. */
async function waitUntilEveryHolderHasAll(bn: BenchNetwork, published: { topic: SpreadTopic; origin: BenchNode }[], timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  const origins = [...new Set(published.map((p) => p.origin))];
  const emitted = new Map<BenchNode, VersionVector>();
  for (const o of origins) emitted.set(o, (await statusOf(o)).replication.vector);
  for (;;) {
    const lacking = await Promise.all(
      bn.nodes.map(async (n) => {
        const have = (await statusOf(n).catch(() => undefined))?.replication.vector;
        if (!have) return 1;
        let missing = 0;
        for (const p of published) {
          if (!holdersOf(bn, p.topic, p.origin).includes(n)) continue;
          const topic = topicOf(p.topic, p.origin);
          const want = emitted.get(p.origin)?.[topic]?.[p.origin.nodeId] ?? 0;
          if ((have[topic]?.[p.origin.nodeId] ?? 0) < want) missing += 1;
        }
        return missing > 0 ? 1 : 0;
      }),
    );
    const behind = lacking.reduce((a: number, b) => a + b, 0);
    if (behind === 0) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${behind} nodes still lack samples after ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

/** announcementId → stored_at of its events at one stopped node (the earliest, should there be edits). */
async function storedAtOf(node: BenchNode): Promise<Map<string, number>> {
  const db = new PGlite(path.join(node.handle.dataDir, 'pgdata'));
  try {
    await db.waitReady;
    const { rows } = await db.query<{ id: string; stored_at: number }>(
      "select payload->>'announcementId' as id, min(stored_at)::float8 as stored_at from repl_events where type = 'announcement.set' group by 1",
    );
    return new Map(rows.map((r) => [r.id, Number(r.stored_at)]));
  } finally {
    await db.close();
  }
}

export async function runSpread(bn: BenchNetwork, o: { samples: number; intervalMs: number; warmup: number }): Promise<SpreadResult> {
  const stores = bn.stores();
  const pick = () => stores[Math.floor(Math.random() * stores.length)] as BenchNode;
  // Warm-up: first exchanges (initial syncs, keep-alive connections) are not part of the figure.
  const warm = Array.from({ length: o.warmup }, (_, i) => ({ topic: (i % 2 === 0 ? 'region' : 'global') as SpreadTopic, origin: pick() }));
  for (const w of warm) await publish(w.origin, w.topic, 'warm-up');
  if (warm.length > 0) await waitUntilEveryHolderHasAll(bn, warm);
  progress(`warm-up done (${o.warmup} announcements everywhere); publishing ${o.samples} samples, one every ${o.intervalMs} ms, nobody polling`);

  const published: { topic: SpreadTopic; origin: BenchNode; id: string; postMs: number }[] = [];
  const nodesCpu = () => bn.nodes.reduce((sum, n) => sum + cpuSecondsOf(n.handle.proc?.child.pid), 0);
  const cpuStart = nodesCpu();
  const ticksStart = machineTicks();
  const wallStart = performance.now();
  const load1Start = loadavg()[0] ?? Number.NaN;
  for (let i = 0; i < o.samples; i++) {
    const topic: SpreadTopic = i % 2 === 0 ? 'region' : 'global';
    const origin = pick();
    const t0 = performance.now();
    const { id, ms } = await publish(origin, topic, `sample ${i}`);
    published.push({ topic, origin, id, postMs: ms });
    if ((i + 1) % 10 === 0 || i + 1 === o.samples) progress(`published ${i + 1}/${o.samples}`);
    await sleep(Math.max(0, o.intervalMs - (performance.now() - t0)));
  }
  const lastAt = Date.now();
  await waitUntilEveryHolderHasAll(bn, published);
  const settleMs = Date.now() - lastAt;
  const seconds = (performance.now() - wallStart) / 1000;
  const ticksEnd = machineTicks();
  const machine = {
    seconds,
    // % of one core, like top; the machine has cpus().length of them.
    nodesCpuPct: ((nodesCpu() - cpuStart) / seconds) * 100,
    busyPct: ((ticksEnd.busy - ticksStart.busy) / (ticksEnd.total - ticksStart.total)) * 100 * cpus().length,
    load1Start,
    load1End: loadavg()[0] ?? Number.NaN,
  };
  progress(`every holder holds every sample (${fmt(settleMs)} ms after the last was published; polled every 500 ms)`);

  let applied = 0;
  let duplicates = 0;
  for (const n of bn.nodes) {
    const s = await statusOf(n);
    applied += s.replication.applied;
    duplicates += s.replication.duplicates;
  }

  progress(`stopping ${bn.nodes.length} processes (SIGTERM) to read each node's stored_at from its PGlite directory…`);
  await bn.net.stopAll();
  const stamps = new Map<BenchNode, Map<string, number>>();
  for (const [i, n] of bn.nodes.entries()) {
    stamps.set(n, await storedAtOf(n));
    if ((i + 1) % 10 === 0 || i + 1 === bn.nodes.length) progress(`read ${i + 1}/${bn.nodes.length} node databases`);
  }

  const samples = published.map((p): SpreadSample => {
    const at = (n: BenchNode) => stamps.get(n)?.get(p.id);
    const start = at(p.origin);
    if (start === undefined) throw new Error(`the origin ${p.origin.handle.name} holds no event for ${p.id}`);
    const holders = holdersOf(bn, p.topic, p.origin).filter((n) => n !== p.origin);
    const perHolderMs: number[] = [];
    const missing: string[] = [];
    for (const h of holders) {
      const t = at(h);
      if (t === undefined) missing.push(h.handle.name);
      else perHolderMs.push(t - start);
    }
    const hub = bn.hubs().find((h) => h.handle.region === p.origin.handle.region);
    const hubAt = hub ? at(hub) : undefined;
    return {
      topic: p.topic,
      origin: p.origin,
      announcementId: p.id,
      postMs: p.postMs,
      holders: holders.length + 1,
      everywhereMs: Math.max(...perHolderMs),
      hubHopMs: hubAt === undefined ? Number.NaN : hubAt - start,
      perHolderMs,
      missing,
    };
  });
  return { samples, nodes: bn.nodes.length, intervalMs: o.intervalMs, settleMs, applied, duplicates, machine };
}
