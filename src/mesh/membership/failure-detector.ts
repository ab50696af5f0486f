// SWIM-style failure detection for one node watching its peers (DESIGN §4).
// The caller pings every peer each interval and reports answers with
// recordAck; tick() turns silence into suspicion, emits an indirect probe so a
// slow link is not mistaken for a dead node, and only then declares death.
// Pure: time and randomness are passed in, so the simulation can drive them.

export type PeerState = 'alive' | 'suspect' | 'dead';

export interface DetectorConfig {
  /** How often the caller pings each peer. */
  intervalMs: number;
  /** Silence after which an alive peer becomes suspect. */
  suspectAfterMs: number;
  /** Silence after which a suspect peer becomes dead. */
  deadAfterMs: number;
  /** How many other peers to ask to probe a suspect on our behalf. */
  indirectProbes: number;
}

export interface Transition {
  peerId: string;
  from: PeerState;
  to: PeerState;
  at: number;
}

export interface IndirectProbe {
  target: string;
  via: string[];
}

export interface PeerView {
  peerId: string;
  state: PeerState;
  lastHeardAt: number;
  stateSince: number;
  /** EWMA of round-trip times, rounded to 0.1 ms; null until a round trip is measured. */
  latencyMs: number | null;
  /** Whole ping intervals elapsed since the peer was last heard. */
  missedIntervals: number;
}

export interface TickResult {
  transitions: Transition[];
  probes: IndirectProbe[];
}

const LATENCY_ALPHA = 0.2;

/**
 * 2.5 intervals of silence before suspicion: an answer delayed by d after a
 * ping leaves a gap of at most interval + d, so with a 1 s interval delays up
 * to 1.5 s (or one lost ping plus 500 ms) do not raise suspicion. 4 intervals
 * to death keeps a killed peer's detection under 5 s with a 1 s interval
 * while leaving 1.5 intervals for the indirect probe to answer.
 */
export function defaultDetectorConfig(intervalMs: number): DetectorConfig {
  return {
    intervalMs,
    suspectAfterMs: 2.5 * intervalMs,
    deadAfterMs: 4 * intervalMs,
    indirectProbes: 2,
  };
}

function assertValidConfig(c: DetectorConfig): void {
  if (!Number.isFinite(c.intervalMs) || c.intervalMs <= 0) {
    throw new RangeError(`intervalMs must be > 0, got ${c.intervalMs}`);
  }
  if (!Number.isFinite(c.suspectAfterMs) || c.suspectAfterMs <= 0) {
    throw new RangeError(`suspectAfterMs must be > 0, got ${c.suspectAfterMs}`);
  }
  if (!Number.isFinite(c.deadAfterMs) || c.deadAfterMs <= c.suspectAfterMs) {
    throw new RangeError(
      `deadAfterMs must be greater than suspectAfterMs (${c.suspectAfterMs}), got ${c.deadAfterMs}`,
    );
  }
  if (!Number.isInteger(c.indirectProbes) || c.indirectProbes < 0) {
    throw new RangeError(`indirectProbes must be a whole number >= 0, got ${c.indirectProbes}`);
  }
}

interface PeerRecord {
  state: PeerState;
  /** The peer is pinged every `every` intervals (a hub's many stores): its silences are judged on that scale. */
  every: number;
  lastHeardAt: number;
  stateSince: number;
  latencyMs: number | null;
}

export class FailureDetector {
  private readonly peers = new Map<string, PeerRecord>();
  /** The peers' ids in an array too, so helpers are drawn without a pass over every peer. */
  private readonly ids: string[] = [];
  private readonly slot = new Map<string, number>();

  constructor(
    private readonly config: DetectorConfig,
    private readonly rng: () => number,
  ) {
    assertValidConfig(config);
  }

  /** Starts watching a peer as alive. Adding a peer already watched changes nothing, so a
   *  re-announcement from membership cannot resurrect a peer this node has found dead. */
  addPeer(id: string, now: number, every = 1): void {
    if (this.peers.has(id)) return;
    this.peers.set(id, { state: 'alive', every, lastHeardAt: now, stateSince: now, latencyMs: null });
    this.slot.set(id, this.ids.length);
    this.ids.push(id);
  }

  /** How many intervals apart the peer is pinged (1: every interval). */
  setEvery(id: string, every: number): void {
    const peer = this.peers.get(id);
    if (peer) peer.every = Math.max(1, every);
  }

  removePeer(id: string): void {
    if (!this.peers.delete(id)) return;
    const i = this.slot.get(id)!;
    const last = this.ids.pop()!;
    if (last !== id) {
      this.ids[i] = last;
      this.slot.set(last, i);
    }
    this.slot.delete(id);
  }

  counts(): { reachable: number; total: number } {
    let reachable = 0;
    for (const peer of this.peers.values()) if (peer.state === 'alive') reachable += 1;
    return { reachable, total: this.peers.size };
  }

  /** When the peer was last heard from (ms), undefined when not watched. */
  lastHeard(id: string): number | undefined {
    return this.peers.get(id)?.lastHeardAt;
  }

  has(id: string): boolean {
    return this.peers.has(id);
  }

  state(id: string): PeerState | undefined {
    return this.peers.get(id)?.state;
  }

  /**
   * A direct or indirect answer from the peer. Returns the transition when the
   * answer revives a suspect or dead peer; unknown peers are ignored.
   */
  recordAck(id: string, now: number, rttMs?: number): Transition | undefined {
    const peer = this.peers.get(id);
    if (peer === undefined) return undefined;
    // An answer delivered late must not move lastHeard backwards.
    peer.lastHeardAt = Math.max(peer.lastHeardAt, now);
    if (rttMs !== undefined && Number.isFinite(rttMs) && rttMs >= 0) {
      peer.latencyMs =
        peer.latencyMs === null ? rttMs : LATENCY_ALPHA * rttMs + (1 - LATENCY_ALPHA) * peer.latencyMs;
    }
    if (peer.state === 'alive') return undefined;
    const transition: Transition = { peerId: id, from: peer.state, to: 'alive', at: now };
    peer.state = 'alive';
    peer.stateSince = now;
    return transition;
  }

  tick(now: number): TickResult {
    const { suspectAfterMs, deadAfterMs } = this.config;
    const transitions: Transition[] = [];
    const newlySuspect: string[] = [];

    for (const [peerId, peer] of this.peers) {
      const silentFor = now - peer.lastHeardAt;
      if (peer.state === 'alive' && silentFor >= suspectAfterMs * peer.every) {
        transitions.push(this.move(peerId, peer, 'suspect', now));
        newlySuspect.push(peerId);
      } else if (
        peer.state === 'suspect' &&
        silentFor >= deadAfterMs * peer.every &&
        // After a stall (a paused process, a late tick) every peer looks silent at once;
        // requiring a minimum time in suspicion gives the indirect probe its chance first.
        now - peer.stateSince >= (deadAfterMs - suspectAfterMs) * peer.every
      ) {
        transitions.push(this.move(peerId, peer, 'dead', now));
      }
    }

    // Helpers are picked after all transitions, so a peer that fell silent in
    // this same tick is not asked to vouch for another.
    const probes = newlySuspect.map((target) => ({ target, via: this.pickHelpers(target) }));
    return { transitions, probes };
  }

  snapshot(now: number): PeerView[] {
    const views: PeerView[] = [];
    for (const [peerId, peer] of this.peers) {
      views.push({
        peerId,
        state: peer.state,
        lastHeardAt: peer.lastHeardAt,
        stateSince: peer.stateSince,
        latencyMs: peer.latencyMs === null ? null : Math.round(peer.latencyMs * 10) / 10,
        missedIntervals: Math.max(0, Math.floor((now - peer.lastHeardAt) / this.config.intervalMs)),
      });
    }
    return views.sort((a, b) => (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0));
  }

  private move(peerId: string, peer: PeerRecord, to: PeerState, now: number): Transition {
    const transition: Transition = { peerId, from: peer.state, to, at: now };
    peer.state = to;
    peer.stateSince = now;
    return transition;
  }

  /**
   * Up to indirectProbes distinct alive peers other than the target, chosen
   * uniformly. With many peers they are drawn at random (a bounded number of
   * tries), so a hub whose thousands of stores fall silent at once does not
   * pass over every peer for every suspect.
   */
  private pickHelpers(target: string): string[] {
    const want = this.config.indirectProbes;
    if (this.ids.length > 64) {
      const picked = new Set<string>();
      for (let tries = 0; tries < want * 8 && picked.size < want; tries++) {
        const id = this.ids[Math.floor(Math.min(Math.max(this.rng(), 0), 0.999_999_999) * this.ids.length)]!;
        if (id !== target && this.peers.get(id)?.state === 'alive') picked.add(id);
      }
      return [...picked];
    }
    const candidates: string[] = [];
    for (const [peerId, peer] of this.peers) {
      if (peerId !== target && peer.state === 'alive') candidates.push(peerId);
    }
    const count = Math.min(this.config.indirectProbes, candidates.length);
    // Partial Fisher–Yates: only the first `count` slots need shuffling.
    for (let i = 0; i < count; i++) {
      const draw = this.rng();
      // Clamp so a misbehaving rng cannot index outside the candidates.
      const r = Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 0.999_999_999) : 0;
      const j = i + Math.floor(r * (candidates.length - i));
      const picked = candidates[j] as string;
      candidates[j] = candidates[i] as string;
      candidates[i] = picked;
    }
    return candidates.slice(0, count);
  }
}
