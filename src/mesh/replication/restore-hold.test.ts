// A node restored from a backup holds its replicated writes until it has
// pulled from a peer that holds its own topic: otherwise its next write
// would reuse a sequence number its hub already holds under another event.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../lib/clock.js';
import { HttpError } from '../../http/errors.js';
import { Replicator, type ReplicationTransport } from './engine.js';
import { MemoryReplicationStore, type MemoryStoreData, type MemoryTx } from './memory-store.js';

const T = Date.UTC(2026, 11, 7, 12);
const realTimers: Clock = {
  now: () => T,
  random: () => 0.5,
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined };
const offline: ReplicationTransport = { events: () => Promise.reject(new Error('offline')), sync: () => Promise.reject(new Error('offline')) };

function replicator(id: string, store: MemoryReplicationStore, transport = offline, peers: string[] = []) {
  return new Replicator<MemoryTx>({ nodeId: id, store, transport, topology: { baseTopics: () => 'all', peers: () => peers, peerHolds: () => true }, clock: realTimers, log: quiet });
}
const write = (r: Replicator<MemoryTx>, n: number) => r.transaction((_tx, emit) => emit({ topic: 'node:s', type: 'kv.set', payload: { n } }));

describe('a node restored from a backup', () => {
  it('refuses replicated writes until it has pulled its own later events from its hub, then continues after them', async () => {
    const store = new MemoryReplicationStore();
    const s = replicator('s', store);
    await s.start();
    for (const n of [1, 2]) await write(s, n);
    const backup: MemoryStoreData = store.committed();
    const later = [await write(s, 3), await write(s, 4)];
    s.stop();
    const hub = replicator('h', new MemoryReplicationStore());
    await hub.start();
    await hub.receive(later.concat([]));
    // The hub holds 3 and 4 only after 1 and 2: give it those too, as it would have them.
    const first = await new MemoryReplicationStore({ data: backup }).range('node:s', 's', 0, 2, 10);
    await hub.receive(first.map(({ storedAt: _s, ...e }) => e));
    expect(hub.myVector()['node:s']).toEqual({ s: 4 });

    let caughtUp = false;
    const restored = replicator('s', new MemoryReplicationStore({ data: backup }), { events: async () => ({ vector: {} }), sync: (_peer, req) => hub.serveSync('s', req) }, ['h']);
    restored.holdWritesUntilCaughtUp(() => (caughtUp = true));
    const refused = await write(restored, 99).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).code).toBe('unavailable');
    await restored.start();
    for (let i = 0; i < 100 && !caughtUp; i++) await new Promise((r) => setTimeout(r, 10));
    expect(caughtUp).toBe(true);
    const next = await write(restored, 5);
    expect(next.seq).toBe(5);
    restored.stop();
    hub.stop();
  });
});
