// The simulated mesh: every node runs the real replication engine
// (`Replicator`) over an in-memory store, and the real failure detection
// (`Membership` and `Watcher`, sim-membership.ts), over the simulated network
// and its own skewed view of the virtual clock, with the toy module on top. A
// crash drops the engine, the watcher and everything not committed (their
// timers die with them, an open transaction never commits) and keeps the
// store's committed data and the members it knew; a restart builds new ones
// over those. Every event any node commits goes into a global ledger, for the
// invariants to hold the survivors to.
import { canonicalJson } from '../src/lib/canonical-json.js';
import { decodeHlc, DEFAULT_MAX_DRIFT_MS } from '../src/lib/hlc.js';
import { Replicator, type ReplicationLog } from '../src/mesh/replication/engine.js';
import { eventKey, type ReplEvent } from '../src/mesh/replication/event.js';
import {
  MemoryReplicationStore,
  NonIdempotentMemoryStore,
  type MemoryStoreData,
  type MemoryTx,
} from '../src/mesh/replication/memory-store.js';
import type { StoredEvent } from '../src/mesh/replication/store.js';
import { MemoryMemberStore } from '../src/mesh/membership/membership.js';
import { buildLayout, holdsByRole, topologyFor, type Layout, type NodeSpec } from './layout.js';
import { deriveSeed, prng, randInt, SimScheduler, type Owner } from './sim-clock.js';
import { nodeMembership, type NodeMembership } from './sim-membership.js';
import { SimNetwork, type NetworkFaults } from './sim-network.js';
import { registerToyModule } from './toy-module.js';

export interface WorldOptions {
  seed: number;
  nodes: number;
  /** Run every node on the deliberately broken store (duplicates applied again). */
  broken: boolean;
  faults: NetworkFaults;
  /** Chance that a transaction takes 1–3 ms of virtual time, so a crash can fall inside it. */
  slowTxChance: number;
  /** Virtual wall-clock time at the start of the run (ms since the epoch). */
  epoch: number;
}

interface LiveNode {
  owner: Owner;
  store: MemoryReplicationStore;
  replicator: Replicator<MemoryTx>;
  member: NodeMembership;
  /** Started and reachable. */
  ready: boolean;
}

export interface SimNode {
  spec: NodeSpec;
  /** This node's clock minus the true (virtual) time. */
  skewMs: number;
  /** Committed data while the node is down. */
  data: MemoryStoreData | undefined;
  live: LiveNode | undefined;
  /** Topics it subscribed to (committed), for the quiescence check. */
  subscriptions: Set<string>;
  incarnation: number;
  /** What its next stamp must exceed (see checkStamp); kept across crashes, as the engine must. */
  stamps: { own: string; accepted: string[]; floor: string; ownKeys: Set<string> };
  /** Set to crash the node inside its next transaction. */
  crashInTransaction: (() => void) | undefined;
  /** The engine's randomness (backoff jitter), one stream per node. */
  rng: () => number;
  /** The members it knew, kept across crashes as its database would be. */
  members: MemoryMemberStore;
  /** Its failure detector's randomness, a stream apart so replication's draws do not shift it. */
  memberRng: () => number;
}

export interface EngineTotals {
  emitted: number;
  applied: number;
  duplicates: number;
  rejected: number;
}

const MAX_NODE_LOG = 400;

export class SimWorld {
  readonly sched: SimScheduler;
  readonly net: SimNetwork;
  readonly layout: Layout;
  readonly nodes = new Map<string, SimNode>();
  /** Every event committed anywhere, by key: the first version seen. */
  readonly ledger = new Map<string, ReplEvent>();
  /** topic → origin → highest seq committed anywhere. */
  readonly ledgerMax = new Map<string, Map<string, number>>();
  /** Keys that named two different events on different nodes. */
  readonly identityClashes: string[] = [];
  /** Local events stamped below a stamp their node had already issued or accepted. */
  readonly causalityBreaks: string[] = [];
  /** Scheduled actions and faults, with virtual times: the run's replayable story. */
  readonly trace: string[] = [];
  /** The engines' and watchers' info and warn lines (the last few hundred), printed with a failing trace. */
  readonly nodeLog: string[] = [];
  readonly totals: EngineTotals = { emitted: 0, applied: 0, duplicates: 0, rejected: 0 };
  /** Called whenever a node's view of a peer may have changed (for the detection times). */
  onMembershipChange: (() => void) | undefined;
  private readonly storeRng: () => number;

  constructor(readonly opts: WorldOptions) {
    this.sched = new SimScheduler(opts.epoch);
    this.layout = buildLayout(opts.nodes, prng(deriveSeed(opts.seed, 5)));
    this.net = new SimNetwork(this.sched, prng(deriveSeed(opts.seed, 2)), { ...opts.faults }, (id) => {
      const live = this.nodes.get(id)?.live;
      return live?.ready ? { replication: live.replicator, membership: live.member.endpoint } : undefined;
    });
    this.storeRng = prng(deriveSeed(opts.seed, 3));
    for (const spec of this.layout.nodes) {
      this.nodes.set(spec.id, {
        spec,
        skewMs: 0,
        data: undefined,
        live: undefined,
        subscriptions: new Set(),
        incarnation: 0,
        stamps: { own: '', accepted: [], floor: '', ownKeys: new Set() },
        crashInTransaction: undefined,
        rng: prng(deriveSeed(opts.seed, 1000 + spec.index)),
        members: new MemoryMemberStore(),
        memberRng: prng(deriveSeed(opts.seed, 3000 + spec.index)),
      });
    }
  }

  log(msg: string): void {
    const t = ((this.sched.now - this.opts.epoch) / 1000).toFixed(3).padStart(8);
    this.trace.push(`${t}s ${msg}`);
  }

  node(id: string): SimNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  isUp(id: string): boolean {
    return this.node(id).live?.ready === true;
  }

  /** Starts a node (again): a new store over its committed data, a new engine and watcher over what it knew. */
  async boot(id: string): Promise<void> {
    const node = this.node(id);
    if (node.live) throw new Error(`${id} is already up`);
    node.incarnation += 1;
    this.resetStampFloor(node);
    const owner: Owner = { alive: true };
    const latency = (): Promise<void> => {
      const hook = node.crashInTransaction;
      if (hook) {
        // The crash lands after this transaction's writes, before its commit.
        node.crashInTransaction = undefined;
        this.sched.after(1, hook);
        return this.sched.sleep(2, owner);
      }
      return this.storeRng() < this.opts.slowTxChance ? this.sched.sleep(randInt(this.storeRng, 1, 3), owner) : Promise.resolve();
    };
    const StoreClass = this.opts.broken ? NonIdempotentMemoryStore : MemoryReplicationStore;
    const store = new StoreClass({ data: node.data, latency, onCommit: (events) => this.record(id, events) });
    const clock = this.sched.clockFor(owner, () => node.skewMs, node.rng);
    const replicator = new Replicator<MemoryTx>({
      nodeId: id,
      store,
      transport: this.net.transportFor(id, owner),
      topology: topologyFor(this.layout, node.spec),
      clock,
      log: this.engineLog(id),
    });
    registerToyModule(replicator);
    const member = nodeMembership({
      spec: node.spec,
      everyone: this.layout.nodes,
      neighbours: this.layout.neighbours,
      incarnation: node.incarnation,
      store: node.members,
      net: this.net,
      owner,
      // The node's own time, with its own random stream for picking probe helpers.
      clock: this.sched.clockFor(owner, () => node.skewMs, node.memberRng),
      rng: node.memberRng,
      log: this.engineLog(id),
      changed: () => this.onMembershipChange?.(),
    });
    const live: LiveNode = { owner, store, replicator, member, ready: false };
    node.live = live;
    node.data = undefined;
    // As a node: membership loaded before the engine starts, watching once it is up.
    await member.load();
    if (!owner.alive) return;
    await replicator.start();
    if (!owner.alive) return;
    live.ready = true;
    member.start();
  }

  /** Node `id`'s Membership while it is up. */
  membershipOf(id: string): NodeMembership['membership'] | undefined {
    const live = this.node(id).live;
    return live?.ready ? live.member.membership : undefined;
  }

  /** Kills a node as `kill -9` would: only what its store committed survives. Returns the transactions it cut short. */
  crash(id: string): number {
    const node = this.node(id);
    const live = node.live;
    if (!live) throw new Error(`${id} is already down`);
    const lost = live.store.openTransactions;
    live.owner.alive = false;
    live.replicator.stop();
    live.member.stop();
    this.addTotals(live.replicator);
    node.data = live.store.crash();
    node.subscriptions = new Set(node.data.subscriptions);
    node.live = undefined;
    return lost;
  }

  /**
   * Stops every replication engine but leaves the nodes up, their watchers
   * running. For the final phase: replication has converged by then, so what
   * its invariants judge no longer changes, and its idle anti-entropy rounds
   * would double the cost of a run.
   */
  stopReplication(): void {
    for (const node of this.nodes.values()) node.live?.replicator.stop();
  }

  /** Stops every engine and watcher (end of run); their stores stay readable. */
  stopAll(): void {
    for (const node of this.nodes.values()) {
      if (!node.live) continue;
      node.live.replicator.stop();
      node.live.member.stop();
      this.addTotals(node.live.replicator);
    }
  }

  /** Whether `id` holds `topic` now: by role or by a committed subscription. */
  holds(id: string, topic: string): boolean {
    const node = this.node(id);
    return holdsByRole(node.spec, topic) || node.subscriptions.has(topic);
  }

  /** Every node is up, the network whole, and every holder of a topic has every event committed on it. */
  isQuiescent(): boolean {
    if (this.net.activeCuts > 0) return false;
    for (const node of this.nodes.values()) if (!node.live?.ready) return false;
    for (const [topic, origins] of this.ledgerMax) {
      for (const node of this.nodes.values()) {
        if (!this.holds(node.spec.id, topic)) continue;
        const store = (node.live as LiveNode).store;
        for (const [origin, seq] of origins) if (store.heldUpTo(topic, origin) !== seq) return false;
      }
    }
    return true;
  }

  /** Committed data of every node (up or down), for the invariants. */
  snapshot(): { spec: NodeSpec; data: MemoryStoreData }[] {
    return [...this.nodes.values()].map((n) => ({ spec: n.spec, data: n.live ? n.live.store.committed() : structuredClone(n.data ?? emptyData()) }));
  }

  private record(id: string, events: readonly StoredEvent[]): void {
    const node = this.node(id);
    for (const { storedAt: _s, ...ev } of events) {
      this.checkStamp(node, ev);
      const key = eventKey(ev);
      const seen = this.ledger.get(key);
      if (!seen) {
        this.ledger.set(key, ev);
        let origins = this.ledgerMax.get(ev.topic);
        if (!origins) this.ledgerMax.set(ev.topic, (origins = new Map()));
        origins.set(ev.origin, Math.max(origins.get(ev.origin) ?? 0, ev.seq));
      } else if (seen.hlc !== ev.hlc || seen.type !== ev.type || canonicalJson(seen.payload) !== canonicalJson(ev.payload)) {
        this.identityClashes.push(`${key} committed on ${id} as ${canonicalJson(ev)} but first seen as ${canonicalJson(seen)}`);
      }
    }
  }

  /**
   * The hlc promise (DESIGN §3): what a node stamps after seeing a stamp sorts
   * after it, across restarts too. Exempt, by design: a stamp more than the
   * drift limit ahead of the node's clock when it arrived (the engine refuses
   * to follow it) or when the node restarted (its clock went back that far).
   */
  private checkStamp(node: SimNode, ev: ReplEvent): void {
    const st = node.stamps;
    if (ev.origin === node.spec.id) {
      // A store that takes a duplicate for new commits an old event again; not a new stamp.
      if (st.ownKeys.has(eventKey(ev))) return;
      st.ownKeys.add(eventKey(ev));
      if (ev.hlc <= st.floor) {
        this.causalityBreaks.push(`${node.spec.id} stamped ${eventKey(ev)} ${ev.hlc}, not after ${st.floor} it had already issued or accepted`);
      }
      if (ev.hlc > st.own) st.own = ev.hlc;
    } else if (this.withinDrift(node, ev.hlc)) {
      st.accepted.push(ev.hlc);
    } else {
      return;
    }
    if (ev.hlc > st.floor) st.floor = ev.hlc;
  }

  private withinDrift(node: SimNode, hlc: string): boolean {
    return decodeHlc(hlc).wall - (this.sched.now + node.skewMs) <= DEFAULT_MAX_DRIFT_MS;
  }

  private resetStampFloor(node: SimNode): void {
    const st = node.stamps;
    st.accepted = st.accepted.filter((h) => this.withinDrift(node, h));
    st.floor = st.accepted.reduce((max, h) => (h > max ? h : max), st.own);
  }

  private addTotals(r: Replicator<MemoryTx>): void {
    this.totals.emitted += r.counters.emitted;
    this.totals.applied += r.counters.applied;
    this.totals.duplicates += r.counters.duplicates;
    this.totals.rejected += r.counters.rejected;
  }

  private engineLog(id: string): ReplicationLog {
    const line = (level: string, obj: object, msg: string): void => {
      const t = ((this.sched.now - this.opts.epoch) / 1000).toFixed(3);
      this.nodeLog.push(`${t}s ${id} ${level} ${msg} ${JSON.stringify(obj)}`);
      if (this.nodeLog.length > MAX_NODE_LOG) this.nodeLog.shift();
    };
    return {
      // Exchange retries are routine under injected faults; counting them is enough.
      debug: () => undefined,
      info: (obj, msg) => line('info', obj, msg),
      warn: (obj, msg) => line('warn', obj, msg),
    };
  }
}

function emptyData(): MemoryStoreData {
  return { events: {}, vectors: {}, seqs: {}, subscriptions: [], module: {} };
}
