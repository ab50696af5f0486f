/// <reference lib="dom" />
// Staff in a real browser against real nodes: a manager moves an order to
// ready and adjusts stock; a store admin disables an account; a super admin
// sees the network map and regions; every main page passes an axe check
// with no serious violations, and is saved as a screenshot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, openPage, screenshot, seriousViolations, signIn, startWebWorld, type WebWorld } from './harness.js';

let world: WebWorld;
let mainId: string;

beforeAll(async () => {
  world = await startWebWorld();
  mainId = world.storeIds.get(world.main)!;
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

interface OrderView {
  orderId: string;
  status: string;
  guestToken?: string;
}

describe('the staff pages', () => {
  it('let a manager move an order to ready and adjust stock', async () => {
    const placed = await api<OrderView>(`${world.main.url}/api/v1/orders`, 'POST', { items: [{ drinkId: 'drink-lavender-mist', quantity: 1 }], paymentMethod: 'tok_approve' }, '', { 'idempotency-key': 'staff-test-order-1' });
    expect(placed.status).toBe(201);
    const short = placed.body.orderId.slice(0, 8);
    const { page, errors } = await openPage(world);
    await signIn(page, world.main.url, 'manager_logan-001', world.password('manager_logan-001'));
    await page.getByRole('heading', { name: 'Logan Main Street: today' }).waitFor();
    await page.getByRole('button', { name: `Start preparing order ${short}` }).click();
    await page.getByRole('tab', { name: 'Being made' }).click();
    await page.getByRole('button', { name: `Mark ready order ${short}` }).click();
    await expect
      .poll(async () => (await api<OrderView>(`${world.main.url}/api/v1/orders/${placed.body.orderId}`, 'GET')).body.status)
      .toBe('ready');
    await screenshot(page, 'manager-today');
    expect(await seriousViolations(page)).toEqual([]);

    const before = await api<{ onHand: number }>(`${world.main.url}/api/v1/stores/${mainId}/inventory/syrup-mint`, 'GET');
    await page.getByRole('link', { name: 'Inventory' }).first().click();
    await page.getByRole('heading', { name: 'Logan Main Street: inventory' }).waitFor();
    await page.getByLabel('Kind').selectOption('adjustment');
    await page.getByLabel('Item').selectOption('syrup-mint');
    await page.getByLabel('Quantity').fill('-3');
    await page.getByLabel('Reason').fill('spilled on the counter');
    await page.getByRole('button', { name: 'Record' }).click();
    await page.getByRole('status').filter({ hasText: 'Recorded.' }).waitFor();
    const after = await api<{ onHand: number }>(`${world.main.url}/api/v1/stores/${mainId}/inventory/syrup-mint`, 'GET');
    expect(after.body.onHand).toBe(before.body.onHand - 3);
    await page.getByText(/adjustment · syrup-mint · -3 · spilled on the counter/).waitFor();
    await screenshot(page, 'inventory');
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('let a store admin disable an account, which then cannot sign in', async () => {
    const { page, errors } = await openPage(world);
    await signIn(page, world.main.url, 'admin_logan-001', world.password('admin_logan-001'));
    await page.goto(`${world.main.url}/staff/${mainId}/accounts`);
    const row = page.getByRole('row', { name: /user1 / });
    await row.getByRole('button', { name: 'Disable user1' }).click();
    await expect.poll(() => row.getByRole('cell', { name: 'Disabled' }).count()).toBe(1);
    // The store's audit says who did it, to whom.
    await page.getByRole('list', { name: 'Audit of this store' }).getByText(/account disable · user1 · by admin_logan-001/).waitFor();
    await screenshot(page, 'store-accounts');
    expect(await seriousViolations(page)).toEqual([]);
    const login = await api(`${world.main.url}/api/v1/auth/login`, 'POST', { username: 'user1', password: world.password('user1') }, '');
    expect(login.status).toBeGreaterThanOrEqual(400);
    expect(errors).toEqual([]);
  });

  it('show a super admin the network map with health, the regions grid and the dashboard', async () => {
    const { page, errors } = await openPage(world);
    await signIn(page, world.hub.url, 'superadmin', world.password('superadmin'));
    await page.getByRole('heading', { name: 'The network' }).waitFor();
    const map = page.getByRole('img', { name: 'Map of hubs and stores' });
    await map.waitFor();
    await expect.poll(() => map.locator('g.node.alive').count()).toBe(3);
    await page.getByRole('row', { name: /C Logan UT Supply Hub .* 2 \/ 2/ }).waitFor();
    await screenshot(page, 'network');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: /Region C/ }).waitFor();
    await page.getByRole('table', { name: 'Stores of region C' }).getByRole('rowheader', { name: 'Logan Main Street' }).waitFor();
    await screenshot(page, 'admin-dashboard');
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("let a store manager ask the hub for stock and the region's logistics manager approve it", async () => {
    const hubId = (await api<{ nodeId: string }>(`${world.hub.url}/api/v1/node`, 'GET')).body.nodeId;
    expect((await api(`${world.hub.url}/api/v1/hubs/${hubId}/inventory/transactions`, 'POST', { type: 'receipt', itemId: 'syrup-cherry', quantity: 100 })).status).toBe(201);
    const manager = await openPage(world);
    await signIn(manager.page, world.main.url, 'manager_logan-001', world.password('manager_logan-001'));
    await manager.page.getByRole('link', { name: 'Supply' }).click();
    await manager.page.getByRole('heading', { name: 'Logan Main Street: supply' }).waitFor();
    // What the hub has comes from the hub, through the store.
    await manager.page.getByText(/The hub's stock as of/).waitFor();
    await expect.poll(async () => (await manager.page.getByRole('row', { name: /^Cherry/ }).first().textContent()) ?? '').toContain('100');
    await manager.page.getByLabel('Quantity of Cherry to ask for').fill('7');
    await manager.page.getByLabel('Urgency').selectOption('URGENT');
    await manager.page.getByRole('button', { name: /Send the request/ }).click();
    await manager.page.getByRole('status').filter({ hasText: 'Request sent' }).waitFor();
    await manager.page.getByRole('list', { name: 'Supply requests of this store' }).getByText(/Waiting for the hub · URGENT/).waitFor();
    await screenshot(manager.page, 'store-supply');
    expect(await seriousViolations(manager.page)).toEqual([]);

    const logistics = await openPage(world);
    await signIn(logistics.page, world.hub.url, 'logistics_c', world.password('logistics_c'));
    await logistics.page.getByRole('link', { name: 'Logistics' }).click();
    await logistics.page.getByRole('tab', { name: 'Requests' }).click();
    const row = logistics.page.getByRole('row', { name: /URGENT .* 7 syrup-cherry/ });
    await row.getByRole('button', { name: /^Approve the request/ }).click();
    await logistics.page.getByRole('tab', { name: 'Approved' }).click();
    await logistics.page.getByRole('row', { name: /URGENT .* 7 syrup-cherry.*Approved/ }).waitFor();
    await logistics.page.getByRole('tab', { name: 'Hub stock' }).click();
    await expect.poll(async () => (await logistics.page.getByRole('row', { name: /^Cherry / }).first().textContent()) ?? '').toContain('7');
    await screenshot(logistics.page, 'logistics');
    expect(await seriousViolations(logistics.page)).toEqual([]);
    // The approval travels back to the store.
    await manager.page.getByRole('list', { name: 'Supply requests of this store' }).getByText(/Approved · URGENT/).waitFor({ timeout: 20_000 });
    expect([...manager.errors, ...logistics.errors]).toEqual([]);
  });

  it('pass an accessibility check on the customer pages and the sign-in page', async () => {
    const { page } = await openPage(world);
    for (const [name, path] of [['home', '/'], ['login', '/login'], ['signup', '/signup'], ['history', '/orders']] as const) {
      await page.goto(`${world.hub.url}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      if (name === 'home') await page.getByRole('button', { name: /Order from/ }).first().waitFor();
      await screenshot(page, name);
      expect(await seriousViolations(page), name).toEqual([]);
    }
  });
});
