// Drives one node with generated requests and checks the contract on each
// answer: no 5xx, every error is problem+json with a catalogue code, no
// request hangs, and a 4xx changed nothing (every table's rows hashed before
// and after). Findings are grouped by class for the report.
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import type { NodeContext } from '../../src/core/context.js';
import { PROBLEM_CODES } from '../../src/http/problem-catalog.js';
import type { FuzzRequest } from './arbitraries.js';
import { anyRequest, operationsOf, type FuzzContext } from './requests.js';

export interface Finding {
  kind: 'server_error' | 'not_problem_json' | 'unknown_code' | 'hang' | 'changed_on_4xx';
  op: string;
  status: number;
  request: string;
  detail: string;
}

export interface FuzzReport {
  requests: number;
  operations: number;
  byStatus: Record<string, number>;
  findings: Finding[];
}

/**
 * Tables whose rows change without any request: written by the node's own
 * background jobs (heartbeats, peer state, sweeps), not by what a client sent.
 */
const BACKGROUND_TABLES = new Set(['mesh_members', 'mesh_peers', 'repl_peers', 'node_state', 'repl_peer_state']);

async function tableNames(ctx: NodeContext): Promise<string[]> {
  const rows = await ctx.database.query<{ name: string }>(`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`, []);
  return rows.map((r) => r.name).filter((n) => !BACKGROUND_TABLES.has(n) && !n.startsWith('__'));
}

/** Row count and content hash of every table, in one statement. */
async function snapshot(ctx: NodeContext, tables: string[]): Promise<Map<string, string>> {
  const parts = tables.map((t) => `select '${t}' as t, count(*)::text || ':' || coalesce(sum(hashtext(x::text)::bigint), 0)::text as h from "${t}" x`);
  const res = await ctx.database.db.execute(sql.raw(parts.join(' union all ')));
  const rows = (Array.isArray(res) ? res : (res as { rows: { t: string; h: string }[] }).rows) as { t: string; h: string }[];
  return new Map(rows.map((r) => [r.t, r.h]));
}

const describe = (r: FuzzRequest): string => {
  const body = r.payload === undefined ? '' : typeof r.payload === 'string' ? r.payload.slice(0, 300) : `<${r.payload.length} bytes>`;
  return JSON.stringify({ method: r.method, url: r.url.slice(0, 300), headers: { ...r.headers, authorization: r.headers.authorization ? '<token>' : undefined }, body });
};

export interface FuzzOptions {
  seed: number;
  requests: number;
  /** Stop early at this time (ms since epoch), for the long runs. */
  deadline?: number;
  hangMs?: number;
  progress?: (done: number, total: number, findings: number) => void;
}

export async function fuzzNode(node: { app: FastifyInstance; ctx: NodeContext }, fuzzCtx: FuzzContext, options: FuzzOptions): Promise<FuzzReport> {
  const doc = (await node.app.inject({ method: 'GET', url: '/openapi.json' })).json<unknown>();
  const ops = operationsOf(doc);
  const arbitrary = anyRequest(ops, fuzzCtx);
  // Drawn in batches (batch i from seed + i), so a long run never holds millions of requests at once.
  function* requests(): Generator<FuzzRequest> {
    for (let batch = 0, left = options.requests; left > 0; batch++, left -= 1000) {
      yield* fc.sample(arbitrary, { seed: (options.seed + batch) | 0, numRuns: Math.min(1000, left) });
    }
  }
  const tables = await tableNames(node.ctx);
  const report: FuzzReport = { requests: 0, operations: ops.length, byStatus: {}, findings: [] };
  const codes = new Set<string>(PROBLEM_CODES);
  let before = await snapshot(node.ctx, tables);
  for (const req of requests()) {
    if (options.deadline !== undefined && Date.now() > options.deadline) break;
    const found = (kind: Finding['kind'], status: number, detail: string) => report.findings.push({ kind, op: req.op, status, request: describe(req), detail: detail.slice(0, 500) });
    let timer: NodeJS.Timeout | undefined;
    const res = await Promise.race([
      node.app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.payload !== undefined ? { payload: req.payload } : {}) }),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), options.hangMs ?? 15_000))),
    ]);
    clearTimeout(timer);
    report.requests += 1;
    if (!res) {
      found('hang', 0, `no answer within ${options.hangMs ?? 15_000} ms`);
      before = await snapshot(node.ctx, tables);
      continue;
    }
    report.byStatus[res.statusCode] = (report.byStatus[res.statusCode] ?? 0) + 1;
    if (res.statusCode >= 500) found('server_error', res.statusCode, res.body);
    if (res.statusCode >= 400) {
      if (!String(res.headers['content-type'] ?? '').startsWith('application/problem+json')) found('not_problem_json', res.statusCode, `${String(res.headers['content-type'])}: ${res.body}`);
      else {
        const code = (JSON.parse(res.body) as { code?: string }).code;
        if (!code || !codes.has(code)) found('unknown_code', res.statusCode, res.body);
      }
    }
    const after = await snapshot(node.ctx, tables);
    // A declined payment (402) is the provider's answer to a real attempt: the attempt and the order's payment state are recorded by design.
    if (res.statusCode >= 400 && res.statusCode < 500 && res.statusCode !== 402) {
      const changed = tables.filter((t) => before.get(t) !== after.get(t));
      if (changed.length > 0) found('changed_on_4xx', res.statusCode, `tables changed: ${changed.join(', ')}; answer: ${res.body}`);
    }
    before = after;
    if (report.requests % 250 === 0) options.progress?.(report.requests, options.requests, report.findings.length);
  }
  return report;
}

/** The findings as lines a person reads: counted by class and operation, one example each. */
export function summarize(report: FuzzReport): string {
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const key = `${f.kind} ${f.status} ${f.op}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const lines = [`${report.requests} requests over ${report.operations} operations; statuses ${JSON.stringify(report.byStatus)}; ${report.findings.length} findings`];
  for (const [key, fs] of groups) lines.push(`  ${fs.length}× ${key}\n    e.g. ${fs[0]!.request}\n    → ${fs[0]!.detail}`);
  return lines.join('\n');
}
