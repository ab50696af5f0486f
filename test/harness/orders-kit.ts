// Set-up the orders tests share, all through HTTP as a person would do it:
// a store open around the clock, the default catalog, stock received into
// the ledger, accounts with roles. Used by the *.test.ts files beside it only.
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';

export interface Who {
  userId: string;
  token: string;
  headers: Record<string, string>;
}

export interface OrderBody {
  orderId: string;
  status: string;
  totalCents: number;
  lockerCombo: string;
  guestToken?: string;
  pickupEstimate: string;
  payment: { status: string; reason: string | null };
  nextStatuses: string[];
  items: { drinkId: string; quantity: number; unitPriceCents: number }[];
  history: { status: string; by: string }[];
}

const allDay = { open: '00:00', close: '24:00' };
export const aroundTheClock = { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay };

export class OrdersKit {
  readonly operator: Record<string, string>;
  private users = 0;

  constructor(
    readonly app: FastifyInstance,
    readonly storeId: string,
    operatorToken: string,
  ) {
    this.operator = { authorization: `Bearer ${operatorToken}` };
  }

  async call(method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, headers: Record<string, string> = this.operator, payload?: unknown) {
    return this.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  }

  /** Waits for the store's own directory record, opens it around the clock and seeds the catalog. */
  async setUp(): Promise<void> {
    for (let i = 0; (await this.call('GET', `/api/v1/stores/${this.storeId}`)).statusCode !== 200; i++) {
      if (i > 100) throw new Error('the store never published its record');
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.setStore({ weeklyHours: aroundTheClock, timeZone: 'America/Denver' });
    const seeded = await this.call('POST', '/api/v1/catalog/default');
    if (seeded.statusCode !== 200) throw new Error(`seeding the catalog failed: ${seeded.body}`);
  }

  async setStore(changes: Record<string, unknown>): Promise<void> {
    const res = await this.call('PATCH', `/api/v1/stores/${this.storeId}`, this.operator, changes);
    if (res.statusCode !== 200) throw new Error(`changing the store failed: ${res.body}`);
  }

  async receive(itemId: string, quantity: number): Promise<void> {
    const res = await this.call('POST', `/api/v1/stores/${this.storeId}/inventory/transactions`, this.operator, { type: 'receipt', itemId, quantity });
    if (res.statusCode !== 201) throw new Error(`receiving ${itemId} failed: ${res.body}`);
  }

  async recipe(drinkId: string): Promise<{ itemId: string; quantity: number }[]> {
    return (await this.call('GET', `/api/v1/drinks/${drinkId}`)).json<{ ingredients: { itemId: string; quantity: number }[] }>().ingredients;
  }

  /** Receives enough of every ingredient for `drinks` of the drink. */
  async stockFor(drinkId: string, drinks: number): Promise<void> {
    for (const line of await this.recipe(drinkId)) await this.receive(line.itemId, line.quantity * drinks);
  }

  /** A drink of its own syrup (1 pump each), with `drinks` worth of that syrup and plenty of everything else. */
  async limitedDrink(name: string, drinks: number, priceCents = 450): Promise<{ drinkId: string; syrupId: string }> {
    const syrup = await this.call('POST', '/api/v1/ingredients', this.operator, { name: `${name} Syrup`, type: 'syrup' });
    if (syrup.statusCode !== 201) throw new Error(`creating the syrup failed: ${syrup.body}`);
    const syrupId = syrup.json<{ itemId: string }>().itemId;
    const drink = await this.call('POST', '/api/v1/drinks', this.operator, {
      name,
      size: '16oz',
      ice: 'regular',
      priceCents,
      ingredients: [
        { itemId: syrupId, quantity: 1 },
        { itemId: 'soda-sparkling-water', quantity: 1 },
      ],
    });
    if (drink.statusCode !== 201) throw new Error(`creating the drink failed: ${drink.body}`);
    const drinkId = drink.json<{ drinkId: string }>().drinkId;
    for (const line of await this.recipe(drinkId)) {
      const quantity = line.itemId === syrupId ? drinks : line.quantity * 1000;
      if (quantity > 0) await this.receive(line.itemId, quantity);
    }
    return { drinkId, syrupId };
  }

  async position(itemId: string): Promise<{ onHand: number; reserved: number; available: number }> {
    const p = (await this.call('GET', `/api/v1/stores/${this.storeId}/inventory/${itemId}`)).json<{ onHand: number; reserved: number; available: number }>();
    return { onHand: p.onHand, reserved: p.reserved, available: p.available };
  }

  async user(prefix = 'customer'): Promise<Who> {
    const username = `${prefix}${++this.users}${randomUUID().slice(0, 6)}`;
    const password = `Fizzy-${randomUUID()}-Pass9!`;
    const reg = await this.call('POST', '/api/v1/auth/register', {}, { username, email: `${username}@example.com`, password });
    if (reg.statusCode !== 201) throw new Error(`register failed: ${reg.body}`);
    const login = await this.call('POST', '/api/v1/auth/login', {}, { username, password });
    if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
    const { token, user } = login.json<{ token: string; user: { id: string } }>();
    return { userId: user.id, token, headers: { authorization: `Bearer ${token}` } };
  }

  async staff(roleType: 'MANAGER' | 'ADMIN', storeId = this.storeId): Promise<Who> {
    const who = await this.user(roleType.toLowerCase());
    const res = await this.call('POST', '/api/v1/roles', this.operator, { userId: who.userId, roleType, storeId });
    if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`granting ${roleType} failed: ${res.body}`);
    return who;
  }

  place(items: { drinkId: string; quantity: number }[], headers: Record<string, string> = {}, extra: Record<string, unknown> = {}, key: string = randomUUID()) {
    return this.call('POST', '/api/v1/orders', { 'idempotency-key': key, ...headers }, { items, ...extra });
  }

  async placed(items: { drinkId: string; quantity: number }[], headers: Record<string, string> = {}): Promise<OrderBody> {
    const res = await this.place(items, headers);
    if (res.statusCode !== 201) throw new Error(`placing failed: ${res.statusCode} ${res.body}`);
    return res.json<OrderBody>();
  }

  pay(orderId: string, headers: Record<string, string>, paymentMethod = 'tok_approve') {
    return this.call('POST', `/api/v1/orders/${orderId}/pay`, headers, { paymentMethod });
  }

  status(orderId: string, status: string, headers: Record<string, string>) {
    return this.call('POST', `/api/v1/orders/${orderId}/status`, headers, { status });
  }

  async order(orderId: string, headers: Record<string, string> = this.operator): Promise<OrderBody> {
    return (await this.call('GET', `/api/v1/orders/${orderId}`, headers)).json<OrderBody>();
  }
}

export const guestHeaders = (order: { guestToken?: string }): Record<string, string> => ({ authorization: `Bearer ${order.guestToken ?? ''}` });
