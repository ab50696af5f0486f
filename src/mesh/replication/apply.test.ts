// Applying a received batch: one transaction for the batch, appliers only for
// events not held before, counters right; a poison event (its applier throws)
// costs only itself; a failing store commits nothing.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../lib/clock.js';
import { Replicator } from './engine.js';
import type { ReplEvent } from './event.js';
import { MemoryReplicationStore, type MemoryTx } from './memory-store.js';

const T = Date.UTC(2025, 5, 15, 12);
const clock: Clock = { now: () => T, random: () => 0.5, setTimeout: () => ({ cancel: () => undefined }) };

function ev(seq: number, over: Partial<ReplEvent> = {}): ReplEvent {
  return { origin: 'n1', topic: 'global', seq, hlc: `${String(T - 1000).padStart(15, '0')}-${String(seq).padStart(6, '0')}-n1`, type: 'kv.set', payload: { seq }, ...over };
}

function setup(store = new MemoryReplicationStore()) {
  let transactions = 0;
  const counted = Object.assign(Object.create(store) as MemoryReplicationStore, {
    transaction: <T>(fn: (tx: MemoryTx) => Promise<T>) => {
      transactions += 1;
      return store.transaction(fn);
    },
  });
  const warnings: string[] = [];
  const r = new Replicator<MemoryTx>({
    nodeId: 'me',
    store: counted,
    transport: { events: () => Promise.reject(new Error('none')), sync: () => Promise.reject(new Error('none')) },
    topology: { baseTopics: () => ['global', 'region:C'], peers: () => [], peerHolds: () => true },
    clock,
    log: { debug: () => undefined, info: () => undefined, warn: (_o, m) => void warnings.push(m) },
  });
  const applied: string[] = [];
  r.on('kv.set', async (tx, e) => {
    if ((e.payload as { poison?: boolean }).poison) throw new Error('cannot apply this');
    tx.put(`applied/${e.topic}|${e.origin}|${e.seq}`, ((tx.get<number>(`applied/${e.topic}|${e.origin}|${e.seq}`) ?? 0) as number) + 1);
    applied.push(`${e.topic}|${e.origin}|${e.seq}`);
  });
  return { r, store, applied, warnings, transactions: () => transactions };
}

describe('Replicator.receive', () => {
  it('applies a batch in one transaction, in (topic, origin, seq) order, each event once', async () => {
    const s = setup();
    const res = await s.r.receive([ev(2), ev(1, { origin: 'n0', topic: 'region:C' }), ev(1), ev(2), ev(9, { topic: 'region:B' }), { nonsense: true }, ev(3, { hlc: 'bad' })]);
    expect(res).toEqual({ applied: 3, duplicates: 1, rejected: 3 });
    expect(s.transactions()).toBe(1);
    expect(s.applied).toEqual(['global|n1|1', 'global|n1|2', 'region:C|n0|1']);
    expect(s.r.myVector()).toEqual({ global: { n1: 2 }, 'region:C': { n0: 1 } });

    const again = await s.r.receive([ev(1), ev(2), ev(3), ev(5)]);
    expect(again).toEqual({ applied: 2, duplicates: 2, rejected: 0 });
    expect(s.applied.slice(3)).toEqual(['global|n1|3', 'global|n1|5']);
    // 5 is held beyond the gap at 4: not counted until 4 arrives.
    expect(s.r.myVector().global).toEqual({ n1: 3 });
    await s.r.receive([ev(4)]);
    expect(s.r.myVector().global).toEqual({ n1: 5 });
    expect(await s.store.vector()).toEqual({ global: { n1: 5 }, 'region:C': { n0: 1 } });
    expect(s.r.counters).toMatchObject({ applied: 6, duplicates: 3, rejected: 3, failed: 0 });
  });

  it('refuses an event whose payload holds text its owner would refuse (NUL, lone surrogate), and never emits one', async () => {
    const s = setup();
    const res = await s.r.receive([ev(1, { payload: { name: 'a\u0000b' } }), ev(1, { origin: 'n2', payload: { ['k\ud800']: 1 } }), ev(1, { origin: 'n3' })]);
    expect(res).toEqual({ applied: 1, duplicates: 0, rejected: 2 });
    expect(s.applied).toEqual(['global|n3|1']);
    await expect(s.r.transaction(async (_tx, emit) => emit({ topic: 'global', type: 'kv.set', payload: { note: 'x\u0007' } }))).rejects.toThrow(/control characters/);
    expect(await s.store.vector()).toEqual({ global: { n3: 1 } });
  });

  it('isolates a poison event: the rest of its batch commits, it stays unheld, the vector stops below it, and receive throws', async () => {
    const s = setup();
    const batch = [ev(1), ev(2, { payload: { poison: true } }), ev(3), ev(1, { origin: 'n2' })];
    await expect(s.r.receive(batch)).rejects.toThrow(/applying kv.set global\|n1\|2 failed: cannot apply this/);
    // The rolled-back batch ran the applier for 1 before 2 threw; only what committed counts.
    expect(s.applied).toEqual(['global|n1|1', 'global|n1|1', 'global|n1|3', 'global|n2|1']);
    for (const k of ['global|n1|1', 'global|n1|3', 'global|n2|1']) expect(s.store.read(`applied/${k}`)).toBe(1);
    expect(s.store.read('applied/global|n1|2')).toBeUndefined();
    expect(await s.store.count()).toBe(3);
    expect(s.r.myVector()).toEqual({ global: { n1: 1, n2: 1 } });
    expect(await s.store.vector()).toEqual({ global: { n1: 1, n2: 1 } });
    expect(s.r.counters).toMatchObject({ applied: 3, duplicates: 0, failed: 1 });
    expect(s.warnings).toContain('applier failed; event not applied, the sender will retry it');
    // The batch once, then one transaction per event.
    expect(s.transactions()).toBe(1 + 4);

    // Sent again (the sender keeps it in its backlog): the others are duplicates now; fixed, it applies.
    await expect(s.r.receive(batch)).rejects.toThrow(/cannot apply this/);
    expect(s.r.counters).toMatchObject({ applied: 3, duplicates: 3, failed: 2 });
    await s.r.receive([ev(2)]);
    expect(s.r.myVector()).toEqual({ global: { n1: 3, n2: 1 } });
    expect(s.store.read('applied/global|n1|2')).toBe(1);
  });

  it('commits nothing and does not retry event by event when the store itself fails', async () => {
    const store = new MemoryReplicationStore();
    const s = setup(store);
    store.crash();
    await expect(s.r.receive([ev(1), ev(2)])).rejects.toThrow('store crashed');
    expect(s.transactions()).toBe(1);
    expect(s.r.counters).toMatchObject({ applied: 0, duplicates: 0, failed: 0 });
    expect(s.r.myVector()).toEqual({});
  });
});
