// Hubs helping each other, between real node processes. Stock sent between
// hubs leaves the sender's ledger when sent and enters the receiver's when
// counted in; the sender sees what came short; a hub farther than 1,000
// miles is refused, as is more than the sender has, and nothing moves. A
// neighbouring hub covers what a store's own hub back-ordered: its own
// request, approved and delivered by that hub, counted in by the store.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getJson, OPERATOR_TOKEN, TestNetwork, waitFor, type NodeHandle } from './harness/network.js';

async function send<T>(url: string, method: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

interface Transfer {
  transferId: string;
  status: string;
  miles: number;
  shortUnits: number;
}

describe('transfers between hubs', () => {
  const network = new TestNetwork({ heartbeatMs: 1000, backoffCapMs: 2000, pgliteTemplate: inject('pgliteTemplateDir') });
  let logan: NodeHandle;
  let boise: NodeHandle;
  let dallas: NodeHandle;
  let store: NodeHandle;
  let main: NodeHandle;
  let boiseStore: NodeHandle;
  const ids: Record<string, string> = {};
  const onHand = async (hub: NodeHandle, itemId: string) =>
    (await send<{ items: { itemId: string; onHand: number }[] }>(`${hub.url}/api/v1/hubs/${ids[hub.name]}/inventory`, 'GET')).body.items.find((i) => i.itemId === itemId)?.onHand ?? 0;

  beforeAll(async () => {
    logan = await network.defineHub('C', 41.737, -111.8338, 'Logan Hub');
    boise = await network.defineHub('G', 43.615, -116.2023, 'Boise Hub');
    dallas = await network.defineHub('D', 32.7767, -96.797, 'Dallas Hub');
    store = await network.defineStore('C', 'Logan West', 41.734, -111.86);
    for (const h of [logan, boise, dallas]) await network.start(h);
    main = await network.defineStore('C', 'Logan Main Street', 41.737, -111.8338);
    boiseStore = await network.defineStore('G', 'Boise Downtown', 43.6166, -116.2008);
    await Promise.all([network.start(store), network.start(main), network.start(boiseStore)]);
    for (const s of [store, main, boiseStore]) ids[s.name] = (await getJson<{ storeId: string }>(`${s.url}/api/v1/node`)).storeId;
    ids.store = ids[store.name]!;
    for (const h of [logan, boise, dallas]) ids[h.name] = (await getJson<{ nodeId: string }>(`${h.url}/api/v1/node`)).nodeId;
    expect((await send(`${logan.url}/api/v1/catalog/default`, 'POST', {})).status).toBe(200);
    await waitFor('Logan to know the other hubs and the catalog to reach Boise', async () => {
      const regions = await getJson<{ items: { code: string; hub: { nodeId: string } | null }[] }>(`${logan.url}/api/v1/regions`);
      const known = regions.items.filter((r) => r.hub).length;
      const items = await getJson<{ items: unknown[] }>(`${boise.url}/api/v1/ingredients`);
      return known >= 3 && items.items.length > 10 ? true : undefined;
    }, 40_000);
    expect((await send(`${logan.url}/api/v1/hubs/${ids[logan.name]}/inventory/transactions`, 'POST', { type: 'receipt', itemId: 'syrup-cherry', quantity: 100 })).status).toBe(201);
  }, 90_000);

  afterAll(() => network.stopAll());

  it('sends stock to a hub within 1,000 miles; the receiver counts it in and the sender sees what came short', async () => {
    const sent = await send<Transfer>(`${logan.url}/api/v1/hub-transfers`, 'POST', { toHubId: ids[boise.name], lines: [{ itemId: 'syrup-cherry', quantity: 30 }], notes: 'Boise is short' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body).toMatchObject({ status: 'IN_TRANSIT', toRegion: 'G' });
    expect(sent.body.miles).toBeGreaterThan(200);
    expect(await onHand(logan, 'syrup-cherry')).toBe(70);
    await waitFor('Boise to see it coming', async () => {
      const incoming = await send<{ items: Transfer[] }>(`${boise.url}/api/v1/hub-transfers?direction=in`, 'GET');
      return incoming.body.items.some((t) => t.transferId === sent.body.transferId) ? true : undefined;
    }, 20_000);
    const tooMany = await send<{ errors: { field: string }[] }>(`${boise.url}/api/v1/hub-transfers/${sent.body.transferId}/receive`, 'POST', { lines: [{ itemId: 'syrup-cherry', received: 31 }] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors.map((e) => e.field)).toEqual(['body.lines.0.received']);
    const got = await send<Transfer>(`${boise.url}/api/v1/hub-transfers/${sent.body.transferId}/receive`, 'POST', { lines: [{ itemId: 'syrup-cherry', received: 28 }] });
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    expect(got.body).toMatchObject({ status: 'RECEIVED', shortUnits: 2 });
    expect(await onHand(boise, 'syrup-cherry')).toBe(28);
    expect((await send(`${boise.url}/api/v1/hub-transfers/${sent.body.transferId}/receive`, 'POST', { lines: [{ itemId: 'syrup-cherry', received: 28 }] })).status).toBe(409);
    await waitFor('Logan to see it counted in, two short', async () => {
      const out = await send<{ items: Transfer[] }>(`${logan.url}/api/v1/hub-transfers?direction=out`, 'GET');
      const t = out.body.items.find((x) => x.transferId === sent.body.transferId);
      return t?.status === 'RECEIVED' && t.shortUnits === 2 ? true : undefined;
    }, 20_000);
  });

  it('refuses a hub over 1,000 miles away, and more than the sender has, moving nothing', async () => {
    const far = await send<{ errors: { field: string; message: string }[] }>(`${logan.url}/api/v1/hub-transfers`, 'POST', { toHubId: ids[dallas.name], lines: [{ itemId: 'syrup-cherry', quantity: 1 }] });
    expect(far.status).toBe(400);
    expect(far.body.errors[0]).toMatchObject({ field: 'body.toHubId' });
    expect(far.body.errors[0]!.message).toMatch(/^10\d\d\.\d miles away/);
    const tooMuch = await send<{ code: string }>(`${logan.url}/api/v1/hub-transfers`, 'POST', { toHubId: ids[boise.name], lines: [{ itemId: 'syrup-cherry', quantity: 71 }] });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.code).toBe('stock_below_zero');
    expect(await onHand(logan, 'syrup-cherry')).toBe(70);
    const self = await send(`${logan.url}/api/v1/hub-transfers`, 'POST', { toHubId: ids[logan.name], lines: [{ itemId: 'syrup-cherry', quantity: 1 }] });
    expect(self.status).toBe(400);
  });

  it("has a neighbouring hub cover what the store's own hub back-ordered, delivered by that hub and counted in by the store", async () => {
    const hubStock = async (hub: NodeHandle, itemId: string, quantity: number) =>
      expect((await send(`${hub.url}/api/v1/hubs/${ids[hub.name]}/inventory/transactions`, 'POST', { type: 'receipt', itemId, quantity })).status).toBe(201);
    await hubStock(logan, 'syrup-vanilla', 5);
    await hubStock(boise, 'syrup-vanilla', 50);
    await waitFor('the store to hold the catalog and know its hub', async () => {
      const items = await getJson<{ items: unknown[] }>(`${store.url}/api/v1/ingredients`);
      const status = await getJson<{ mesh: { registered: boolean } }>(`${store.url}/api/v1/node/status`);
      return status.mesh.registered && items.items.length > 10 ? true : undefined;
    }, 30_000);
    const asked = await send<{ requestId: string }>(`${store.url}/api/v1/stores/${ids.store}/supply-requests`, 'POST', { items: [{ itemId: 'syrup-vanilla', quantity: 20 }], urgency: 'URGENT' });
    expect(asked.status).toBe(201);
    const id = asked.body.requestId;
    await waitFor('Logan to hold the request', async () => ((await send(`${logan.url}/api/v1/supply-requests/${id}`, 'GET')).status === 200 ? true : undefined), 20_000);
    expect((await send(`${logan.url}/api/v1/supply-requests/${id}/approve`, 'POST', { partial: true })).status).toBe(200);

    const far = await send<{ errors: { field: string; message: string }[] }>(`${logan.url}/api/v1/supply-requests/${id}/cover`, 'POST', { hubId: ids[dallas.name] });
    expect(far.status).toBe(400);
    expect(far.body.errors[0]!.message).toContain('miles from the store');
    const covered = await send<{ request: { coveredBy: string }; cover: { requestId: string; items: { itemId: string; quantity: number }[] } }>(`${logan.url}/api/v1/supply-requests/${id}/cover`, 'POST', { hubId: ids[boise.name] });
    expect(covered.status, JSON.stringify(covered.body)).toBe(200);
    expect(covered.body.cover.items).toEqual([{ itemId: 'syrup-vanilla', quantity: 15 }]);
    expect(covered.body.request.coveredBy).toBe(covered.body.cover.requestId);
    expect((await send(`${logan.url}/api/v1/supply-requests/${id}/cover`, 'POST', { hubId: ids[boise.name] })).status).toBe(409);
    const coverId = covered.body.cover.requestId;

    await waitFor('Boise to hold the covering request', async () => ((await send(`${boise.url}/api/v1/supply-requests/${coverId}`, 'GET')).status === 200 ? true : undefined), 20_000);
    expect((await send(`${boise.url}/api/v1/supply-requests/${coverId}/approve`, 'POST', {})).status).toBe(200);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const planned = await send<{ deliveryId: string; route: { miles: number } }>(`${boise.url}/api/v1/deliveries`, 'POST', { requestIds: [coverId], scheduledDate: tomorrow, driver: 'Ines' });
    expect(planned.status, JSON.stringify(planned.body)).toBe(201);
    expect(planned.body.route.miles).toBeGreaterThan(400);
    expect((await send(`${boise.url}/api/v1/deliveries/${planned.body.deliveryId}/dispatch`, 'POST')).status).toBe(200);

    await waitFor('the store to see both requests and the delivery from Boise', async () => {
      const mine = await send<{ items: { requestId: string; status: string }[] }>(`${store.url}/api/v1/stores/${ids.store}/supply-requests`, 'GET');
      const trips = await send<{ items: { deliveryId: string }[] }>(`${store.url}/api/v1/deliveries`, 'GET');
      const cover = mine.body.items.find((r) => r.requestId === coverId);
      return cover?.status === 'IN_TRANSIT' && mine.body.items.some((r) => r.requestId === id) && trips.body.items.some((d) => d.deliveryId === planned.body.deliveryId) ? true : undefined;
    }, 30_000);
    const counted = await send<{ status: string }>(`${store.url}/api/v1/deliveries/${planned.body.deliveryId}/receipt`, 'POST', { lines: [{ itemId: 'syrup-vanilla', received: 15 }] });
    expect(counted.status, JSON.stringify(counted.body)).toBe(200);
    expect(counted.body.status).toBe('DELIVERED');
    await waitFor("Boise to complete its delivery", async () => ((await send<{ status: string }>(`${boise.url}/api/v1/deliveries/${planned.body.deliveryId}`, 'GET')).body.status === 'COMPLETED' ? true : undefined), 30_000);
    expect((await send<{ status: string; coveredBy: string }>(`${store.url}/api/v1/supply-requests/${id}`, 'GET')).body).toMatchObject({ status: 'APPROVED', coveredBy: coverId });
  }, 120_000);

  it('lends stock between stores within 100 miles, approved by the sending store, counted in by the asking one', async () => {
    const [west, westId, mainId] = [store, ids[store.name]!, ids[main.name]!];
    const onHandAt = async (s: NodeHandle, itemId: string) => (await send<{ onHand?: number }>(`${s.url}/api/v1/stores/${ids[s.name]}/inventory/${itemId}`, 'GET')).body.onHand ?? 0;
    await waitFor('both stores to know each other and hold the catalog', async () => {
      const a = await send(`${west.url}/api/v1/stores/${mainId}`, 'GET');
      const b = await send(`${west.url}/api/v1/stores/${ids[boiseStore.name]}`, 'GET');
      const items = await getJson<{ items: unknown[] }>(`${main.url}/api/v1/ingredients`);
      return a.status === 200 && b.status === 200 && items.items.length > 10 ? true : undefined;
    }, 40_000);
    expect((await send(`${main.url}/api/v1/stores/${mainId}/inventory/transactions`, 'POST', { type: 'receipt', itemId: 'syrup-mint', quantity: 20 })).status).toBe(201);
    const westBefore = await onHandAt(west, 'syrup-mint');

    const far = await send<{ errors: { field: string; message: string }[] }>(`${west.url}/api/v1/stores/${westId}/transfers`, 'POST', { fromStoreId: ids[boiseStore.name], lines: [{ itemId: 'syrup-mint', quantity: 1 }] });
    expect(far.status).toBe(400);
    expect(far.body.errors[0]!.message).toContain('miles away');
    const asked = await send<{ transferId: string; status: string; miles: number }>(`${west.url}/api/v1/stores/${westId}/transfers`, 'POST', { fromStoreId: mainId, lines: [{ itemId: 'syrup-mint', quantity: 8 }], notes: 'out of mint' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    expect(asked.body.status).toBe('PENDING');
    expect(asked.body.miles).toBeLessThan(5);
    const id = asked.body.transferId;
    await waitFor('Main Street to see the ask', async () => ((await send<{ items: { transferId: string }[] }>(`${main.url}/api/v1/stores/${mainId}/transfers`, 'GET')).body.items.some((t) => t.transferId === id) ? true : undefined), 20_000);
    // Only the sending store approves, and only the asking store counts in.
    expect((await send(`${west.url}/api/v1/store-transfers/${id}/approve`, 'POST')).status).toBe(404);
    expect((await send(`${main.url}/api/v1/store-transfers/${id}/approve`, 'POST')).status).toBe(200);
    expect(await onHandAt(main, 'syrup-mint')).toBe(12);
    await waitFor('West to see it on its way', async () => ((await send<{ status: string }>(`${west.url}/api/v1/stores/${westId}/transfers`, 'GET')).body as unknown as { items: { transferId: string; status: string }[] }).items.find((t) => t.transferId === id)?.status === 'IN_TRANSIT' ? true : undefined, 20_000);
    const got = await send<{ status: string }>(`${west.url}/api/v1/store-transfers/${id}/receive`, 'POST', { lines: [{ itemId: 'syrup-mint', received: 8 }] });
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    expect(got.body.status).toBe('RECEIVED');
    expect(await onHandAt(west, 'syrup-mint')).toBe(westBefore + 8);

    const greedy = await send<{ transferId: string }>(`${west.url}/api/v1/stores/${westId}/transfers`, 'POST', { fromStoreId: mainId, lines: [{ itemId: 'syrup-mint', quantity: 100 }] });
    await waitFor('Main Street to see the second ask', async () => ((await send<{ items: { transferId: string }[] }>(`${main.url}/api/v1/stores/${mainId}/transfers`, 'GET')).body.items.some((t) => t.transferId === greedy.body.transferId) ? true : undefined), 20_000);
    const short = await send<{ code: string }>(`${main.url}/api/v1/store-transfers/${greedy.body.transferId}/approve`, 'POST');
    expect(short.status).toBe(409);
    expect(short.body.code).toBe('stock_below_zero');
    expect((await send<{ status: string }>(`${main.url}/api/v1/store-transfers/${greedy.body.transferId}/deny`, 'POST', { reviewNotes: 'we have 12' })).body.status).toBe('DENIED');
    expect(await onHandAt(main, 'syrup-mint')).toBe(12);
  }, 90_000);
});
