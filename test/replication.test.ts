// Replication between real `codepop node` processes on loopback (DESIGN §3),
// with announcements as the write path (each POST is one committed change
// with its event; PATCH edits merge per field, last writer wins by hlc):
// a global announcement crosses regions through the hubs; writes on both
// sides of a partition converge after it heals; kill -9 in the middle of a
// stream of writes loses no acknowledged change and doubles none; a store
// offline for a long stretch catches up by its own anti-entropy pulls; a
// brand-new store bootstraps from a snapshot.
//
// Every node is reachable by its peers only through its own proxy
// (NodeHandle.peerUrl: its public URL, and the hub URLs in hub lists and join
// tokens), so a test can cut links: a proxy refuses the signed peer requests
// of the nodes on the other side of a partition, or every request. The test
// itself talks to each node directly.
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { ReplEvent } from '../src/mesh/replication/event.js';
import type { VersionVector } from '../src/mesh/replication/vector.js';
import { loadOrCreateIdentity } from '../src/core/identity.js';
import { startJitterProxy, type JitterProxy } from './harness/jitter-proxy.js';
import { TestNetwork, waitFor, type NodeHandle } from './harness/network.js';
import {
  announcementIdOf,
  announcementsOf,
  editAnnouncement,
  eventsIn,
  peerClientOf,
  publish,
  replicationOf,
  snapshotOf,
  vectorOf,
  type Announcement,
} from './harness/replication.js';

const REGION_TOPICS = ['global', 'region:C'] as const;
const CONVERGE_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const byId = (items: Announcement[]) => [...items].sort((a, b) => a.announcementId.localeCompare(b.announcementId));
const globalOnly = (items: Announcement[]) => byId(items.filter((a) => a.scope === 'global'));

describe('replication across a hub, three stores of region C and a second region', () => {
  const network = new TestNetwork({ heartbeatMs: 1000, backoffCapMs: 1000, pgliteTemplate: inject('pgliteTemplateDir') });
  const proxies = new Map<NodeHandle, JitterProxy>();
  const ids = new Map<NodeHandle, string>();
  let hubC: NodeHandle;
  let hubB: NodeHandle;
  let logan: NodeHandle;
  let brigham: NodeHandle;
  let ogden: NodeHandle;
  let jersey: NodeHandle;
  let regionC: NodeHandle[];
  let all: NodeHandle[];

  const printLogs = () => console.log(`node logs:\n${network.logs()}`);
  beforeEach(({ onTestFailed }) => onTestFailed(printLogs));
  // A test that fails with a link cut must not leave it cut for the next one.
  afterEach(() => {
    for (const p of proxies.values()) p.unblock();
  });
  const id = (n: NodeHandle) => ids.get(n)!;
  const proxy = (n: NodeHandle) => proxies.get(n)!;

  /** Puts a node behind its own proxy (0 ms delay): the only way its peers reach it. */
  async function behindProxy(node: NodeHandle): Promise<void> {
    const p = await startJitterProxy({ target: node.url, baseMs: 0, jitterMs: 0 });
    proxies.set(node, p);
    node.peerUrl = p.url;
  }

  /** Polls until every node answers the same list of announcements (by `pick`); returns it. */
  function sameEverywhere(what: string, nodes: NodeHandle[], pick: (items: Announcement[]) => Announcement[] = byId, timeoutMs = CONVERGE_MS) {
    return waitFor(
      what,
      async () => {
        const lists = await Promise.all(nodes.map(async (n) => pick(await announcementsOf(n))));
        const first = JSON.stringify(lists[0]);
        return lists.every((l) => JSON.stringify(l) === first) ? lists[0] : undefined;
      },
      timeoutMs,
      250,
    );
  }

  /** Polls until every node's vector for `topics` equals `reference`'s; returns it. */
  function sameVector(what: string, reference: NodeHandle, nodes: NodeHandle[], topics: readonly string[], timeoutMs = CONVERGE_MS) {
    return waitFor(
      what,
      async () => {
        const [ref, ...others] = await Promise.all([reference, ...nodes].map(async (n) => vectorOf((await replicationOf(n)).replication.vector, topics)));
        return others.every((v) => JSON.stringify(v) === JSON.stringify(ref)) ? (ref as VersionVector) : undefined;
      },
      timeoutMs,
      250,
    );
  }

  beforeAll(async () => {
    try {
      hubC = await network.defineHub('C', 41.737, -111.8338, 'Logan Hub');
      hubB = await network.defineHub('B', 40.7357, -74.1724, 'Newark Hub');
      logan = await network.defineStore('C', 'Logan North', 41.76, -111.815);
      brigham = await network.defineStore('C', 'Brigham City', 41.5102, -112.0155);
      ogden = await network.defineStore('C', 'Ogden', 41.223, -111.9738);
      jersey = await network.defineStore('B', 'Jersey City', 40.7178, -74.0431);
      regionC = [hubC, logan, brigham, ogden];
      all = [...regionC, hubB, jersey];
      for (const n of all) await behindProxy(n);
      await Promise.all([network.start(hubC), network.start(hubB)]);
      await Promise.all([logan, brigham, ogden, jersey].map((s) => network.start(s)));
      for (const n of all) ids.set(n, loadOrCreateIdentity(n.dataDir).nodeId);
      // Replication runs with the peers a node watches: wait until each has all of its own.
      const expected = new Map<NodeHandle, NodeHandle[]>([
        [hubC, [hubB, logan, brigham, ogden]],
        [hubB, [hubC, jersey]],
        [jersey, [hubB]],
        ...[logan, brigham, ogden].map((s): [NodeHandle, NodeHandle[]] => [s, regionC.filter((o) => o !== s)]),
      ]);
      for (const [n, peers] of expected) {
        await waitFor(`${n.name} to replicate with its peers`, async () => {
          const have = new Set((await replicationOf(n)).replication.peers.map((p) => p.peer));
          return peers.every((p) => have.has(id(p))) ? true : undefined;
        });
      }
    } catch (err) {
      printLogs();
      throw err;
    }
  }, 90_000);

  afterAll(async () => {
    await network.stopAll();
    await Promise.all([...proxies.values()].map((p) => p.close()));
    rmSync(network.dir, { recursive: true, force: true });
  });

  it('a global announcement made at a store reaches both regions through the hubs; a region one stays in its region', async () => {
    const global = await publish(logan, { scope: 'global', title: 'Mango Fizz', body: 'launches Monday' });
    const region = await publish(brigham, { scope: 'region', title: 'Canyon road closed', body: 'deliveries late' });
    await sameEverywhere('the global announcement everywhere', all, (items) => items.filter((a) => a.announcementId === global.announcementId));
    const seen = await announcementsOf(jersey);
    expect(seen.find((a) => a.announcementId === global.announcementId)).toEqual(global);
    await sameEverywhere('the region announcement in region C', regionC, (items) => items.filter((a) => a.announcementId === region.announcementId));
    // A store of region B holds no region-C topic at all (hubs do: they hold every topic).
    const jerseyVector = (await replicationOf(jersey)).replication.vector;
    expect(Object.keys(jerseyVector)).not.toContain('region:C');
    expect(seen.some((a) => a.announcementId === region.announcementId)).toBe(false);
  });

  it('writes on both sides of a partition converge after it heals; a same-field conflict has one winner everywhere', async () => {
    const x = await publish(hubC, { scope: 'global', title: 'Summer menu', body: 'from June' });
    const y = await publish(ogden, { scope: 'region', title: 'Parking lot repaving', body: 'Tuesday' });
    await sameEverywhere('x and y in region C', regionC);

    // The cut: side A = hub C, Logan North and region B; side B = Brigham City and Ogden. Each node's proxy
    // refuses the peer requests (replication, heartbeats, reports, probes) signed by a node of the other side,
    // both directions; each side still talks to itself. The test's own requests go to the nodes directly.
    const sideA = [hubC, logan, hubB, jersey];
    const sideB = [brigham, ogden];
    for (const n of sideA) proxy(n).block(sideB.map(id));
    for (const n of sideB) proxy(n).block(sideA.map(id));

    // Side B writes first, side A later: every node runs on this machine's clock, so side A's hlc is greater.
    await editAnnouncement(brigham, x.announcementId, { title: 'Summer menu (side B)', body: 'from June 1st (side B)' });
    await editAnnouncement(ogden, y.announcementId, { title: 'Parking lot repaving (side B)' });
    const madeOnB = await publish(ogden, { scope: 'region', title: 'Made on side B', body: 'while cut off' });
    await sleep(50);
    await editAnnouncement(logan, x.announcementId, { title: 'Summer menu (side A)' });
    await editAnnouncement(hubC, y.announcementId, { retracted: true });
    const madeOnA = await publish(jersey, { scope: 'global', title: 'Made on side A', body: 'in region B' });

    // Each side converges within itself and sees nothing of the other.
    const onB = await sameEverywhere('side B to agree', sideB);
    const onA = await sameEverywhere('side A of region C to agree', [hubC, logan]);
    await sameEverywhere('side A to agree on global', sideA, globalOnly);
    expect(onB.map((a) => a.announcementId)).not.toContain(madeOnA.announcementId);
    expect(onA.map((a) => a.announcementId)).not.toContain(madeOnB.announcementId);
    expect(onB.find((a) => a.announcementId === x.announcementId)?.title).toBe('Summer menu (side B)');
    expect(onB.find((a) => a.announcementId === y.announcementId)?.retracted).toBe(false);
    expect(onA.find((a) => a.announcementId === x.announcementId)?.title).toBe('Summer menu (side A)');
    expect(onA.find((a) => a.announcementId === y.announcementId)).toMatchObject({ title: 'Parking lot repaving', retracted: true });
    // The cut was tried and held, both ways (region B's nodes have no link to side B at all).
    for (const n of regionC) expect(proxy(n).refused, `${n.name}'s proxy refused the other side`).toBeGreaterThan(0);

    const healedAt = Date.now();
    for (const n of all) proxy(n).unblock();
    const final = await sameEverywhere('region C to agree after the heal', regionC);
    await sameEverywhere('every node to agree on global after the heal', all, globalOnly);
    await sameEverywhere('region B to agree after the heal', [hubB, jersey]);
    await sameVector('equal vectors in region C', hubC, [logan, brigham, ogden], REGION_TOPICS);
    console.log(`partition healed: every node agreed ${Date.now() - healedAt} ms after the cut was lifted`);

    // Same field (title): the later write wins; different fields (body, retracted) both survive.
    expect(final.find((a) => a.announcementId === x.announcementId)).toMatchObject({ title: 'Summer menu (side A)', body: 'from June 1st (side B)' });
    expect(final.find((a) => a.announcementId === y.announcementId)).toMatchObject({ title: 'Parking lot repaving (side B)', body: 'Tuesday', retracted: true });
    expect(final.map((a) => a.announcementId)).toEqual(expect.arrayContaining([madeOnA.announcementId, madeOnB.announcementId]));
  }, 60_000);

  it('kill -9 in the middle of a stream of writes loses no acknowledged change and doubles none after restart', async () => {
    const total = 120;
    const title = (i: number) => `stream #${String(i).padStart(3, '0')}`;
    const acked = new Set<string>();
    let issued = 0;
    let killed: Promise<unknown> | undefined;
    const worker = async () => {
      while (issued < total && !killed) {
        const i = issued++;
        try {
          const a = await publish(logan, { scope: 'global', title: title(i), body: 'one of a stream' });
          acked.add(a.announcementId);
          if (acked.size >= 40 && !killed) killed = logan.proc!.kill(); // SIGKILL, with writes in flight
        } catch {
          // in flight at the kill: committed or not, but not acknowledged
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    await killed;
    const ackedIds = [...acked];
    await network.start(logan);

    // At the store: its events on global are exactly 1..k, each announcement of the stream has exactly one event,
    // and the stream's events and the stream's rows are the same set (no change without its event, nor the reverse).
    const k = (await replicationOf(logan)).replication.vector.global?.[id(logan)] ?? 0;
    const snap = await snapshotOf(peerClientOf(hubC), logan, ['global']);
    expect(snap.more).toBe(false);
    const own = snap.events.filter((e) => e.origin === id(logan)).sort((a, b) => a.seq - b.seq);
    expect(own.map((e) => e.seq)).toEqual(Array.from({ length: k }, (_, i) => i + 1));
    const streamEvents = own.filter((e) => String((e.payload as { fields: { title?: unknown } }).fields.title ?? '').startsWith('stream #'));
    const eventIds = streamEvents.map(announcementIdOf);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    const streamAt = (items: Announcement[]) => items.filter((a) => a.title.startsWith('stream #')).map((a) => a.announcementId).sort();
    const committed = streamAt(await announcementsOf(logan));
    expect(committed).toEqual([...eventIds].sort());
    expect(committed).toEqual(expect.arrayContaining(ackedIds));
    expect(committed.length).toBeLessThanOrEqual(issued);
    console.log(`kill -9 after ${ackedIds.length} acknowledged of ${issued} issued writes; ${committed.length} committed; events 1..${k} at the store`);

    // Everywhere else: the same stream, each once, and the store's vector entry.
    for (const n of all.filter((n) => n !== logan)) {
      await waitFor(
        `${n.name} to hold the stream`,
        async () => ((await replicationOf(n)).replication.vector.global?.[id(logan)] === k ? true : undefined),
        CONVERGE_MS,
        250,
      );
      const titles = (await announcementsOf(n)).filter((a) => a.title.startsWith('stream #')).map((a) => a.title);
      expect(new Set(titles).size, `${n.name} holds each stream announcement once`).toBe(titles.length);
      expect(streamAt(await announcementsOf(n)), `${n.name} holds the stream`).toEqual(committed);
    }
    // The events themselves: the hub holds the store's very events (seq → announcement), not others under the same numbers.
    const ofLogan = (events: ReplEvent[]) => events.filter((e) => e.origin === id(logan)).map((e) => `${e.seq}:${announcementIdOf(e)}`).sort();
    expect(ofLogan((await snapshotOf(peerClientOf(hubB), hubC, ['global'])).events)).toEqual(ofLogan(own));
    // And the store goes on counting after the crash: its next event is k + 1, and it travels.
    await publish(logan, { scope: 'global', title: 'after the restart', body: 'seq goes on' });
    expect((await replicationOf(logan)).replication.vector.global?.[id(logan)]).toBe(k + 1);
    await waitFor('the hub to hold the next event', async () => ((await replicationOf(hubC)).replication.vector.global?.[id(logan)] === k + 1 ? true : undefined), CONVERGE_MS, 250);
  }, 60_000);

  it('a store offline for a long stretch catches up by its own anti-entropy pulls alone', async () => {
    await ogden.proc!.stop(5000); // SIGTERM
    const writers = [hubC, logan, brigham];
    let next = 0;
    // More than one sync page (200 events): the catch-up takes several. Mostly region C, so region B is not loaded for nothing.
    const total = 240;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        await publish(writers[i % writers.length]!, { scope: i % 4 === 0 ? 'global' : 'region', title: `while Ogden was away #${i}`, body: 'x' });
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    const target = await sameVector('the others to agree while Ogden is away', hubC, [logan, brigham], REGION_TOPICS);

    // No peer can push to Ogden: its proxy refuses everything. Whatever it gets, it fetched itself (sync).
    proxy(ogden).block();
    const forwardedBefore = proxy(ogden).forwarded;
    const refusedBefore = proxy(ogden).refused;
    const before = await replicationOf(hubC);
    const restartedAt = Date.now();
    await network.start(ogden);
    const caughtUp = await sameVector('Ogden to catch up', hubC, [ogden], REGION_TOPICS, 45_000);
    console.log(`Ogden caught up with ${eventsIn(target)} events in ${Date.now() - restartedAt} ms after its restart began, by pulling`);
    expect(caughtUp).toEqual(target);
    expect(proxy(ogden).forwarded).toBe(forwardedBefore);
    expect(proxy(ogden).refused, 'peers tried to reach Ogden meanwhile').toBeGreaterThan(refusedBefore);
    const status = await replicationOf(ogden);
    expect(status.replication.applied).toBeGreaterThanOrEqual(total);
    expect(eventsIn(vectorOf(before.replication.vector, REGION_TOPICS))).toBe(eventsIn(target));
    // The same events as the hub, and the same newest 200 announcements.
    const client = peerClientOf(hubC);
    const keys = async (n: NodeHandle) => (await snapshotOf(client, n, REGION_TOPICS)).events.map((e) => `${e.topic}|${e.origin}|${e.seq}`).sort();
    expect(await keys(ogden)).toEqual(await keys(hubC));
    expect(await announcementsOf(ogden)).toEqual(await announcementsOf(hubC));
    proxy(ogden).unblock();
  }, 90_000);

  it('a brand-new store bootstraps from a snapshot: it holds every announcement of its topics', async () => {
    const tremonton = await network.defineStore('C', 'Tremonton', 41.7116, -112.1655);
    await behindProxy(tremonton);
    const startedAt = Date.now();
    await network.start(tremonton); // a fresh join token: a new identity, an empty database
    const vector = await sameVector('the new store to hold everything', hubC, [tremonton], REGION_TOPICS, 45_000);
    console.log(`a new store held all ${eventsIn(vector)} events ${Date.now() - startedAt} ms after its start began`);
    expect(await announcementsOf(tremonton)).toEqual(await announcementsOf(hubC));

    // The snapshot itself: the hub's vector for the topics and every event up to it.
    const client = peerClientOf(tremonton);
    const snap = await snapshotOf(client, hubC, REGION_TOPICS);
    expect(vectorOf(snap.vector, REGION_TOPICS)).toEqual(vector);
    expect(snap.more).toBe(false);
    expect(snap.events).toHaveLength(eventsIn(vector));
    for (const e of snap.events) expect(e.seq).toBeLessThanOrEqual(vector[e.topic]?.[e.origin] ?? 0);
    expect(new Set(snap.events.map((e) => `${e.topic}|${e.origin}|${e.seq}`)).size).toBe(snap.events.length);
    // Paged: a first page is a prefix of each origin's stream, and says there is more.
    const page = await snapshotOf(client, hubC, REGION_TOPICS, 100);
    expect(page.events).toHaveLength(100);
    expect(page.more).toBe(true);
    const seen = new Map<string, number>();
    for (const e of page.events) {
      const key = `${e.topic}|${e.origin}`;
      expect(e.seq, `${key} continues without a gap`).toBe((seen.get(key) ?? 0) + 1);
      seen.set(key, e.seq);
    }
  }, 60_000);
});
