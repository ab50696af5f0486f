// The replication store in memory, for the deterministic simulation (sim/)
// and for tests: the same contract as the SQL store (store.ts), with a
// key/value area for module state so a module's change and its event commit
// together. A transaction buffers its writes and commits them at the end, all
// or nothing; transactions run one at a time, as on PGlite. Committed data is
// a plain object (`committed()`), so a simulated crash hands it to a new
// instance and loses everything else, like `kill -9` on a real database.
import { eventKey, type ReplEvent } from './event.js';
import { uniqueSorted, type InsertedBatch, type ReplicationStore, type StoredEvent } from './store.js';
import type { OriginVector, VersionVector } from './vector.js';

/** Everything a store has committed: what survives a crash. */
export interface MemoryStoreData {
  /** By eventKey (topic|origin|seq). */
  events: Record<string, StoredEvent>;
  /** topic → origin → highest contiguous seq held. */
  vectors: VersionVector;
  /** topic → origin → highest seq handed out by nextSeq (this node's own counters). */
  seqs: VersionVector;
  subscriptions: string[];
  /** Module state, by key. */
  module: Record<string, unknown>;
}

export interface MemoryStoreOptions {
  /** Committed data to start from (a crashed store's `committed()`); copied, never shared. */
  data?: MemoryStoreData;
  /**
   * Awaited inside every transaction before it commits: the simulation makes
   * a transaction take (virtual) time with it, so a crash can fall between a
   * transaction's writes and its commit, and transactions queue on the lock.
   */
  latency?: () => Promise<void>;
  /** Called with the events a transaction made durable, right at its commit. */
  onCommit?: (events: readonly StoredEvent[]) => void;
}

export class StoreCrashedError extends Error {
  override readonly name = 'StoreCrashedError';
}

/** The handle a transaction's code writes through; valid only until its transaction ends. */
export class MemoryTx {
  /** @internal */ readonly events = new Map<string, StoredEvent>();
  /** @internal topic → origin → contiguous seq, overriding the committed one. */
  readonly vectors = new Map<string, Map<string, number>>();
  /** @internal */ readonly seqs = new Map<string, Map<string, number>>();
  /** @internal `undefined` marks a deleted key. */
  readonly module = new Map<string, unknown>();
  /** @internal */ open = true;

  constructor(private readonly store: MemoryReplicationStore) {}

  /** A module value as this transaction sees it (its own writes first); a copy. */
  get<T>(key: string): T | undefined {
    this.assertOpen();
    const v = this.module.has(key) ? this.module.get(key) : this.store.read(key);
    return v === undefined ? undefined : (structuredClone(v) as T);
  }

  put(key: string, value: unknown): void {
    this.assertOpen();
    if (value === undefined) throw new Error('put undefined; use delete');
    this.module.set(key, structuredClone(value));
  }

  delete(key: string): void {
    this.assertOpen();
    this.module.set(key, undefined);
  }

  /** @internal */
  assertOpen(): void {
    if (!this.open) throw new Error('transaction already ended');
  }
}

/** One-at-a-time: each `run` waits for the previous one to settle. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

function nested(m: Map<string, Map<string, number>>, a: string): Map<string, number> {
  let inner = m.get(a);
  if (!inner) m.set(a, (inner = new Map()));
  return inner;
}

export class MemoryReplicationStore implements ReplicationStore<MemoryTx> {
  private readonly data: MemoryStoreData;
  /** origin → newest hlc among its held events; derived, rebuilt on load. */
  private readonly latest = new Map<string, string>();
  /** topic|origin → highest seq held (above the contiguous one after a gap); derived. */
  private readonly highest = new Map<string, number>();
  private readonly lock = new Mutex();
  private crashed = false;
  private open = 0;

  constructor(private readonly opts: MemoryStoreOptions = {}) {
    this.data = opts.data
      ? structuredClone(opts.data)
      : { events: {}, vectors: {}, seqs: {}, subscriptions: [], module: {} };
    for (const ev of Object.values(this.data.events)) this.note(ev);
  }

  /**
   * Stops this instance as a crash would: later calls fail, an open
   * transaction can no longer commit. Returns the committed data for the
   * store of the restarted node.
   */
  crash(): MemoryStoreData {
    this.crashed = true;
    return this.committed();
  }

  /** A copy of everything committed. */
  committed(): MemoryStoreData {
    return structuredClone(this.data);
  }

  /** Transactions started or waiting for the lock: what a crash now would lose. */
  get openTransactions(): number {
    return this.open;
  }

  transaction<T>(fn: (tx: MemoryTx) => Promise<T>): Promise<T> {
    this.open += 1;
    const done = (): void => void (this.open -= 1);
    return this.lock.run(async () => {
      this.assertAlive();
      const tx = new MemoryTx(this);
      try {
        const result = await fn(tx);
        await this.opts.latency?.();
        this.assertAlive();
        this.commit(tx);
        return result;
      } finally {
        tx.open = false;
      }
    }).finally(done);
  }

  async nextSeq(tx: MemoryTx, origin: string, topic: string): Promise<number> {
    tx.assertOpen();
    const used = Math.max(this.seqIn(tx, topic, origin), this.contiguous(tx, topic, origin));
    nested(tx.seqs, topic).set(origin, used + 1);
    return used + 1;
  }

  /**
   * Whether the event is already held, as `tx` sees it. The deliberately
   * broken variant overrides this; nothing else should.
   */
  protected isHeld(tx: MemoryTx, key: string): boolean {
    return tx.events.has(key) || Object.hasOwn(this.data.events, key);
  }

  async insert(tx: MemoryTx, event: ReplEvent, storedAt: number): Promise<boolean> {
    tx.assertOpen();
    const key = eventKey(event);
    if (this.isHeld(tx, key)) return false;
    const { origin, topic, seq, hlc, type, payload } = event;
    tx.events.set(key, { origin, topic, seq, hlc, type, payload: structuredClone(payload), storedAt });
    let upTo = this.contiguous(tx, topic, origin);
    if (seq === upTo + 1) {
      // This may close a gap left by events that arrived out of order.
      while (this.holdsKey(tx, eventKey({ topic, origin, seq: upTo + 1 }))) upTo += 1;
      nested(tx.vectors, topic).set(origin, upTo);
    }
    return true;
  }

  async insertMany(tx: MemoryTx, events: readonly ReplEvent[], storedAt: number): Promise<InsertedBatch> {
    tx.assertOpen();
    const fresh: ReplEvent[] = [];
    for (const e of uniqueSorted(events)) if (await this.insert(tx, e, storedAt)) fresh.push(e);
    const vector: VersionVector = {};
    for (const { topic, origin } of fresh) {
      const upTo = this.contiguous(tx, topic, origin);
      if (upTo > 0) (vector[topic] ??= {})[origin] = upTo;
    }
    return { fresh, vector };
  }

  async vector(topics?: readonly string[]): Promise<VersionVector> {
    this.assertAlive();
    const out: VersionVector = {};
    for (const topic of topics ?? Object.keys(this.data.vectors)) {
      const v = this.data.vectors[topic];
      if (v && Object.hasOwn(this.data.vectors, topic)) out[topic] = { ...v };
    }
    return out;
  }

  async range(topic: string, origin: string, after: number, upTo: number, limit: number): Promise<StoredEvent[]> {
    this.assertAlive();
    const out: StoredEvent[] = [];
    const last = Math.min(upTo, this.highestSeq(topic, origin));
    for (let seq = after + 1; seq <= last && out.length < limit; seq++) {
      const ev = this.data.events[eventKey({ topic, origin, seq })];
      if (ev) out.push(structuredClone(ev));
    }
    return out;
  }

  async latestHlc(origin: string): Promise<string | undefined> {
    this.assertAlive();
    return this.latest.get(origin);
  }

  async subscriptions(): Promise<string[]> {
    this.assertAlive();
    return [...this.data.subscriptions];
  }

  subscribe(topic: string): Promise<void> {
    return this.lock.run(async () => {
      this.assertAlive();
      if (!this.data.subscriptions.includes(topic)) this.data.subscriptions.push(topic);
    });
  }

  async count(): Promise<number> {
    this.assertAlive();
    return Object.keys(this.data.events).length;
  }

  /** The committed contiguous seq, read at once (for the simulation's checks). */
  heldUpTo(topic: string, origin: string): number {
    return this.data.vectors[topic]?.[origin] ?? 0;
  }

  /** A committed module value (no copy: callers must not change it). */
  read(key: string): unknown {
    return Object.hasOwn(this.data.module, key) ? this.data.module[key] : undefined;
  }

  // ------------------------------------------------------------ internals

  private commit(tx: MemoryTx): void {
    const fresh: StoredEvent[] = [];
    for (const [key, ev] of tx.events) {
      this.data.events[key] = ev;
      this.note(ev);
      fresh.push(ev);
    }
    for (const [topic, origins] of tx.vectors) {
      const v: OriginVector = (this.data.vectors[topic] ??= {});
      for (const [origin, seq] of origins) v[origin] = Math.max(v[origin] ?? 0, seq);
    }
    for (const [topic, origins] of tx.seqs) {
      const v: OriginVector = (this.data.seqs[topic] ??= {});
      for (const [origin, seq] of origins) v[origin] = Math.max(v[origin] ?? 0, seq);
    }
    for (const [key, value] of tx.module) {
      if (value === undefined) delete this.data.module[key];
      else this.data.module[key] = value;
    }
    if (fresh.length > 0) this.opts.onCommit?.(fresh);
  }

  private note(ev: StoredEvent): void {
    const seen = this.latest.get(ev.origin);
    if (seen === undefined || seen < ev.hlc) this.latest.set(ev.origin, ev.hlc);
    const at = `${ev.topic}|${ev.origin}`;
    this.highest.set(at, Math.max(this.highest.get(at) ?? 0, ev.seq));
  }

  private holdsKey(tx: MemoryTx, key: string): boolean {
    return tx.events.has(key) || Object.hasOwn(this.data.events, key);
  }

  private contiguous(tx: MemoryTx, topic: string, origin: string): number {
    return tx.vectors.get(topic)?.get(origin) ?? this.data.vectors[topic]?.[origin] ?? 0;
  }

  private seqIn(tx: MemoryTx, topic: string, origin: string): number {
    return tx.seqs.get(topic)?.get(origin) ?? this.data.seqs[topic]?.[origin] ?? 0;
  }

  /** Where a range scan can stop: events above the contiguous seq may exist after a gap. */
  private highestSeq(topic: string, origin: string): number {
    return this.highest.get(`${topic}|${origin}`) ?? 0;
  }

  private assertAlive(): void {
    if (this.crashed) throw new StoreCrashedError('store crashed');
  }
}

/**
 * Deliberately broken, for showing that the simulation's invariants catch a
 * real bug: `insert` never finds an event already held, so a duplicate
 * delivery is stored again and applied a second time.
 */
export class NonIdempotentMemoryStore extends MemoryReplicationStore {
  protected override isHeld(): boolean {
    return false;
  }
}
