// Accounts on real `codepop node` processes (DESIGN §3, §5): 2 hubs (regions
// C and B), stores A and B in region C, store D in region B, in three parts:
//   (a) logins: logins per second at store A, with `--concurrency` in
//       flight, for an account A holds; baseline in the same run: argon2id
//       verifications per second in this process with as many in flight
//       (a login is one verification plus a token: the bound by design).
//   (b) visitors: first logins at store A of accounts made at store D in the
//       other region: a hub lookup, a pull of the person's topic through
//       A's hub, then the same verification. Logins per second and latency.
//   (c) favorites: a favorite added at store A, time until GET
//       /api/v1/me/favorites shows it at store B (same region), store D
//       (other region) and, as the one-hop baseline, A's hub (p50, p99).
//       Each sample's clock starts when the PUT is answered (committed);
//       the readers poll every `--poll-ms`, so times carry that resolution.
// Needs dist/ built (`npm run bench -- accounts` builds it first).
import argon2 from 'argon2';
import { existsSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { mainScript } from '../src/cli/node-process.js';
import { TestNetwork, type NodeHandle } from '../test/harness/network.js';
import { replicationOf } from '../test/harness/replication.js';
import { createTemplate } from './lib/mesh-network.js';
import { fmt, intOption, mean, onCleanup, parseOptions, percentile, progress, ratio, sleep, table, usage, type OptionSpec } from './lib/report.js';

export const description = 'logins/s at a store (own account, a visitor’s first login); favorite visible across stores and regions (p50, p99)';

const spec: OptionSpec = {
  logins: { type: 'string', help: 'logins timed in (a) (default 300; --quick 40)' },
  visitors: { type: 'string', help: 'accounts made at store D whose first login at store A is timed in (b) (default 80; --quick 12)' },
  concurrency: { type: 'string', help: 'logins in flight in (a) and (b) (default 8)' },
  samples: { type: 'string', help: 'favorites timed in (c) (default 60; --quick 10)' },
  'poll-ms': { type: 'string', help: 'how often readers look in (c) (default 5)' },
  quick: { type: 'boolean', help: 'small everything, for a smoke run' },
  help: { type: 'boolean', help: 'this help' },
};

const FLAGS = { authRateLimit: 1_000_000 };
const PASSWORD = 'Sparkling-Cola-Robot-9071';

interface Answer<T> {
  status: number;
  body: T;
}

async function call<T>(node: NodeHandle, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer<T>> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

async function register(node: NodeHandle, username: string): Promise<string> {
  const res = await call<{ user: { id: string } }>(node, 'POST', '/api/v1/auth/register', { body: { username, email: `${username}@example.com`, password: PASSWORD } });
  if (res.status !== 201) throw new Error(`sign-up of ${username} at ${node.name} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.user.id;
}

async function login(node: NodeHandle, username: string): Promise<string> {
  const res = await call<{ token: string }>(node, 'POST', '/api/v1/auth/login', { body: { username, password: PASSWORD } });
  if (res.status !== 200) throw new Error(`login of ${username} at ${node.name} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** Runs `jobs` with `concurrency` in flight; returns each one's ms and the whole run's ms. */
async function timed(jobs: (() => Promise<unknown>)[], concurrency: number): Promise<{ each: number[]; totalMs: number }> {
  const each: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const s = performance.now();
        await job();
        each.push(performance.now() - s);
      }
    }),
  );
  return { each, totalMs: performance.now() - t0 };
}

interface Network {
  net: TestNetwork;
  hubC: NodeHandle;
  hubB: NodeHandle;
  a: NodeHandle;
  b: NodeHandle;
  d: NodeHandle;
}

async function startNetwork(template: string): Promise<Network> {
  const net = new TestNetwork({ heartbeatMs: 1000, backoffCapMs: 1000, pgliteTemplate: template });
  onCleanup(async () => {
    await net.stopAll();
    rmSync(net.dir, { recursive: true, force: true });
  });
  const hubC = await net.defineHub('C', 41.737, -111.8338, 'Logan Hub');
  const hubB = await net.defineHub('B', 40.7357, -74.1724, 'Newark Hub');
  const a = await net.defineStore('C', 'Logan North', 41.76, -111.815);
  const b = await net.defineStore('C', 'Brigham City', 41.5102, -112.0155);
  const d = await net.defineStore('B', 'Jersey City', 40.7178, -74.0431);
  // One at a time: a node's boot is CPU-heavy, and parallel boots on a busy 2-core machine miss their start timeout.
  for (const n of [hubC, hubB, a, b, d]) {
    await net.start(n, FLAGS);
    progress(`started ${n.name}`);
  }
  const idOf = async (n: NodeHandle) => (await replicationOf(n)).nodeId;
  const expected: [NodeHandle, NodeHandle[]][] = [
    [hubC, [hubB, a, b]],
    [hubB, [hubC, d]],
    [a, [hubC, b]],
    [b, [hubC, a]],
    [d, [hubB]],
  ];
  const ids = new Map(await Promise.all(net.nodes.map(async (n) => [n, await idOf(n)] as const)));
  for (const [n, peers] of expected) {
    for (let tries = 0; ; tries++) {
      const have = new Set((await replicationOf(n)).replication.peers.map((p) => p.peer));
      if (peers.every((p) => have.has(ids.get(p)!))) break;
      if (tries > 300) throw new Error(`${n.name} does not replicate with its peers after 60 s`);
      await sleep(200);
    }
  }
  progress('every node replicates with its peers');
  return { net, hubC, hubB, a, b, d };
}

interface LoginResult {
  label: string;
  n: number;
  perSecond: number;
  p50: number;
  p99: number;
  source: string;
}

async function argonBaseline(n: number, concurrency: number): Promise<LoginResult> {
  const hash = await argon2.hash(PASSWORD, { type: argon2.argon2id });
  const r = await timed(Array.from({ length: n }, () => () => argon2.verify(hash, PASSWORD)), concurrency);
  return { label: 'baseline: argon2id verify alone', n, perSecond: (n / r.totalMs) * 1000, p50: percentile(r.each, 50), p99: percentile(r.each, 99), source: 'argon2.verify in this process, same concurrency' };
}

async function localLogins(w: Network, n: number, concurrency: number): Promise<LoginResult> {
  const name = 'regular';
  await register(w.a, name);
  await login(w.a, name);
  const r = await timed(Array.from({ length: n }, () => () => login(w.a, name)), concurrency);
  return { label: 'login at A, account made at A', n, perSecond: (n / r.totalMs) * 1000, p50: percentile(r.each, 50), p99: percentile(r.each, 99), source: 'POST /api/v1/auth/login, one account' };
}

async function visitorLogins(w: Network, n: number, concurrency: number): Promise<LoginResult> {
  const names = Array.from({ length: n }, (_, i) => `visitor${i}`);
  progress(`(b) signing up ${n} accounts at store D (region B)…`);
  const ids: string[] = [];
  await timed(names.map((name) => async () => ids.push(await register(w.d, name))), concurrency);
  // Timed from when A's own hub holds every account: what is measured is the first login, not the crossing between hubs.
  progress(`(b) ${ids.length} accounts made; waiting until hub C holds them…`);
  for (let tries = 0; ; tries++) {
    const vector = (await replicationOf(w.hubC)).replication.vector;
    const missing = ids.filter((id) => !vector[`user:${id}`]).length;
    if (missing === 0) break;
    if (tries > 300) throw new Error(`hub C lacks ${missing} of the accounts after 60 s`);
    await sleep(200);
  }
  progress(`(b) first logins at store A, ${concurrency} in flight…`);
  const r = await timed(names.map((name) => () => login(w.a, name)), concurrency);
  return { label: 'first login at A of an account made at D', n, perSecond: (n / r.totalMs) * 1000, p50: percentile(r.each, 50), p99: percentile(r.each, 99), source: 'lookup at a hub + pull of user:<id> + verify' };
}

const HUB_READER = 'hub C (one hop, baseline)';

interface FavoriteResult {
  samples: number;
  pollMs: number;
  times: Map<string, number[]>;
  putMs: number[];
}

async function favorites(w: Network, samples: number, pollMs: number): Promise<FavoriteResult> {
  await register(w.a, 'fan');
  const tokens = new Map<NodeHandle, string>();
  for (const n of [w.a, w.b, w.d, w.hubC]) tokens.set(n, await login(n, 'fan'));
  const readers: [string, NodeHandle][] = [
    [HUB_READER, w.hubC],
    ['store B (same region)', w.b],
    ['store D (other region)', w.d],
  ];
  const times = new Map<string, number[]>(readers.map(([label]) => [label, []]));
  const putMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const drink = `drink-${i}`;
    const s = performance.now();
    const put = await call(w.a, 'PUT', `/api/v1/me/favorites/${drink}`, { token: tokens.get(w.a)! });
    if (put.status !== 204) throw new Error(`PUT favorite answered ${put.status}`);
    const t0 = performance.now();
    putMs.push(t0 - s);
    await Promise.all(
      readers.map(async ([label, node]) => {
        for (;;) {
          const res = await call<{ items: { drinkId: string }[] }>(node, 'GET', '/api/v1/me/favorites', { token: tokens.get(node)! });
          if (res.body.items?.some((f) => f.drinkId === drink)) {
            times.get(label)!.push(performance.now() - t0);
            return;
          }
          if (performance.now() - t0 > 60_000) throw new Error(`${drink} not visible at ${node.name} after 60 s`);
          await sleep(pollMs);
        }
      }),
    );
    if ((i + 1) % 10 === 0) progress(`(c) ${i + 1}/${samples} favorites timed`);
  }
  return { samples, pollMs, times, putMs };
}

export async function main(args: string[]): Promise<void> {
  const v = parseOptions(args, spec);
  if (v.help) {
    console.log(`npm run bench -- accounts [options]\n${usage(spec)}`);
    return;
  }
  const quick = v.quick === true;
  const o = {
    logins: intOption(v, 'logins', quick ? 40 : 300, 1),
    visitors: intOption(v, 'visitors', quick ? 12 : 80, 1),
    concurrency: intOption(v, 'concurrency', 8, 1),
    samples: intOption(v, 'samples', quick ? 10 : 60, 1),
    pollMs: intOption(v, 'poll-ms', 5, 1),
  };
  if (!existsSync(mainScript)) throw new Error(`${mainScript} is missing: build first (npm run build), or run through npm run bench`);
  progress(`accounts bench: ${cpus().length} cores, Node ${process.version}, libuv threadpool ${process.env.UV_THREADPOOL_SIZE ?? 4}`);
  progress('creating the PGlite template every node process starts from (initdb + migrations, once)…');
  const template = await createTemplate();
  const w = await startNetwork(template.dir);

  progress(`(a) ${o.logins} logins at store A, ${o.concurrency} in flight…`);
  const local = await localLogins(w, o.logins, o.concurrency);
  const visitors = await visitorLogins(w, o.visitors, o.concurrency);
  progress(`(c) ${o.samples} favorites added at store A, read at hub C, store B and store D every ${o.pollMs} ms…`);
  const fav = await favorites(w, o.samples, o.pollMs);
  await w.net.stopAll();
  progress(`(a) baseline: ${o.logins} argon2id verifications in this process (the nodes are stopped)…`);
  const base = await argonBaseline(o.logins, o.concurrency);

  const ms = (n: number) => `${fmt(n, 1)} ms`;
  console.log(
    table(
      `(a, b) logins per second at one store, ${o.concurrency} in flight`,
      ['measure', 'n', 'rate', 'p50', 'p99', '÷ argon2 alone', 'produced by'],
      [local, visitors, base].map((r) => [r.label, fmt(r.n), `${fmt(r.perSecond, 1)}/s`, ms(r.p50), ms(r.p99), ratio(r.perSecond, base.perSecond), r.source]),
    ),
  );
  const hop = percentile(fav.times.get(HUB_READER) ?? [], 50);
  const rows = [...fav.times].map(([label, t]) => [label, fmt(t.length), ms(percentile(t, 50)), ms(percentile(t, 99)), ms(Math.max(...t)), ratio(percentile(t, 50), hop)]);
  console.log(
    table(
      `(c) a favorite added at store A → shown by GET /api/v1/me/favorites (${fav.samples} samples, readers poll every ${fav.pollMs} ms)`,
      ['reader', 'n', 'p50', 'p99', 'max', 'p50 ÷ one hop'],
      rows,
    ),
  );
  console.log(
    [
      `  PUT /api/v1/me/favorites at A (commit with its event): p50 ${ms(percentile(fav.putMs, 50))}, mean ${ms(mean(fav.putMs))}.`,
      '  a login is one argon2id verification (default cost) plus an EdDSA token; the nodes and this client share the machine’s cores.',
      `  p99 is nearest-rank: with ${fav.samples} samples it is the ${fav.samples <= 100 ? 'maximum' : '99th value'}.`,
    ].join('\n'),
  );
}
