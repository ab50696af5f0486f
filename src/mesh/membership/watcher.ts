// Failure detection at work, as one piece of code that both a node and the
// simulation (sim/) run: every interval it heartbeats each peer it watches;
// the detector turns silence into suspect and dead, and a suspect is probed
// indirectly through other peers (SWIM) before it is declared dead, so a slow
// link is not mistaken for a dead node. Deaths and returns of region members
// are reported to the region, so nodes that do not watch a member still know.
// It reaches the world only through small interfaces: a MembershipTransport
// (HTTP in a node, heartbeats.ts; the simulated network in sim/), a Clock, and
// the membership (membership.ts). Scheduling is the caller's: a node's jobs
// call heartbeatRound() and tick(), the simulation's clock does the same.
import type { Clock } from '../../lib/clock.js';
import type { FailureDetector, PeerState, Transition } from './failure-detector.js';
import type { Member, MemberCard, Report } from './membership.js';

/** A heartbeat's outcome; `reply` is whatever the transport's peers answer (a node's registry version…). */
export type HeartbeatResult<R> = { ok: true; rttMs: number; reply: R } | { ok: false };

/** What a node tells its region about a member it watches. `since` is on the reporter's clock. */
export interface ReportBody {
  about: string;
  state: 'alive' | 'dead';
  since: number;
}

export type ProbeAnswer = { reachable: boolean; rttMs: number | null } | { reachable: false; reason: string };

/** How a watcher talks to its peers. Failures resolve (ok: false, false) or reject; both mean "no answer". */
export interface MembershipTransport<R> {
  heartbeat(peer: Member): Promise<HeartbeatResult<R>>;
  /** Asks `via` to reach `target` on our behalf; true if it did. */
  probe(via: Member, target: Member): Promise<boolean>;
  report(peer: Member, body: ReportBody): Promise<void>;
}

/** The part of Membership a watcher uses; Membership is the one implementation, in nodes and in the simulation. */
export interface WatchedMembership {
  readonly self: MemberCard;
  readonly detector: FailureDetector;
  watched(): Member[];
  /** Every how many rounds the member is pinged (a hub with a large region spreads its stores). */
  pingEvery(m: Member): number;
  hubs(): Member[];
  nearestStores(to: { lat: number; lon: number; nodeId?: string }, n?: number): Member[];
  get(nodeId: string): Member | undefined;
  belongs(m: MemberCard): boolean;
  upsert(m: Member): Promise<boolean>;
  recordAck(nodeId: string, rttMs?: number): Transition | undefined;
  report(about: string, r: Report): boolean;
}

export interface WatcherLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WatcherOptions<R> {
  membership: WatchedMembership;
  transport: MembershipTransport<R>;
  clock: Pick<Clock, 'now'>;
  log: WatcherLog;
  /** The heartbeat interval: a store heard from within 0.9 of it (its own heartbeat to us) is not pinged this round. */
  intervalMs?: number;
  /** After a heartbeat answer was recorded: what else the answer tells (a node refreshes its registry from its hub). */
  onReply?: (peer: Member, reply: R) => Promise<void>;
}

/** A heartbeat is given one interval to be answered, but at least 500 ms; an indirect probe twice that. */
export function heartbeatTimeoutMs(intervalMs: number): number {
  return Math.max(500, intervalMs);
}

/** The detector looks four times per interval, so a transition is seen within a quarter interval of being due. */
export function tickIntervalMs(intervalMs: number): number {
  return Math.max(25, Math.floor(intervalMs / 4));
}

export class Watcher<R> {
  /** Peers whose previous heartbeat is still in flight: they are not sent another. */
  private readonly busy = new Set<string>();
  private readonly membership: WatchedMembership;

  constructor(private readonly opts: WatcherOptions<R>) {
    this.membership = opts.membership;
  }

  private round = 0;

  /**
   * One interval's heartbeats: one to every watched peer not still answering
   * the last, not a store heard from just now (its own heartbeat to us is
   * proof enough), and, for a hub's stores spread over several rounds, whose
   * turn it is.
   */
  heartbeatRound(): void {
    this.round += 1;
    const now = this.opts.clock.now();
    // Heard within most of an interval: a pair that watch each other trade one heartbeat a second, not two.
    const fresh = this.opts.intervalMs === undefined ? -1 : this.opts.intervalMs * 0.9;
    for (const member of this.membership.watched()) {
      if (this.busy.has(member.nodeId)) continue;
      const every = this.membership.pingEvery(member);
      if (every > 1 && (spreadOf(member.nodeId) + this.round) % every !== 0) continue;
      // A hub is always asked: its answers carry the registry and revocations this node follows.
      const heard = member.role === 'hub' ? undefined : this.membership.detector.lastHeard(member.nodeId);
      // …but every LATENCY_EVERY rounds it is asked anyway, so its round-trip time stays measured.
      if (heard !== undefined && now - heard < fresh && (spreadOf(member.nodeId) + this.round) % LATENCY_EVERY !== 0) continue;
      void this.heartbeatOne(member);
    }
  }

  /** Lets the detector judge the silences: transitions are logged and reported, new suspects probed indirectly. */
  tick(): void {
    const { transitions, probes } = this.membership.detector.tick(this.opts.clock.now());
    for (const t of transitions) {
      const member = this.membership.get(t.peerId);
      if (member) this.transition(member, t.from, t.to);
    }
    for (const probe of probes) {
      const target = this.membership.get(probe.target);
      const via = probe.via.map((id) => this.membership.get(id)).filter((m): m is Member => !!m);
      if (target) void this.probeIndirectly(target, via);
    }
  }

  /** A sign of life from a peer (a heartbeat, a registration, a probe's answer); a return from the dead is reported. */
  heard(nodeId: string, rttMs?: number): void {
    const t = this.membership.recordAck(nodeId, rttMs);
    const member = this.membership.get(nodeId);
    if (t && member) this.transition(member, t.from, t.to);
  }

  /** Serving a peer's heartbeat: a member we did not know yet becomes known by talking to us. */
  async takeHeartbeat(from: Member): Promise<{ known: boolean }> {
    const known = this.membership.get(from.nodeId) !== undefined;
    if (this.membership.belongs(from)) await this.membership.upsert(from);
    this.heard(from.nodeId);
    return { known };
  }

  /** Serving an indirect probe: try to reach `targetId` for the caller. */
  async serveProbe(targetId: string): Promise<ProbeAnswer> {
    const target = this.membership.get(targetId);
    if (!target) return { reachable: false, reason: 'unknown here' };
    const result = await this.heartbeat(target);
    if (result.ok) this.heard(target.nodeId, result.rttMs);
    return { reachable: result.ok, rttMs: result.ok ? result.rttMs : null };
  }

  /** A region peer's report; taken only about members this node does not watch itself (see Membership.report). */
  takeReport(by: string, body: ReportBody): boolean {
    return this.membership.report(body.about, { state: body.state, since: body.since, by });
  }

  private async heartbeat(member: Member): Promise<HeartbeatResult<R>> {
    try {
      return await this.opts.transport.heartbeat(member);
    } catch {
      return { ok: false };
    }
  }

  private async heartbeatOne(member: Member): Promise<void> {
    this.busy.add(member.nodeId);
    try {
      const result = await this.heartbeat(member);
      if (!result.ok) return;
      const transition = this.membership.recordAck(member.nodeId, result.rttMs);
      if (transition) this.transition(member, transition.from, transition.to);
      // Still busy while the answer is followed, so a slow registry refresh is not started twice.
      if (this.opts.onReply) await this.opts.onReply(member, result.reply);
    } catch (err) {
      // Nothing awaits this promise: an error escaping it would be an unhandled rejection, which ends the process.
      this.opts.log.warn({ peer: member.nodeId, error: err instanceof Error ? err.message : String(err) }, 'following a heartbeat answer failed');
    } finally {
      this.busy.delete(member.nodeId);
    }
  }

  private transition(member: Member, from: PeerState, to: PeerState): void {
    const entry = { peer: member.nodeId, peerName: member.name, peerRole: member.role, from, to };
    if (to === 'alive') this.opts.log.info(entry, 'peer is alive again');
    else this.opts.log.warn(entry, to === 'dead' ? 'peer declared dead' : 'peer suspected');
    if (to === 'dead' || (to === 'alive' && from === 'dead')) this.reportToRegion(member, to);
  }

  /**
   * Tells those who care what this node saw happen to a member, within
   * moments: the region's hubs (which answer discovery for everyone) and the
   * stores nearest the member (the ones whose customers it would serve, and
   * whose own neighbourhood it is). Never the whole region: a hub of 5,000
   * stores seeing 1,000 of them go dark would otherwise send five million
   * reports. Once per transition, directly, not gossiped.
   */
  private reportToRegion(about: Member, state: 'dead' | 'alive'): void {
    if (about.region !== this.membership.self.region) return;
    const body: ReportBody = { about: about.nodeId, state, since: this.opts.clock.now() };
    const audience = [...this.membership.hubs().filter((h) => h.region === about.region), ...this.membership.nearestStores(about)];
    for (const m of audience) {
      if (m.nodeId === about.nodeId || m.nodeId === this.membership.self.nodeId) continue;
      this.opts.transport.report(m, body).catch(() => undefined);
    }
  }

  /** Asks helpers to reach a suspect for us; any success clears it. */
  private async probeIndirectly(target: Member, via: Member[]): Promise<void> {
    await Promise.all(
      via.map(async (helper) => {
        try {
          if (await this.opts.transport.probe(helper, target)) {
            const t = this.membership.recordAck(target.nodeId);
            if (t) this.transition(target, t.from, t.to);
          }
        } catch {
          // a helper that does not answer tells us nothing about the target
        }
      }),
    );
  }
}

/** A store heard from anyway is still pinged one round in this many, for its latency. */
const LATENCY_EVERY = 8;

/** A stable small number per node id, so a hub's spread pings land on the same round each cycle. */
function spreadOf(nodeId: string): number {
  let h = 0;
  for (let i = 0; i < nodeId.length; i++) h = (h * 31 + nodeId.charCodeAt(i)) >>> 0;
  return h;
}
