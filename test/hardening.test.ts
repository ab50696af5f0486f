// Hostile input through HTTP, per database: text a database cannot store is a
// 400 naming the field at the edge; every error the server sends, the
// router's own included, is problem+json with a catalogue code whose type
// page this node serves; a failed sign-up leaves no name claim behind.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { PROBLEM_CODES, PROBLEMS } from '../src/http/problem-catalog.js';
import { nameClaims } from '../src/modules/accounts/schema.js';
import { accounts } from '../src/modules/accounts/schema.js';
import { inventoryPositions, inventoryTransactions } from '../src/modules/inventory/schema.js';
import { orders, payments } from '../src/modules/orders/schema.js';
import { OrdersKit } from './harness/orders-kit.js';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from './harness/test-node.js';

const PASSWORD = 'correct horse battery';
type ProblemJson = { type: string; code: string; status: number; title: string; errors?: { field: string; message: string }[] };

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code: string): ProblemJson {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.body) as ProblemJson;
  expect(body).toMatchObject({ status, code, type: `/problems/${code.replaceAll('_', '-')}` });
  return body;
}

/** A raw request on a socket, for what inject cannot send (oversized headers, undecodable paths). */
function raw(url: string, path: string, headers: Record<string, string> = {}, method = 'GET', body?: Buffer): Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describeEachDb('hardening', (db) => {
  let node: TestNode;
  beforeAll(async () => {
    node = await createTestNode({ db, listen: true, config: { authRateLimit: 1000 } });
  });
  afterAll(() => node.close());

  const op = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
  const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
    node.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });
  const accountCount = () => node.ctx.database.db.$count(accounts);
  const claimCount = () => node.ctx.database.db.$count(nameClaims);

  describe('text a database cannot store', () => {
    it.each([
      ['NUL in a name', '{"username":"nul1","email":"nul1@example.com","password":"correct horse battery","firstName":"A\\u0000B"}', 'body.firstName', 'NUL'],
      ['a lone surrogate', '{"username":"sur1","email":"sur1@example.com","password":"correct horse battery","lastName":"x\\ud800"}', 'body.lastName', 'lone UTF-16 surrogate'],
      ['a control character', '{"username":"ctl1","email":"ctl1@example.com","password":"correct horse battery","firstName":"bell\\u0007"}', 'body.firstName', 'control characters'],
    ])('a sign-up with %s is a 400 naming the field, and nothing is claimed or stored', async (_label, body, field, words) => {
      const before = [await accountCount(), await claimCount()];
      const res = await post('/api/v1/auth/register', body);
      const problem = expectProblem(res, 400, 'invalid_request');
      expect(problem.errors?.[0]?.field).toBe(field);
      expect(problem.errors?.[0]?.message).toContain(words);
      expect([await accountCount(), await claimCount()]).toEqual(before);
    });

    it('a NUL in a login name, a query cursor or a path is a 400 naming where it is', async () => {
      const login = await post('/api/v1/auth/login', '{"username":"a\\u0000","password":"x"}');
      expect(expectProblem(login, 400, 'invalid_request').errors?.[0]?.field).toBe('body.username');
      const list = await node.app.inject({ method: 'GET', url: '/api/v1/stores?cursor=%00', headers: op });
      expect(expectProblem(list, 400, 'invalid_request').errors?.[0]?.field).toBe('query.cursor');
      const path = await node.app.inject({ method: 'GET', url: '/api/v1/users/a%00b/roles', headers: op });
      expect(expectProblem(path, 400, 'invalid_request').errors?.[0]?.field).toBe('path.userId');
    });

    it('a NUL in a field name of free-form JSON (preferences) is refused, not stored in jsonb', async () => {
      expect((await post('/api/v1/auth/register', JSON.stringify({ username: 'prefs1', email: 'prefs1@example.com', password: PASSWORD }))).statusCode).toBe(201);
      const token = (await post('/api/v1/auth/login', JSON.stringify({ username: 'prefs1', password: PASSWORD }))).json<{ token: string }>().token;
      const res = await node.app.inject({ method: 'PUT', url: '/api/v1/me/preferences', payload: '{"a\\u0000":1}', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
      expect(expectProblem(res, 400, 'invalid_request').errors?.[0]?.message).toContain('field name');
    });

    it('a NUL in an Idempotency-Key is refused like one in the body', async () => {
      const res = await post('/api/v1/orders', '{}', { 'idempotency-key': 'k\u0001' });
      expect(expectProblem(res, 400, 'invalid_request').errors?.[0]?.field).toBe('headers.idempotency-key');
    });
  });

  describe('every error is problem+json', () => {
    it('400: malformed percent-encoding in the path', async () => {
      expectProblem(await raw(node.url, '/api/v1/users/%E0%A4%A/roles', op), 400, 'malformed_request');
    });
    it('400: a body that is not valid UTF-8, or starts with a byte-order mark, or is not JSON', async () => {
      const bad = Buffer.from([0x7b, 0x22, 0x75, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
      expectProblem(await node.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: bad, headers: { 'content-type': 'application/json' } }), 400, 'malformed_request');
      expectProblem(await post('/api/v1/auth/login', '\ufeff{"username":"a","password":"b"}'), 400, 'malformed_request');
      expectProblem(await post('/api/v1/auth/login', '{"username":'), 400, 'malformed_request');
    });
    it('404: an unknown route', async () => {
      expectProblem(await node.app.inject({ method: 'GET', url: '/api/v1/no-such-thing' }), 404, 'not_found');
    });
    it('405: a known path with another method, with Allow', async () => {
      const res = await node.app.inject({ method: 'DELETE', url: '/api/v1/auth/login' });
      expectProblem(res, 405, 'method_not_allowed');
      expect(res.headers.allow).toBe('POST');
    });
    it('413: a body over the limit', async () => {
      expectProblem(await post('/api/v1/auth/login', JSON.stringify({ username: 'x'.repeat(40_000), password: 'y' })), 413, 'payload_too_large');
    });
    it('414: an over-long path parameter', async () => {
      expectProblem(await raw(node.url, `/api/v1/users/${'u'.repeat(500)}/roles`, op), 414, 'uri_too_long');
    });
    it('415: a content type the endpoint does not take (text/plain to a CSV import, JSON endpoints)', async () => {
      const storeId = node.ctx.identity.nodeId;
      expectProblem(await node.app.inject({ method: 'POST', url: `/api/v1/stores/${storeId}/inventory.csv`, payload: 'itemId,onHand\n', headers: { ...op, 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
      expectProblem(await node.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: 'x', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
    });
    it('431: headers over 16 KiB, answered by Node before any route', async () => {
      expectProblem(await raw(node.url, '/api/v1/node', { 'x-big': 'y'.repeat(20_000) }), 431, 'header_too_large');
    });
    it('domain errors carry their own code: a taken name is name_taken', async () => {
      expect((await post('/api/v1/auth/register', JSON.stringify({ username: 'taken1', email: 'taken1@example.com', password: PASSWORD }))).statusCode).toBe(201);
      expectProblem(await post('/api/v1/auth/register', JSON.stringify({ username: 'TAKEN1', email: 'other1@example.com', password: PASSWORD })), 409, 'name_taken');
    });
  });

  describe('the catalogue', () => {
    it('serves a page for every code, and the OpenAPI document lists every code', async () => {
      for (const code of PROBLEM_CODES) {
        const page = await node.app.inject({ method: 'GET', url: `/problems/${code.replaceAll('_', '-')}` });
        expect(page.statusCode).toBe(200);
        expect(page.headers['content-type']).toMatch(/^text\/html/);
        expect(page.body).toContain(PROBLEMS[code].title.replace('&', '&amp;'));
      }
      expectProblem(await node.app.inject({ method: 'GET', url: '/problems/no-such-problem' }), 404, 'not_found');
      const doc = (await node.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } } }>();
      expect(doc.components.schemas.Problem.properties.code.enum).toEqual(PROBLEM_CODES);
    });
  });

  describe('no half-done writes', () => {
    it('a sign-up whose account write fails after its name was claimed frees the name again', async () => {
      const { database } = node.ctx;
      await database.db.execute(sql.raw(`create or replace function test_fail_signup() returns trigger language plpgsql as $$
        begin if new.username = 'failing' then raise exception 'injected failure'; end if; return new; end $$`));
      await database.db.execute(sql.raw('create trigger test_fail_signup before insert on accounts for each row execute function test_fail_signup()'));
      const body = JSON.stringify({ username: 'failing', email: 'failing@example.com', password: PASSWORD });
      const before = [await accountCount(), await claimCount()];
      try {
        expectProblem(await post('/api/v1/auth/register', body), 500, 'internal_error');
        expect([await accountCount(), await claimCount()]).toEqual(before);
      } finally {
        await database.db.execute(sql.raw('drop trigger test_fail_signup on accounts'));
        await database.db.execute(sql.raw('drop function test_fail_signup()'));
      }
      // The name was not kept by the failed attempt: the same sign-up now succeeds.
      expect((await post('/api/v1/auth/register', body)).statusCode).toBe(201);
    });

    it('a rename whose account write fails frees the new name and keeps the old one', async () => {
      const { database } = node.ctx;
      expect((await post('/api/v1/auth/register', JSON.stringify({ username: 'renamer', email: 'renamer@example.com', password: PASSWORD }))).statusCode).toBe(201);
      const token = (await post('/api/v1/auth/login', JSON.stringify({ username: 'renamer', password: PASSWORD }))).json<{ token: string }>().token;
      await database.db.execute(sql.raw(`create or replace function test_fail_rename() returns trigger language plpgsql as $$
        begin if new.username_key = 'renamed' then raise exception 'injected failure'; end if; return new; end $$`));
      await database.db.execute(sql.raw('create trigger test_fail_rename before update on accounts for each row execute function test_fail_rename()'));
      const claims = await claimCount();
      try {
        const res = await node.app.inject({ method: 'PATCH', url: '/api/v1/me', payload: { username: 'renamed' }, headers: { authorization: `Bearer ${token}` } });
        expectProblem(res, 500, 'internal_error');
        expect(await claimCount()).toBe(claims);
      } finally {
        await database.db.execute(sql.raw('drop trigger test_fail_rename on accounts'));
        await database.db.execute(sql.raw('drop function test_fail_rename()'));
      }
      const me = await node.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      expect(me.json<{ username: string }>().username).toBe('renamer');
      expect((await post('/api/v1/auth/register', JSON.stringify({ username: 'renamed', email: 'renamed@example.com', password: PASSWORD }))).statusCode).toBe(201);
    });

    it('an order whose row cannot be written after its stock was reserved leaves no reservation, ledger row or payment', async () => {
      const { database } = node.ctx;
      const kit = new OrdersKit(node.app, node.ctx.identity.nodeId, TEST_OPERATOR_TOKEN);
      await kit.setUp();
      const drinkId = 'drink-classic-cherry-cola';
      await kit.stockFor(drinkId, 5);
      const state = async () => ({
        ledger: await database.db.$count(inventoryTransactions),
        positions: JSON.stringify(await database.db.select().from(inventoryPositions).orderBy(inventoryPositions.itemId)),
        orders: await database.db.$count(orders),
        payments: await database.db.$count(payments),
      });
      await database.db.execute(sql.raw(`create or replace function test_fail_order() returns trigger language plpgsql as $$
        begin if new.idempotency_key = 'inject-failure-0001' then raise exception 'injected failure'; end if; return new; end $$`));
      await database.db.execute(sql.raw('create trigger test_fail_order before insert on orders for each row execute function test_fail_order()'));
      const before = await state();
      try {
        const res = await post('/api/v1/orders', JSON.stringify({ items: [{ drinkId, quantity: 2 }], paymentMethod: 'tok_approve' }), { 'idempotency-key': 'inject-failure-0001' });
        expectProblem(res, 500, 'internal_error');
        expect(await state()).toEqual(before);
      } finally {
        await database.db.execute(sql.raw('drop trigger test_fail_order on orders'));
        await database.db.execute(sql.raw('drop function test_fail_order()'));
      }
      // The stock the failed order touched is all there for the next one.
      const again = await post('/api/v1/orders', JSON.stringify({ items: [{ drinkId, quantity: 5 }] }), { 'idempotency-key': 'inject-failure-0002' });
      expect(again.statusCode, again.body).toBe(201);
    });
  });
});
