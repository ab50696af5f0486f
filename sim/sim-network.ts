// The simulated network: a `ReplicationTransport` and a `MembershipTransport`
// per node whose calls reach the target node's engine (`serveSync` /
// `serveEvents`) or its failure-detection `Watcher` (the heartbeat, probe and
// report a node's routes serve) after a random delay, with seeded faults. A
// request or its reply can be lost (the caller then fails at its timeout,
// possibly after the target did the work), a request can be delivered twice,
// random delays reorder messages, partitions cut sets of nodes apart until
// healed, and a crashed target never answers. Payloads are JSON-copied both
// ways, as over HTTP, so no object is shared by nodes.
import type { ReplicationTransport, SyncRequest, SyncResponse } from '../src/mesh/replication/engine.js';
import type { ReplEvent } from '../src/mesh/replication/event.js';
import type { VersionVector } from '../src/mesh/replication/vector.js';
import type { Member } from '../src/mesh/membership/membership.js';
import type { MembershipTransport, ProbeAnswer, ReportBody } from '../src/mesh/membership/watcher.js';
import { randInt, type Owner, type SimScheduler } from './sim-clock.js';

/** What answers a node's replication calls: its running engine. */
export interface ReplicationEndpoint {
  serveSync(peer: string, request: SyncRequest): Promise<SyncResponse>;
  serveEvents(events: readonly unknown[], from?: string): Promise<{ vector: VersionVector }>;
}

/** What answers a node's membership calls: its Watcher, as the node's heartbeat, probe and report routes do. */
export interface MembershipEndpoint {
  takeHeartbeat(from: Member): Promise<SimHeartbeatReply>;
  serveProbe(target: string): Promise<ProbeAnswer>;
  takeReport(by: string, body: ReportBody): Promise<boolean>;
}

/**
 * A simulated heartbeat's answer: whether the target knew the sender. A
 * node's also carries its registry version and revocation count, which only
 * a node's reply hook follows; the simulation has no registry to refresh.
 */
export interface SimHeartbeatReply {
  known: boolean;
}

export interface Endpoint {
  replication: ReplicationEndpoint;
  membership: MembershipEndpoint;
}

export interface NetworkFaults {
  /** Chance that one message (a request or a reply) is lost. */
  loss: number;
  /** Chance that a request is delivered a second time. */
  duplication: number;
  minDelayMs: number;
  maxDelayMs: number;
  /** When a caller gives up on an unanswered call (as the peer client's HTTP timeout). */
  timeoutMs: number;
}

export interface NetworkStats {
  calls: number;
  delivered: number;
  lost: number;
  duplicated: number;
  timeouts: number;
  cut: number;
}

function emptyStats(): NetworkStats {
  return { calls: 0, delivered: 0, lost: 0, duplicated: 0, timeouts: 0, cut: 0 };
}

export class SimNetwork {
  /** Replication traffic. */
  readonly stats = emptyStats();
  /** Heartbeats, probes and reports, counted apart so the replication figures keep their meaning. */
  readonly membershipStats = emptyStats();
  /** Each cut separates its members from everyone else; several can be active. */
  private readonly cuts = new Map<number, ReadonlySet<string>>();
  private nextCut = 1;

  constructor(
    private readonly sched: SimScheduler,
    private readonly rng: () => number,
    public faults: NetworkFaults,
    /** The node's running engine and watcher, or undefined while it is down or starting. */
    private readonly endpoint: (node: string) => Endpoint | undefined,
  ) {}

  /** Cuts `side` off from the rest; returns the id to heal it with. */
  partition(side: Iterable<string>): number {
    const id = this.nextCut++;
    this.cuts.set(id, new Set(side));
    return id;
  }

  heal(id: number): void {
    this.cuts.delete(id);
  }

  healAll(): void {
    this.cuts.clear();
  }

  get activeCuts(): number {
    return this.cuts.size;
  }

  canReach(a: string, b: string): boolean {
    for (const side of this.cuts.values()) if (side.has(a) !== side.has(b)) return false;
    return true;
  }

  /** The transport of one incarnation of a node: once `owner` dies, its calls fail at once. */
  transportFor(from: string, owner: Owner): ReplicationTransport {
    return {
      events: (peer: string, events: ReplEvent[]) =>
        this.call(this.stats, from, peer, owner, events, this.faults.timeoutMs, (ep, body) => ep.replication.serveEvents(body, from)),
      sync: (peer: string, request: SyncRequest) =>
        this.call(this.stats, from, peer, owner, request, this.faults.timeoutMs, (ep, body) => ep.replication.serveSync(from, body)),
    };
  }

  /**
   * The membership transport of one incarnation of a node, with the node's
   * timeouts (heartbeatTimeoutMs: one interval, at least 500 ms; a probe twice
   * that). A heartbeat carries the sender's card, as a node's does.
   */
  membershipTransportFor(from: Member, owner: Owner, timeoutMs: number): MembershipTransport<SimHeartbeatReply> {
    const id = from.nodeId;
    const stats = this.membershipStats;
    return {
      heartbeat: async (peer) => {
        const started = this.sched.now;
        try {
          const reply = await this.call(stats, id, peer.nodeId, owner, from, timeoutMs, (ep, card) => ep.membership.takeHeartbeat(card));
          return { ok: true, rttMs: this.sched.now - started, reply };
        } catch {
          return { ok: false };
        }
      },
      probe: async (via, target) => {
        const answer = await this.call(stats, id, via.nodeId, owner, { target: target.nodeId }, timeoutMs * 2, (ep, b) => ep.membership.serveProbe(b.target));
        return answer.reachable;
      },
      report: async (peer, body) => {
        await this.call(stats, id, peer.nodeId, owner, body, timeoutMs, (ep, b) => ep.membership.takeReport(id, b));
      },
    };
  }

  private delay(): number {
    return randInt(this.rng, this.faults.minDelayMs, this.faults.maxDelayMs);
  }

  /** One message on the wire: false if it is lost (by chance or a partition at sending time). */
  private survives(stats: NetworkStats, a: string, b: string): boolean {
    if (!this.canReach(a, b)) {
      stats.cut += 1;
      return false;
    }
    if (this.rng() < this.faults.loss) {
      stats.lost += 1;
      return false;
    }
    return true;
  }

  private call<Req, Res>(
    stats: NetworkStats,
    from: string,
    to: string,
    owner: Owner,
    request: Req,
    timeoutMs: number,
    handle: (ep: Endpoint, body: Req) => Promise<Res>,
  ): Promise<Res> {
    if (!owner.alive) return Promise.reject(new Error('caller crashed'));
    stats.calls += 1;
    return new Promise<Res>((resolve, reject) => {
      let settled = false;
      const timer = this.sched.after(
        timeoutMs,
        () => {
          if (settled) return;
          settled = true;
          stats.timeouts += 1;
          reject(new Error(`timeout calling ${to}`));
        },
        owner,
      );
      const answer = (reply: { ok: true; body: Res } | { ok: false; error: string }): void => {
        if (!this.survives(stats, to, from)) return;
        this.sched.after(this.delay(), () => {
          if (settled || !owner.alive) return;
          settled = true;
          timer.cancel();
          if (reply.ok) resolve(reply.body);
          else reject(new Error(`${to} answered: ${reply.error}`));
        });
      };
      const send = (isCopy: boolean): void => {
        if (!this.survives(stats, from, to)) return;
        const body = JSON.parse(JSON.stringify(request)) as Req;
        this.sched.after(this.delay(), () => {
          // A partition that began while the request was on the way cuts it too.
          const ep = this.endpoint(to);
          if (!ep || !this.canReach(from, to)) return;
          stats.delivered += 1;
          handle(ep, body).then(
            (out) => !isCopy && answer({ ok: true, body: JSON.parse(JSON.stringify(out)) as Res }),
            (err: unknown) => !isCopy && answer({ ok: false, error: err instanceof Error ? err.message : String(err) }),
          );
        });
      };
      send(false);
      if (this.rng() < this.faults.duplication) {
        stats.duplicated += 1;
        send(true);
      }
    });
  }
}
