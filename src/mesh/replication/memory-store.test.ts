// The in-memory replication store keeps the store contract the engine relies
// on: idempotent insert, contiguous vectors, gapless seqs, atomic and
// serialized transactions, and committed data that survives a crash.
import { describe, expect, it } from 'vitest';
import type { ReplEvent } from './event.js';
import { MemoryReplicationStore, NonIdempotentMemoryStore, StoreCrashedError, type MemoryTx } from './memory-store.js';

function ev(seq: number, over: Partial<ReplEvent> = {}): ReplEvent {
  return { origin: 'n1', topic: 'global', seq, hlc: `000000000000${String(seq).padStart(3, '0')}-000000-n1`, type: 'kv.set', payload: { seq }, ...over };
}

async function insertAll(store: MemoryReplicationStore, events: ReplEvent[]): Promise<boolean[]> {
  return store.transaction(async (tx) => {
    const out: boolean[] = [];
    for (const e of events) out.push(await store.insert(tx, e, 0));
    return out;
  });
}

describe('MemoryReplicationStore', () => {
  it('stores an event once: a second insert of the same (origin, topic, seq) is refused, also in one transaction', async () => {
    const store = new MemoryReplicationStore();
    expect(await insertAll(store, [ev(1), ev(1)])).toEqual([true, false]);
    expect(await insertAll(store, [ev(1, { payload: 'other' })])).toEqual([false]);
    expect(await store.count()).toBe(1);
    expect((await store.range('global', 'n1', 0, 9, 9))[0]?.payload).toEqual({ seq: 1 });
  });

  it('keeps the vector contiguous: events after a gap are held but counted only when the gap closes', async () => {
    const store = new MemoryReplicationStore();
    await insertAll(store, [ev(2), ev(3)]);
    expect(await store.vector()).toEqual({});
    expect((await store.range('global', 'n1', 0, 9, 9)).map((e) => e.seq)).toEqual([2, 3]);
    await insertAll(store, [ev(1)]);
    expect(await store.vector()).toEqual({ global: { n1: 3 } });
    expect(await store.vector(['global', 'region:A'])).toEqual({ global: { n1: 3 } });
  });

  it('hands out gapless seqs that roll back with a failed transaction', async () => {
    const store = new MemoryReplicationStore();
    const emit = async (tx: MemoryTx): Promise<number> => {
      const seq = await store.nextSeq(tx, 'me', 'global');
      await store.insert(tx, ev(seq, { origin: 'me' }), 0);
      return seq;
    };
    await expect(
      store.transaction(async (tx) => {
        expect([await emit(tx), await emit(tx)]).toEqual([1, 2]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await store.transaction(emit)).toBe(1);
    expect(await store.transaction(emit)).toBe(2);
  });

  it('commits a module change and its event together or not at all', async () => {
    const store = new MemoryReplicationStore();
    await expect(
      store.transaction(async (tx) => {
        tx.put('state', { x: 1 });
        await store.insert(tx, ev(1), 0);
        expect(tx.get('state')).toEqual({ x: 1 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(store.read('state')).toBeUndefined();
    expect(await store.count()).toBe(0);

    await store.transaction(async (tx) => {
      tx.put('state', { x: 2 });
      await store.insert(tx, ev(1), 0);
    });
    expect(store.read('state')).toEqual({ x: 2 });
    expect(await store.vector()).toEqual({ global: { n1: 1 } });
  });

  it('runs transactions one at a time', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const store = new MemoryReplicationStore({ latency: () => gate });
    const log: string[] = [];
    const a = store.transaction(async () => void log.push('a in'));
    const b = store.transaction(async () => void log.push('b in'));
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['a in']);
    release();
    await Promise.all([a, b]);
    expect(log).toEqual(['a in', 'b in']);
  });

  it('survives a crash with exactly what was committed, and an open transaction is lost', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let slow = false;
    const store = new MemoryReplicationStore({ latency: () => (slow ? gate : Promise.resolve()) });
    await store.subscribe('user:u1');
    await store.transaction(async (tx) => {
      tx.put('k', 1);
      await store.insert(tx, ev(1), 5);
    });
    slow = true;
    const open = store.transaction(async (tx) => {
      tx.put('k', 2);
      await store.insert(tx, ev(2), 6);
    });
    await new Promise((r) => setImmediate(r));
    const data = store.crash();
    release();
    await expect(open).rejects.toBeInstanceOf(StoreCrashedError);
    await expect(store.vector()).rejects.toBeInstanceOf(StoreCrashedError);

    const restarted = new MemoryReplicationStore({ data });
    expect(restarted.read('k')).toBe(1);
    expect(await restarted.vector()).toEqual({ global: { n1: 1 } });
    expect(await restarted.subscriptions()).toEqual(['user:u1']);
    expect(await restarted.latestHlc('n1')).toBe(ev(1).hlc);
    data.module.k = 99; // the handed-over object is a copy, not shared
    expect(restarted.read('k')).toBe(1);
  });

  it('pages a range in ascending seq order within (after, upTo] and the limit', async () => {
    const store = new MemoryReplicationStore();
    await insertAll(store, [ev(3), ev(1), ev(2), ev(4), ev(1, { topic: 'region:A' })]);
    expect((await store.range('global', 'n1', 1, 4, 2)).map((e) => e.seq)).toEqual([2, 3]);
    expect((await store.range('global', 'n1', 0, 3, 10)).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await store.range('global', 'n2', 0, 3, 10)).toEqual([]);
    const [first] = await store.range('global', 'n1', 0, 1, 1);
    expect(first?.storedAt).toBe(0);
  });

  it('answers latestHlc with the newest stamp of that origin', async () => {
    const store = new MemoryReplicationStore();
    await insertAll(store, [ev(2), ev(1), ev(1, { origin: 'n2', hlc: '000000000000999-000000-n2' })]);
    expect(await store.latestHlc('n1')).toBe(ev(2).hlc);
    expect(await store.latestHlc('n3')).toBeUndefined();
  });

  it('reports the events a transaction made durable at its commit, not before', async () => {
    const seen: string[] = [];
    const store = new MemoryReplicationStore({ onCommit: (events) => seen.push(...events.map((e) => `${e.seq}`)) });
    await store.transaction(async (tx) => {
      await store.insert(tx, ev(1), 0);
      await store.insert(tx, ev(1), 0);
      expect(seen).toEqual([]);
    });
    await expect(
      store.transaction(async (tx) => {
        await store.insert(tx, ev(2), 0);
        throw new Error('no');
      }),
    ).rejects.toThrow();
    expect(seen).toEqual(['1']);
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    const store = new MemoryReplicationStore();
    const leaked = await store.transaction(async (tx) => tx);
    expect(() => leaked.put('k', 1)).toThrow('ended');
    await expect(store.insert(leaked, ev(1), 0)).rejects.toThrow('ended');
  });

  it('gives out copies: changing a value read does not change the store', async () => {
    const store = new MemoryReplicationStore();
    await store.transaction(async (tx) => {
      tx.put('k', { list: [1] });
      await store.insert(tx, ev(1), 0);
    });
    await store.transaction(async (tx) => {
      tx.get<{ list: number[] }>('k')?.list.push(2);
    });
    const [read] = await store.range('global', 'n1', 0, 1, 1);
    (read?.payload as { seq: number }).seq = 42;
    expect(store.read('k')).toEqual({ list: [1] });
    expect((await store.range('global', 'n1', 0, 1, 1))[0]?.payload).toEqual({ seq: 1 });
  });

  it('stores a batch: the events not held, once each, in (topic, origin, seq) order, with the vectors they moved', async () => {
    const store = new MemoryReplicationStore();
    await insertAll(store, [ev(1)]);
    const r = await store.transaction((tx) => store.insertMany(tx, [ev(3), ev(1), ev(2, { origin: 'n0' }), ev(2), ev(3), ev(5)], 0));
    expect(r.fresh.map((e) => `${e.origin}|${e.seq}`)).toEqual(['n0|2', 'n1|2', 'n1|3', 'n1|5']);
    expect(r.vector).toEqual({ global: { n1: 3 } });
    expect(await store.transaction((tx) => store.insertMany(tx, [ev(2), ev(3)], 0))).toEqual({ fresh: [], vector: {} });
    expect(await store.count()).toBe(5);
  });

  it('has a deliberately broken variant that takes a duplicate as new', async () => {
    const store = new NonIdempotentMemoryStore();
    expect(await insertAll(store, [ev(1), ev(1)])).toEqual([true, true]);
    expect(await store.vector()).toEqual({ global: { n1: 1 } });
  });
});
