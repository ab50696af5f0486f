import { describe, expect, it } from 'vitest';
import { prng } from '../../lib/prng.js';
import {
  FailureDetector,
  defaultDetectorConfig,
  type DetectorConfig,
  type Transition,
} from './failure-detector.js';

const INTERVAL = 1000;
const TICK = 100;

const seeded = prng;

function detector(seed = 1, config: DetectorConfig = defaultDetectorConfig(INTERVAL)): FailureDetector {
  return new FailureDetector(config, seeded(seed));
}

/** Ticks every 100 ms over (from, to], collecting everything tick() reports. */
function tickThrough(d: FailureDetector, from: number, to: number) {
  const transitions: Transition[] = [];
  const probes: { target: string; via: string[] }[] = [];
  for (let t = from + TICK; t <= to; t += TICK) {
    const r = d.tick(t);
    transitions.push(...r.transitions);
    probes.push(...r.probes);
  }
  return { transitions, probes };
}

/**
 * One peer pinged every interval, answering after a uniform random delay in
 * [0, maxDelayMs), until `killAt` (answers due after it never come).
 */
function simulateJitteredPeer(opts: { seed: number; seconds: number; maxDelayMs: number; killAt?: number }) {
  const rng = seeded(opts.seed);
  const d = detector(opts.seed);
  d.addPeer('p', 0);
  const killAt = opts.killAt ?? Number.POSITIVE_INFINITY;
  const acks: { at: number; rtt: number }[] = [];
  for (let k = 0; k < opts.seconds; k++) {
    const rtt = rng() * opts.maxDelayMs;
    const at = k * INTERVAL + rtt;
    if (at <= killAt) acks.push({ at, rtt });
  }
  acks.sort((a, b) => a.at - b.at);
  const transitions: Transition[] = [];
  let next = 0;
  for (let t = TICK; t <= opts.seconds * INTERVAL; t += TICK) {
    for (let ack = acks[next]; ack !== undefined && ack.at <= t; ack = acks[++next]) {
      const revived = d.recordAck('p', ack.at, ack.rtt);
      if (revived) transitions.push(revived);
    }
    transitions.push(...d.tick(t).transitions);
  }
  return { d, transitions };
}

describe('defaultDetectorConfig', () => {
  it('suspects after 2.5 intervals and declares death after 4, asking 2 helpers', () => {
    expect(defaultDetectorConfig(1000)).toEqual({
      intervalMs: 1000,
      suspectAfterMs: 2500,
      deadAfterMs: 4000,
      indirectProbes: 2,
    });
  });
});

describe('FailureDetector', () => {
  it('refuses a config where death would come before suspicion', () => {
    const bad = { intervalMs: 1000, suspectAfterMs: 3000, deadAfterMs: 2000, indirectProbes: 2 };
    expect(() => new FailureDetector(bad, seeded(1))).toThrow(RangeError);
    expect(() => new FailureDetector({ ...defaultDetectorConfig(0) }, seeded(1))).toThrow(RangeError);
  });

  it('takes a silent peer from alive to suspect at 2.5 s and to dead at 4 s', () => {
    const d = detector();
    d.addPeer('p', 0);
    const { transitions } = tickThrough(d, 0, 10_000);
    expect(transitions).toEqual([
      { peerId: 'p', from: 'alive', to: 'suspect', at: 2500 },
      { peerId: 'p', from: 'suspect', to: 'dead', at: 4000 },
    ]);
  });

  it('judges a peer pinged every third interval on that scale: suspect at 7.5 s, dead at 12 s', () => {
    const d = detector();
    d.addPeer('p', 0, 3);
    const { transitions } = tickThrough(d, 0, 20_000);
    expect(transitions).toEqual([
      { peerId: 'p', from: 'alive', to: 'suspect', at: 7500 },
      { peerId: 'p', from: 'suspect', to: 'dead', at: 12_000 },
    ]);
  });

  it('draws helpers among thousands of peers without passing over all of them, distinct, alive and never the target', () => {
    const d = detector();
    for (let i = 0; i < 5000; i++) d.addPeer(`p${i}`, 0);
    for (let i = 0; i < 5000; i += 2) d.removePeer(`p${i}`);
    const { probes } = tickThrough(d, 0, 2500);
    expect(probes.length).toBe(2500);
    for (const probe of probes) {
      expect(probe.via.length).toBeLessThanOrEqual(2);
      expect(new Set(probe.via).size).toBe(probe.via.length);
      expect(probe.via).not.toContain(probe.target);
      for (const id of probe.via) expect(Number(id.slice(1)) % 2).toBe(1);
    }
  });

  it('reports the state between ticks as the rules say', () => {
    const d = detector();
    d.addPeer('p', 0);
    tickThrough(d, 0, 2400);
    expect(d.state('p')).toBe('alive');
    tickThrough(d, 2400, 3900);
    expect(d.state('p')).toBe('suspect');
    tickThrough(d, 3900, 60_000);
    expect(d.state('p')).toBe('dead');
  });

  it('brings a suspect peer back to alive when it answers', () => {
    const d = detector();
    d.addPeer('p', 0);
    tickThrough(d, 0, 3000);
    expect(d.state('p')).toBe('suspect');
    expect(d.recordAck('p', 3050)).toEqual({ peerId: 'p', from: 'suspect', to: 'alive', at: 3050 });
    expect(d.state('p')).toBe('alive');
    // The answer reset the clock: no suspicion until 2.5 s after it.
    const { transitions } = tickThrough(d, 3000, 5500);
    expect(transitions).toEqual([]);
  });

  it('brings a dead peer back to alive when it answers', () => {
    const d = detector();
    d.addPeer('p', 0);
    tickThrough(d, 0, 20_000);
    expect(d.state('p')).toBe('dead');
    expect(d.recordAck('p', 20_010, 12)).toEqual({ peerId: 'p', from: 'dead', to: 'alive', at: 20_010 });
    expect(d.snapshot(20_010)[0]).toMatchObject({ state: 'alive', stateSince: 20_010, lastHeardAt: 20_010 });
  });

  it('returns no transition for an answer from a peer already alive', () => {
    const d = detector();
    d.addPeer('p', 0);
    expect(d.recordAck('p', 500, 20)).toBeUndefined();
  });

  it('keeps a dead peer dead, with no more transitions, until it answers', () => {
    const d = detector();
    d.addPeer('p', 0);
    tickThrough(d, 0, 4000);
    const later = tickThrough(d, 4000, 100_000);
    expect(later.transitions).toEqual([]);
    expect(later.probes).toEqual([]);
  });

  it('emits one indirect probe per suspicion episode, and a new one after a revival', () => {
    const d = detector();
    for (const id of ['p', 'h1', 'h2']) d.addPeer(id, 0);
    const keepHelpersAlive = (from: number, to: number) => {
      const probes: string[] = [];
      for (let t = from + TICK; t <= to; t += TICK) {
        if (t % INTERVAL === 0) {
          d.recordAck('h1', t);
          d.recordAck('h2', t);
        }
        probes.push(...d.tick(t).probes.map((p) => p.target));
      }
      return probes;
    };
    expect(keepHelpersAlive(0, 3900)).toEqual(['p']);
    d.recordAck('p', 3950);
    expect(keepHelpersAlive(3900, 7000)).toEqual(['p']);
  });

  it('never suspects a peer answering every interval with 0–400 ms of random delay over 10,000 s', () => {
    const { d, transitions } = simulateJitteredPeer({ seed: 20240611, seconds: 10_000, maxDelayMs: 400 });
    expect(transitions).toEqual([]);
    expect(d.state('p')).toBe('alive');
  });

  it('does suspect a peer whose delays grow to 2 s, so the jitter harness can see suspicion', () => {
    const { transitions } = simulateJitteredPeer({ seed: 20240611, seconds: 2_000, maxDelayMs: 2000 });
    expect(transitions.some((t) => t.to === 'suspect')).toBe(true);
  });

  it('declares a killed peer dead within 5 s of its death', () => {
    const rng = seeded(7);
    for (let run = 0; run < 50; run++) {
      const killAt = Math.floor(5_000 + rng() * 50_000);
      const { transitions } = simulateJitteredPeer({ seed: run + 1, seconds: 70, maxDelayMs: 400, killAt });
      const death = transitions.find((t) => t.to === 'dead');
      expect(death, `run ${run}, killed at ${killAt}`).toBeDefined();
      expect(death!.at - killAt, `run ${run}, killed at ${killAt}`).toBeLessThanOrEqual(5000);
      expect(transitions.filter((t) => t.at < killAt)).toEqual([]);
    }
  });

  it('asks only other alive peers to probe a suspect, at most indirectProbes of them', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const d = detector(seed);
      for (const id of ['a', 'b', 'c', 'gone', 'sus']) d.addPeer(id, 0);
      let targetProbe: { target: string; via: string[] } | undefined;
      // 'gone' is dead from 4 s, 'sus' suspect from 4.5 s, 'target' falls suspect at 5 s.
      for (let t = TICK; t <= 5000; t += TICK) {
        if (t % INTERVAL === 0) for (const id of ['a', 'b', 'c']) d.recordAck(id, t);
        if (t === 2000) d.recordAck('sus', t);
        if (t === 2500) d.addPeer('target', t);
        const { probes } = d.tick(t);
        targetProbe ??= probes.find((p) => p.target === 'target');
      }
      expect(d.state('gone')).toBe('dead');
      expect(d.state('sus')).toBe('suspect');
      expect(targetProbe, `seed ${seed}`).toBeDefined();
      expect(targetProbe!.via).toHaveLength(2);
      expect(new Set(targetProbe!.via).size).toBe(2);
      for (const helper of targetProbe!.via) expect(['a', 'b', 'c']).toContain(helper);
    }
  });

  it('spreads the choice of helpers over every eligible peer as the rng varies', () => {
    const chosen = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) {
      const d = detector(seed);
      for (const id of ['t', 'a', 'b', 'c', 'd']) d.addPeer(id, 0);
      for (const id of ['a', 'b', 'c', 'd']) d.recordAck(id, 2000);
      for (const helper of d.tick(2500).probes[0]?.via ?? []) chosen.add(helper);
    }
    expect([...chosen].sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('does not ask a peer that fell silent in the same tick to vouch for another', () => {
    const d = detector();
    d.addPeer('x', 0);
    d.addPeer('y', 0);
    const { probes } = d.tick(2500);
    expect(probes).toEqual([
      { target: 'x', via: [] },
      { target: 'y', via: [] },
    ]);
  });

  it('gives the indirect probe time before declaring death after a stalled tick', () => {
    const d = detector();
    d.addPeer('p', 0);
    const stalled = d.tick(30_000);
    expect(stalled.transitions.map((t) => t.to)).toEqual(['suspect']);
    expect(stalled.probes).toHaveLength(1);
    expect(d.tick(31_400).transitions).toEqual([]);
    expect(d.tick(31_500).transitions.map((t) => t.to)).toEqual(['dead']);
  });

  it('stops reporting a removed peer', () => {
    const d = detector();
    d.addPeer('p', 0);
    d.addPeer('q', 0);
    d.removePeer('p');
    expect(d.has('p')).toBe(false);
    expect(d.state('p')).toBeUndefined();
    expect(d.recordAck('p', 100)).toBeUndefined();
    const { transitions, probes } = tickThrough(d, 0, 10_000);
    expect(transitions.map((t) => t.peerId)).toEqual(['q', 'q']);
    expect(probes.map((p) => p.target)).toEqual(['q']);
    expect(d.snapshot(10_000).map((v) => v.peerId)).toEqual(['q']);
  });

  it('does not revive a dead peer when membership announces it again', () => {
    const d = detector();
    d.addPeer('p', 0);
    tickThrough(d, 0, 5000);
    d.addPeer('p', 5000);
    expect(d.state('p')).toBe('dead');
  });

  it('does not move lastHeard backwards for an answer delivered late', () => {
    const d = detector();
    d.addPeer('p', 0);
    d.recordAck('p', 2000);
    d.recordAck('p', 1500);
    expect(d.snapshot(2000)[0]?.lastHeardAt).toBe(2000);
  });

  it('reports latency as an EWMA with alpha 0.2, rounded to 0.1 ms', () => {
    const d = detector();
    d.addPeer('p', 0);
    expect(d.snapshot(0)[0]?.latencyMs).toBeNull();
    d.recordAck('p', 100, 100);
    expect(d.snapshot(100)[0]?.latencyMs).toBe(100);
    d.recordAck('p', 200, 200);
    expect(d.snapshot(200)[0]?.latencyMs).toBe(120);
    d.recordAck('p', 300, 10.37);
    // 0.2 × 10.37 + 0.8 × 120 = 98.074
    expect(d.snapshot(300)[0]?.latencyMs).toBe(98.1);
    d.recordAck('p', 400); // an indirect answer without a round trip leaves latency alone
    expect(d.snapshot(400)[0]?.latencyMs).toBe(98.1);
  });

  it('counts whole missed intervals since the peer was last heard', () => {
    const d = detector();
    d.addPeer('p', 0);
    d.recordAck('p', 1000);
    expect(d.snapshot(1999)[0]?.missedIntervals).toBe(0);
    expect(d.snapshot(3500)[0]?.missedIntervals).toBe(2);
  });

  it('lists every watched peer in the snapshot, sorted by id', () => {
    const d = detector();
    for (const id of ['m', 'c', 'x']) d.addPeer(id, 0);
    expect(d.snapshot(0).map((v) => v.peerId)).toEqual(['c', 'm', 'x']);
  });
});
