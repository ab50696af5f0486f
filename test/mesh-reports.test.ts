// A store heartbeats only its hub and its nearest region stores; what it does
// not watch itself it learns from the reports of those that do. Here each
// store watches one neighbour, so Far is watched by its hub alone: when Far is
// killed the other stores must still know it is dead within the bound, by
// report, and learn of its return the same way.
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { peersOf, TestNetwork, waitFor, type NodeHandle } from './harness/network.js';

const DETECTION_BOUND_MS = 5000;

describe('a region whose stores watch only their nearest neighbour', () => {
  const network = new TestNetwork({ heartbeatMs: 1000, backoffCapMs: 1000, pgliteTemplate: inject('pgliteTemplateDir') });
  let hub: NodeHandle;
  let near1: NodeHandle;
  let near2: NodeHandle;
  let far: NodeHandle;

  beforeAll(async () => {
    hub = await network.defineHub('C', 41.737, -111.8338, 'Logan Hub');
    near1 = await network.defineStore('C', 'Near One', 41.74, -111.83);
    near2 = await network.defineStore('C', 'Near Two', 41.741, -111.831);
    far = await network.defineStore('C', 'Far', 41.97, -111.85);
    await network.start(hub);
    const extra = { watchNeighbours: 1 };
    await Promise.all([network.start(near1, extra), network.start(near2, extra), network.start(far, extra)]);
    // Every store knows every region member, and has settled on its nearest neighbour, before the test begins.
    for (const s of [near1, near2]) {
      await waitFor(`${s.name} to know its region and watch its nearest store`, async () => {
        const peers = await peersOf(s);
        const names = new Set(peers.map((p) => p.name));
        const settled = ['Far', 'Near One', 'Near Two'].filter((n) => n !== s.name).every((n) => names.has(n));
        return settled && peers.find((p) => p.name === 'Far')?.source !== 'observed' ? true : undefined;
      });
    }
  }, 120_000);
  afterAll(() => network.stopAll());

  it('knows a store it does not watch is dead within the bound, by report, and sees its return', async () => {
    onTestFailed(() => console.log(network.logs()));
    const farId = (await peersOf(hub)).find((p) => p.name === 'Far')!.nodeId;
    for (const s of [near1, near2]) {
      const view = (await peersOf(s)).find((p) => p.nodeId === farId)!;
      expect(view.source).not.toBe('observed'); // nobody but the hub watches Far
    }
    const killedAt = Date.now();
    await far.proc!.kill();
    for (const s of [hub, near1, near2]) {
      const seenAt = await waitFor(`${s.name} to know Far is dead`, async () => {
        const p = (await peersOf(s)).find((x) => x.nodeId === farId);
        return p?.state === 'dead' ? Date.now() : undefined;
      }, 15_000, 100);
      console.log(`${s.name} knew Far was dead after ${seenAt - killedAt} ms`);
      expect(seenAt - killedAt).toBeLessThan(DETECTION_BOUND_MS);
    }
    expect((await peersOf(near1)).find((p) => p.nodeId === farId)?.source).toBe('reported');

    await network.start(far, { watchNeighbours: 1 });
    for (const s of [near1, near2]) {
      await waitFor(`${s.name} to see Far alive again`, async () => {
        const p = (await peersOf(s)).find((x) => x.nodeId === farId);
        return p?.state === 'alive' ? true : undefined;
      }, 15_000);
    }
  }, 60_000);

  it('sends a store heartbeats for its hub and one neighbour only', async () => {
    const watched = (await peersOf(near1)).filter((p) => p.source === 'observed').map((p) => p.name).sort();
    expect(watched).toEqual(['Logan Hub', 'Near Two']);
  });
});
