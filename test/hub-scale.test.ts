// A hub carrying a region of hundreds of stores (CI-sized; `npm run bench --
// membership --parts register --stores 5000 --settle 60` is the full one):
// real hub process, fake stores registering with join tokens and answering
// its heartbeats. Nothing the hub holds or sends may grow with the square of
// its region: registration replies stay the size of a neighbourhood, timers
// do not grow with the stores, RSS grows by a bounded amount per store and
// stays flat while the hub only heartbeats them, and every store stays alive.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prepareFakeStores, registerFakeStore, startResponder } from '../bench/lib/membership-register.js';
import { getJson, TestNetwork, type NodeHandle } from './harness/network.js';

const STORES = 300;

interface Status {
  memory: { rssBytes: number };
  handles: { timers: number; sockets: number };
  mesh: { peers: { role: string; state: string }[] };
}

describe(`a hub carrying ${STORES} stores`, () => {
  const network = new TestNetwork({ heartbeatMs: 1000, pgliteTemplate: inject('pgliteTemplateDir') });
  let hub: NodeHandle;
  beforeAll(async () => {
    hub = await network.defineHub('C', 41.737, -111.8338, 'Logan Hub');
    await network.start(hub);
  }, 60_000);
  afterAll(() => network.stopAll());

  it('answers with bounded replies, keeps its timers and memory from growing with the region, and keeps every store alive', async () => {
    const status = () => getJson<Status>(`${hub.url}/api/v1/node/status`);
    const responder = await startResponder(16);
    const fakes = prepareFakeStores(hub.dataDir, 'C', STORES);
    const before = await status();
    const replyBytes: number[] = [];
    for (let i = 0; i < STORES; i += 4) {
      replyBytes.push(...(await Promise.all(fakes.slice(i, i + 4).map((f, j) => registerFakeStore(hub.url, f, i + j, responder.urls, { lat: 41.737, lon: -111.8338 })))));
    }
    // A reply names the hubs and the joiner's neighbourhood: the last is no bigger than the 20th.
    expect(replyBytes.at(-1)!).toBeLessThan(replyBytes[19]! * 1.5);
    expect(replyBytes.at(-1)!).toBeLessThan(64 * 1024);

    const samples: Status[] = [];
    for (let s = 0; s < 4; s++) {
      await new Promise((r) => setTimeout(r, 3000));
      samples.push(await status());
    }
    const last = samples.at(-1)!;
    const alive = last.mesh.peers.filter((p) => p.role === 'store' && p.state === 'alive').length;
    expect(alive).toBe(STORES);
    // Timers: a fixed set of jobs, not one per store (nor one per heartbeat in flight piling up).
    expect(last.handles.timers - before.handles.timers, JSON.stringify(last.handles)).toBeLessThan(STORES / 4);
    const perStoreKiB = (last.memory.rssBytes - before.memory.rssBytes) / STORES / 1024;
    console.log(`hub with ${STORES} stores: last reply ${replyBytes.at(-1)} B, timers ${before.handles.timers}→${last.handles.timers}, RSS +${perStoreKiB.toFixed(1)} KiB a store, samples ${samples.map((x) => Math.round(x.memory.rssBytes / 2 ** 20)).join(', ')} MiB`);
    expect(perStoreKiB).toBeLessThan(400);
    // Flat while it only heartbeats: the last sample within 15 % of the first.
    expect(last.memory.rssBytes).toBeLessThan(samples[0]!.memory.rssBytes * 1.15);
  }, 120_000);
});
