// Membership benchmark, part (b): false accusations under jitter. Some stores
// are reachable only through a proxy adding 0–jitter ms to every request
// (test/harness/jitter-proxy.ts, set as their publicUrl); as the baseline in
// the same run, others go through the same proxy with no delay, and the rest
// are direct. Nobody is killed, so every 'peer suspected' / 'peer declared
// dead' logged during the window is a false accusation, counted by how the
// accused node is reached.
import { peersOf } from '../../test/harness/network.js';
import { logTime, type BenchNetwork, type Link } from './mesh-network.js';
import { fmt, mean, progress, sleep } from './report.js';

export interface LinkStats {
  link: Link;
  nodes: number;
  /** (observer, accused) pairs: heartbeats flowing toward a node of this kind. */
  watchPairs: number;
  suspected: number;
  dead: number;
  forwarded: number;
  meanDelayMs: number;
  maxDelayMs: number;
}

export interface JitterResult {
  seconds: number;
  jitterMs: number;
  byLink: LinkStats[];
  /** Nodes whose status at the end shows every watched peer alive. */
  allAliveAtEnd: number;
  nodes: number;
}

/** The i-th store of a region: 3 of 9 jittered, 2 of 9 through a 0 ms proxy, 4 of 9 direct (cycling). */
export function jitterLinkOf(jitterMs: number) {
  const pattern: Link[] = ['jittered', 'proxy-0ms', 'direct', 'jittered', 'direct', 'jittered', 'proxy-0ms', 'direct', 'direct'];
  return (i: number): { link: Link; jitterMs?: number } => {
    const link = pattern[i % pattern.length] as Link;
    return link === 'jittered' ? { link, jitterMs } : { link, jitterMs: 0 };
  };
}

export async function runJitter(bn: BenchNetwork, seconds: number, jitterMs: number): Promise<JitterResult> {
  const t0 = Date.now();
  const before = new Map(bn.nodes.map((n) => [n, n.proxy?.delays.length ?? 0]));
  const forwardedBefore = new Map(bn.nodes.map((n) => [n, n.proxy?.forwarded ?? 0]));
  const count = () => accusations(bn, t0, Date.now());
  for (let elapsed = 0; elapsed < seconds; ) {
    const step = Math.min(10, seconds - elapsed);
    await sleep(step * 1000);
    elapsed += step;
    const c = count();
    progress(`jitter ${elapsed}/${seconds} s: ${c.suspected} 'peer suspected', ${c.dead} 'peer declared dead' about never-killed nodes so far`);
  }
  const t1 = Date.now();
  const links: Link[] = ['hub', 'direct', 'proxy-0ms', 'jittered'];
  const byLink = links.map((link) => {
    const nodes = bn.nodes.filter((n) => n.link === link);
    const c = accusations(bn, t0, t1, link);
    const delays = nodes.flatMap((n) => (n.proxy ? n.proxy.delays.slice(before.get(n) ?? 0) : []));
    return {
      link,
      nodes: nodes.length,
      watchPairs: bn.nodes.reduce((sum, o) => sum + bn.watchedBy(o).filter((w) => w.link === link).length, 0),
      ...c,
      forwarded: nodes.reduce((sum, n) => sum + (n.proxy ? n.proxy.forwarded - (forwardedBefore.get(n) ?? 0) : 0), 0),
      meanDelayMs: mean(delays),
      maxDelayMs: delays.length ? Math.max(...delays) : Number.NaN,
    };
  });
  const allAliveAtEnd = await countAllAlive(bn);
  progress(`jitter window over: ${fmt(byLink.reduce((n, l) => n + l.forwarded, 0))} requests went through the proxies`);
  return { seconds: (t1 - t0) / 1000, jitterMs, byLink, allAliveAtEnd, nodes: bn.nodes.length };
}

function accusations(bn: BenchNetwork, from: number, to: number, link?: Link): { suspected: number; dead: number } {
  let suspected = 0;
  let dead = 0;
  for (const { entry } of bn.logs()) {
    if (entry.msg !== 'peer suspected' && entry.msg !== 'peer declared dead') continue;
    const t = logTime(entry);
    if (!(t >= from && t <= to)) continue;
    if (link && bn.byId(entry.peer)?.link !== link) continue;
    if (entry.msg === 'peer suspected') suspected += 1;
    else dead += 1;
  }
  return { suspected, dead };
}

async function countAllAlive(bn: BenchNetwork): Promise<number> {
  const ok = await Promise.all(
    bn.nodes.map(async (n) => {
      const states = new Map((await peersOf(n.handle)).map((p) => [p.nodeId, p.state]));
      return bn.watchedBy(n).every((w) => states.get(w.nodeId) === 'alive');
    }),
  );
  return ok.filter(Boolean).length;
}
