// Orders placed per second at one store node against bare Fastify doing a
// trivial insert into the same kind of database, in the same run, on PGlite
// and on PostgreSQL. One node "order" is what a customer's phone does:
// POST /api/v1/orders (validation, catalog prices, ingredients reserved in
// the ledger, Idempotency-Key) then POST /orders/{id}/pay (the fake provider
// approves, the order is marked paid and the sale booked in revenue). The
// bare server validates the same body with zod and inserts one row.
// Reported: completed orders per second, each order's end-to-end p99 (both
// requests), the node/bare ratio (target ≥ 1/3) and the server's CPU.
//
// A node order is measured two ways: as two requests (POST /orders, then
// POST /orders/{id}/pay) and as one (POST /orders with paymentMethod: the
// same work, one round trip for the phone).
//
// Each server runs in its own forked child (this file, told by an
// environment variable) and autocannon runs in this process, so the load
// generator and the server do not share an event loop. Runs alternate node,
// bare, node, bare after a warm-up of each.
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSecondsOf } from './lib/proc-stats.js';
import { fmt, intOption, mean, onCleanup, parseOptions, percentile, progress, ratio, table, usage, UsageError, type OptionSpec } from './lib/report.js';

export const description = 'orders/s (place + pay) at a store node vs bare Fastify inserting a row, on PGlite and PostgreSQL';

const spec: OptionSpec = {
  db: { type: 'string', help: 'pglite, postgres or both (default both; postgres needs CODEPOP_BENCH_PG_URL or 127.0.0.1:5432)' },
  as: { type: 'string', help: 'who orders: account (a logged-in customer, default) or guest (no account)' },
  duration: { type: 'string', help: 'seconds per measured run (default 10; --quick 3)' },
  connections: { type: 'string', help: 'autocannon connections (default 20)' },
  warmup: { type: 'string', help: 'warm-up seconds per server (default 3; --quick 1)' },
  rounds: { type: 'string', help: 'node/bare pairs of runs (default 2; --quick 1)' },
  quick: { type: 'boolean', help: 'short runs, for a smoke test' },
  'cpu-prof': { type: 'string', help: 'write a V8 CPU profile of each server child into this directory' },
  help: { type: 'boolean', help: 'this help' },
};

const TARGET_RATIO = 1 / 3;
const DRINK = 'drink-classic-cherry-cola';
const CHILD_ENV = 'CODEPOP_ORDERS_BENCH_CHILD';
const adminUrl = process.env.CODEPOP_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

type Kind = 'node' | 'bare';
/** How a node order is sent: place then pay (two requests), or placed with paymentMethod (one). */
type Flow = 'separate' | 'together';
type DbKind = 'pglite' | 'postgres';
interface Ready {
  type: 'ready';
  url: string;
  startMs: number;
  token?: string;
}

// ---------------------------------------------------------------- the servers (child side)

async function startNodeServer(databaseUrl: string | undefined, as: string): Promise<{ url: string; token?: string; stop(): Promise<void> }> {
  const [{ loadNodeConfig }, { startNode }, { OrdersKit }] = await Promise.all([
    import('../src/core/config.js'),
    import('../src/node/node.js'),
    import('../test/harness/orders-kit.js'),
  ]);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'codepop-bench-orders-'));
  const operatorToken = randomUUID();
  const config = loadNodeConfig(
    { role: 'store', name: 'Bench Store', region: 'C', lat: 41.737, lon: -111.8338, port: 0, dataDir, operatorToken, logLevel: 'warn', ...(databaseUrl ? { databaseUrl } : {}) },
    {},
  );
  // Standalone (no join token): no mesh jobs add work during the runs.
  const node = await startNode(config, databaseUrl ? {} : { database: { kind: 'pglite' } });
  const kit = new OrdersKit(node.app, node.ctx.identity.nodeId, operatorToken);
  await kit.setUp();
  // Stock for far more orders than any run places.
  await kit.stockFor(DRINK, 5_000_000);
  const customer = as === 'account' ? await kit.user('bench') : undefined;
  return {
    url: node.url,
    ...(customer ? { token: customer.token } : {}),
    async stop() {
      await node.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startBareServer(databaseUrl: string | undefined): Promise<{ url: string; stop(): Promise<void> }> {
  const [{ default: Fastify, LogController }, zp, { z }, { openDatabase }, { sql }] = await Promise.all([
    import('fastify'),
    import('fastify-type-provider-zod'),
    import('zod'),
    import('../src/db/database.js'),
    import('drizzle-orm'),
  ]);
  const database = await openDatabase(databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'pglite' });
  await database.db.execute(sql`create table bare_orders (order_id text primary key, body jsonb not null, created_at timestamptz not null)`);
  const app = Fastify({ logger: { level: 'warn' }, logController: new LogController({ disableRequestLogging: true }) });
  app.setValidatorCompiler(zp.validatorCompiler);
  app.setSerializerCompiler(zp.serializerCompiler);
  const body = z.strictObject({ items: z.array(z.strictObject({ drinkId: z.string().min(1).max(64), quantity: z.number().int().min(1).max(20) })).min(1).max(20) });
  app.withTypeProvider<import('fastify-type-provider-zod').ZodTypeProvider>().post(
    '/api/v1/orders',
    { schema: { body, response: { 201: z.object({ orderId: z.string() }) } } },
    async (request, reply) => {
      const orderId = randomUUID();
      await database.db.execute(sql`insert into bare_orders values (${orderId}, ${JSON.stringify(request.body)}, now())`);
      return reply.status(201).send({ orderId });
    },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    async stop() {
      await app.close();
      await database.close();
    },
  };
}

async function child(kind: string): Promise<void> {
  const send = (m: unknown) => process.send?.(m);
  const databaseUrl = process.env.CODEPOP_ORDERS_BENCH_DB || undefined;
  const started = performance.now();
  try {
    const server = kind === 'node' ? await startNodeServer(databaseUrl, process.env.CODEPOP_ORDERS_BENCH_AS ?? 'account') : await startBareServer(databaseUrl);
    const stop = () => void server.stop().finally(() => process.exit(0));
    process.on('message', (m: { type: string }) => m.type === 'stop' && stop());
    process.on('disconnect', stop);
    const token = 'token' in server ? (server.token as string | undefined) : undefined;
    send({ type: 'ready', url: server.url, startMs: performance.now() - started, ...(token ? { token } : {}) } satisfies Ready);
  } catch (err) {
    send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  }
}

if (process.env[CHILD_ENV]) void child(process.env[CHILD_ENV]);

// ---------------------------------------------------------------- the load (parent side)

let profileDir: string | undefined;

async function startChild(kind: Kind, databaseUrl: string | undefined, as: string): Promise<{ kind: Kind; child: ChildProcess; ready: Ready }> {
  const script = fileURLToPath(import.meta.url);
  // process.execArgv carries tsx's loader, so the child runs TypeScript too.
  const child = fork(script, [], {
    execArgv: [...process.execArgv, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])],
    env: { ...process.env, [CHILD_ENV]: kind, CODEPOP_ORDERS_BENCH_DB: databaseUrl ?? '', CODEPOP_ORDERS_BENCH_AS: as },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.on('message', (m: Ready | { type: 'failed'; error: string }) => (m.type === 'ready' ? resolve(m) : reject(new Error(`${kind} server failed: ${m.error}`))));
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${String(code)}) before it was ready`)));
  });
  return { kind, child, ready };
}

async function stopChild(c: { child: ChildProcess }): Promise<void> {
  if (c.child.exitCode !== null) return;
  const exited = new Promise((resolve) => c.child.once('exit', resolve));
  c.child.send({ type: 'stop' });
  await exited;
}

interface Run {
  kind: Kind;
  flow?: Flow;
  ordersPerSec: number;
  p50: number;
  p99: number;
  orders: number;
  bad: number;
  serverCpuPct: number;
}

const orderBody = JSON.stringify({ items: [{ drinkId: DRINK, quantity: 1 }] });
const paidOrderBody = JSON.stringify({ items: [{ drinkId: DRINK, quantity: 1 }], paymentMethod: 'tok_approve' });

/** Drives one server for `seconds`: a node order is place + pay on one connection; a bare order one insert. */
async function load(server: { kind: Kind; child: ChildProcess; ready: Ready }, seconds: number, connections: number, label: string, flow: Flow = 'separate'): Promise<Run> {
  const together = server.kind === 'node' && flow === 'together';
  const latencies: number[] = [];
  let bad = 0;
  const auth = server.ready.token ? { authorization: `Bearer ${server.ready.token}` } : undefined;
  type Ctx = { started?: number; orderId?: string; guestToken?: string };
  const place: autocannon.Request = {
    method: 'POST',
    path: '/api/v1/orders',
    setupRequest: (req, context) => {
      (context as Ctx).started = performance.now();
      return { ...req, headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...(auth ?? {}) }, body: together ? paidOrderBody : orderBody };
    },
    onResponse: (status, body, context) => {
      const ctx = context as Ctx;
      if (status !== 201) {
        bad += 1;
        return;
      }
      const order = JSON.parse(body) as { orderId: string; guestToken?: string; status?: string };
      ctx.orderId = order.orderId;
      ctx.guestToken = order.guestToken;
      if (together && order.status !== 'paid') bad += 1;
      else if (server.kind === 'bare' || together) latencies.push(performance.now() - (ctx.started ?? 0));
    },
  };
  const pay: autocannon.Request = {
    method: 'POST',
    setupRequest: (req, context) => {
      const ctx = context as Ctx;
      const bearer = ctx.guestToken ? { authorization: `Bearer ${ctx.guestToken}` } : (auth ?? {});
      return { ...req, path: `/api/v1/orders/${ctx.orderId ?? 'none'}/pay`, headers: { 'content-type': 'application/json', ...bearer }, body: '{"paymentMethod":"tok_approve"}' };
    },
    onResponse: (status, _body, context) => {
      if (status !== 200) bad += 1;
      else latencies.push(performance.now() - ((context as Ctx).started ?? 0));
    },
  };
  const cpuBefore = cpuSecondsOf(server.child.pid);
  const t0 = performance.now();
  await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url: server.ready.url, connections, duration: seconds, requests: server.kind === 'node' && !together ? [place, pay] : [place] },
      (err: unknown, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    let second = 0;
    instance.on('tick', () => {
      second += 1;
      if (second % 3 === 0 && second < seconds) progress(`  ${label}: ${second}/${seconds} s, ${fmt(latencies.length)} orders so far`);
    });
  });
  const wallS = (performance.now() - t0) / 1000;
  return {
    kind: server.kind,
    ...(server.kind === 'node' ? { flow } : {}),
    ordersPerSec: latencies.length / wallS,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    orders: latencies.length,
    bad,
    serverCpuPct: ((cpuSecondsOf(server.child.pid) - cpuBefore) / wallS) * 100,
  };
}

async function scratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `codepop_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

async function measure(db: DbKind, o: { as: string; duration: number; warmup: number; rounds: number; connections: number }): Promise<Run[]> {
  const scratch = db === 'postgres' ? await Promise.all([scratchDatabase(), scratchDatabase()]) : undefined;
  for (const s of scratch ?? []) onCleanup(() => s.drop());
  progress(`${db}: starting the store node (migrations, catalog, stock${o.as === 'account' ? ', a customer account' : ''}) and bare Fastify…`);
  const node = await startChild('node', scratch?.[0]?.url, o.as);
  const bare = await startChild('bare', scratch?.[1]?.url, o.as);
  progress(`${db}: node ready in ${fmt(node.ready.startMs)} ms, bare in ${fmt(bare.ready.startMs)} ms`);
  const runs: Run[] = [];
  try {
    const plan = [
      { s: node, flow: 'together' as Flow, name: 'node (place+pay in one request)' },
      { s: node, flow: 'separate' as Flow, name: 'node (place, then pay)' },
      { s: bare, flow: 'separate' as Flow, name: 'bare' },
    ];
    for (const s of [node, bare]) {
      if (o.warmup > 0) {
        progress(`${db}: warm-up ${s.kind} for ${o.warmup} s`);
        await load(s, o.warmup, o.connections, `warm-up ${s.kind}`);
      }
    }
    for (let round = 1; round <= o.rounds; round++) {
      for (const { s, flow, name } of plan) {
        const label = `${db} ${name} run ${round}/${o.rounds}`;
        progress(`${label}: ${o.duration} s…`);
        const run = await load(s, o.duration, o.connections, label, flow);
        runs.push(run);
        progress(`${label}: ${fmt(run.ordersPerSec)} orders/s, p50 ${fmt(run.p50, 1)} ms, p99 ${fmt(run.p99, 1)} ms, ${fmt(run.orders)} orders, ${run.bad} failed; server CPU ${fmt(run.serverCpuPct)} %`);
      }
    }
  } finally {
    await Promise.all([stopChild(node), stopChild(bare)]);
  }
  return runs;
}

export async function main(args: string[]): Promise<void> {
  const values = parseOptions(args, spec);
  if (values.help) {
    console.log(`npm run bench -- orders [options]\n${usage(spec)}`);
    return;
  }
  const quick = values.quick === true;
  const dbs: DbKind[] = values.db === undefined || values.db === 'both' ? ['pglite', 'postgres'] : [values.db as DbKind];
  if (!dbs.every((d) => d === 'pglite' || d === 'postgres')) throw new UsageError('--db must be pglite, postgres or both');
  const as = (values.as as string | undefined) ?? 'account';
  profileDir = values['cpu-prof'] as string | undefined;
  if (as !== 'account' && as !== 'guest') throw new UsageError('--as must be account or guest');
  const o = {
    as,
    duration: intOption(values, 'duration', quick ? 3 : 10, 1),
    warmup: intOption(values, 'warmup', quick ? 1 : 3, 0),
    rounds: intOption(values, 'rounds', quick ? 1 : 2, 1),
    connections: intOption(values, 'connections', 20, 1),
  };
  progress(`orders bench: ${dbs.join(' and ')}; ${o.rounds} node/bare pair(s) of ${o.duration} s runs, ${o.warmup} s warm-up each, ${o.connections} connections; ordering as ${as}`);
  progress(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; servers in forked children, autocannon in this process`);
  const rows: string[][] = [];
  const verdicts: string[] = [];
  for (const db of dbs) {
    const runs = await measure(db, o);
    const of = (k: Kind, flow?: Flow) => runs.filter((r) => r.kind === k && (flow === undefined || r.flow === flow));
    const agg = (k: Kind, flow?: Flow) => ({
      rate: mean(of(k, flow).map((r) => r.ordersPerSec)),
      p50: mean(of(k, flow).map((r) => r.p50)),
      p99: mean(of(k, flow).map((r) => r.p99)),
      cpu: mean(of(k, flow).map((r) => r.serverCpuPct)),
      bad: of(k, flow).reduce((n, r) => n + r.bad, 0),
    });
    const b = agg('bare');
    for (const [flow, name] of [['together', 'node: place + pay, one request'], ['separate', 'node: place, then pay']] as [Flow, string][]) {
      const n = agg('node', flow);
      rows.push([db, name, fmt(n.rate), fmt(n.p50, 1), fmt(n.p99, 1), `${fmt(n.cpu)} %`, fmt(n.bad)]);
      rows.push([db, '  ÷ bare', ratio(n.rate, b.rate), ratio(n.p50, b.p50), ratio(n.p99, b.p99), '', '']);
      const met = n.rate / b.rate >= TARGET_RATIO && n.bad === 0;
      verdicts.push(`${db}, ${name}: ${((n.rate / b.rate) * 100).toFixed(0)} % of bare Fastify's inserts/s as whole orders — target ≥ 33 % ${met ? 'met' : 'NOT met'}`);
    }
    rows.push([db, 'bare: one insert', fmt(b.rate), fmt(b.p50, 1), fmt(b.p99, 1), `${fmt(b.cpu)} %`, fmt(b.bad)]);
  }
  console.log(table(`Orders: store node (place + pay) vs bare Fastify (one insert), same run, ${o.connections} connections`, ['db', 'server', 'orders/s', 'p50 ms', 'p99 ms', 'server CPU', 'failed'], rows));
  console.log(
    [
      'How the figures were produced:',
      '  orders/s: orders completed (node: pay answered 200; bare: insert answered 201) ÷ wall time of the run, averaged over the runs.',
      "  p50/p99: per order, from sending its POST /orders to its last answer (node, two requests: the pay), in this process's clock.",
      '  node, one request: POST /orders with paymentMethod (the reply must say paid); node, two requests: POST /orders then POST /orders/{id}/pay.',
      '  server CPU: the server child process (user + system, /proc) over the run ÷ wall time; 100 % = one core.',
      `  node: a standalone store (startNode), ${as === 'account' ? 'a logged-in customer (bearer token checked per request)' : 'a guest (the guest token from the reply pays)'}; the default catalog; the fake payment provider.`,
      '  bare: Fastify + fastify-type-provider-zod, the same body schema, one insert of the body into its own database of the same kind.',
      ...verdicts.map((v) => `  ${v}`),
    ].join('\n'),
  );
}
