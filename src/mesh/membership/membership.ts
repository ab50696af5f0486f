// The peers this node knows and how it sees them. Kept in memory for the
// hot paths (heartbeats, discovery) and written through to a `MemberStore`
// (the database in a node, see member-table.ts), so a restarted node still
// knows its region while its hub is away. The store is an interface so the
// simulation runs this same class, watching rules included, without a
// database. Which peers a node watches grows with its region, never with the
// country.
import { haversineMiles } from '../../lib/geo.js';
import type { CertChain } from '../admission/certificate.js';
import { FailureDetector, type PeerState, type Transition } from './failure-detector.js';

export interface MemberCard {
  nodeId: string;
  role: 'hub' | 'store';
  region: string;
  name: string;
  apiBaseUrl: string;
  lat: number;
  lon: number;
}

export interface Member extends MemberCard {
  chain: CertChain;
}

/** A peer's state as another node reported it (for peers this node does not watch itself). */
export interface Report {
  state: PeerState;
  /** When the reporter's detector entered that state (reporter's clock). */
  since: number;
  by: string;
}

export interface MemberView extends MemberCard {
  state: PeerState | 'unwatched';
  /** 'observed' by this node's own heartbeats, or 'reported' by a peer that watches it. */
  source: 'observed' | 'reported' | null;
  lastSeenAt: string | null;
  latencyMs: number | null;
  distanceMiles: number;
}

/** Where members outlive the process. Writes finish before the member counts as known. */
export interface MemberStore {
  load(): Promise<Member[]>;
  save(m: Member, updatedAt: Date): Promise<void>;
  delete(nodeId: string): Promise<void>;
}

/**
 * Members kept in memory only. The simulation keeps one per node across its
 * crashes, as a disk would be kept, so a restarted node loads what it knew.
 * Copies in and out, so nothing is shared with the caller's objects.
 */
export class MemoryMemberStore implements MemberStore {
  private readonly rows = new Map<string, Member>();

  async load(): Promise<Member[]> {
    return [...this.rows.values()].map((m) => structuredClone(m));
  }

  async save(m: Member): Promise<void> {
    this.rows.set(m.nodeId, structuredClone(m));
  }

  async delete(nodeId: string): Promise<void> {
    this.rows.delete(nodeId);
  }
}

/**
 * How many stores around a point a node is told about or tells: the stores
 * a registration reply and a registry refresh name (the joiner's
 * neighbourhood), and the stores a death or return is reported to. Bounded,
 * so no message and no fan-out grows with the region.
 */
export const NEIGHBOURHOOD = 16;

/**
 * The most stores a hub pings in one heartbeat interval. A hub of more is
 * spread over several intervals (each store pinged every ⌈stores ÷ this⌉
 * intervals, its silences judged on that scale): its stores' own heartbeats
 * to it and their neighbours' reports keep detection quick, and the hub's
 * load stops growing with its region.
 */
export const HUB_PINGS_PER_INTERVAL = 500;

export class Membership {
  private readonly members = new Map<string, Member>();
  private changes = 0;
  /** Peers are watched from when heartbeats start, not from load: a slow boot is not their silence. */
  private watching = false;
  /** Changes with every restart, so peers comparing versions notice one. */
  private readonly epoch: string;

  private readonly reports = new Map<string, Report>();
  private neighbours: Set<string> | undefined;
  /** Ids of the hubs, and of this region's stores (a hub's ping spread is sized by them): kept as members change, so no hot path filters every member. */
  private readonly hubIds = new Set<string>();
  private readonly regionStoreIds = new Set<string>();

  constructor(
    private readonly store: MemberStore,
    readonly self: MemberCard,
    readonly detector: FailureDetector,
    private readonly now: () => number,
    epoch: string,
    /** How many of its region's nearest stores a store heartbeats itself (the rest it learns by report). */
    private readonly watchNeighbours = 4,
  ) {
    this.epoch = epoch;
  }

  get version(): string {
    return `${this.epoch}.${this.changes}`;
  }

  /**
   * Whether this node heartbeats the member. A hub watches the other hubs and
   * every store of its region; a store watches its hub and its nearest region
   * stores. So a node's heartbeats grow with a bounded neighbourhood, not with
   * the square of its region; what a node does not watch itself it learns
   * from the reports of those that do (see `report`).
   */
  isWatched(m: MemberCard): boolean {
    if (m.nodeId === this.self.nodeId) return false;
    if (m.role === 'hub') return m.region === this.self.region || this.self.role === 'hub';
    if (m.region !== this.self.region) return false;
    return this.self.role === 'hub' || this.nearest().has(m.nodeId);
  }

  /** Whether this node keeps the member at all: its region, and the hubs. */
  belongs(m: MemberCard): boolean {
    return m.nodeId !== this.self.nodeId && (m.region === this.self.region || m.role === 'hub');
  }

  private nearest(): Set<string> {
    this.neighbours ??= new Set(
      this.list()
        .filter((m) => m.role === 'store' && m.region === this.self.region && m.nodeId !== this.self.nodeId)
        .sort((a, b) => haversineMiles(this.self, a) - haversineMiles(this.self, b) || a.nodeId.localeCompare(b.nodeId))
        .slice(0, this.watchNeighbours)
        .map((m) => m.nodeId),
    );
    return this.neighbours;
  }

  /** The hubs this node knows (of every region). */
  hubs(): Member[] {
    return [...this.hubIds].map((id) => this.members.get(id)!);
  }

  /** The `n` stores of this node's region nearest `to` (never `to` itself), nearest first. */
  nearestStores(to: { lat: number; lon: number; nodeId?: string }, n: number = NEIGHBOURHOOD): Member[] {
    const near: { m: Member; d: number }[] = [];
    for (const m of this.members.values()) {
      if (m.role !== 'store' || m.region !== this.self.region || m.nodeId === to.nodeId) continue;
      near.push({ m, d: haversineMiles(to, m) });
    }
    near.sort((a, b) => a.d - b.d || a.m.nodeId.localeCompare(b.m.nodeId));
    return near.slice(0, n).map((x) => x.m);
  }

  /** Takes a peer's report about a member this node does not watch; the newest observation wins. */
  report(about: string, r: Report): boolean {
    if (about === this.self.nodeId || this.detector.has(about) || !this.members.has(about)) return false;
    const old = this.reports.get(about);
    if (old && old.since >= r.since) return false;
    this.reports.set(about, r);
    return true;
  }

  async load(): Promise<void> {
    for (const m of await this.store.load()) this.remember(m);
  }

  private remember(m: Member): void {
    const isNew = !this.members.has(m.nodeId);
    this.members.set(m.nodeId, m);
    if (m.role === 'hub') this.hubIds.add(m.nodeId);
    else this.hubIds.delete(m.nodeId);
    if (this.isRegionStore(m)) this.regionStoreIds.add(m.nodeId);
    else this.regionStoreIds.delete(m.nodeId);
    if (isNew) this.rewatch();
    if (this.watching && this.isWatched(m) && !this.detector.has(m.nodeId)) this.detector.addPeer(m.nodeId, this.now(), this.pingEvery(m));
  }

  private isRegionStore(m: MemberCard): boolean {
    return m.role === 'store' && m.region === this.self.region && m.nodeId !== this.self.nodeId;
  }

  /** Every how many heartbeat intervals this node pings the member: 1, but for the stores of a hub with a large region. */
  pingEvery(m: MemberCard): number {
    if (this.self.role !== 'hub' || !this.isRegionStore(m)) return 1;
    return Math.max(1, Math.ceil(this.regionStoreIds.size / HUB_PINGS_PER_INTERVAL));
  }

  /** A new member may be nearer than a watched one: recompute the neighbourhood, stop watching who left it. */
  private rewatch(): void {
    this.neighbours = undefined;
    if (!this.watching) return;
    for (const m of this.members.values()) {
      const watched = this.isWatched(m);
      if (watched && !this.detector.has(m.nodeId)) this.detector.addPeer(m.nodeId, this.now(), this.pingEvery(m));
      else if (watched) this.detector.setEvery(m.nodeId, this.pingEvery(m));
      if (!watched && this.detector.has(m.nodeId)) this.detector.removePeer(m.nodeId);
    }
  }

  /** Starts the failure detector's clock for every watched member; called when heartbeats begin. */
  startWatching(): void {
    this.watching = true;
    for (const m of this.members.values()) {
      if (this.isWatched(m) && !this.detector.has(m.nodeId)) this.detector.addPeer(m.nodeId, this.now(), this.pingEvery(m));
    }
  }

  get(nodeId: string): Member | undefined {
    return this.members.get(nodeId);
  }

  list(): Member[] {
    return [...this.members.values()];
  }

  watched(): Member[] {
    return this.list().filter((m) => this.isWatched(m));
  }

  /** Adds or refreshes a member; true when something a peer would care about changed. */
  async upsert(m: Member): Promise<boolean> {
    if (m.nodeId === this.self.nodeId) return false;
    const old = this.members.get(m.nodeId);
    const same =
      old &&
      old.apiBaseUrl === m.apiBaseUrl &&
      old.name === m.name &&
      old.lat === m.lat &&
      old.lon === m.lon &&
      old.region === m.region &&
      old.role === m.role &&
      old.chain[0]?.serial === m.chain[0]?.serial;
    if (same) return false;
    await this.store.save(m, new Date(this.now()));
    this.remember(m);
    this.changes += 1;
    return true;
  }

  async remove(nodeId: string): Promise<void> {
    this.hubIds.delete(nodeId);
    this.regionStoreIds.delete(nodeId);
    await this.store.delete(nodeId);
    this.members.delete(nodeId);
    this.detector.removePeer(nodeId);
    this.reports.delete(nodeId);
    this.rewatch();
    this.changes += 1;
  }

  recordAck(nodeId: string, rttMs?: number): Transition | undefined {
    return this.detector.recordAck(nodeId, this.now(), rttMs);
  }

  state(nodeId: string): PeerState | undefined {
    return this.detector.state(nodeId) ?? this.reports.get(nodeId)?.state;
  }

  /** Members as this node sees them, nearest to `from` first. */
  view(from: { lat: number; lon: number } = this.self): MemberView[] {
    const now = this.now();
    const seen = new Map(this.detector.snapshot(now).map((p) => [p.peerId, p]));
    return this.list()
      .map((m) => {
        const p = seen.get(m.nodeId);
        const reported = p ? undefined : this.reports.get(m.nodeId);
        const { chain: _chain, ...card } = m;
        return {
          ...card,
          state: p?.state ?? reported?.state ?? ('unwatched' as const),
          source: p ? ('observed' as const) : reported ? ('reported' as const) : null,
          lastSeenAt: p ? new Date(p.lastHeardAt).toISOString() : null,
          latencyMs: p?.latencyMs ?? null,
          distanceMiles: Math.round(haversineMiles(from, m) * 10) / 10,
        };
      })
      .sort((a, b) => a.distanceMiles - b.distanceMiles);
  }

  /** Watched peers alive, of all watched: a count, not a view (health answers it on every call). */
  counts(): { reachable: number; total: number } {
    return this.detector.counts();
  }
}
