// Replication on real `codepop node` processes and in the engine (DESIGN §3),
// in two parts:
//   (a) spread: a network of ≥ 40 processes (2 hubs, the rest stores of their
//       two regions); announcements published at random stores; the time from
//       commit at the store until every holder of the topic has applied it
//       (p50, p99), for a region topic and for the global topic, from every
//       node's own stored_at stamps (no polling while samples spread);
//       baseline in the same run: one hop, the store's own hub applying it.
//   (b) apply: events applied per second by one engine (serveEvents with the
//       announcements applier) on in-memory PGlite and on PostgreSQL;
//       baseline in the same run: the same rows inserted without the engine.
// Needs dist/ built (`npm run bench -- replication` builds it first).
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { mainScript } from '../src/cli/node-process.js';
import { buildNetwork, createTemplate, waitConverged } from './lib/mesh-network.js';
import { runApply, type ApplyResult, type ApplyRow } from './lib/replication-apply.js';
import { runSpread, type SpreadResult, type SpreadSample } from './lib/replication-spread.js';
import { fmt, intOption, mean, parseOptions, percentile, progress, ratio, table, usage, UsageError, type OptionSpec } from './lib/report.js';

export const description = 'commit-to-everywhere times on ≥ 40 processes; events applied per second on PGlite and PostgreSQL';

const spec: OptionSpec = {
  nodes: { type: 'string', help: 'processes in (a): 2 hubs + stores split over 2 regions (default 40; --quick 8)' },
  samples: { type: 'string', help: 'announcements timed in (a), alternating region and global (default 60; --quick 10)' },
  'interval-ms': { type: 'string', help: 'time between samples in (a) (default 2000; --quick 500)' },
  events: { type: 'string', help: 'events applied per measurement in (b) (default 20000; --quick 2000)' },
  batch: { type: 'string', help: 'events per pushed batch in (b) (default 200, the engine’s batch size)' },
  parts: { type: 'string', help: 'which parts, comma-separated: spread,apply (default both)' },
  quick: { type: 'boolean', help: 'small everything, for a smoke run' },
  help: { type: 'boolean', help: 'this help' },
};

const ALL_PARTS = ['spread', 'apply'] as const;
type Part = (typeof ALL_PARTS)[number];

export async function main(args: string[]): Promise<void> {
  const v = parseOptions(args, spec);
  if (v.help) {
    console.log(`npm run bench -- replication [options]\n${usage(spec)}`);
    return;
  }
  const quick = v.quick === true;
  const nodes = intOption(v, 'nodes', quick ? 8 : 40, 6);
  const o = {
    storesPerRegion: Math.floor((nodes - 2) / 2),
    samples: intOption(v, 'samples', quick ? 10 : 60, 2),
    intervalMs: intOption(v, 'interval-ms', quick ? 500 : 2000, 0),
    events: intOption(v, 'events', quick ? 2000 : 20_000, 1),
    batch: intOption(v, 'batch', 200, 1),
  };
  if (o.batch > 1000) throw new UsageError('--batch: at most 1000 (what POST /p2p/v1/events accepts)');
  const parts = String(v.parts ?? ALL_PARTS.join(',')).split(',').map((p) => p.trim()) as Part[];
  const unknown = parts.filter((p) => !ALL_PARTS.includes(p));
  if (unknown.length > 0) throw new UsageError(`--parts: unknown part(s) ${unknown.join(', ')}; known: ${ALL_PARTS.join(', ')}`);

  progress(`replication bench: parts ${parts.join(', ')}; ${cpus().length} cores, Node ${process.version}`);
  let spread: SpreadResult | undefined;
  let apply: ApplyResult | undefined;
  if (parts.includes('spread')) {
    if (!existsSync(mainScript)) throw new Error(`${mainScript} is missing: build first (npm run build), or run through npm run bench`);
    const processes = 2 + 2 * o.storesPerRegion;
    progress('creating the PGlite template every node process starts from (initdb + migrations, once)…');
    const template = await createTemplate();
    progress(`(a) spread: network of ${processes} processes (2 hubs, ${o.storesPerRegion} stores in each of 2 regions)`);
    const bn = await buildNetwork({ template: template.dir, storesPerRegion: o.storesPerRegion, heartbeatMs: 1000 });
    progress(`membership converged after ${fmt((await waitConverged(bn)) / 1000, 1)} s`);
    spread = await runSpread(bn, { samples: o.samples, intervalMs: o.intervalMs, warmup: 4 });
    await bn.stop();
  }
  if (parts.includes('apply')) {
    progress(`(b) apply: ${fmt(o.events)} events in batches of ${o.batch}, per database and mode`);
    apply = await runApply({ events: o.events, batch: o.batch, origins: 8 });
  }
  if (spread) printSpread(spread);
  if (apply) printApply(apply);
}

const ms = (n: number) => `${fmt(n, 1)} ms`;

function printSpread(r: SpreadResult): void {
  const of = (topic: SpreadSample['topic']) => r.samples.filter((s) => s.topic === topic);
  const hop = r.samples.map((s) => s.hubHopMs).filter(Number.isFinite);
  const hopP50 = percentile(hop, 50);
  const row = (name: string, values: number[], source: string) => [
    name,
    fmt(values.length),
    ms(percentile(values, 50)),
    ms(percentile(values, 99)),
    ms(Math.max(...values)),
    ratio(percentile(values, 50), hopP50),
    source,
  ];
  const region = of('region');
  const global = of('global');
  console.log(
    table(
      `(a) commit at a store → applied by every holder: ${r.nodes} processes, ${r.samples.length} samples one every ${fmt(r.intervalMs)} ms`,
      ['measure', 'n', 'p50', 'p99', 'max', 'p50 ÷ one hop', 'produced by'],
      [
        row(`region topic: every holder (${region[0]?.holders ?? 0} nodes)`, region.map((s) => s.everywhereMs), 'max over holders of stored_at − origin stored_at'),
        row('  region: each holder', region.flatMap((s) => s.perHolderMs), 'every (sample, holder) pair'),
        row(`global topic: every holder (${global[0]?.holders ?? 0} nodes)`, global.map((s) => s.everywhereMs), 'max over holders of stored_at − origin stored_at'),
        row('  global: each holder', global.flatMap((s) => s.perHolderMs), 'every (sample, holder) pair'),
        row('one hop: the store’s hub (baseline)', hop, 'hub stored_at − origin stored_at, same samples'),
        row('publishing POST round trip', r.samples.map((s) => s.postMs), 'client side, commit included (for scale)'),
      ],
    ),
  );
  const missing = r.samples.reduce((n, s) => n + s.missing.length, 0);
  console.log(
    [
      '  holders: region topic = both hubs (hubs hold every topic) + the region’s stores; global = every node. The origin is not counted.',
      '  times: each node’s own stored_at (Date.now() on one machine) read from its PGlite directory after the run; no node was polled while samples',
      '  spread (the origin stamps in the committing transaction, a holder in the applying one: each a few ms before its commit).',
      `  p99 is nearest-rank: with ${region.length} samples per topic it is the ${region.length <= 100 ? 'maximum' : '99th value'}.`,
      `  samples still spreading when the next was published (everywhere > ${fmt(r.intervalMs)} ms): ${r.samples.filter((s) => s.everywhereMs > r.intervalMs).length} of ${r.samples.length}.`,
      `  missing deliveries: ${missing}; all held ${fmt(r.settleMs)} ms after the last sample (polled every 500 ms, only then).`,
      `  duplicates received per applied event, whole network: ${fmt(r.applied > 0 ? r.duplicates / r.applied : Number.NaN, 2)} (${fmt(r.duplicates)} / ${fmt(r.applied)}; warm-up included).`,
      `  mean POST ${ms(mean(r.samples.map((s) => s.postMs)))}.`,
      `  the machine while samples spread (${fmt(r.machine.seconds)} s): the ${r.nodes} node processes used ${fmt(r.machine.nodesCpuPct)} % CPU (100 % = one core),`,
      `  the whole machine ${fmt(r.machine.busyPct)} % of ${cpus().length * 100} % (the rest: this process and anything else running); load average ${fmt(r.machine.load1Start, 1)} → ${fmt(r.machine.load1End, 1)}.`,
    ].join('\n'),
  );
}

function printApply(r: ApplyResult): void {
  const label: Record<ApplyRow['mode'], string> = {
    engine: 'engine: serveEvents + applier',
    'raw-event': 'raw rows, 1 transaction per event',
    'raw-batch': 'raw rows, 1 transaction per batch',
  };
  const source: Record<ApplyRow['mode'], string> = {
    engine: 'Replicator over SqlReplicationStore, announcements applier',
    'raw-event': 'insert repl_events + announcements rows, no engine',
    'raw-batch': 'multi-row inserts of the same rows, no engine',
  };
  const rows = r.rows.map((x) => {
    const base = (mode: ApplyRow['mode']) => r.rows.find((y) => y.db === x.db && y.mode === mode)?.perSecond ?? Number.NaN;
    return [x.db, label[x.mode], fmt(x.events), `${fmt(x.perSecond)}/s`, `${fmt((x.ms / x.events) * 1000, 0)} µs`, ratio(x.perSecond, base('raw-event')), ratio(x.perSecond, base('raw-batch')), source[x.mode]];
  });
  const batch = r.rows[0]?.batch ?? 0;
  console.log(
    table(
      `(b) events applied per second, batches of ${batch}, one fresh database per row (this process; PGlite in memory)`,
      ['database', 'path', 'events', 'rate', 'per event', '÷ raw per event', '÷ raw per batch', 'produced by'],
      rows,
    ),
  );
  console.log(
    [
      '  engine: per event zod validation, topic check and hlc merge; then one transaction per batch: one multi-row insert',
      '  (on conflict do nothing: the idempotency check), one upsert locking the vector row of each (topic, origin) with fresh',
      '  events, the LWW merge into announcements per fresh event (the applier: 2 statements), one update per vector that moves.',
      '  raw: the same repl_events and announcements rows (the merged field map computed beforehand), no vector, no checks.',
      ...(r.postgresSkipped ? [`  PostgreSQL: skipped, ${r.postgresSkipped}.`] : []),
    ].join('\n'),
  );
}
