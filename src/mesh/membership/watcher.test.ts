// The watcher's rules with a scripted transport and a hand-moved clock, over
// a real Membership on a MemoryMemberStore: whom it heartbeats, that a peer
// still answering is not sent another, suspicion with indirect probes, death
// and return reported to the region only, reports taken only about members
// it does not watch, and that a failing reply hook does not escape.
import { describe, expect, it } from 'vitest';
import { prng } from '../../lib/prng.js';
import { defaultDetectorConfig, FailureDetector } from './failure-detector.js';
import { MemoryMemberStore, Membership, type Member } from './membership.js';
import { Watcher, type HeartbeatResult, type MembershipTransport, type ReportBody } from './watcher.js';

const INTERVAL = 1000;

function member(nodeId: string, role: 'hub' | 'store', region: string, lat: number): Member {
  return { nodeId, role, region, name: nodeId, apiBaseUrl: `sim://${nodeId}`, lat, lon: 0, chain: [] };
}

/** Peers answer at once unless listed in `silent`; `hold` keeps a peer's answers pending until released. */
class ScriptedTransport implements MembershipTransport<string> {
  readonly silent = new Set<string>();
  readonly held = new Map<string, (r: HeartbeatResult<string>) => void>();
  readonly hold = new Set<string>();
  readonly heartbeats: string[] = [];
  readonly probes: { via: string; target: string }[] = [];
  readonly reports: { to: string; body: ReportBody }[] = [];

  heartbeat(peer: Member): Promise<HeartbeatResult<string>> {
    this.heartbeats.push(peer.nodeId);
    if (this.hold.has(peer.nodeId)) return new Promise((resolve) => this.held.set(peer.nodeId, resolve));
    return Promise.resolve(this.silent.has(peer.nodeId) ? { ok: false } : { ok: true, rttMs: 3, reply: `reply from ${peer.nodeId}` });
  }

  async probe(via: Member, target: Member): Promise<boolean> {
    this.probes.push({ via: via.nodeId, target: target.nodeId });
    return !this.silent.has(target.nodeId);
  }

  async report(peer: Member, body: ReportBody): Promise<void> {
    this.reports.push({ to: peer.nodeId, body });
  }
}

/** `self` (a store of region C, watching 2 neighbours, unless told a hub) with its hub, three other region stores (s1 nearest), and a hub of region D. */
async function setup(opts: { role?: 'hub' | 'store'; intervalMs?: number; onReply?: (peer: Member, reply: string) => Promise<void> } = {}) {
  let now = 1_000_000;
  const clock = { now: () => now };
  const self = member('self', opts.role ?? 'store', 'C', 0);
  const detector = new FailureDetector(defaultDetectorConfig(INTERVAL), prng(7));
  const membership = new Membership(new MemoryMemberStore(), self, detector, clock.now, 'e1', 2);
  for (const m of [member('hub-C', 'hub', 'C', 0.5), member('s1', 'store', 'C', 0.01), member('s2', 'store', 'C', 0.02), member('s3', 'store', 'C', 0.9), member('hub-D', 'hub', 'D', 5)]) {
    await membership.upsert(m);
  }
  membership.startWatching();
  const transport = new ScriptedTransport();
  const logged: { msg: string; obj: object }[] = [];
  const log = { info: (obj: object, msg: string) => logged.push({ obj, msg }), warn: (obj: object, msg: string) => logged.push({ obj, msg }) };
  const watcher = new Watcher<string>({ membership, transport, clock, log, ...(opts.intervalMs ? { intervalMs: opts.intervalMs } : {}), ...(opts.onReply ? { onReply: opts.onReply } : {}) });
  /** Moves time on in quarter intervals, a heartbeat round every interval, as a node's jobs do. */
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += INTERVAL / 4) {
      if (t % INTERVAL === 0) watcher.heartbeatRound();
      await new Promise((r) => setImmediate(r));
      now += INTERVAL / 4;
      watcher.tick();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { membership, transport, watcher, logged, run, advance: (ms: number) => void (now += ms) };
}

describe('Watcher', () => {
  it('heartbeats its hub and its nearest region stores, and not a peer still answering the last one', async () => {
    const { transport, watcher } = await setup();
    transport.hold.add('s1');
    watcher.heartbeatRound();
    expect([...transport.heartbeats].sort()).toEqual(['hub-C', 's1', 's2']);
    await new Promise((r) => setImmediate(r));
    watcher.heartbeatRound();
    expect(transport.heartbeats.filter((p) => p === 's1')).toHaveLength(1);
    transport.held.get('s1')?.({ ok: true, rttMs: 1, reply: 'late' });
    await new Promise((r) => setImmediate(r));
    watcher.heartbeatRound();
    expect(transport.heartbeats.filter((p) => p === 's1')).toHaveLength(2);
  });

  it('probes a silent peer through helpers, declares it dead, reports it to the region, and reports its return', async () => {
    const { membership, transport, logged, run } = await setup();
    transport.silent.add('s2');
    await run(5000);
    expect(membership.state('s2')).toBe('dead');
    expect(transport.probes.length).toBeGreaterThan(0);
    expect(transport.probes.every((p) => p.target === 's2' && p.via !== 's2')).toBe(true);
    expect(logged.map((l) => l.msg)).toEqual(['peer suspected', 'peer declared dead']);
    const dead = transport.reports.filter((r) => r.body.state === 'dead');
    // Every region member but the dead one, and no hub of another region.
    expect(dead.map((r) => r.to).sort()).toEqual(['hub-C', 's1', 's3']);
    expect(dead.every((r) => r.body.about === 's2')).toBe(true);

    transport.silent.delete('s2');
    await run(1000);
    expect(membership.state('s2')).toBe('alive');
    expect(logged.at(-1)?.msg).toBe('peer is alive again');
    expect(transport.reports.filter((r) => r.body.state === 'alive').map((r) => r.to).sort()).toEqual(['hub-C', 's1', 's3']);
  });

  it('as a hub, watches the other hubs too but reports only its own region members', async () => {
    const { membership, transport, run } = await setup({ role: 'hub' });
    expect(membership.watched().map((m) => m.nodeId).sort()).toEqual(['hub-C', 'hub-D', 's1', 's2', 's3']);
    transport.silent.add('hub-D');
    await run(5000);
    expect(membership.state('hub-D')).toBe('dead');
    expect(transport.reports).toEqual([]);
  });

  it('does not ping a store whose own heartbeat it heard just now (but does one round in eight, for its latency), and always pings its hub', async () => {
    const { transport, watcher, advance } = await setup({ intervalMs: INTERVAL });
    let skipped = 0;
    for (let round = 0; round < 16; round++) {
      await watcher.takeHeartbeat(member('s1', 'store', 'C', 0.01));
      await new Promise((r) => setImmediate(r));
      const before = transport.heartbeats.length;
      watcher.heartbeatRound();
      await new Promise((r) => setImmediate(r));
      const sent = transport.heartbeats.slice(before);
      expect(sent).toContain('hub-C');
      if (!sent.includes('s1')) skipped += 1;
      advance(INTERVAL);
    }
    expect(skipped).toBe(14);
  });

  it('as a hub of a large region, pings each store one round in ⌈stores ÷ 500⌉', async () => {
    const { membership, transport, watcher } = await setup({ role: 'hub' });
    for (let i = 0; i < 1200; i++) await membership.upsert(member(`x${i}`, 'store', 'C', 1 + i / 1000));
    expect(membership.pingEvery(member('x1', 'store', 'C', 0))).toBe(3);
    const counts = new Map<string, number>();
    for (let round = 0; round < 6; round++) {
      const before = transport.heartbeats.length;
      watcher.heartbeatRound();
      await new Promise((r) => setImmediate(r));
      for (const id of transport.heartbeats.slice(before)) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(counts.get('x7')).toBe(2);
    expect(counts.get('hub-D')).toBe(6);
  });

  it('takes a report only about a member it does not watch, and the newest one', async () => {
    const { membership, watcher } = await setup();
    expect(watcher.takeReport('hub-C', { about: 's1', state: 'dead', since: 5 })).toBe(false);
    expect(watcher.takeReport('hub-C', { about: 's3', state: 'dead', since: 5 })).toBe(true);
    expect(watcher.takeReport('s1', { about: 's3', state: 'alive', since: 4 })).toBe(false);
    expect(membership.state('s3')).toBe('dead');
    expect(watcher.takeReport('s1', { about: 's3', state: 'alive', since: 6 })).toBe(true);
    expect(membership.state('s3')).toBe('alive');
  });

  it('learns a member of its region from its heartbeat, and says whether it knew it', async () => {
    const { membership, watcher } = await setup();
    expect(await watcher.takeHeartbeat(member('s4', 'store', 'C', 0.5))).toEqual({ known: false });
    expect(membership.get('s4')).toBeDefined();
    expect(await watcher.takeHeartbeat(member('s4', 'store', 'C', 0.5))).toEqual({ known: true });
    expect(await watcher.takeHeartbeat(member('far', 'store', 'E', 9))).toEqual({ known: false });
    expect(membership.get('far')).toBeUndefined();
  });

  it('answers a probe for an unknown target as unreachable, and a known one by heartbeating it', async () => {
    const { watcher, transport } = await setup();
    expect(await watcher.serveProbe('nobody')).toEqual({ reachable: false, reason: 'unknown here' });
    expect(await watcher.serveProbe('s3')).toEqual({ reachable: true, rttMs: 3 });
    transport.silent.add('s3');
    expect(await watcher.serveProbe('s3')).toEqual({ reachable: false, rttMs: null });
  });

  it('logs a failing reply hook instead of letting it escape, and heartbeats that peer again', async () => {
    const { watcher, transport, logged } = await setup({ onReply: () => Promise.reject(new Error('discover failed')) });
    watcher.heartbeatRound();
    await new Promise((r) => setImmediate(r));
    expect(logged.filter((l) => l.msg === 'following a heartbeat answer failed')).toHaveLength(3);
    watcher.heartbeatRound();
    expect(transport.heartbeats).toHaveLength(6);
  });
});
