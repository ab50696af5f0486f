// The store directory through HTTP, per database: a store publishes its own
// record, its manager changes the profile (and no one else does), bad input
// names its field and changes nothing, and a hub's directory answers
// nearest-first queries with radius, limit and open-now.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';
import { demoStores } from '../../cli/demo-network.js';
import { haversineMiles } from '../../lib/geo.js';
import { standardHours } from '../../lib/hours.js';
import { StoreDirectory } from './directory.js';
import { STORE_SET, storeSetApplier } from './events.js';
import { StoreService } from './service.js';

const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const password = 'Sparkling-Cola-9071!';

interface Details {
  storeId: string;
  name: string;
  region: string;
  timeZone: string;
  weeklyHours: Record<string, { open: string; close: string } | null>;
  isOpen: boolean;
  closesAt: string | null;
  nextOpeningAt: string | null;
  waitMinutes: number;
  healthy: boolean | null;
  stockStatus: unknown;
  isAcceptingOrders: boolean;
  address: unknown;
}
interface Nearby {
  storeId: string;
  name: string;
  distanceMiles: number;
  isOpen: boolean;
  acceptingOrders: boolean;
  healthy: boolean | null;
  waitMinutes: number;
}
interface Problem {
  errors?: { field: string }[];
}

async function until<T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describeEachDb('stores at a store node', (db) => {
  let node: TestNode;
  let storeId: string;
  let managerToken: string;
  let otherManagerToken: string;

  const get = (url: string, headers: Record<string, string> = {}) => node.app.inject({ method: 'GET', url, headers });
  const patch = (payload: object, headers: Record<string, string> = operator, id = storeId) =>
    node.app.inject({ method: 'PATCH', url: `/api/v1/stores/${id}`, payload, headers });
  const details = async () => (await get(`/api/v1/stores/${storeId}`)).json<Details>();

  async function userWithRole(username: string, role?: { roleType: string; storeId: string }): Promise<string> {
    const reg = await node.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { username, email: `${username}@example.com`, password } });
    expect(reg.statusCode, reg.body).toBe(201);
    if (role) {
      const given = await node.app.inject({ method: 'POST', url: '/api/v1/roles', headers: operator, payload: { userId: reg.json<{ user: { id: string } }>().user.id, ...role } });
      expect(given.statusCode, given.body).toBe(201);
    }
    const login = await node.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
    return login.json<{ token: string }>().token;
  }

  beforeAll(async () => {
    node = await createTestNode({ role: 'store', db, config: { authRateLimit: 10_000 } });
    storeId = node.ctx.identity.nodeId;
    managerToken = await userWithRole('mgr_here', { roleType: 'MANAGER', storeId });
    otherManagerToken = await userWithRole('mgr_there', { roleType: 'MANAGER', storeId: '00000000-0000-4000-8000-00000000beef' });
    await until(async () => ((await get(`/api/v1/stores/${storeId}`)).statusCode === 200 ? true : undefined));
  });
  afterAll(() => node?.close());

  it('publishes its own record at start, from its configuration, with the chain’s standard hours', async () => {
    const d = await details();
    expect(d).toMatchObject({ storeId, name: 'Test Store', region: 'C', timeZone: 'America/Denver', waitMinutes: 5, healthy: true, stockStatus: { lowStockCount: 0, lowStockItems: [] }, isAcceptingOrders: true });
    expect(d.weeklyHours).toEqual(standardHours());
    expect(d.isOpen ? d.closesAt : d.nextOpeningAt).toMatch(/Z$/);
    const status = (await get('/api/v1/node/status', operator)).json<{ replication: { vector: Record<string, Record<string, number>> } }>();
    expect(status.replication.vector.global?.[storeId]).toBeGreaterThanOrEqual(1);
  });

  it('its manager changes hours, address and flags; a closed week has no next opening', async () => {
    const closed = { mon: null, tue: null, wed: null, thu: null, fri: null, sat: null, sun: null };
    const res = await patch({ weeklyHours: closed, address: { street: '100 N Main St', city: 'Logan', state: 'UT', zip: '84321' }, storeNumber: 'LOGAN-001' }, bearer(managerToken));
    expect(res.statusCode, res.body).toBe(200);
    const d = await details();
    expect(d).toMatchObject({ isOpen: false, nextOpeningAt: null, closesAt: null, address: { city: 'Logan' } });
    const allDay = Object.fromEntries(Object.keys(closed).map((k) => [k, { open: '00:00', close: '24:00' }]));
    await patch({ weeklyHours: allDay });
    expect((await details()).isOpen).toBe(true);
  });

  it('a store not accepting orders is still listed nearby, saying so; one not operational is not listed', async () => {
    const near = async () => (await get('/api/v1/stores/nearby?lat=41.74&lon=-111.83')).json<{ items: Nearby[] }>().items;
    expect((await near()).find((s) => s.storeId === storeId)).toMatchObject({ acceptingOrders: true, healthy: true, waitMinutes: 5 });
    await patch({ isAcceptingOrders: false });
    expect((await near()).find((s) => s.storeId === storeId)).toMatchObject({ acceptingOrders: false });
    await patch({ isOperational: false });
    expect((await near()).find((s) => s.storeId === storeId)).toBeUndefined();
    await patch({ isOperational: true, isAcceptingOrders: true });
    expect((await near()).find((s) => s.storeId === storeId)).toMatchObject({ acceptingOrders: true });
  });

  it('refuses a manager of another store, a customer and an anonymous caller', async () => {
    expect((await patch({ isAcceptingOrders: false }, bearer(otherManagerToken))).statusCode).toBe(403);
    expect((await patch({ isAcceptingOrders: false }, {})).statusCode).toBe(401);
    const customer = await userWithRole('just_a_customer');
    expect((await patch({ isAcceptingOrders: false }, bearer(customer))).statusCode).toBe(403);
    expect((await details()).isAcceptingOrders).toBe(true);
  });

  it('a store publishes only its own record', async () => {
    const res = await patch({ isAcceptingOrders: false }, operator, '00000000-0000-4000-8000-00000000beef');
    expect(res.statusCode).toBe(403);
  });

  it.each([
    ['an hour out of range', { weeklyHours: { ...standardHours(), mon: { open: '25:00', close: '22:00' } } }, 'body.weeklyHours.mon.open'],
    ['a day missing from the week', { weeklyHours: { mon: null } }, 'body.weeklyHours.tue'],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, 'body.timeZone'],
    ['a name, which its configuration sets', { name: 'Renamed' }, 'body.name'],
    ['an unknown field', { colour: 'red' }, 'body.colour'],
    ['a flag that is not a boolean', { isOperational: 'yes' }, 'body.isOperational'],
  ])('refuses %s, naming the field, and changes nothing', async (_name, payload, field) => {
    const before = await details();
    const res = await patch(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json<Problem>().errors?.map((e) => e.field)).toContain(field);
    const after = await details();
    expect({ ...after, isOpen: before.isOpen, closesAt: before.closesAt, nextOpeningAt: before.nextOpeningAt }).toEqual(before);
  });

  it('lists the seven regions; a store that joined no network knows no hub', async () => {
    const res = (await get('/api/v1/regions')).json<{ items: { code: string; timeZone: string; hub: unknown }[] }>();
    expect(res.items.map((r) => r.code)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G']);
    expect(res.items.find((r) => r.code === 'C')).toMatchObject({ timeZone: 'America/Denver', hub: null });
  });

  it('publishes a changed wait into the directory in 5-minute steps; its own details show the live wait', async () => {
    const directory = new StoreDirectory(node.ctx.database.db, () => Date.now());
    const apply = storeSetApplier({ mayPublish: (origin, id) => origin === id, changed: (id, hlc) => directory.noteChange(id, hlc) });
    const service = new StoreService({
      db: node.ctx.database.db,
      replication: node.ctx.replication,
      apply,
      directory,
      mesh: node.ctx.mesh,
      now: () => Date.now(),
      nodeId: storeId,
      role: 'store',
      config: node.ctx.config,
      publicUrl: () => '',
      warn: () => undefined,
    });
    service.setWaitSource(() => 7);
    expect(await service.liveWaitMinutes()).toBe(14);
    await service.publishWait();
    const listed = (await get('/api/v1/stores?region=C')).json<{ items: { storeId: string; waitMinutes: number }[] }>().items;
    expect(listed.find((s) => s.storeId === storeId)?.waitMinutes).toBe(15);
    expect(STORE_SET).toBe('store.set');
  });
});

describeEachDb('nearest stores at a hub', (db) => {
  let node: TestNode;
  const stores = demoStores();
  const ids = stores.map((_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);

  const put = (id: string, payload: object) => node.app.inject({ method: 'PUT', url: `/api/v1/stores/${id}`, payload, headers: operator });
  const nearby = (query: string) => node.app.inject({ method: 'GET', url: `/api/v1/stores/nearby?${query}` });
  const items = async (query: string) => {
    const res = await nearby(query);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: Nearby[] }>().items;
  };

  beforeAll(async () => {
    node = await createTestNode({ role: 'hub', db });
    for (const [i, s] of stores.entries()) {
      const res = await put(ids[i]!, {
        name: s.name,
        region: s.region,
        lat: s.lat,
        lon: s.lon,
        apiBaseUrl: `http://store-${i + 1}.codepop.test:8000`,
        storeNumber: s.storeNumber,
        address: { street: s.street, city: s.city, state: s.state, zip: s.zip },
        phone: s.phone,
        email: s.email,
        timeZone: s.timeZone,
        weeklyHours: s.hours,
        isOperational: true,
        isAcceptingOrders: true,
      });
      expect(res.statusCode, res.body).toBe(200);
    }
  });
  afterAll(() => node?.close());

  it('answers nearest first, as a brute-force great-circle sort would', async () => {
    const here = { lat: 41.74, lon: -111.83 };
    const got = await items(`lat=${here.lat}&lon=${here.lon}&radius=3000&limit=15`);
    const expected = stores
      .map((s, i) => ({ id: ids[i]!, d: haversineMiles(here, s) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 15);
    expect(got.map((s) => s.storeId)).toEqual(expected.map((e) => e.id));
    for (const [i, s] of got.entries()) expect(s.distanceMiles).toBeCloseTo(expected[i]!.d, 1);
    // Peers the hub has never heard of: health unknown, not "down".
    expect(got[0]!.healthy).toBeNull();
  });

  it('keeps to the radius and the limit', async () => {
    const inChicago = await items('lat=41.8781&lon=-87.6298&radius=50');
    expect(inChicago.map((s) => s.name).sort()).toEqual(['Chicago Loop', 'Evanston', 'Oak Park']);
    expect(inChicago.every((s) => s.distanceMiles <= 50)).toBe(true);
    expect(await items('lat=41.8781&lon=-87.6298&radius=50&limit=2')).toHaveLength(2);
    expect(await items('lat=0&lon=0&radius=100')).toEqual([]);
  });

  it('computes open-now in each store’s own time zone', async () => {
    const open = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, { open: '00:00', close: '24:00' }]));
    const closed = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, null]));
    const newark = ids[stores.findIndex((s) => s.name === 'Newark Downtown')]!;
    const hoboken = ids[stores.findIndex((s) => s.name === 'Hoboken')]!;
    await node.app.inject({ method: 'PATCH', url: `/api/v1/stores/${newark}`, payload: { weeklyHours: open }, headers: operator });
    await node.app.inject({ method: 'PATCH', url: `/api/v1/stores/${hoboken}`, payload: { weeklyHours: closed }, headers: operator });
    const got = await items('lat=40.73&lon=-74.1&radius=30');
    expect(got.find((s) => s.storeId === newark)?.isOpen).toBe(true);
    expect(got.find((s) => s.storeId === hoboken)?.isOpen).toBe(false);
  });

  it('follows a store that moves', async () => {
    const mesa = ids[stores.findIndex((s) => s.name === 'Mesa')]!;
    const before = await items('lat=40.7&lon=-111.9&radius=20');
    expect(before.map((s) => s.storeId)).not.toContain(mesa);
    const moved = await node.app.inject({ method: 'PATCH', url: `/api/v1/stores/${mesa}`, payload: { lat: 40.7, lon: -111.9 }, headers: operator });
    expect(moved.statusCode, moved.body).toBe(200);
    expect((await items('lat=40.7&lon=-111.9&radius=20'))[0]?.storeId).toBe(mesa);
  });

  it('a hub registering a store it does not hold needs its name and position', async () => {
    const res = await put('00000000-0000-4000-8000-0000000fffff', { ...standardProfile(), name: 'Nowhere' });
    expect(res.statusCode).toBe(400);
    expect(res.json<Problem>().errors?.map((e) => e.field)).toEqual(expect.arrayContaining(['body.region', 'body.lat', 'body.lon']));
    expect((await node.app.inject({ method: 'GET', url: '/api/v1/stores/00000000-0000-4000-8000-0000000fffff' })).statusCode).toBe(404);
  });

  it('pages through the directory by region', async () => {
    const first = (await node.app.inject({ method: 'GET', url: '/api/v1/stores?region=C&limit=15' })).json<{ items: { storeId: string }[]; nextCursor: string }>();
    expect(first.items).toHaveLength(15);
    const second = (await node.app.inject({ method: 'GET', url: `/api/v1/stores?region=C&limit=15&cursor=${first.nextCursor}` })).json<{ items: { storeId: string }[]; nextCursor: string | null }>();
    expect(second.items).toHaveLength(5);
    expect(second.nextCursor).toBeNull();
  });

  describe('refuses bad queries, naming the field', () => {
    it.each([
      ['lat=91&lon=0', 'query.lat'],
      ['lat=&lon=0', 'query.lat'],
      ['lon=0', 'query.lat'],
      ['lat=10&lon=abc', 'query.lon'],
      ['lat=10&lon=-181', 'query.lon'],
      ['lat=10&lon=10&radius=0', 'query.radius'],
      ['lat=10&lon=10&radius=-5', 'query.radius'],
      ['lat=10&lon=10&limit=0', 'query.limit'],
      ['lat=10&lon=10&limit=1000', 'query.limit'],
      ['lat=10&lon=10&near=me', 'query.near'],
    ])('%s', async (query, field) => {
      const res = await nearby(query);
      expect(res.statusCode).toBe(400);
      expect(res.json<Problem>().errors?.map((e) => e.field)).toContain(field);
    });
  });
});

function standardProfile() {
  return {
    storeNumber: null,
    address: null,
    phone: null,
    email: null,
    timeZone: 'America/Denver',
    weeklyHours: standardHours(),
    isOperational: true,
    isAcceptingOrders: true,
  };
}
