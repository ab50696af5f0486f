// The simulated network: a `ReplicationTransport` per node whose calls reach
// the target node's engine (`serveSync` / `serveEvents`) after a random delay,
// with seeded faults. A request or its reply can be lost (the caller then
// fails at its timeout, possibly after the target did the work), a request
// can be delivered twice, random delays reorder messages, partitions cut sets
// of nodes apart until healed, and a crashed target never answers. Payloads
// are JSON-copied both ways, as over HTTP, so no object is shared by nodes.
import type { ReplicationTransport, SyncRequest, SyncResponse } from '../src/mesh/replication/engine.js';
import type { ReplEvent } from '../src/mesh/replication/event.js';
import type { VersionVector } from '../src/mesh/replication/vector.js';
import { randInt, type Owner, type SimScheduler } from './sim-clock.js';

/** What answers a node's peer calls: its running engine. */
export interface Endpoint {
  serveSync(peer: string, request: SyncRequest): Promise<SyncResponse>;
  serveEvents(events: readonly unknown[]): Promise<{ vector: VersionVector }>;
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

export class SimNetwork {
  readonly stats: NetworkStats = { calls: 0, delivered: 0, lost: 0, duplicated: 0, timeouts: 0, cut: 0 };
  /** Each cut separates its members from everyone else; several can be active. */
  private readonly cuts = new Map<number, ReadonlySet<string>>();
  private nextCut = 1;

  constructor(
    private readonly sched: SimScheduler,
    private readonly rng: () => number,
    public faults: NetworkFaults,
    /** The node's running engine, or undefined while it is down or starting. */
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
      events: (peer: string, events: ReplEvent[]) => this.call(from, peer, owner, events, (ep, body) => ep.serveEvents(body)),
      sync: (peer: string, request: SyncRequest) => this.call(from, peer, owner, request, (ep, body) => ep.serveSync(from, body)),
    };
  }

  private delay(): number {
    return randInt(this.rng, this.faults.minDelayMs, this.faults.maxDelayMs);
  }

  /** One message on the wire: false if it is lost (by chance or a partition at sending time). */
  private survives(a: string, b: string): boolean {
    if (!this.canReach(a, b)) {
      this.stats.cut += 1;
      return false;
    }
    if (this.rng() < this.faults.loss) {
      this.stats.lost += 1;
      return false;
    }
    return true;
  }

  private call<Req, Res>(from: string, to: string, owner: Owner, request: Req, handle: (ep: Endpoint, body: Req) => Promise<Res>): Promise<Res> {
    if (!owner.alive) return Promise.reject(new Error('caller crashed'));
    this.stats.calls += 1;
    return new Promise<Res>((resolve, reject) => {
      let settled = false;
      const timer = this.sched.after(
        this.faults.timeoutMs,
        () => {
          if (settled) return;
          settled = true;
          this.stats.timeouts += 1;
          reject(new Error(`timeout calling ${to}`));
        },
        owner,
      );
      const answer = (reply: { ok: true; body: Res } | { ok: false; error: string }): void => {
        if (!this.survives(to, from)) return;
        this.sched.after(this.delay(), () => {
          if (settled || !owner.alive) return;
          settled = true;
          timer.cancel();
          if (reply.ok) resolve(reply.body);
          else reject(new Error(`${to} answered: ${reply.error}`));
        });
      };
      const send = (isCopy: boolean): void => {
        if (!this.survives(from, to)) return;
        const body = JSON.parse(JSON.stringify(request)) as Req;
        this.sched.after(this.delay(), () => {
          // A partition that began while the request was on the way cuts it too.
          const ep = this.endpoint(to);
          if (!ep || !this.canReach(from, to)) return;
          this.stats.delivered += 1;
          handle(ep, body).then(
            (out) => !isCopy && answer({ ok: true, body: JSON.parse(JSON.stringify(out)) as Res }),
            (err: unknown) => !isCopy && answer({ ok: false, error: err instanceof Error ? err.message : String(err) }),
          );
        });
      };
      send(false);
      if (this.rng() < this.faults.duplication) {
        this.stats.duplicated += 1;
        send(true);
      }
    });
  }
}
