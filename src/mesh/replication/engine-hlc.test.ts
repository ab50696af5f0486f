// The engine keeps the hlc promise of DESIGN §3 (what a node stamps after
// seeing a stamp sorts after it) in the two cases the simulation found
// broken: right after a received event commits, and after a restart.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../lib/clock.js';
import { Replicator, type ReplicationTransport } from './engine.js';
import type { ReplEvent } from './event.js';
import { MemoryReplicationStore, type MemoryStoreData, type MemoryTx } from './memory-store.js';

const T = Date.UTC(2025, 5, 15, 12);

function clockAt(now: number): Clock {
  return { now: () => now, random: () => 0.5, setTimeout: () => ({ cancel: () => undefined }) };
}

const noTransport: ReplicationTransport = {
  events: () => Promise.reject(new Error('no network')),
  sync: () => Promise.reject(new Error('no network')),
};

function node(id: string, now: number, data?: MemoryStoreData): { r: Replicator<MemoryTx>; store: MemoryReplicationStore } {
  const store = new MemoryReplicationStore({ data });
  const r = new Replicator<MemoryTx>({
    nodeId: id,
    store,
    transport: noTransport,
    topology: { baseTopics: () => 'all', peers: () => [], peerHolds: () => true },
    clock: clockAt(now),
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
  });
  return { r, store };
}

async function emitOne(r: Replicator<MemoryTx>): Promise<ReplEvent> {
  return r.transaction((_tx, emit) => emit({ topic: 'global', type: 'kv.set', payload: {} }));
}

describe('Replicator hlc', () => {
  it('stamps a local write queued behind a received event after that event', async () => {
    const a = node('a', T + 5000);
    await a.r.start();
    const remote = await emitOne(a.r);

    const b = node('b', T);
    await b.r.start();
    // The write waits for the receive's transaction; it must not be stamped
    // in the moment between that commit and the clock following the stamp.
    const [, local] = await Promise.all([b.r.receive([remote]), emitOne(b.r)]);
    expect(local.hlc > remote.hlc).toBe(true);
    a.r.stop();
    b.r.stop();
  });

  it('stamps after the stamps it received before a restart, though its clock went back', async () => {
    const a = node('a', T + 5000);
    await a.r.start();
    const remote = await emitOne(a.r);

    const before = node('b', T);
    await before.r.start();
    await before.r.receive([remote]);
    before.r.stop();

    const after = node('b', T - 3000, before.store.crash());
    await after.r.start();
    const local = await emitOne(after.r);
    expect(local.hlc > remote.hlc).toBe(true);
    after.r.stop();
    a.r.stop();
  });

  it('does not follow a stamp beyond the drift limit after a restart either', async () => {
    const far = node('far', T + 10 * 60_000);
    await far.r.start();
    const remote = await emitOne(far.r);

    const before = node('b', T);
    await before.r.start();
    await before.r.receive([remote]);
    const after = node('b', T, before.store.crash());
    await after.r.start();
    const local = await emitOne(after.r);
    expect(local.hlc < remote.hlc).toBe(true);
    expect(local.hlc.startsWith(String(T).padStart(15, '0'))).toBe(true);
  });
});
