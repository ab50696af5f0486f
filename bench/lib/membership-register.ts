// Membership benchmark, part (c): the cost of one hub registering N stores.
// Each fake store is a fresh Ed25519 key pair and node id with a one-time
// join token, registering the way a joining store does (bootstrap.ts
// registerStore: POST /p2p/v1/register signed by a PeerClient with no chain).
// Its card points at a small responder in this process that answers the
// hub's heartbeats, so after joining the stores stay alive and the hub does
// its real steady-state work for N stores. Baseline in the same run: the same
// number of GET /p2p/v1/health calls at the same concurrency, before and
// after the stores joined.
import { randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { issueJoinTokenFor } from '../../src/mesh/admission/admission.js';
import { generateKeyPair, publicKeyToString } from '../../src/core/keys.js';
import { PeerClient } from '../../src/mesh/transport/peer-client.js';
import { getJson, TestNetwork } from '../../test/harness/network.js';
import { REGIONS } from './mesh-network.js';
import { fmt, onCleanup, percentile, progress, sleep } from './report.js';
import { cpuSecondsOf } from './proc-stats.js';

export interface CallStats {
  calls: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  /** The hub process's CPU (user + system, from /proc) over the phase, % of one core. */
  hubCpuPct: number;
  /** The hub's CPU time per call, ms. */
  hubCpuMsPerCall: number;
  /** This process's CPU (client, and the fake stores' responder) over the phase, % of one core. */
  clientCpuPct: number;
}

export interface RegisterResult {
  stores: number;
  concurrency: number;
  healthBefore: CallStats;
  register: CallStats;
  healthAfter: CallStats;
  /** p50 latency of the first and the last 10 % of registrations: how a reply listing the region grows. */
  firstTenthP50Ms: number;
  lastTenthP50Ms: number;
  lastReplyBytes: number;
  rssBefore: number;
  rssAfter: number;
  rssSettled: number;
  /** Lowest and highest RSS sampled every 10 s while settling: how flat it is. */
  rssSettleMin: number;
  rssSettleMax: number;
  settleSeconds: number;
  /** Heartbeats from the hub the fake stores answered per second while settling. */
  heartbeatsPerSecond: number;
  /** The hub's CPU while it only heartbeats its stores, % of one core. */
  settleHubCpuPct: number;
  aliveAtEnd: number;
}

export interface FakeStore {
  nodeId: string;
  privateKey: KeyObject;
  publicKey: string;
  token: string;
}

/**
 * Answers the hub's heartbeats for every fake store: base URL
 * http://host:port/fake/<nodeId>. It listens on several ports, spread over
 * the stores, as real stores are on different hosts: the hub keeps a few
 * connections per peer address, and one address for all would make the
 * bench measure that limit instead of the hub.
 */
export async function startResponder(ports = 64): Promise<{ urls: string[]; heartbeats: () => number }> {
  let heartbeats = 0;
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    req.resume();
    const match = /^\/fake\/([^/]+)\/p2p\/v1\/heartbeat$/.exec(req.url ?? '');
    if (!match || req.method !== 'POST') return void res.writeHead(404).end();
    heartbeats += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ nodeId: match[1], registryVersion: 'fake', revocations: 0, known: true }));
  };
  const servers: Server[] = [];
  for (let i = 0; i < ports; i++) {
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  onCleanup(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  return { urls: servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`), heartbeats: () => heartbeats };
}

/** Fake stores with a key pair, a node id and a one-time join token of the hub at `hubDataDir` each. */
export function prepareFakeStores(hubDataDir: string, region: string, n: number): FakeStore[] {
  const fakes: FakeStore[] = [];
  for (let i = 0; i < n; i++) {
    const { privateKey, publicKey } = generateKeyPair();
    const { token } = issueJoinTokenFor({ hubDataDir, region, ttlMs: 60 * 60_000 });
    fakes.push({ nodeId: randomUUID(), privateKey, publicKey: publicKeyToString(publicKey), token });
  }
  return fakes;
}

/** Registers fake store `i` as a joining store does; its card points at the responder. Answers the reply's size in bytes. */
export async function registerFakeStore(hubUrl: string, f: FakeStore, i: number, responderUrls: string[], at: { lat: number; lon: number }): Promise<number> {
  const client = new PeerClient({ nodeId: f.nodeId, privateKey: f.privateKey, chain: () => undefined, now: () => Date.now() });
  const card = { name: `Fake Store ${i + 1}`, apiBaseUrl: `${responderUrls[i % responderUrls.length]}/fake/${f.nodeId}`, lat: at.lat + (i % 40) * 0.01, lon: at.lon + Math.floor(i / 40) * 0.01 };
  const reply = await client.call<{ chain?: unknown[]; members: unknown[] }>(hubUrl, 'POST', '/p2p/v1/register', { card, joinToken: f.token, publicKey: f.publicKey }, 30_000);
  if (!reply.chain) throw new Error('no certificate in the reply');
  return JSON.stringify(reply).length;
}

/** Runs `fn` over 0..n-1 with at most `concurrency` in flight; per-call latencies in ms. */
async function timed(
  n: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
  label: string,
  hubPid?: number,
): Promise<{ stats: CallStats; latencies: number[] }> {
  const latencies: number[] = new Array<number>(n);
  let next = 0;
  let failures = 0;
  let firstError = '';
  const step = Math.max(1, Math.round(n / 10));
  const hub0 = cpuSecondsOf(hubPid);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      for (let i = next++; i < n; i = next++) {
        const started = performance.now();
        try {
          await fn(i);
        } catch (err) {
          failures += 1;
          firstError ||= (err as Error).message;
        }
        latencies[i] = performance.now() - started;
        if ((i + 1) % step === 0) progress(`  ${label}: ${i + 1}/${n} (${fmt(((i + 1) / (performance.now() - t0)) * 1000)}/s so far)`);
      }
    }),
  );
  const ms = performance.now() - t0;
  const hubCpuMs = (cpuSecondsOf(hubPid) - hub0) * 1000;
  const self = process.cpuUsage(self0);
  if (failures > 0) progress(`  ${label}: ${failures} failed, first: ${firstError}`);
  const stats: CallStats = {
    calls: n,
    perSecond: (n / ms) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    failures,
    hubCpuPct: (hubCpuMs / ms) * 100,
    hubCpuMsPerCall: hubCpuMs / n,
    clientCpuPct: ((self.user + self.system) / 1000 / ms) * 100,
  };
  return { stats, latencies };
}

export async function runRegister(o: { template: string; stores: number; concurrency: number; heartbeatMs: number; settleSeconds?: number }): Promise<RegisterResult> {
  const net = new TestNetwork({ heartbeatMs: o.heartbeatMs, pgliteTemplate: o.template });
  onCleanup(async () => {
    await net.stopAll();
    rmSync(net.dir, { recursive: true, force: true });
  });
  const region = REGIONS[0];
  const hub = await net.defineHub(region.code, region.lat, region.lon);
  progress(`starting hub ${hub.name}…`);
  const hubPid = (await net.start(hub)).child.pid;
  const responder = await startResponder();

  progress(`preparing ${o.stores} fake stores (key pair, node id, join token each)…`);
  const fakes = prepareFakeStores(hub.dataDir, region.code, o.stores);

  const health = async () => {
    const res = await fetch(`${hub.url}/p2p/v1/health`);
    await res.json();
    if (res.status !== 200) throw new Error(`health answered ${res.status}`);
  };
  progress(`baseline: ${o.stores} GET /p2p/v1/health calls, ${o.concurrency} in flight, hub with no stores`);
  // A fresh process answers its first requests slowly (JIT, caches): warm up with as many untimed calls.
  await timed(o.stores, o.concurrency, health, 'health warm-up');
  const healthBefore = (await timed(o.stores, o.concurrency, health, 'health before', hubPid)).stats;
  const rssBefore = await rssOf(hub.url);

  progress(`registering ${o.stores} stores, ${o.concurrency} in flight…`);
  let lastReplyBytes = 0;
  const { stats: register, latencies } = await timed(
    o.stores,
    o.concurrency,
    async (i) => {
      const bytes = await registerFakeStore(hub.url, fakes[i]!, i, responder.urls, region);
      if (i === o.stores - 1) lastReplyBytes = bytes;
    },
    'register',
    hubPid,
  );
  const rssAfter = await rssOf(hub.url);
  const tenth = Math.max(1, Math.floor(o.stores / 10));

  const settleSeconds = o.settleSeconds ?? Math.max(5, Math.ceil((6 * o.heartbeatMs) / 1000));
  progress(`letting the hub heartbeat its ${o.stores} stores for ${settleSeconds} s…`);
  const hb0 = responder.heartbeats();
  const cpu0 = cpuSecondsOf(hubPid);
  // RSS sampled through the window: flat once settled, or growing with time.
  const rssSamples: number[] = [];
  for (let waited = 0; waited < settleSeconds; ) {
    const step = Math.min(10, settleSeconds - waited);
    await sleep(step * 1000);
    waited += step;
    rssSamples.push(await rssOf(hub.url));
    progress(`  ${waited}/${settleSeconds} s: hub RSS ${fmt(rssSamples.at(-1)! / 1024 / 1024)} MiB, ${fmt((responder.heartbeats() - hb0) / waited)} heartbeats/s`);
  }
  const heartbeatsPerSecond = (responder.heartbeats() - hb0) / settleSeconds;
  const settleHubCpuPct = ((cpuSecondsOf(hubPid) - cpu0) / settleSeconds) * 100;
  const status = await getJson<{ memory: { rssBytes: number }; mesh: { peers: { state: string; role: string }[] } }>(`${hub.url}/api/v1/node/status`);
  const aliveAtEnd = status.mesh.peers.filter((p) => p.role === 'store' && p.state === 'alive').length;

  progress(`after: ${o.stores} GET /p2p/v1/health calls, hub carrying ${o.stores} stores`);
  const healthAfter = (await timed(o.stores, o.concurrency, health, 'health after', hubPid)).stats;
  return {
    stores: o.stores,
    concurrency: o.concurrency,
    healthBefore,
    register,
    healthAfter,
    firstTenthP50Ms: percentile(latencies.slice(0, tenth), 50),
    lastTenthP50Ms: percentile(latencies.slice(-tenth), 50),
    lastReplyBytes,
    rssBefore,
    rssAfter,
    rssSettled: status.memory.rssBytes,
    rssSettleMin: Math.min(...rssSamples),
    rssSettleMax: Math.max(...rssSamples),
    settleSeconds,
    heartbeatsPerSecond,
    settleHubCpuPct,
    aliveAtEnd,
  };
}

async function rssOf(url: string): Promise<number> {
  return (await getJson<{ memory: { rssBytes: number } }>(`${url}/api/v1/node/status`)).memory.rssBytes;
}
