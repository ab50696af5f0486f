/// <reference lib="dom" />
// The logistics pages in a real browser against real nodes: the region
// overview; a request approved and put on a delivery whose route is drawn
// with its saving; dispatch; the store's manager counts it in line by line
// and the hub sees the delivery complete with the damaged units; usage
// uploaded (a bad file's lines named, a good one imported) and a forecast
// drawn with its backtest. Each page passes an axe check and is saved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, openPage, screenshot, seriousViolations, signIn, startWebWorld, type WebWorld } from './harness.js';

let world: WebWorld;
let mainId: string;
let hubId: string;

beforeAll(async () => {
  world = await startWebWorld();
  mainId = world.storeIds.get(world.main)!;
  hubId = (await api<{ nodeId: string }>(`${world.hub.url}/api/v1/node`, 'GET')).body.nodeId;
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('the logistics pages', () => {
  it('take a request from approval through a planned, dispatched delivery to the store counting it in', async () => {
    expect((await api(`${world.hub.url}/api/v1/hubs/${hubId}/inventory/transactions`, 'POST', { type: 'receipt', itemId: 'syrup-peach', quantity: 200 })).status).toBe(201);
    const asked = await api<{ requestId: string }>(`${world.main.url}/api/v1/stores/${mainId}/supply-requests`, 'POST', { items: [{ itemId: 'syrup-peach', quantity: 12 }], urgency: 'CRITICAL' });
    expect(asked.status).toBe(201);
    await expect.poll(async () => (await api(`${world.hub.url}/api/v1/supply-requests/${asked.body.requestId}`, 'GET')).status, { timeout: 20_000 }).toBe(200);

    const { page, errors } = await openPage(world, { width: 1280 });
    await signIn(page, world.hub.url, 'logistics_c', world.password('logistics_c'));
    await page.getByRole('link', { name: 'Logistics' }).click();
    await page.getByRole('list', { name: 'The region in figures' }).getByText(/requests waiting/).waitFor();
    await screenshot(page, 'logistics-overview');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('tab', { name: 'Requests' }).click();
    await page.getByRole('row', { name: /CRITICAL .* 12 syrup-peach/ }).getByRole('button', { name: /^Approve the request of Logan Main Street/ }).click();
    await page.getByRole('tab', { name: 'Approved' }).click();
    await page.getByRole('row', { name: /12 syrup-peach/ }).getByRole('checkbox').check();
    await page.getByLabel('Driver').fill('Dana');
    await page.getByLabel('Vehicle').fill('Truck 7');
    await page.getByRole('button', { name: 'Plan the delivery' }).click();
    await page.getByRole('status').filter({ hasText: 'Delivery planned: 1 stops' }).waitFor();

    await page.getByRole('tab', { name: 'Deliveries' }).click();
    await page.getByRole('img', { name: /Route of the delivery of/ }).waitFor();
    await page.getByText(/so the route saves/).waitFor();
    await screenshot(page, 'logistics-deliveries');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Dispatch' }).click();
    let deliveryId = '';
    await expect
      .poll(async () => {
        deliveryId = (await api<{ items: { deliveryId: string }[] }>(`${world.hub.url}/api/v1/deliveries?status=IN_TRANSIT`, 'GET')).body.items[0]?.deliveryId ?? '';
        return deliveryId;
      })
      .not.toBe('');

    const manager = await openPage(world, { width: 1280 });
    await signIn(manager.page, world.main.url, 'manager_logan-001', world.password('manager_logan-001'));
    await manager.page.getByRole('link', { name: 'Supply' }).click();
    const form = manager.page.getByRole('form', { name: 'Count the delivery in' });
    await form.waitFor({ timeout: 20_000 });
    await form.getByLabel('Arrived in good order').fill('9');
    await form.getByLabel('Damaged').fill('2');
    await form.getByText('1 short').waitFor();
    await screenshot(manager.page, 'store-count-in');
    expect(await seriousViolations(manager.page)).toEqual([]);
    await form.getByRole('button', { name: 'Confirm the count' }).click();
    await manager.page.getByText(/Counted in: 9 of 12 syrup-peach, 2 damaged, 1 short/).waitFor({ timeout: 20_000 });
    await expect
      .poll(async () => (await api<{ status: string; requests: { damagedUnits: number }[] }>(`${world.hub.url}/api/v1/deliveries/${deliveryId}`, 'GET')).body, { timeout: 20_000 })
      .toMatchObject({ status: 'COMPLETED', requests: [{ damagedUnits: 2 }] });
    // Stock from a nearby store: Logan West is asked, and sees the ask.
    const westOption = manager.page.getByLabel('Ask', { exact: true }).locator('option', { hasText: 'Logan West' });
    await westOption.waitFor({ state: 'attached' });
    await manager.page.getByLabel('Ask', { exact: true }).selectOption((await westOption.getAttribute('value'))!);
    await manager.page.getByLabel('Item id').last().fill('syrup-mint');
    await manager.page.getByLabel('Quantity').last().fill('2');
    await manager.page.getByRole('button', { name: 'Ask for it' }).click();
    await manager.page.getByRole('row', { name: /asked of a store .* 2 syrup-mint .*Waiting for the other store/ }).waitFor();
    const westId = world.storeIds.get(world.west)!;
    await expect
      .poll(async () => (await api<{ items: { status: string }[] }>(`${world.west.url}/api/v1/stores/${westId}/transfers`, 'GET')).body.items.length, { timeout: 20_000 })
      .toBe(1);
    expect([...errors, ...manager.errors]).toEqual([]);
  });

  it('upload usage (naming the bad lines of a bad file) and draw a forecast with its backtest', async () => {
    const { page, errors } = await openPage(world, { width: 1280 });
    await signIn(page, world.hub.url, 'logistics_c', world.password('logistics_c'));
    await page.getByRole('link', { name: 'Logistics' }).click();
    await page.getByRole('tab', { name: 'Usage & forecasts' }).click();
    const header = 'date,store_id,item_name,item_type,quantity_used';
    const bad = [header, `${day(-1)},${mainId},Cherry,syrup,5`, `${day(-1)},${mainId},Cherry,gravel,5`].join('\n');
    await page.getByLabel(/Upload usage/).setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByRole('alert').getByText(/line 3/).waitFor();
    const week = [30, 18, 17, 19, 22, 34, 45];
    const good = [header, ...Array.from({ length: 70 }, (_, i) => {
      const d = day(-70 + i);
      return `${d},${mainId},Cherry,syrup,${week[new Date(`${d}T00:00:00Z`).getUTCDay()]! + (i % 4)}`;
    })].join('\n');
    await page.getByLabel(/Upload usage/).setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.getByRole('status').filter({ hasText: 'Imported 70 rows' }).waitFor();
    await page.getByRole('button', { name: 'Forecast Cherry' }).click();
    await page.getByRole('heading', { name: 'Cherry: the next 14 days' }).waitFor();
    await page.getByText(/^Method: Holt-Winters/).waitFor();
    await page.getByText(/most on Saturdays/).waitFor();
    await screenshot(page, 'logistics-forecast');
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
