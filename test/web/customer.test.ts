/// <reference lib="dom" />
// The customer's app in a real browser against real nodes: a guest orders,
// pays and sees the locker code; a customer signs up, makes a drink and
// favorites it; the same guest flow by keyboard alone; and failover: the
// chosen store dies after the basket is built, the app offers the next one,
// and the order exists exactly once there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { api, openPage, screenshot, seriousViolations, startWebWorld, type WebWorld } from './harness.js';

let world: WebWorld;

beforeAll(async () => {
  world = await startWebWorld();
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

async function chooseStore(page: Page, base: string, storeName: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByRole('button', { name: `Order from ${storeName}` }).click();
  await page.getByRole('heading', { name: `Menu at ${storeName}` }).waitFor();
}

interface OrderList {
  items: { orderId: string; status: string; items: { drinkId: string; quantity: number }[] }[];
}

describe('the customer app', () => {
  it('lets a guest order and pay, and shows the locker code', async () => {
    const { page, errors } = await openPage(world);
    await chooseStore(page, world.main.url, 'Logan Main Street');
    await screenshot(page, 'menu');
    expect(await seriousViolations(page), 'menu').toEqual([]);
    await page.getByRole('button', { name: 'Add Classic Cherry Cola to basket' }).click();
    await page.getByRole('link', { name: /^Basket/ }).first().click();
    await screenshot(page, 'checkout');
    expect(await seriousViolations(page), 'checkout').toEqual([]);
    await page.getByRole('button', { name: /Place order at Logan Main Street/ }).click();
    await page.getByText('Status:').waitFor();
    await expect.poll(() => page.getByText('Paid.').count()).toBe(1);
    const code = await page.locator('.locker').textContent();
    expect(code).toMatch(/^\d{4,6}$/);
    await screenshot(page, 'order');
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows a declined card in words and lets the guest pay again', async () => {
    const { page } = await openPage(world);
    await chooseStore(page, world.main.url, 'Logan Main Street');
    await page.getByRole('button', { name: 'Add Vanilla Dream to basket' }).click();
    await page.getByRole('link', { name: /^Basket/ }).first().click();
    await page.getByLabel('Test card: declined').check();
    await page.getByRole('button', { name: /Place order/ }).click();
    await page.getByText(/Declined by the card provider \(card declined\)/).waitFor();
    await page.getByLabel('Pay with').selectOption('tok_approve');
    await page.getByRole('button', { name: /^Pay \$/ }).click();
    await page.getByText('Paid.').waitFor();
  });

  it('shows a payment the provider confirms later as waiting, then as paid', async () => {
    const { page } = await openPage(world);
    await chooseStore(page, world.main.url, 'Logan Main Street');
    await page.getByRole('button', { name: 'Add Pink Guava Spritz to basket' }).click();
    await page.getByRole('link', { name: /^Basket/ }).first().click();
    await page.getByLabel('Test card: confirmed a little later').check();
    await page.getByRole('button', { name: /Place order/ }).click();
    await page.getByText('Waiting for the card provider to confirm…').waitFor();
    await expect.poll(() => page.getByText('Status: Awaiting payment').count()).toBe(1);
    // The provider's webhook arrives about 1.5 s later; the page follows the order and says so.
    await page.getByText('Paid.').waitFor({ timeout: 15_000 });
    await page.getByText('Status: Paid, in the queue').waitFor();
  });

  it('lets a customer sign up, make a drink of their own, and favorite it', async () => {
    const { page, errors } = await openPage(world);
    await chooseStore(page, world.main.url, 'Logan Main Street');
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByLabel('Username').fill('webfan');
    await page.getByLabel('Email').fill('webfan@example.com');
    // The form applies the node's own rules before sending anything.
    await page.getByLabel(/^Password/).fill('short');
    await page.getByRole('button', { name: 'Make my account' }).click();
    await page.getByRole('alert').getByText('password: must be at least 10 characters').waitFor();
    await page.getByLabel(/^Password/).fill('a-long-password-1');
    await page.getByRole('button', { name: 'Make my account' }).click();
    await page.getByText('Signed in as webfan').waitFor();
    await page.getByRole('link', { name: 'Make a drink of your own' }).click();
    await page.getByLabel('Name your drink').fill('Webfan Fizz');
    await page.getByLabel('32oz').check();
    await page.getByLabel('Cherry', { exact: true }).fill('2');
    await page.getByLabel('Lemon-Lime Base').fill('1');
    await screenshot(page, 'builder');
    await page.getByRole('button', { name: /Save my drink/ }).click();
    await page.getByRole('heading', { name: 'Basket and checkout' }).waitFor();
    await expect.poll(() => page.getByRole('cell', { name: 'Webfan Fizz', exact: true }).count()).toBe(1);
    await page.getByRole('link', { name: 'Menu', exact: true }).click();
    await page.getByRole('button', { name: /Favorite Webfan Fizz/ }).click();
    await expect.poll(() => page.getByRole('button', { name: /★ Favorite Webfan Fizz/ }).count()).toBe(1);
    await page.getByRole('link', { name: 'Favorites' }).click();
    await page.getByRole('list', { name: 'Favorite drinks' }).locator('strong', { hasText: 'Webfan Fizz' }).waitFor();
    await screenshot(page, 'favorites');
    expect(errors).toEqual([]);
  });

  it('can be used with the keyboard alone: choose a store, add a drink, check out', async () => {
    const { page } = await openPage(world);
    await page.goto(`${world.main.url}/`);
    await page.getByRole('button', { name: 'Order from Logan Main Street' }).waitFor();
    const tabTo = async (name: RegExp) => {
      for (let i = 0; i < 120; i++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText ?? '');
        if (name.test(focused)) return;
      }
      throw new Error(`no control named ${name} reachable by Tab`);
    };
    await tabTo(/^Order from Logan Main Street$/);
    // The focus ring is visible: the focused control has an outline.
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Menu at Logan Main Street' }).waitFor();
    await tabTo(/^Add Mint Refresher to basket$/);
    await page.keyboard.press('Enter');
    await tabTo(/^Basket/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Basket and checkout' }).waitFor();
    await tabTo(/^Place order at Logan Main Street/);
    await page.keyboard.press('Enter');
    await page.getByText('Paid.').waitFor();
  });

  it('fits a 360 px wide screen without sideways scrolling', async () => {
    const { page } = await openPage(world, { width: 360 });
    await chooseStore(page, world.main.url, 'Logan Main Street');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, 'menu-360');
  });

  it('moves to the next store when the chosen one dies after the basket is built, and orders there exactly once', async () => {
    const { page, errors } = await openPage(world);
    // Opened at the store that will die: the app keeps running in the browser without it.
    await chooseStore(page, world.main.url, 'Logan Main Street');
    await page.getByRole('button', { name: 'Add Coke Float to basket' }).click();
    await page.getByRole('button', { name: 'Add Coke Float to basket' }).click();
    await page.getByRole('link', { name: /^Basket/ }).first().click();
    await page.getByRole('heading', { name: 'Basket and checkout' }).waitFor();

    world.main.proc!.child.kill('SIGKILL');
    await world.main.proc!.exited;
    await page.getByRole('button', { name: /Place order at Logan Main Street/ }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Logan Main Street is not taking this order right now' });
    await alert.waitFor();
    await screenshot(page, 'failover');
    await page.getByRole('button', { name: 'Order from Logan West instead' }).click();
    // The basket is kept: the two floats are still there.
    await expect.poll(() => page.getByLabel('Quantity of Coke Float').inputValue()).toBe('2');
    await page.getByRole('button', { name: /Place order at Logan West/ }).click();
    await page.getByRole('heading', { name: /Order at/ }).waitFor();
    await page.getByText('Paid.').waitFor();

    const westId = world.storeIds.get(world.west)!;
    const orders = await api<OrderList>(`${world.west.url}/api/v1/stores/${westId}/orders?limit=100`, 'GET');
    const floats = orders.body.items.filter((o) => o.items.some((i) => i.drinkId === 'drink-coke-float' && i.quantity === 2));
    expect(floats).toHaveLength(1);
    expect(floats[0]!.status).toBe('paid');
    expect(errors.filter((e) => !/Failed to fetch|ERR_CONNECTION_REFUSED/.test(e))).toEqual([]);
  });
});
