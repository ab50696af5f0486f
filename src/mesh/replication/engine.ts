// The replication engine (DESIGN §3), one per node. Modules emit events in the
// transaction of their change (outbox) and register an applier per type. After
// commit and on a timer it exchanges with each peer sharing a topic: a sync
// (vectors out, missing events and the peer's vector back) and a push of what
// the peer lacks. A failing peer is retried with backoff and jitter, forever,
// alone; nothing is dropped, because what a peer lacks is recomputed from the
// durable log. Time, transport and storage are interfaces: the sim runs this.
import { HttpError } from '../../http/errors.js';
import { assertCleanText } from '../../lib/text.js';
import { currentTrace } from '../../lib/trace.js';
import { Backoff } from '../../lib/backoff.js';
import { ClockDriftError, HybridClock, decodeHlc, encodeHlc } from '../../lib/hlc.js';
import { admit, applyBatch, type Applier } from './apply.js';
import { eventKey, eventSchema, type NewEvent, type ReplEvent } from './event.js';
import { countLacking, lacking, mergeVectors, type VersionVector } from './vector.js';
export type { Applier } from './apply.js';

export type { PeerReplicationStatus, ReplicationLog, ReplicationTransport, ReplicatorOptions, SyncRequest, SyncResponse, Topology } from './contracts.js';
import type { PeerReplicationStatus, PeerState, ReplicatorOptions, SyncRequest, SyncResponse } from './contracts.js';

export class Replicator<Tx> {
  private readonly appliers = new Map<string, Applier<Tx>>();
  private readonly committed: ((events: readonly ReplEvent[]) => void)[] = [];
  private readonly peerStates = new Map<string, PeerState>();
  private readonly subscribed = new Set<string>();
  private vector: VersionVector = {};
  private hlc: HybridClock;
  private readonly batchSize: number;
  private readonly antiEntropyMs: number;
  private readonly tickMs: number;
  private syncEveryMs: number;
  private restoring: (() => void) | undefined;
  /** Counts kicks (commits and applied batches with events): what each peer was last brought up to. */
  private changes = 0;
  private timer: { cancel(): void } | undefined;
  private running = false;
  /** failed: applications whose applier threw (the event stays unheld and comes again). */
  readonly counters = { emitted: 0, applied: 0, duplicates: 0, rejected: 0, failed: 0 };

  constructor(private readonly o: ReplicatorOptions<Tx>) {
    this.batchSize = o.batchSize ?? 200;
    // The repair path only: every commit is pushed at once, so an idle peer is asked for what it missed twice a minute.
    this.antiEntropyMs = o.antiEntropyMs ?? 30_000;
    this.tickMs = o.tickMs ?? 1000; // commits kick an exchange at once; the tick only finds retries and pulls that fell due
    this.syncEveryMs = this.antiEntropyMs;
    this.hlc = new HybridClock(o.nodeId, () => o.clock.now());
  }

  /** Registers how events of a type change this node's state; must be idempotent-safe and order-independent. */
  on(type: string, applier: Applier<Tx>): void {
    this.appliers.set(type, applier);
  }

  /** Listens for events committed here (emitted or applied), after their transaction. */
  afterCommit(listener: (events: readonly ReplEvent[]) => void): void {
    this.committed.push(listener);
  }

  private notify(events: readonly ReplEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.committed) {
      try {
        listener(events);
      } catch (err) {
        this.o.log.warn({ err: String(err) }, 'an after-commit listener failed');
      }
    }
  }

  async start(): Promise<void> {
    const last = await this.o.store.latestHlc(this.o.nodeId);
    this.hlc = new HybridClock(this.o.nodeId, () => this.o.clock.now(), last ? { last: decodeHlc(last) } : {});
    for (const t of await this.o.store.subscriptions()) this.subscribed.add(t);
    this.vector = await this.o.store.vector();
    // Stamps received before a restart count too: what this node stamps next
    // must sort after them (DESIGN §3), even if its wall clock went back.
    const origins = new Set(Object.values(this.vector).flatMap((v) => Object.keys(v)));
    origins.delete(this.o.nodeId);
    for (const origin of [...origins].sort()) {
      const seen = await this.o.store.latestHlc(origin);
      if (seen === undefined) continue;
      try {
        this.hlc.receive(decodeHlc(seen));
      } catch (err) {
        if (!(err instanceof ClockDriftError)) throw err;
      }
    }
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
  }

  holds(topic: string): boolean {
    const base = this.o.topology.baseTopics();
    return base === 'all' || base.includes(topic) || this.subscribed.has(topic);
  }

  /** Runs `fn` in one transaction with an `emit` bound to it; pushes after commit. */
  async transaction<T>(fn: (tx: Tx, emit: (e: NewEvent) => Promise<ReplEvent>) => Promise<T>): Promise<T> {
    const emitted: ReplEvent[] = [];
    const result = await this.o.store.transaction((tx) =>
      fn(tx, async (e) => {
        const ev = await this.emit(tx, e);
        emitted.push(ev);
        return ev;
      }),
    );
    for (const ev of emitted) this.advance(ev.topic, ev.origin, ev.seq);
    this.notify(emitted);
    if (emitted.length > 0) this.kick();
    return result;
  }

  /**
   * A node restored from a backup holds its replicated writes until it has
   * pulled from a peer that holds its own topic (its hub): its sequence
   * counters are as old as the backup, and peers may hold later events of its
   * origin that a new write would otherwise reuse the numbers of.
   */
  holdWritesUntilCaughtUp(onCaughtUp: () => void): void {
    this.restoring = onCaughtUp;
  }

  /** Writes an event in the caller's transaction (the outbox). Use `transaction` to get the push after commit. */
  async emit(tx: Tx, e: NewEvent): Promise<ReplEvent> {
    if (this.restoring) throw new HttpError('unavailable', 'This node was restored from a backup and is fetching its own later changes from its hub; try again in a moment.');
    if (!this.holds(e.topic)) throw new Error(`this node does not hold topic ${e.topic}`);
    assertCleanText(e.payload, 'payload'); // peers refuse such text (apply.ts admit)
    const seq = await this.o.store.nextSeq(tx, this.o.nodeId, e.topic);
    const traceId = currentTrace()?.traceId;
    const ev: ReplEvent = { origin: this.o.nodeId, topic: e.topic, seq, hlc: encodeHlc(this.hlc.now()), type: e.type, payload: e.payload, ...(traceId ? { traceId } : {}) };
    await this.o.store.insert(tx, ev, this.o.clock.now());
    this.counters.emitted += 1;
    return ev;
  }

  private advance(topic: string, origin: string, seq: number): void {
    const v = (this.vector[topic] ??= {});
    if ((v[origin] ?? 0) < seq) v[origin] = seq;
  }

  /**
   * Applies events from a peer: each once, with its change, the whole batch in
   * one transaction (apply.ts; one event per transaction if an applier throws,
   * and then this throws after the others committed, so the sender backs off).
   */
  async receive(events: readonly unknown[]): Promise<{ applied: number; duplicates: number; rejected: number }> {
    // Each stamp is followed before the batch commits: once its change is
    // visible, a local write that sees it must be stamped after it (DESIGN §3).
    const { batch, drifted, duplicates, rejected } = admit(events, (t) => this.holds(t), (stamp) => this.hlc.receive(stamp));
    const out = { applied: 0, duplicates, rejected };
    const r = batch.length === 0 ? undefined : await applyBatch(this.o.store, this.appliers, batch, () => this.o.clock.now(), (err) => {
      this.o.log.warn({ event: eventKey(err.event), type: err.event.type, error: err.message }, 'applier failed; event not applied, the sender will retry it');
    });
    if (r) {
      out.applied += r.applied.length;
      out.duplicates += r.duplicates;
      this.counters.failed += r.failed;
      for (const ev of r.applied) {
        if (drifted.has(eventKey(ev))) this.o.log.warn({ origin: ev.origin, hlc: ev.hlc }, 'event stamped far ahead of our clock; stored, clock not advanced');
        this.o.log.debug({ event: eventKey(ev), type: ev.type, ...(ev.traceId ? { traceId: ev.traceId } : {}) }, 'applied a peer event');
      }
      this.vector = mergeVectors(this.vector, r.vector);
      this.notify(r.applied);
      if (out.applied > 0) this.kick(); // relay to the peers that hold these topics
    }
    this.counters.applied += out.applied;
    this.counters.duplicates += out.duplicates;
    this.counters.rejected += out.rejected;
    if (r?.error !== undefined) throw r.error;
    return out;
  }

  /** The topics shared with a peer, each with our vector (an empty one for a topic we hold nothing of yet). */
  private vectorFor(peer: string): VersionVector {
    const st = this.peerStates.get(peer);
    const out: VersionVector = {};
    const consider = new Set([...Object.keys(this.vector), ...this.subscribed]);
    const base = this.o.topology.baseTopics();
    if (base !== 'all') for (const t of base) consider.add(t);
    for (const topic of consider) {
      if (this.o.topology.peerHolds(peer, topic) || st?.asked.has(topic)) out[topic] = { ...(this.vector[topic] ?? {}) };
    }
    return out;
  }

  private async collect(peerVector: VersionVector, mine: VersionVector, limit: number): Promise<{ events: ReplEvent[]; more: boolean }> {
    const events: ReplEvent[] = [];
    const lacks = lacking(mine, peerVector);
    for (const l of lacks) {
      if (events.length >= limit) return { events, more: true };
      const rows = await this.o.store.range(l.topic, l.origin, l.after, l.upTo, limit - events.length);
      for (const { storedAt: _s, ...ev } of rows) events.push(ev);
    }
    return { events, more: countLacking(lacks) > events.length };
  }

  /** Answers a peer's sync: what it lacks of the topics it asked for, and our vector for them. */
  async serveSync(peer: string, request: SyncRequest): Promise<SyncResponse> {
    const st = this.state(peer);
    const wanted = Object.keys(request.vector).filter((t) => this.holds(t));
    for (const t of wanted) st.asked.add(t);
    const mine: VersionVector = {};
    for (const t of wanted) mine[t] = { ...(this.vector[t] ?? {}) };
    const { events, more } = await this.collect(request.vector, mine, Math.min(request.limit, 1000));
    // What they hold is now known too: push can start from it.
    st.vector = mergeVectors(st.vector ?? {}, request.vector);
    return { events, vector: mine, more };
  }

  /** Takes a pushed batch; answers with our vector for its topics. */
  async serveEvents(events: readonly unknown[], from?: string): Promise<{ vector: VersionVector }> {
    await this.receive(events);
    if (from) this.creditSender(from, events);
    const vector: VersionVector = {};
    for (const e of events) {
      const t = (e as ReplEvent).topic;
      if (typeof t === 'string' && this.holds(t)) vector[t] = { ...(this.vector[t] ?? {}) };
    }
    return { vector };
  }

  /** A pusher holds what it pushed: credit its known vector so we do not echo the batch back. */
  private creditSender(from: string, events: readonly unknown[]): void {
    const known = this.peerStates.get(from)?.vector;
    if (!known) return;
    const valid = events.filter((e): e is ReplEvent => eventSchema.safeParse(e).success);
    for (const e of valid.sort((a, b) => a.topic.localeCompare(b.topic) || a.origin.localeCompare(b.origin) || a.seq - b.seq)) {
      const v = (known[e.topic] ??= {});
      if ((v[e.origin] ?? 0) + 1 === e.seq) v[e.origin] = e.seq;
    }
  }

  async subscribe(topic: string): Promise<void> {
    if (this.holds(topic)) return;
    await this.o.store.subscribe(topic);
    this.subscribed.add(topic);
    for (const st of this.peerStates.values()) st.lastSyncAt = 0;
    this.kick();
  }

  private state(peer: string): PeerState {
    let st = this.peerStates.get(peer);
    if (!st) {
      st = { lastSyncAt: 0, nextAt: 0, busy: false, asked: new Set(), pushed: -1, backoff: new Backoff(this.o.backoff ?? { baseMs: 200, capMs: 30_000 }, () => this.o.clock.random()) };
      this.peerStates.set(peer, st);
    }
    return st;
  }

  /** Asks for an exchange round soon (after a commit or an applied batch): there is something to push. */
  kick(): void {
    this.changes += 1;
    if (this.running) this.schedule(0);
  }

  private schedule(ms: number): void {
    this.timer?.cancel();
    this.timer = this.o.clock.setTimeout(() => this.tick(), ms);
  }

  private tick(): void {
    if (!this.running) return;
    const now = this.o.clock.now();
    const peers = this.o.topology.peers();
    // Anti-entropy is the repair path (commits are pushed at once): a hub with thousands of peers spreads it thinner.
    this.syncEveryMs = this.antiEntropyMs * Math.max(1, peers.length / 100);
    for (const peer of peers) {
      const st = this.state(peer);
      // Idle peers cost nothing: an exchange only when something changed here since the last, or a pull is due.
      const due = st.pushed !== this.changes || !st.vector || now - st.lastSyncAt >= this.syncEveryMs;
      if (!st.busy && st.nextAt <= now && due) void this.exchange(peer, st);
    }
    this.schedule(this.tickMs);
  }

  private async exchange(peer: string, st: PeerState): Promise<void> {
    st.busy = true;
    const seen = this.changes;
    try {
      if (!st.vector || this.o.clock.now() - st.lastSyncAt >= this.syncEveryMs) await this.pull(peer, st);
      for (let round = 0; round < 10; round++) {
        const { events } = await this.collect(st.vector ?? {}, this.vectorFor(peer), this.batchSize);
        if (events.length === 0) break;
        const res = await this.o.transport.events(peer, events);
        st.vector = mergeVectors(st.vector ?? {}, res.vector);
      }
      st.backoff.reset();
      st.pushed = seen;
      st.lastError = undefined;
      st.lastOkAt = this.o.clock.now();
      st.nextAt = 0;
    } catch (err) {
      const delay = st.backoff.next();
      st.nextAt = this.o.clock.now() + delay;
      st.lastError = (err as Error).message;
      // Its vector may be stale after a failure; learn it afresh at the next exchange.
      st.vector = undefined;
      this.o.log.debug({ peer, attempt: st.backoff.attempt, retryInMs: delay, error: st.lastError }, 'replication exchange failed; retrying');
    } finally {
      st.busy = false;
    }
  }

  /** Anti-entropy: our vector out, what we miss back (paged), their vector learned. */
  private async pull(peer: string, st: PeerState): Promise<void> {
    let whole = false;
    for (let page = 0; page < 20 && !whole; page++) {
      const res = await this.o.transport.sync(peer, { vector: this.vectorFor(peer), limit: this.batchSize });
      await this.receive(res.events);
      st.vector = res.vector;
      whole = !res.more;
    }
    st.lastSyncAt = this.o.clock.now();
    if (this.restoring && whole && this.o.topology.peerHolds(peer, `node:${this.o.nodeId}`)) {
      const done = this.restoring;
      this.restoring = undefined;
      done();
    }
  }

  myVector = (): VersionVector => structuredClone(this.vector);

  async status(): Promise<PeerReplicationStatus[]> {
    const now = this.o.clock.now();
    const out: PeerReplicationStatus[] = [];
    for (const peer of this.o.topology.peers()) {
      const st = this.state(peer);
      let backlog: number | null = null;
      let oldest: number | null = null;
      const topics: PeerReplicationStatus['topics'] = {};
      if (st.vector) {
        const lacks = lacking(this.vectorFor(peer), st.vector);
        backlog = countLacking(lacks);
        for (const l of lacks) {
          const t = (topics[l.topic] ??= { backlog: 0, oldestUndeliveredAgeMs: null });
          t.backlog += l.upTo - l.after;
          const first = await this.o.store.range(l.topic, l.origin, l.after, l.after + 1, 1);
          if (!first[0]) continue;
          const age = now - first[0].storedAt;
          oldest = Math.max(oldest ?? 0, age);
          t.oldestUndeliveredAgeMs = Math.max(t.oldestUndeliveredAgeMs ?? 0, age);
        }
      }
      out.push({
        peer,
        backlog,
        topics,
        oldestUndeliveredAgeMs: oldest,
        lastOkAt: st.lastOkAt ? new Date(st.lastOkAt).toISOString() : null,
        lastError: st.lastError ?? null,
        retryInMs: Math.max(0, st.nextAt - now),
      });
    }
    return out;
  }
}
