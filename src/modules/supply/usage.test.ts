// Usage history and forecasts at a hub through HTTP, per database: CSV and
// JSON uploads upsert by (store, day, item); a file with a bad row imports
// nothing and names each bad row by line or index; a failure part way
// through (injected) leaves nothing; forecasts answer with their backtest,
// patterns and restock advice from the hub's stock; scopes hold.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';

const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, { open: '00:00', close: '24:00' }]));
const STORE_A = '7a1c2a3b-4d5e-4f60-8a71-92b3c4d5e601';
const STORE_B = '7a1c2a3b-4d5e-4f60-8a71-92b3c4d5e602';
const FAR_STORE = '7a1c2a3b-4d5e-4f60-8a71-92b3c4d5e603';
const WEEK = [30, 18, 17, 19, 22, 34, 45];
const password = (u: string) => `Usage-${u.length}-Hub-8841-Fizz`;

interface Summary {
  items: { itemName: string; itemType: string; days: number; total: number; stores: number }[];
}

describeEachDb('usage history and forecasts at a hub', (db) => {
  let hub: TestNode;
  let hubId: string;
  const as: Record<string, { authorization: string }> = {};
  const day = (offset: number) => new Date(hub.ctx.clock.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const upload = (body: string, who = 'logistics', type = 'text/csv') =>
    hub.app.inject({ method: 'POST', url: `/api/v1/hubs/${hubId}/usage`, headers: { ...as[who]!, 'content-type': type }, payload: body });
  const summary = async () => (await hub.app.inject({ method: 'GET', url: `/api/v1/hubs/${hubId}/usage?sinceDays=3000`, headers: as.logistics! })).json<Summary>().items;
  const total = async (name: string) => (await summary()).find((i) => i.itemName.toLowerCase() === name.toLowerCase())?.total ?? 0;
  const forecast = (payload: object, who = 'logistics') => hub.app.inject({ method: 'POST', url: `/api/v1/hubs/${hubId}/forecasts`, headers: as[who]!, payload });
  const csv = (rows: (string | number)[][]) => ['date,store_id,item_name,item_type,quantity_used', ...rows.map((r) => r.join(','))].join('\n');

  beforeAll(async () => {
    hub = await createTestNode({ role: 'hub', db, config: { authRateLimit: 10_000 } });
    hubId = hub.ctx.identity.nodeId;
    expect((await hub.app.inject({ method: 'POST', url: '/api/v1/catalog/default', headers: operator, payload: {} })).statusCode).toBe(200);
    for (const [i, [id, region]] of ([[STORE_A, 'C'], [STORE_B, 'C'], [FAR_STORE, 'D']] as const).entries()) {
      const res = await hub.app.inject({
        method: 'PUT', url: `/api/v1/stores/${id}`, headers: operator,
        payload: {
          name: `Usage ${i}`, region, lat: 41.7 + i / 10, lon: -111.8, storeNumber: `USE-00${i}`, apiBaseUrl: 'http://127.0.0.1:1',
          address: { street: '1 Main St', city: 'Logan', state: 'UT', zip: '84321' }, phone: '435-555-1003', email: `use${i}@codepop.com`,
          timeZone: 'America/Denver', weeklyHours: ALL_DAY, isOperational: true, isAcceptingOrders: true,
        },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    for (const [who, grant] of Object.entries({ logistics: { roleType: 'LOGISTICS_MANAGER', regionCode: 'C' }, farLogistics: { roleType: 'LOGISTICS_MANAGER', regionCode: 'D' }, manager: { roleType: 'MANAGER', storeId: STORE_A } })) {
      const username = `use-${who.toLowerCase()}`;
      const made = await hub.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { username, email: `${username}@example.com`, password: password(username) } });
      const userId = made.json<{ user: { id: string } }>().user.id;
      expect((await hub.app.inject({ method: 'POST', url: '/api/v1/roles', headers: operator, payload: { userId, ...grant } })).statusCode).toBe(201);
      const login = await hub.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: password(username) } });
      as[who] = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
    }
  });
  afterAll(() => hub?.close());

  it('imports a CSV, upserts by store, day and item on a second upload, and the later of two same rows wins', async () => {
    const first = await upload(csv([[day(-2), STORE_A, 'Vanilla', 'syrup', 10], [day(-1), STORE_A, 'Vanilla', 'syrup', 12], [day(-1), STORE_B, 'Vanilla', 'syrup', 5]]));
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ imported: 3, replacedInFile: 0, dateRange: { start: day(-2), end: day(-1) }, stores: 2, items: 1 });
    expect(await total('vanilla')).toBe(27);
    // The same rows again, one corrected; names match whatever their case; the same key twice: the later wins.
    const again = await upload(csv([[day(-2), STORE_A, 'VANILLA', 'syrup', 10], [day(-1), STORE_A, 'vanilla', 'syrup', 99], [day(-1), STORE_A, 'Vanilla', 'syrup', 14]]));
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json()).toMatchObject({ imported: 2, replacedInFile: 1 });
    expect(await total('vanilla')).toBe(10 + 14 + 5);
    const json = await hub.app.inject({ method: 'POST', url: `/api/v1/hubs/${hubId}/usage`, headers: as.logistics!, payload: { rows: [{ date: day(-3), storeId: STORE_B, itemName: 'Vanilla', itemType: 'syrup', quantityUsed: 1.5 }] } });
    expect(json.statusCode, json.body).toBe(201);
    expect(await total('vanilla')).toBe(30.5);
  });

  it('names every bad row by its line and imports nothing of that file', async () => {
    const before = await total('vanilla');
    const res = await upload(
      csv([
        [day(-4), STORE_A, 'Vanilla', 'syrup', 3],
        [day(3), STORE_A, 'Vanilla', 'syrup', 3],
        [day(-4), FAR_STORE, 'Vanilla', 'syrup', 3],
        [day(-4), STORE_A, 'Vanilla', 'gravel', 3],
        ['2026-02-30', STORE_A, 'Vanilla', 'syrup', -1],
        [day(-4), STORE_A, '', 'syrup', 'lots'],
      ]),
    );
    expect(res.statusCode).toBe(400);
    const errors = res.json<{ errors: { field: string; message: string }[] }>().errors;
    expect(errors.map((e) => e.field)).toEqual(['body.line.3', 'body.line.4', 'body.line.5', 'body.line.6', 'body.line.7']);
    expect(errors[0]!.message).toContain('in the future');
    expect(errors[1]!.message).toContain("not a store of this hub's region");
    expect(errors[2]!.message).toContain('item_type');
    expect(errors[3]!.message).toMatch(/calendar date.*negative/);
    expect(errors[4]!.message).toMatch(/item_name is empty.*not a number/);
    expect(await total('vanilla')).toBe(before);
    const header = await upload('date,store,item,qty\n2026-01-01,x,y,1');
    expect(header.statusCode).toBe(400);
    expect(header.json<{ errors: { message: string }[] }>().errors[0]!.message).toContain('missing store_id, item_name, item_type, quantity_used');
    const json = await hub.app.inject({ method: 'POST', url: `/api/v1/hubs/${hubId}/usage`, headers: as.logistics!, payload: { rows: [{ date: day(-1), storeId: STORE_A, itemName: 'Vanilla', itemType: 'syrup', quantityUsed: 1 }, { date: 'soon', storeId: STORE_A, itemName: 'Vanilla', itemType: 'syrup', quantityUsed: 1 }] } });
    expect(json.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual(['body.rows.1']);
    expect((await upload('a,b', 'logistics', 'text/plain')).statusCode).toBe(415);
    expect((await upload(csv([[day(-1), STORE_A, 'Va\u0000nilla', 'syrup', 1]]))).statusCode).toBe(400);
    expect(await total('vanilla')).toBe(before);
  });

  it('leaves nothing behind when the database fails part way through a large file', async () => {
    const { database } = hub.ctx;
    const rows = Array.from({ length: 6000 }, (_, i) => [day(-1 - (i % 300)), i % 2 ? STORE_A : STORE_B, i === 5500 ? 'Boom' : `Item ${Math.floor(i / 600)}`, 'syrup', 1]);
    await database.db.execute(sql.raw(`create or replace function test_fail_usage() returns trigger language plpgsql as $$
      begin if new.item_name = 'Boom' then raise exception 'injected failure'; end if; return new; end $$`));
    await database.db.execute(sql.raw('create trigger test_fail_usage before insert on supply_usage for each row execute function test_fail_usage()'));
    const before = (await summary()).length;
    try {
      expect((await upload(csv(rows))).statusCode).toBe(500);
      expect((await summary()).length).toBe(before);
    } finally {
      await database.db.execute(sql.raw('drop trigger test_fail_usage on supply_usage'));
      await database.db.execute(sql.raw('drop function test_fail_usage()'));
    }
  });

  it('forecasts with the backtest beside seasonal naive, the weekly pattern and when the hub should restock', async () => {
    const rows = Array.from({ length: 84 }, (_, i) => {
      const d = day(-84 + i);
      const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
      return [d, STORE_A, 'Cherry', 'syrup', WEEK[weekday]! + (i % 3)];
    });
    expect((await upload(csv(rows))).statusCode).toBe(201);
    expect((await hub.app.inject({ method: 'POST', url: `/api/v1/hubs/${hubId}/inventory/transactions`, headers: as.logistics!, payload: { type: 'receipt', itemId: 'syrup-cherry', quantity: 100 } })).statusCode).toBe(201);
    const res = await forecast({ itemName: 'cherry', itemType: 'syrup', horizonDays: 10 });
    expect(res.statusCode, res.body).toBe(200);
    const f = res.json<{
      points: { date: string; quantity: number }[];
      method: string;
      backtest: { mase: number; seasonalNaiveMase: number; origins: number };
      patterns: { peakDays: string[] };
      recommendation: { stock: number; stockoutDate: string; quantity: number };
      history: { end: string; recent: unknown[] };
    }>();
    expect(f.points).toHaveLength(10);
    expect(f.points[0]!.date).toBe(day(0));
    expect(f.history).toMatchObject({ end: day(-1) });
    expect(f.history.recent).toHaveLength(56);
    expect(f.backtest.origins).toBeGreaterThan(0);
    expect(f.backtest.mase).toBeLessThanOrEqual(f.backtest.seasonalNaiveMase);
    expect(f.patterns.peakDays).toEqual(['sat']);
    expect(f.recommendation.stock).toBe(100);
    expect(f.recommendation.stockoutDate).not.toBeNull();
    expect(f.recommendation.quantity).toBeGreaterThan(0);
    const store = (await forecast({ itemName: 'Cherry', itemType: 'syrup', storeId: STORE_A, horizonDays: 7 })).json<{ recommendation: { stock: null; note: string } }>();
    expect(store.recommendation.stock).toBeNull();
    expect((await forecast({ itemName: 'Nothing', itemType: 'syrup', horizonDays: 7 })).statusCode).toBe(404);
    const bad = await forecast({ itemName: 'Cherry', itemType: 'syrup', horizonDays: 400 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain('body.horizonDays');
  });

  it("answers the region overview: stores that never reported, the hub's orders, forecast accuracy against seasonal naive", async () => {
    const res = await hub.app.inject({ method: 'GET', url: '/api/v1/regions/C/logistics', headers: as.logistics! });
    expect(res.statusCode, res.body).toBe(200);
    const o = res.json<{ stores: { unknown: { storeId: string }[]; critical: unknown[] }; requests: { pending: Record<string, number> }; forecastAccuracy: { items: number; ratio: number } }>();
    expect(o.stores.unknown.map((s) => s.storeId).sort()).toEqual([STORE_A, STORE_B]);
    expect(o.stores.critical).toEqual([]);
    expect(o.requests.pending).toEqual({ CRITICAL: 0, URGENT: 0, NORMAL: 0, LOW: 0 });
    // Cherry has 84 days of history (enough to backtest); the other items are too short to count.
    expect(o.forecastAccuracy.items).toBe(1);
    expect(o.forecastAccuracy.ratio).toBeLessThanOrEqual(1);
    expect((await hub.app.inject({ method: 'GET', url: '/api/v1/regions/D/logistics', headers: as.logistics! })).statusCode).toBe(403);
    expect((await hub.app.inject({ method: 'GET', url: '/api/v1/regions/D/logistics', headers: as.farLogistics! })).statusCode).toBe(404);
  });

  it('refuses another region and store staff', async () => {
    expect((await upload(csv([[day(-1), STORE_A, 'Vanilla', 'syrup', 1]]), 'farLogistics')).statusCode).toBe(403);
    expect((await upload(csv([[day(-1), STORE_A, 'Vanilla', 'syrup', 1]]), 'manager')).statusCode).toBe(403);
    expect((await forecast({ itemName: 'Cherry', itemType: 'syrup', horizonDays: 7 }, 'farLogistics')).statusCode).toBe(403);
  });
});
