// HTTP overhead of a CodePop node against bare Fastify doing the same work:
// requests/s and p99 latency of (a) GET /p2p/v1/health (each server pings its
// own in-memory PGlite with `select 1`) and (b) POST /api/v1/node/log-level
// with {"level":"info"} and the operator bearer token (zod-validated body,
// constant-time token check, logger level change). Reported as node/bare
// ratios measured in this one run; target: the node keeps ≥ 50 % of bare
// Fastify's throughput.
//
// Where things run, and why: the machine has 2 cores. autocannon's load
// generator is itself a busy Node event loop; in the servers' process it
// would take turns with them on one loop and measure mostly itself. So each
// server runs in its own forked child (bench/lib/http-servers.ts) and
// autocannon runs here, in the parent: one core for the load generator, one
// for the server under load (the idle other server only sleeps). Runs
// alternate node, bare, node, bare after a warm-up of each, so drift of the
// noisy machine falls on both sides alike. Each run also reports the CPU the
// server child and this load generator used, which tells whether the server
// (≈100 % of a core) or the load generator was the bottleneck.
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { FromChild, LogLevel, ServerKind, ToChild } from './lib/http-servers.js';
import { fmt, intOption, mean, onCleanup, parseOptions, progress, ratio, table, usage, UsageError, type OptionSpec } from './lib/report.js';

export const description = 'req/s and p99 of a node vs bare Fastify (health; validated admin POST), as ratios';

const spec: OptionSpec = {
  duration: { type: 'string', help: 'seconds per measured run (default 10; --quick 3)' },
  connections: { type: 'string', help: 'autocannon connections (default 50)' },
  warmup: { type: 'string', help: 'warm-up seconds per server and case (default 3; --quick 1)' },
  rounds: { type: 'string', help: 'node/bare pairs of runs per case (default 2; --quick 1)' },
  'log-level': { type: 'string', help: 'log level both servers start at: warn or silent (default warn)' },
  quick: { type: 'boolean', help: 'short runs, for a smoke test' },
  help: { type: 'boolean', help: 'this help' },
};

const TARGET_RATIO = 0.5;

interface Case {
  key: string;
  label: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

interface CpuSample {
  userUs: number;
  systemUs: number;
}

interface Run {
  server: ServerKind;
  rps: number;
  p50: number;
  p99: number;
  total: number;
  bad: number;
  serverCpuPct: number;
  loadgenCpuPct: number;
}

class ServerChild {
  private seq = 0;
  private readonly waiting = new Map<number, (s: CpuSample) => void>();

  private constructor(
    readonly kind: ServerKind,
    readonly child: ChildProcess,
    readonly url: string,
    readonly startMs: number,
    private readonly stdout: { lines: number },
  ) {
    child.on('message', (m: FromChild) => {
      if (m.type === 'cpu') this.waiting.get(m.seq)?.(m);
    });
  }

  static async start(kind: ServerKind, level: LogLevel, token: string): Promise<ServerChild> {
    const script = fileURLToPath(new URL('./lib/http-servers.ts', import.meta.url));
    // process.execArgv carries tsx's loader, so the child runs TypeScript too.
    const child = fork(script, [kind, level, token], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    onCleanup(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    // The server's log goes to its stdout; counted, so the summary can show logging did not dominate.
    const stdout = { lines: 0 };
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) stdout.lines += 1;
    });
    const ready = await new Promise<Extract<FromChild, { type: 'ready' }>>((resolve, reject) => {
      child.on('message', (m: FromChild) => {
        if (m.type === 'ready') resolve(m);
        if (m.type === 'failed') reject(new Error(`${kind} server failed to start: ${m.error}`));
      });
      child.once('exit', (code) => reject(new Error(`${kind} server exited (${String(code)}) before it was ready`)));
    });
    return new ServerChild(kind, child, ready.url, ready.startMs, stdout);
  }

  get logLines(): number {
    return this.stdout.lines;
  }

  cpu(): Promise<CpuSample> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(seq, resolve);
      this.child.send({ type: 'cpu', seq } satisfies ToChild);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies ToChild);
    await exited;
  }
}

function cpuMs(s: CpuSample): number {
  return (s.userUs + s.systemUs) / 1000;
}

async function load(server: ServerChild, c: Case, seconds: number, connections: number, label: string): Promise<Run> {
  const before = await server.cpu();
  const selfBefore = process.cpuUsage();
  const t0 = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${server.url}${c.path}`,
        method: c.method,
        connections,
        duration: seconds,
        ...(c.headers ? { headers: c.headers } : {}),
        ...(c.body !== undefined ? { body: c.body } : {}),
      },
      (err: unknown, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    let second = 0;
    instance.on('tick', (...args: unknown[]) => {
      second += 1;
      const counter = (args[0] as { counter?: number } | undefined)?.counter ?? 0;
      if (second % 3 === 0 && second < seconds) progress(`  ${label}: ${second}/${seconds} s, ${fmt(counter)} req in the last second`);
    });
  });
  const wallMs = performance.now() - t0;
  const after = await server.cpu();
  const self = process.cpuUsage(selfBefore);
  return {
    server: server.kind,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    bad: result.non2xx + result.errors + result.timeouts,
    serverCpuPct: ((cpuMs(after) - cpuMs(before)) / wallMs) * 100,
    loadgenCpuPct: ((self.user + self.system) / 1000 / wallMs) * 100,
  };
}

/** Both servers must answer the case with 200 and the same JSON keys, or the comparison means nothing. */
async function checkSameAnswer(servers: ServerChild[], c: Case): Promise<string> {
  const keys: string[] = [];
  for (const s of servers) {
    const res = await fetch(`${s.url}${c.path}`, { method: c.method, ...(c.headers ? { headers: c.headers } : {}), ...(c.body ? { body: c.body } : {}) });
    const body = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`${s.kind} answered ${c.method} ${c.path} with ${res.status}: ${JSON.stringify(body)}`);
    keys.push(Object.keys(body).sort().join(','));
  }
  if (new Set(keys).size !== 1) throw new Error(`the servers answer ${c.path} with different shapes: ${keys.join(' vs ')}`);
  return keys[0] ?? '';
}

export async function main(args: string[]): Promise<void> {
  const values = parseOptions(args, spec);
  if (values.help) {
    console.log(`npm run bench -- http [options]\n${usage(spec)}`);
    return;
  }
  const quick = values.quick === true;
  const duration = intOption(values, 'duration', quick ? 3 : 10, 1);
  const warmup = intOption(values, 'warmup', quick ? 1 : 3, 0);
  const rounds = intOption(values, 'rounds', quick ? 1 : 2, 1);
  const connections = intOption(values, 'connections', 50, 1);
  const level = (values['log-level'] ?? 'warn') as LogLevel;
  if (level !== 'warn' && level !== 'silent') throw new UsageError('--log-level must be warn or silent');
  const token = randomBytes(24).toString('base64url');

  progress(`http bench: ${rounds} node/bare pair(s) of ${duration} s runs per case, ${warmup} s warm-up each, autocannon ${connections} connections, pipelining 1`);
  progress(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; servers in forked children, autocannon in this process`);
  progress('starting the node (startNode, in-memory PGlite, runs migrations) and bare Fastify (in-memory PGlite)…');
  const [node, bare] = await Promise.all([ServerChild.start('node', level, token), ServerChild.start('bare', level, token)]);
  onCleanup(() => Promise.all([node.stop(), bare.stop()]));
  progress(`node ready at ${node.url} in ${fmt(node.startMs)} ms; bare Fastify at ${bare.url} in ${fmt(bare.startMs)} ms`);

  const cases: Case[] = [
    { key: 'health', label: 'GET /p2p/v1/health', method: 'GET', path: '/p2p/v1/health' },
    {
      key: 'log-level',
      label: 'POST /api/v1/node/log-level',
      method: 'POST',
      path: '/api/v1/node/log-level',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"level":"info"}',
    },
  ];
  const runs = new Map<string, Run[]>();
  const logLinesBefore = { node: node.logLines, bare: bare.logLines };
  for (const c of cases) {
    const keys = await checkSameAnswer([node, bare], c);
    progress(`${c.label}: both servers answer 200 with the same keys (${keys})`);
    for (const s of [node, bare]) {
      if (warmup > 0) {
        progress(`warm-up ${s.kind} ${c.key} for ${warmup} s`);
        await load(s, c, warmup, connections, `warm-up ${s.kind} ${c.key}`);
      }
    }
    const list: Run[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const s of [node, bare]) {
        const label = `${s.kind} ${c.key} run ${round}/${rounds}`;
        progress(`${label}: ${duration} s…`);
        const run = await load(s, c, duration, connections, label);
        list.push(run);
        progress(
          `${label}: ${fmt(run.rps)} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms, ${fmt(run.total)} requests, ${run.bad} non-2xx/errors; ` +
            `server CPU ${fmt(run.serverCpuPct)} %, load generator CPU ${fmt(run.loadgenCpuPct)} % (of one core)`,
        );
      }
    }
    runs.set(c.key, list);
  }
  const logLines = { node: node.logLines - logLinesBefore.node, bare: bare.logLines - logLinesBefore.bare };
  printSummary(cases, runs, { duration, rounds, connections, level, logLines });
}

function printSummary(
  cases: Case[],
  runs: Map<string, Run[]>,
  o: { duration: number; rounds: number; connections: number; level: LogLevel; logLines: Record<ServerKind, number> },
): void {
  const rows: string[][] = [];
  const verdicts: string[] = [];
  for (const c of cases) {
    const list = runs.get(c.key) ?? [];
    const of = (kind: ServerKind) => list.filter((r) => r.server === kind);
    const agg = (kind: ServerKind) => ({
      rps: mean(of(kind).map((r) => r.rps)),
      p99: mean(of(kind).map((r) => r.p99)),
      p50: mean(of(kind).map((r) => r.p50)),
      cpu: mean(of(kind).map((r) => r.serverCpuPct)),
      bad: of(kind).reduce((n, r) => n + r.bad, 0),
    });
    const n = agg('node');
    const b = agg('bare');
    for (const [kind, a] of [['node', n], ['bare', b]] as const) {
      rows.push([c.label, kind, fmt(a.rps), fmt(a.p50, 1), fmt(a.p99, 1), `${fmt(a.cpu)} %`, fmt(a.bad), of(kind).map((r) => fmt(r.rps)).join(' / ')]);
    }
    const met = n.rps / b.rps >= TARGET_RATIO && n.bad === 0 && b.bad === 0;
    rows.push([c.label, 'node/bare', ratio(n.rps, b.rps), ratio(n.p50, b.p50), ratio(n.p99, b.p99), '', '', `target ≥ ${TARGET_RATIO.toFixed(2)}× req/s: ${met ? 'MET' : 'NOT MET'}`]);
    verdicts.push(`${c.label}: node reaches ${((n.rps / b.rps) * 100).toFixed(0)} % of bare Fastify's req/s — target ≥ ${TARGET_RATIO * 100} % ${met ? 'met' : 'NOT met'}`);
  }
  console.log(
    table(
      `HTTP: CodePop node vs bare Fastify, same work, same run (${o.rounds} alternating run(s) of ${o.duration} s each, autocannon ${o.connections} connections)`,
      ['case', 'server', 'req/s (mean)', 'p50 ms', 'p99 ms', 'server CPU', 'non-2xx+err', 'req/s per run'],
      rows,
    ),
  );
  console.log(
    [
      'How the figures were produced:',
      "  req/s, p50, p99: autocannon's own statistics (Result.requests.average = mean of per-second counts; latency percentiles), averaged over the runs.",
      '  server CPU: the server child process.cpuUsage() delta over each run ÷ wall time (100 % = one core saturated).',
      '  ratios: node ÷ bare of the averaged figures; lower is better for latency, higher for req/s.',
      `  logging: both servers start at log level "${o.level}" (pino to a stdout pipe); the POST case switches both to "info", where neither writes a line per 2xx request.`,
      `  log lines written during warm-ups and measured runs: node ${o.logLines.node}, bare ${o.logLines.bare}.`,
      '  node: startNode() standalone store, in-memory PGlite, every hook of the real app (request ids, metrics, access policy, problem handlers, raw-body JSON parser).',
      '  bare: Fastify + fastify-type-provider-zod, one route per case, same response schemas, its own in-memory PGlite (same openDatabase settings).',
      ...verdicts.map((v) => `  ${v}`),
    ].join('\n'),
  );
}
