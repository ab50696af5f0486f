// The SQL replication store, per database: a received batch is stored once
// per (topic, origin, seq) with few statements, the vector advances over
// what is held contiguously (also beyond a closed gap, and past one walk's
// page), and on PostgreSQL concurrent receivers of overlapping batches store
// and apply each event exactly once, with the vector never behind or ahead.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Database, type Tx } from '../../db/database.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../test/harness/databases.js';
import { describeEachDb, pgliteTemplate } from '../../../test/harness/test-node.js';
import { applyBatch } from './apply.js';
import type { ReplEvent } from './event.js';
import { SqlReplicationStore } from './sql-store.js';

function ev(seq: number, over: Partial<ReplEvent> = {}): ReplEvent {
  return { origin: 'n1', topic: 'global', seq, hlc: `000000000000${String(seq).padStart(3, '0')}-000000-n1`, type: 'kv.set', payload: { seq }, ...over };
}

const seqs = (events: readonly ReplEvent[]) => events.map((e) => `${e.topic}|${e.origin}|${e.seq}`);

describeEachDb('SqlReplicationStore.insertMany', (db) => {
  let database: Database;
  let scratch: ScratchDatabase | undefined;
  let store: SqlReplicationStore;
  let n = 0;
  /** A fresh origin per test: the tests share one database. */
  const origin = () => `o${++n}`;

  beforeAll(async () => {
    if (db === 'postgres') scratch = await createScratchDatabase();
    database = await openDatabase(scratch ? { kind: 'postgres', url: scratch.url } : { kind: 'pglite', template: pgliteTemplate() });
    await database.migrate();
    store = new SqlReplicationStore(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });

  const insertMany = (events: ReplEvent[]) => store.transaction((tx) => store.insertMany(tx, events, 7));

  it('stores each event once, returns the fresh ones in (topic, origin, seq) order with the vectors they moved', async () => {
    const a = origin();
    const b = origin();
    const first = await insertMany([ev(2, { origin: b }), ev(1, { origin: a }), ev(2, { origin: a }), ev(1, { origin: a }), ev(1, { origin: b, topic: 'region:C' })]);
    expect(seqs(first.fresh)).toEqual([`global|${a}|1`, `global|${a}|2`, `global|${b}|2`, `region:C|${b}|1`]);
    // b's global stream has a gap at 1: held, not counted.
    expect(first.vector).toEqual({ global: { [a]: 2 }, 'region:C': { [b]: 1 } });
    const again = await insertMany([ev(2, { origin: a }), ev(3, { origin: a }), ev(1, { origin: b })]);
    expect(seqs(again.fresh)).toEqual([`global|${a}|3`, `global|${b}|1`]);
    expect(again.vector).toEqual({ global: { [a]: 3, [b]: 2 } });
    expect((await store.vector(['global'])).global).toMatchObject({ [a]: 3, [b]: 2 });
    const [stored] = await store.range('global', a, 0, 1, 1);
    expect(stored).toMatchObject({ ...ev(1, { origin: a }), storedAt: 7 });
  });

  it('an all-duplicate batch changes nothing and reports no vector', async () => {
    const a = origin();
    await insertMany([ev(1, { origin: a }), ev(2, { origin: a })]);
    expect(await insertMany([ev(2, { origin: a }), ev(1, { origin: a })])).toEqual({ fresh: [], vector: {} });
    expect((await store.vector(['global'])).global?.[a]).toBe(2);
  });

  it('closes a gap over more events than one walk examines', async () => {
    const a = origin();
    const later = Array.from({ length: 2499 }, (_, i) => ev(i + 2, { origin: a }));
    for (let i = 0; i < later.length; i += 500) expect((await insertMany(later.slice(i, i + 500))).vector).toEqual({});
    expect((await insertMany([ev(1, { origin: a })])).vector).toEqual({ global: { [a]: 2500 } });
    expect((await store.vector(['global'])).global?.[a]).toBe(2500);
  });

  it('keeps its own seq counter: an emitted event does not move the vector twice', async () => {
    const me = origin();
    for (const expected of [1, 2]) {
      await store.transaction(async (tx: Tx) => {
        const seq = await store.nextSeq(tx, me, 'global');
        expect(seq).toBe(expected);
        expect(await store.insert(tx, ev(seq, { origin: me }), 0)).toBe(true);
      });
    }
    expect((await store.vector(['global'])).global?.[me]).toBe(2);
  });

  const receiveConcurrently = async (slices: ReplEvent[][]) => {
    const appliedTimes = new Map<string, number>();
    const appliers = new Map([
      [
        'kv.set',
        async (tx: Tx, e: ReplEvent) => {
          await tx.execute(`select pg_sleep(0.001)`); // widens the windows between the statements
          const key = `${e.topic}|${e.origin}|${e.seq}`;
          appliedTimes.set(key, (appliedTimes.get(key) ?? 0) + 1);
        },
      ],
    ]);
    const outcomes = await Promise.all(slices.map((s) => applyBatch(store, appliers, s, () => 1, () => undefined)));
    expect(outcomes.map((o) => o.error)).toEqual(outcomes.map(() => undefined));
    return { appliedTimes, applied: outcomes.reduce((sum, o) => sum + o.applied.length, 0) };
  };
  const streams = (a: string, b: string, n: number) => [
    ...Array.from({ length: n }, (_, i) => ev(i + 1, { origin: a })),
    ...Array.from({ length: n }, (_, i) => ev(i + 1, { origin: b, topic: 'region:C' })),
  ];

  it('applies each event exactly once under concurrent overlapping batches', async () => {
    const a = origin();
    const b = origin();
    const all = streams(a, b, 60);
    // Six receivers, each with an overlapping, shuffled slice: on PostgreSQL they run at once.
    const slices = Array.from({ length: 6 }, (_, k) => all.filter((_, i) => (i + k) % 3 !== 0).sort(() => Math.random() - 0.5));
    const { appliedTimes, applied } = await receiveConcurrently(slices);
    expect(applied).toBe(all.length);
    expect(appliedTimes.size).toBe(all.length);
    expect([...appliedTimes.values()].every((t) => t === 1)).toBe(true);
    const v = await store.vector(['global', 'region:C']);
    expect([v.global?.[a], v['region:C']?.[b]]).toEqual([60, 60]);
  });

  it('leaves no vector behind when concurrent batches fill each other’s gaps', async () => {
    for (let round = 0; round < 3; round++) {
      const a = origin();
      const b = origin();
      const all = streams(a, b, 30);
      // Disjoint, interleaved slices: each receiver's events need the others' to be contiguous.
      const { applied } = await receiveConcurrently(Array.from({ length: 5 }, (_, k) => all.filter((e) => e.seq % 5 === k)));
      expect(applied).toBe(all.length);
      const v = await store.vector(['global', 'region:C']);
      expect([v.global?.[a], v['region:C']?.[b]]).toEqual([30, 30]);
    }
  });
});
