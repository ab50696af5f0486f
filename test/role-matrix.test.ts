// The role matrix (DESIGN §5): one store node, every route it serves (those
// in /openapi.json and those hidden from it) against every role, each held
// in scope (this store, this region) and out of scope (another store, another
// region), plus a guest, the operator and nobody. The expected table below is
// written by hand, independently of the routes' own declarations: a route
// that lets in someone the table does not list fails, a route missing from
// the table fails, and a new public route fails until it joins the allowlist.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { Access, AuthProviders } from '../src/http/auth.js';
import { TokenKeys } from '../src/modules/accounts/index.js';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from './harness/test-node.js';

interface SeenRoute {
  method: string;
  url: string;
  access: Access | undefined;
}

// Every route as it is registered, and whether the access layer let a request through:
// a hook after the layer's own runs only for requests the layer admitted.
const seen = vi.hoisted(() => ({ routes: [] as SeenRoute[], admitted: new WeakSet<object>() }));
vi.mock('../src/http/auth.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/http/auth.js')>();
  return {
    ...real,
    installAuth(app: FastifyInstance, operatorToken: string | undefined, providers: AuthProviders) {
      app.addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) seen.routes.push({ method, url: route.url, access: route.config?.access });
      });
      real.installAuth(app, operatorToken, providers);
      app.addHook('onRequest', async (request: FastifyRequest) => {
        seen.admitted.add(request);
      });
      app.addHook('onSend', async (request, reply) => {
        if (seen.admitted.has(request)) void reply.header('x-matrix-admitted', '1');
      });
    },
  };
});

const OTHER_STORE = '00000000-0000-4000-8000-00000000beef';
const HERE_REGION = 'C';
const OTHER_REGION = 'A';

const scopedRoles = ['MANAGER', 'ADMIN', 'LOGISTICS_MANAGER', 'REPAIR_STAFF'] as const;
type Scoped = `${(typeof scopedRoles)[number]}@${'here' | 'other'}`;
type Label = 'anonymous' | 'guest' | 'user' | Scoped | 'SUPER_ADMIN' | 'operator';

const staffLabels: Scoped[] = scopedRoles.flatMap((r) => [`${r}@here`, `${r}@other`] as Scoped[]);
const labels: Label[] = ['anonymous', 'guest', 'user', ...staffLabels, 'SUPER_ADMIN', 'operator'];

/** Every person with an account: ACCOUNT_USER comes with each. */
const USERS: Label[] = ['user', ...staffLabels, 'SUPER_ADMIN'];
const HEAD_OFFICE: Label[] = ['SUPER_ADMIN', 'operator'];
const STORE_ADMIN: Label[] = ['ADMIN@here', ...HEAD_OFFICE];
const OTHER_STORE_ADMIN: Label[] = ['ADMIN@other', ...HEAD_OFFICE];
const STAFF_HERE: Label[] = ['MANAGER@here', 'ADMIN@here', 'LOGISTICS_MANAGER@here', 'REPAIR_STAFF@here', ...HEAD_OFFICE];
const REGION_LOGISTICS: Label[] = ['LOGISTICS_MANAGER@here', ...HEAD_OFFICE];
/** A store's own staff and its region's: acting on another store, only that store's own (its region is unknown here). */
const STORE_READERS = { here: STAFF_HERE, otherStore: ['MANAGER@other', 'ADMIN@other', ...HEAD_OFFICE] as Label[] };
/** A store's MANAGER and ADMIN (for another store: that store's). */
const STORE_WRITERS = { here: ['MANAGER@here', 'ADMIN@here', ...HEAD_OFFICE] as Label[], otherStore: ['MANAGER@other', 'ADMIN@other', ...HEAD_OFFICE] as Label[] };

/**
 * Routes anyone may call, each with the reason. A route declared public that
 * is not here fails the matrix.
 */
const PUBLIC_ROUTES: Record<string, string> = {
  'GET /openapi.json': 'the API description',
  'OPTIONS *': "the browser's CORS preflight: it says only which methods and headers the web app on another node may send",
  'GET /docs': 'the API browser',
  'GET /docs/': 'the API browser',
  'GET /docs/static/index.html': 'the API browser',
  'GET /docs/static/swagger-initializer.js': 'the API browser',
  'GET /docs/*': 'the API browser',
  'GET /docs/static/*': 'the API browser',
  'GET /docs/json': 'the API browser',
  'GET /docs/yaml': 'the API browser',
  'GET /problems': 'the catalogue of error codes clients branch on',
  'GET /problems/:slug': "an error's type URI: a page about the code",
  'GET /metrics': 'Prometheus scrapes it; it holds counts, no personal data',
  'GET /api/v1/node': "the node's public identity",
  'GET /p2p/v1/health': 'liveness, for clients choosing a store and for monitors',
  'POST /p2p/v1/register': 'the handler verifies a certificate chain or a join token itself',
  'POST /api/v1/auth/register': 'sign-up (rate limited)',
  'POST /api/v1/auth/login': 'login (rate limited)',
  'GET /api/v1/regions': 'the regions and their hubs, shown before anyone logs in',
  'GET /api/v1/stores/nearby': "store discovery: a customer's app asks before logging in",
  'GET /api/v1/stores': 'the store directory',
  'GET /api/v1/stores/:storeId': "a store's public details: hours, open now, wait, stock status",
  'GET /api/v1/ingredients': 'the menu',
  'GET /api/v1/drinks': "the menu (a token adds the caller's own drinks)",
  'GET /api/v1/drinks/:drinkId': "the menu (a person's own drink only for them)",
  'POST /api/v1/orders': 'a guest orders with no account; the order comes with a guest token',
  'POST /api/v1/orders/estimate-arrival': 'golden-window arithmetic; stores nothing',
  'POST /api/v1/stores/:storeId/check-inventory': 'which drinks the store can make now',
  'POST /api/v1/payments/webhook': "the payment provider calls it; the handler checks the provider's signature",
};

/** Whom the access layer lets through each role route of a store node, acting on this store. */
const EXPECTED: Record<string, { here: Label[]; otherStore?: Label[] }> = {
  'GET /api/v1/node/status': { here: STORE_ADMIN },
  'POST /api/v1/node/log-level': { here: STORE_ADMIN },
  'GET /api/v1/node/backup': { here: HEAD_OFFICE },
  'GET /api/v1/network': { here: HEAD_OFFICE },
  'GET /api/v1/audit': { here: HEAD_OFFICE },
  'GET /api/v1/announcements': { here: STAFF_HERE },
  'POST /api/v1/announcements': { here: REGION_LOGISTICS },
  'PATCH /api/v1/announcements/:announcementId': { here: REGION_LOGISTICS },
  // The operator passes the layer as a super admin; the handler then refuses it: it has no "me".
  'GET /api/v1/me': { here: [...USERS, 'operator'] },
  'PATCH /api/v1/me': { here: [...USERS, 'operator'] },
  'GET /api/v1/me/preferences': { here: [...USERS, 'operator'] },
  'PUT /api/v1/me/preferences': { here: [...USERS, 'operator'] },
  'GET /api/v1/me/favorites': { here: [...USERS, 'operator'] },
  'PUT /api/v1/me/favorites/:drinkId': { here: [...USERS, 'operator'] },
  'DELETE /api/v1/me/favorites/:drinkId': { here: [...USERS, 'operator'] },
  'POST /api/v1/roles': { here: STORE_ADMIN },
  'DELETE /api/v1/roles/:roleId': { here: STORE_ADMIN },
  'GET /api/v1/users/:userId/roles': { here: [...USERS, 'operator'] },
  'GET /api/v1/stores/:storeId/accounts': { here: STORE_ADMIN, otherStore: OTHER_STORE_ADMIN },
  'GET /api/v1/stores/:storeId/audit': { here: STORE_ADMIN, otherStore: OTHER_STORE_ADMIN },
  'POST /api/v1/routes/optimize': { here: ['LOGISTICS_MANAGER@here', 'REPAIR_STAFF@here', ...HEAD_OFFICE] },
  // Supply: a store's MANAGER and ADMIN ask; the region's logistics manager reads and decides (at the hub).
  'POST /api/v1/stores/:storeId/supply-requests': STORE_WRITERS,
  'GET /api/v1/stores/:storeId/supply-requests': { here: ['MANAGER@here', 'ADMIN@here', 'LOGISTICS_MANAGER@here', ...HEAD_OFFICE], otherStore: ['MANAGER@other', 'ADMIN@other', ...HEAD_OFFICE] },
  'GET /api/v1/hubs/:hubId/supply-requests': { here: REGION_LOGISTICS },
  'GET /api/v1/supply-requests/:requestId': { here: ['MANAGER@here', 'ADMIN@here', 'LOGISTICS_MANAGER@here', ...HEAD_OFFICE] },
  'PATCH /api/v1/supply-requests/:requestId': { here: ['MANAGER@here', 'ADMIN@here', 'LOGISTICS_MANAGER@here', ...HEAD_OFFICE] },
  'POST /api/v1/supply-requests/:requestId/approve': { here: REGION_LOGISTICS },
  'POST /api/v1/supply-requests/:requestId/deny': { here: REGION_LOGISTICS },
  'POST /api/v1/supply-requests/:requestId/cover': { here: REGION_LOGISTICS },
  'GET /api/v1/hubs/:hubId/inventory': { here: REGION_LOGISTICS },
  'GET /api/v1/stores/:storeId/hub-stock': { here: ['MANAGER@here', 'ADMIN@here', 'LOGISTICS_MANAGER@here', ...HEAD_OFFICE], otherStore: ['MANAGER@other', 'ADMIN@other', ...HEAD_OFFICE] },
  'POST /api/v1/hubs/:hubId/inventory/transactions': { here: REGION_LOGISTICS },
  'PUT /api/v1/hubs/:hubId/inventory/:itemId/threshold': { here: REGION_LOGISTICS },
  'GET /api/v1/hubs/:hubId/inventory.csv': { here: REGION_LOGISTICS },
  'POST /api/v1/hubs/:hubId/inventory.csv': { here: REGION_LOGISTICS },
  'POST /api/v1/deliveries': { here: REGION_LOGISTICS },
  'POST /api/v1/hubs/:hubId/usage': { here: REGION_LOGISTICS },
  'POST /api/v1/purchase-orders': { here: REGION_LOGISTICS },
  'POST /api/v1/hub-transfers': { here: REGION_LOGISTICS },
  'POST /api/v1/stores/:storeId/transfers': STORE_WRITERS,
  'GET /api/v1/stores/:storeId/transfers': STORE_WRITERS,
  'POST /api/v1/store-transfers/:transferId/approve': { here: ['MANAGER@here', 'ADMIN@here', ...HEAD_OFFICE] },
  'POST /api/v1/store-transfers/:transferId/deny': { here: ['MANAGER@here', 'ADMIN@here', ...HEAD_OFFICE] },
  'POST /api/v1/store-transfers/:transferId/receive': { here: ['MANAGER@here', 'ADMIN@here', ...HEAD_OFFICE] },
  'GET /api/v1/hub-transfers': { here: REGION_LOGISTICS },
  'POST /api/v1/hub-transfers/:transferId/receive': { here: REGION_LOGISTICS },
  'GET /api/v1/regions/:code/logistics': { here: REGION_LOGISTICS },
  'GET /api/v1/replenishment-rules': { here: ['MANAGER@here', 'ADMIN@here', 'LOGISTICS_MANAGER@here', ...HEAD_OFFICE] },
  'POST /api/v1/replenishment-rules': { here: ['MANAGER@here', 'ADMIN@here', ...HEAD_OFFICE] },
  'DELETE /api/v1/replenishment-rules/:itemId': { here: ['MANAGER@here', 'ADMIN@here', ...HEAD_OFFICE] },
  'GET /api/v1/stores/:storeId/to-reorder': { here: ['MANAGER@here', 'ADMIN@here', 'LOGISTICS_MANAGER@here', ...HEAD_OFFICE], otherStore: ['MANAGER@other', 'ADMIN@other', ...HEAD_OFFICE] },
  'GET /api/v1/purchase-orders': { here: REGION_LOGISTICS },
  'GET /api/v1/purchase-orders/:poId': { here: REGION_LOGISTICS },
  'POST /api/v1/purchase-orders/:poId/approve': { here: REGION_LOGISTICS },
  'POST /api/v1/purchase-orders/:poId/receipt': { here: REGION_LOGISTICS },
  'POST /api/v1/purchase-orders/:poId/cancel': { here: REGION_LOGISTICS },
  'GET /api/v1/hubs/:hubId/usage': { here: REGION_LOGISTICS },
  'POST /api/v1/hubs/:hubId/forecasts': { here: REGION_LOGISTICS },
  'GET /api/v1/deliveries': { here: ['MANAGER@here', 'ADMIN@here', 'LOGISTICS_MANAGER@here', ...HEAD_OFFICE] },
  'GET /api/v1/deliveries/:deliveryId': { here: ['MANAGER@here', 'ADMIN@here', 'LOGISTICS_MANAGER@here', ...HEAD_OFFICE] },
  'PATCH /api/v1/deliveries/:deliveryId': { here: REGION_LOGISTICS },
  'POST /api/v1/deliveries/:deliveryId/dispatch': { here: REGION_LOGISTICS },
  'POST /api/v1/deliveries/:deliveryId/fail': { here: REGION_LOGISTICS },
  'POST /api/v1/deliveries/:deliveryId/receipt': { here: ['MANAGER@here', 'ADMIN@here', ...HEAD_OFFICE] },
  'POST /api/v1/stores/:storeId/accounts/:userId/disable': { here: STORE_ADMIN, otherStore: OTHER_STORE_ADMIN },
  'POST /api/v1/stores/:storeId/accounts/:userId/enable': { here: STORE_ADMIN, otherStore: OTHER_STORE_ADMIN },
  'GET /api/v1/stores/:storeId/inventory': STORE_READERS,
  'GET /api/v1/stores/:storeId/inventory/:itemId': STORE_READERS,
  'GET /api/v1/stores/:storeId/inventory/transactions': STORE_READERS,
  'GET /api/v1/stores/:storeId/inventory.csv': STORE_READERS,
  'POST /api/v1/stores/:storeId/inventory/transactions': STORE_WRITERS,
  'PUT /api/v1/stores/:storeId/inventory/:itemId/threshold': STORE_WRITERS,
  'POST /api/v1/stores/:storeId/inventory/verify': STORE_WRITERS,
  'POST /api/v1/stores/:storeId/inventory.csv': STORE_WRITERS,
  'PATCH /api/v1/stores/:storeId': STORE_WRITERS,
  'PUT /api/v1/stores/:storeId': STORE_WRITERS,
  'POST /api/v1/ingredients': { here: HEAD_OFFICE },
  'PATCH /api/v1/ingredients/:itemId': { here: HEAD_OFFICE },
  'POST /api/v1/catalog/default': { here: HEAD_OFFICE },
  // Anyone with an account adds drinks of their own; the handler keeps catalog drinks to a super admin.
  'POST /api/v1/drinks': { here: [...USERS, 'operator'] },
  'PATCH /api/v1/drinks/:drinkId': { here: [...USERS, 'operator'] },
  // Orders: the layer admits owners (accounts, guests) and this store's staff; the handler keeps each to their own orders.
  'GET /api/v1/orders/:orderId': { here: [...USERS, 'guest', 'operator'] },
  'GET /api/v1/me/orders': { here: [...USERS, 'operator'] },
  'POST /api/v1/orders/:orderId/pay': { here: [...USERS, 'guest', 'operator'] },
  'POST /api/v1/orders/:orderId/cancel': { here: [...USERS, 'guest', 'operator'] },
  'POST /api/v1/orders/:orderId/arrival': { here: [...USERS, 'guest', 'operator'] },
  'POST /api/v1/orders/:orderId/status': { here: ['MANAGER@here', 'ADMIN@here', ...HEAD_OFFICE] },
  'POST /api/v1/orders/:orderId/refund': { here: ['MANAGER@here', 'ADMIN@here', ...HEAD_OFFICE] },
  'GET /api/v1/stores/:storeId/orders': STORE_WRITERS,
  'GET /api/v1/stores/:storeId/dashboard': STORE_WRITERS,
  'GET /api/v1/admin/dashboard': { here: STORE_ADMIN },
  // Last: it revokes the tokens it is called with.
  'POST /api/v1/auth/logout': { here: [...USERS, 'guest', 'operator'] },
};

interface Caller {
  label: Label;
  token?: string;
  subject: string;
}

describeEachDb('role matrix (store node)', (db) => {
  let node: TestNode;
  let storeId: string;
  const callers = new Map<Label, Caller>();
  const routes = () => seen.routes.filter((r) => r.method !== 'HEAD');
  const keyOf = (r: SeenRoute) => `${r.method} ${r.url}`;

  beforeAll(async () => {
    seen.routes.length = 0; // one node's routes per suite
    node = await createTestNode({ role: 'store', db, config: { authRateLimit: 100_000 } });
    storeId = node.ctx.identity.nodeId;
    const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
    callers.set('anonymous', { label: 'anonymous', subject: 'nobody' });
    callers.set('operator', { label: 'operator', token: TEST_OPERATOR_TOKEN, subject: 'operator' });
    const guestId = `guest-${randomUUID()}`;
    const keys = new TokenKeys(node.ctx.identity, node.ctx.mesh, () => Date.now());
    callers.set('guest', { label: 'guest', token: (await keys.issue({ subject: guestId, kind: 'guest', ttlMs: 3_600_000 })).token, subject: guestId });

    for (const label of ['user', ...staffLabels, 'SUPER_ADMIN'] as Label[]) {
      const username = `m-${label.toLowerCase().replace(/[^a-z]/g, '-')}`;
      const password = 'Matrix-Fizz-Soda-2048';
      const reg = await node.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { username, email: `${username}@example.com`, password } });
      expect(reg.statusCode, reg.body).toBe(201);
      const userId = reg.json<{ user: { id: string } }>().user.id;
      if (label !== 'user') {
        const [roleType, where] = label.split('@') as [string, 'here' | 'other' | undefined];
        const place =
          roleType === 'MANAGER' || roleType === 'ADMIN'
            ? { storeId: where === 'here' ? storeId : OTHER_STORE }
            : roleType === 'SUPER_ADMIN'
              ? {}
              : { regionCode: where === 'here' ? HERE_REGION : OTHER_REGION };
        const res = await node.app.inject({ method: 'POST', url: '/api/v1/roles', headers: operator, payload: { userId, roleType, ...place } });
        expect(res.statusCode, res.body).toBe(201);
      }
      const login = await node.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
      expect(login.statusCode, login.body).toBe(200);
      callers.set(label, { label, token: login.json<{ token: string }>().token, subject: userId });
    }
  }, 120_000);
  afterAll(() => node?.close());

  /** The request path for a route, its parameters filled for one caller. */
  function pathFor(url: string, caller: Caller, store: string): string {
    return url
      .replace(/:(\w+)/g, (_m, name: string) => {
        switch (name) {
          case 'storeId':
            return store;
          case 'userId':
            return caller.subject;
          case 'roleId':
          case 'announcementId':
          case 'orderId':
          case 'requestId':
          case 'hubId':
          case 'code':
            return node.ctx.config.region;
          case 'deliveryId':
          case 'poId':
          case 'transferId':
            return randomUUID();
          case 'drinkId':
            return 'classic-cherry-cola';
          case 'itemId':
            return 'cherry-syrup';
          default:
            throw new Error(`the role matrix does not know how to fill :${name} of ${url}; teach pathFor`);
        }
      })
      .replace('*', 'anything');
  }

  async function call(route: SeenRoute, caller: Caller, store: string) {
    const res = await node.app.inject({
      method: route.method as 'GET',
      url: pathFor(route.url, caller, store),
      headers: caller.token ? { authorization: `Bearer ${caller.token}` } : {},
    });
    return { status: res.statusCode, admitted: res.headers['x-matrix-admitted'] === '1' };
  }

  it('every caller holds the roles the matrix says', async () => {
    for (const label of staffLabels) {
      const caller = callers.get(label)!;
      const res = await node.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${caller.token}` } });
      const roles = res.json<{ roles: { role: string; storeId?: string; regionCode?: string }[] }>().roles;
      const [role, where] = label.split('@');
      const expected = role === 'MANAGER' || role === 'ADMIN' ? { role, storeId: where === 'here' ? storeId : OTHER_STORE } : { role, regionCode: where === 'here' ? HERE_REGION : OTHER_REGION };
      expect(roles).toEqual(expect.arrayContaining([{ role: 'ACCOUNT_USER' }, expected]));
    }
  });

  it('every route declares a policy, and every public route is on the allowlist', () => {
    expect(routes().length).toBeGreaterThan(20);
    const undeclared = routes().filter((r) => r.access === undefined).map(keyOf);
    expect(undeclared, 'routes with no config.access').toEqual([]);
    const unlisted = routes().filter((r) => r.access === 'public' && !(keyOf(r) in PUBLIC_ROUTES)).map(keyOf);
    expect(unlisted, 'public routes missing from PUBLIC_ROUTES (add them with the reason they are public)').toEqual([]);
    const notPublic = Object.keys(PUBLIC_ROUTES).filter((k) => routes().some((r) => keyOf(r) === k && r.access !== 'public'));
    expect(notPublic, 'allowlisted routes that are no longer public').toEqual([]);
  });

  it('every role route is in the matrix, and the matrix names only routes that exist', () => {
    const roleRoutes = routes().filter((r) => typeof r.access === 'object').map(keyOf);
    expect(roleRoutes.filter((k) => !(k in EXPECTED)), 'role routes missing from EXPECTED').toEqual([]);
    expect(Object.keys(EXPECTED).filter((k) => !roleRoutes.includes(k)), 'EXPECTED rows with no such role route').toEqual([]);
  });

  it('the routes in /openapi.json are all seen here', async () => {
    const doc = (await node.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    const known = new Set(routes().map(keyOf));
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops)
        .filter((m) => m !== 'head')
        .map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(documented.length).toBeGreaterThan(15);
    expect(documented.filter((k) => !known.has(k))).toEqual([]);
  });

  it('peer routes refuse every bearer token and nobody', async () => {
    const wrong: string[] = [];
    for (const route of routes().filter((r) => r.access === 'peer')) {
      for (const label of labels) {
        const { status } = await call(route, callers.get(label)!, storeId);
        if (status !== 401 && status !== 403) wrong.push(`${keyOf(route)} answered ${status} to ${label}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('role routes let through exactly whom the matrix lists, in and out of scope', async () => {
    const wrong: string[] = [];
    const check = async (route: SeenRoute, allowed: Label[], store: string, where: string) => {
      for (const label of labels) {
        const { status, admitted } = await call(route, callers.get(label)!, store);
        const should = allowed.includes(label);
        if (should && !admitted) wrong.push(`${keyOf(route)} (${where}) kept out ${label} (${status})`);
        if (!should && (admitted || (status !== 401 && status !== 403))) wrong.push(`${keyOf(route)} (${where}) let in ${label} (${status})`);
      }
    };
    const ordered = Object.keys(EXPECTED);
    const roleRoutes = routes()
      .filter((r) => typeof r.access === 'object' && keyOf(r) in EXPECTED)
      .sort((a, b) => ordered.indexOf(keyOf(a)) - ordered.indexOf(keyOf(b)));
    for (const route of roleRoutes) {
      const row = EXPECTED[keyOf(route)]!;
      if (row.otherStore) await check(route, row.otherStore, OTHER_STORE, 'another store');
      await check(route, row.here, storeId, 'this store');
    }
    expect(wrong).toEqual([]);
  });
});
