// Membership and failure detection on real `codepop node` processes (DESIGN
// §4: "a dead node is known within seconds, a live one is not accused under
// normal jitter"), in three parts:
//   (a) kills:    ≥ 20 processes (2 hubs + 9 stores per region by default);
//                 kill -9 a random store, time until every region peer
//                 reports it dead, restart it, time until alive everywhere.
//   (b) jitter:   a fresh network where some stores are reachable only
//                 through a proxy adding 0–200 ms per request; count false
//                 'peer suspected' / 'peer declared dead' over a window.
//   (c) register: one hub registering N stores with join tokens:
//                 registrations/s, latency, the hub's RSS; baseline: as many
//                 GET /p2p/v1/health calls in the same run.
// Needs dist/ built (`npm run bench -- membership` builds it first).
import { HUB_PINGS_PER_INTERVAL } from '../src/mesh/membership/membership.js';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { mainScript } from '../src/cli/node-process.js';
import { defaultDetectorConfig } from '../src/mesh/membership/failure-detector.js';
import { buildNetwork, createTemplate, waitConverged, type BenchNetwork } from './lib/mesh-network.js';
import { runJitter, jitterLinkOf, type JitterResult } from './lib/membership-jitter.js';
import { runKills, type KillResult } from './lib/membership-kills.js';
import { runRegister, type RegisterResult } from './lib/membership-register.js';
import { fmt, intOption, mib, parseOptions, percentile, progress, ratio, table, usage, UsageError, type OptionSpec } from './lib/report.js';

export const description = 'failure detection time under kill -9, false accusations under jitter, a hub registering N stores';

const spec: OptionSpec = {
  kills: { type: 'string', help: 'kill/restart cycles in part (a) (default 20; --quick 3)' },
  'region-stores': { type: 'string', help: 'stores per region (2 regions) in (a) and (b) (default 9; --quick 3)' },
  'jitter-seconds': { type: 'string', help: 'length of the jitter window in (b) (default 60; --quick 15)' },
  'jitter-ms': { type: 'string', help: 'largest delay the proxy adds per request (default 200)' },
  stores: { type: 'string', help: 'stores the hub registers in (c) (default 1000; --quick 100)' },
  concurrency: { type: 'string', help: 'requests in flight in (c) (default 4)' },
  settle: { type: 'string', help: 'seconds the hub heartbeats its stores in (c) after they joined (default 6 heartbeats, at least 5)' },
  'heartbeat-ms': { type: 'string', help: 'heartbeat interval of every node (default 1000)' },
  'poll-ms': { type: 'string', help: 'status polling interval while timing (a) (default 200)' },
  parts: { type: 'string', help: 'which parts, comma-separated: kills,jitter,register (default all)' },
  quick: { type: 'boolean', help: 'small everything, for a smoke run' },
  help: { type: 'boolean', help: 'this help' },
};

const ALL_PARTS = ['kills', 'jitter', 'register'] as const;
type Part = (typeof ALL_PARTS)[number];

export async function main(args: string[]): Promise<void> {
  const v = parseOptions(args, spec);
  if (v.help) {
    console.log(`npm run bench -- membership [options]\n${usage(spec)}`);
    return;
  }
  const quick = v.quick === true;
  const o = {
    kills: intOption(v, 'kills', quick ? 3 : 20, 1),
    regionStores: intOption(v, 'region-stores', quick ? 3 : 9, 2),
    jitterSeconds: intOption(v, 'jitter-seconds', quick ? 15 : 60, 1),
    jitterMs: intOption(v, 'jitter-ms', 200, 0),
    stores: intOption(v, 'stores', quick ? 100 : 1000, 1),
    concurrency: intOption(v, 'concurrency', 4, 1),
    settle: v.settle === undefined ? undefined : intOption(v, 'settle', 60, 1),
    heartbeatMs: intOption(v, 'heartbeat-ms', 1000, 50),
    pollMs: intOption(v, 'poll-ms', 200, 10),
  };
  const parts = String(v.parts ?? ALL_PARTS.join(',')).split(',').map((p) => p.trim()) as Part[];
  const unknown = parts.filter((p) => !ALL_PARTS.includes(p));
  if (unknown.length > 0) throw new UsageError(`--parts: unknown part(s) ${unknown.join(', ')}; known: ${ALL_PARTS.join(', ')}`);
  if (!existsSync(mainScript)) throw new Error(`${mainScript} is missing: build first (npm run build), or run through npm run bench`);

  const processes = 2 + 2 * o.regionStores;
  progress(`membership bench: parts ${parts.join(', ')}; ${cpus().length} cores, Node ${process.version}; heartbeat ${o.heartbeatMs} ms`);
  progress('creating the PGlite template every node process starts from (initdb + migrations, once)…');
  const template = await createTemplate();
  progress(`template ready in ${fmt(template.ms / 1000, 1)} s at ${template.dir}`);

  let kills: KillResult | undefined;
  let jitter: JitterResult | undefined;
  let register: RegisterResult | undefined;
  if (parts.includes('kills')) {
    progress(`(a) kills: network of ${processes} processes (2 hubs, ${o.regionStores} stores in each of 2 regions), ${o.kills} kill -9 / restart cycles`);
    const bn = await buildNetwork({ template: template.dir, storesPerRegion: o.regionStores, heartbeatMs: o.heartbeatMs });
    progress(`converged after ${fmt((await waitConverged(bn)) / 1000, 1)} s`);
    kills = await runKills(bn, o.kills, o.pollMs);
    await stopNetwork(bn);
  }
  if (parts.includes('jitter')) {
    progress(`(b) jitter: fresh network of ${processes} processes; some stores behind a 0–${o.jitterMs} ms proxy; ${o.jitterSeconds} s window`);
    const bn = await buildNetwork({ template: template.dir, storesPerRegion: o.regionStores, heartbeatMs: o.heartbeatMs, linkOf: jitterLinkOf(o.jitterMs) });
    progress(`converged after ${fmt((await waitConverged(bn)) / 1000, 1)} s; counting accusations for ${o.jitterSeconds} s`);
    jitter = await runJitter(bn, o.jitterSeconds, o.jitterMs);
    await stopNetwork(bn);
  }
  if (parts.includes('register')) {
    progress(`(c) register: one hub process, ${o.stores} fake stores with join tokens, ${o.concurrency} requests in flight`);
    register = await runRegister({ template: template.dir, stores: o.stores, concurrency: o.concurrency, heartbeatMs: o.heartbeatMs, ...(o.settle !== undefined ? { settleSeconds: o.settle } : {}) });
  }

  if (kills) printKills(kills, o.heartbeatMs, processes);
  if (jitter) printJitter(jitter, processes);
  if (register) printRegister(register);
}

async function stopNetwork(bn: BenchNetwork): Promise<void> {
  progress(`stopping ${bn.nodes.length} node processes…`);
  await bn.stop();
}

function secs(ms: number): string {
  return `${fmt(ms / 1000, 2)} s`;
}

function printKills(r: KillResult, heartbeatMs: number, processes: number): void {
  const deadAfter = defaultDetectorConfig(heartbeatMs).deadAfterMs;
  const row = (name: string, values: number[], baseline: number, baselineName: string, source: string) => [
    name,
    secs(percentile(values, 50)),
    secs(percentile(values, 99)),
    secs(Math.max(...values)),
    `${ratio(percentile(values, 50), baseline)} ${baselineName}`,
    source,
  ];
  const pick = (f: (s: KillResult['samples'][number]) => number) => r.samples.map(f);
  const boot = percentile(pick((s) => s.bootMs), 50);
  console.log(
    table(
      `(a) kill -9 of a random store, ${r.samples.length} times, ${processes} processes, heartbeat ${heartbeatMs} ms`,
      ['measure', 'p50', 'p99', 'max', 'p50 ÷ baseline', 'produced by'],
      [
        row('time to dead everywhere', pick((s) => s.deadByStatusMs), deadAfter, `of deadAfter ${deadAfter} ms`, `kill → last region peer's status says dead (poll every ${r.pollMs} ms)`),
        row('  same, from node logs', pick((s) => s.deadByLogMs), deadAfter, `of deadAfter ${deadAfter} ms`, "kill → last 'peer declared dead' log line (ms timestamps)"),
        row('  first peer to know', pick((s) => s.firstDeadByLogMs), deadAfter, `of deadAfter ${deadAfter} ms`, "kill → first 'peer declared dead' log line"),
        row('time to alive again', pick((s) => s.aliveByStatusMs), boot, 'of p50 boot', `restart command → last region peer's status says alive (poll ${r.pollMs} ms)`),
        row('  of which process boot', pick((s) => s.bootMs), boot, 'of p50 boot', "restart command → the process logs 'node started'"),
      ],
    ),
  );
  const observers = r.samples[0]?.observers ?? 0;
  console.log(
    [
      `  observers per kill: the victim's region hub and its other stores (${observers}). p99 is nearest-rank: with ${r.samples.length} samples it is the ${r.samples.length <= 100 ? 'maximum' : '99th value'}.`,
      `  baseline deadAfter: the detector declares death after ${deadAfter} ms of silence (defaultDetectorConfig: 4 heartbeat intervals; suspect after 2.5).`,
      `  false accusations while the kills ran (${fmt(r.windowMs / 1000)} s, about nodes that were up): ${r.falseSuspected} 'peer suspected', ${r.falseDead} 'peer declared dead' (from every process's log).`,
      ...r.falseDetails.slice(0, 12).map((d) => `    ${d}`),
      ...(r.falseDetails.length > 12 ? [`    … and ${r.falseDetails.length - 12} more`] : []),
    ].join('\n'),
  );
}

function printJitter(r: JitterResult, processes: number): void {
  const rows = r.byLink.map((l) => [
    l.link === 'jittered' ? `store behind 0–${r.jitterMs} ms proxy` : l.link === 'proxy-0ms' ? 'store behind 0 ms proxy' : l.link === 'hub' ? 'hub (direct)' : 'store (direct)',
    fmt(l.nodes),
    fmt(l.watchPairs),
    l.forwarded ? fmt(l.forwarded) : '-',
    l.forwarded ? `${fmt(l.meanDelayMs, 1)} / ${fmt(l.maxDelayMs, 1)}` : '-',
    fmt(l.suspected),
    fmt(l.dead),
  ]);
  const total = r.byLink.reduce((a, l) => ({ s: a.s + l.suspected, d: a.d + l.dead }), { s: 0, d: 0 });
  rows.push(['all', fmt(r.nodes), fmt(r.byLink.reduce((n, l) => n + l.watchPairs, 0)), '', '', fmt(total.s), fmt(total.d)]);
  console.log(
    table(
      `(b) false accusations under 0–${r.jitterMs} ms jitter: ${processes} processes, nobody killed, ${fmt(r.seconds, 0)} s window`,
      ['accused node reached as', 'nodes', 'watch pairs', 'proxied requests', 'delay mean / max ms', "'peer suspected'", "'peer declared dead'"],
      rows,
    ),
  );
  console.log(
    [
      "  counts: 'peer suspected' / 'peer declared dead' lines in every node process's log during the window, by the accused peer's link.",
      '  watch pairs: (observer, peer) pairs heartbeating toward nodes of that kind; proxied requests and delays: counted by the proxies in this run.',
      "  baseline in the same run: stores behind the same proxy with no delay, and direct stores (target: 0 everywhere).",
      `  at the end, ${r.allAliveAtEnd}/${r.nodes} nodes' status showed every peer they watch alive.`,
    ].join('\n'),
  );
}

function printRegister(r: RegisterResult): void {
  const row = (name: string, s: RegisterResult['register'], source: string) => [
    name,
    fmt(s.calls),
    `${fmt(s.perSecond)}/s`,
    `${fmt(s.p50Ms, 1)} ms`,
    `${fmt(s.p99Ms, 1)} ms`,
    fmt(s.failures),
    `${fmt(s.hubCpuPct)} %`,
    fmt(s.hubCpuMsPerCall, 2),
    `${fmt(s.clientCpuPct)} %`,
    ratio(s.perSecond, r.healthBefore.perSecond),
    ratio(s.hubCpuMsPerCall, r.healthBefore.hubCpuMsPerCall),
    source,
  ];
  console.log(
    table(
      `(c) one hub registering ${r.stores} stores, ${r.concurrency} requests in flight (hub = real process; client = this process)`,
      ['operation', 'calls', 'rate', 'p50', 'p99', 'failed', 'hub CPU', 'hub CPU ms/call', 'client CPU', 'rate ÷ health before', 'CPU/call ÷ health before', 'produced by'],
      [
        row('GET /p2p/v1/health, no stores', r.healthBefore, 'fetch, hub with an empty region (baseline)'),
        row('POST /p2p/v1/register', r.register, 'signed, join token, new key each; reply = cert + region'),
        row(`GET /p2p/v1/health, ${r.stores} stores`, r.healthAfter, `fetch, hub heartbeating ${r.stores} stores`),
      ],
    ),
  );
  const per = (r.rssSettled - r.rssBefore) / r.stores;
  console.log(
    table(
      `(c) the hub's memory and steady state`,
      ['measure', 'value', 'produced by'],
      [
        ['RSS before registrations', mib(r.rssBefore), 'hub GET /api/v1/node/status memory.rssBytes'],
        ['RSS right after', mib(r.rssAfter), 'same'],
        [`RSS after ${r.settleSeconds} s of heartbeats`, mib(r.rssSettled), 'same'],
        ['RSS while settling, min – max', `${mib(r.rssSettleMin)} – ${mib(r.rssSettleMax)}`, 'sampled every 10 s'],
        ['RSS growth per store', `${fmt(per / 1024, 1)} KiB`, '(settled − before) ÷ stores'],
        ['register p50, first 10 %', `${fmt(r.firstTenthP50Ms, 1)} ms`, 'client-side latency, in issue order'],
        ['register p50, last 10 %', `${fmt(r.lastTenthP50Ms, 1)} ms`, `same; ratio last ÷ first ${ratio(r.lastTenthP50Ms, r.firstTenthP50Ms)}`],
        ['last register reply size', `${fmt(r.lastReplyBytes / 1024, 0)} KiB`, 'JSON length; it lists the region with chains'],
        [
          'heartbeats sent by the hub',
          `${fmt(r.heartbeatsPerSecond)}/s`,
          `counted by the fake stores’ responder while settling (ideal ${fmt(r.stores / Math.ceil(r.stores / HUB_PINGS_PER_INTERVAL))}/s: each store every ${Math.ceil(r.stores / HUB_PINGS_PER_INTERVAL)} s)`,
        ],
        ['hub CPU while only heartbeating', `${fmt(r.settleHubCpuPct)} %`, 'hub /proc/<pid>/stat utime+stime over the settle window, % of one core'],
        ['stores alive at the hub', `${r.aliveAtEnd}/${r.stores}`, 'hub status mesh.peers'],
        ['register ÷ health rate', ratio(r.register.perSecond, r.healthBefore.perSecond), 'registrations/s ÷ health calls/s (same count, same run)'],
        ['health after ÷ before', ratio(r.healthAfter.perSecond, r.healthBefore.perSecond), 'what carrying the stores costs the hub’s other requests'],
      ],
    ),
  );
  console.log(
    [
      '  rate: calls ÷ wall time of the phase; p50/p99: client-side latency per call (nearest rank).',
      '  hub CPU: the hub process\'s user+system CPU from /proc/<pid>/stat over the phase (100 % = one core); client CPU: this process (client + fake stores\' responder).',
    ].join('\n'),
  );
}
