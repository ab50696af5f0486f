// Accounts through HTTP on one node, per database: sign-up, login, tokens,
// logout, profile, preferences and favorites; bad input changes nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { replEvents } from '../../mesh/replication/schema.js';
import { applyAccountSet } from './events.js';
import { accounts } from './schema.js';
import { TokenKeys } from './tokens.js';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';

const PASSWORD = 'correct horse battery';

describeEachDb('accounts', (db) => {
  let node: TestNode;
  beforeAll(async () => {
    node = await createTestNode({ db, config: { authRateLimit: 1000 } });
  });
  afterAll(() => node.close());

  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, token?: string) =>
    node.app.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}), headers: token ? { authorization: `Bearer ${token}` } : {} });
  const register = (body: Record<string, unknown>) => call('POST', '/api/v1/auth/register', body);
  const login = async (username: string, password = PASSWORD) => {
    const res = await call('POST', '/api/v1/auth/login', { username, password });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ token: string; user: { id: string; roles: { role: string }[] } }>();
  };
  const accountCount = () => node.ctx.database.db.$count(accounts);

  it('signs up, logs in and reads the profile with the token', async () => {
    const res = await register({ username: 'Ada', email: 'ada@example.com', password: PASSWORD, firstName: 'Ada' });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json<{ user: { id: string; username: string }; nameClaim: string }>();
    expect(created.user.username).toBe('Ada');
    const { token, user } = await login('ada');
    expect(user.id).toBe(created.user.id);
    expect(user.roles).toEqual([{ role: 'ACCOUNT_USER' }]);
    const me = await call('GET', '/api/v1/me', undefined, token);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: created.user.id, username: 'Ada', email: 'ada@example.com', firstName: 'Ada', status: 'active', homeStoreId: node.ctx.identity.nodeId });
  });

  it('keeps the password out of every log line and out of the replicated event', async () => {
    const secret = 'a very secret passphrase 42';
    expect((await register({ username: 'logcheck', email: 'logcheck@example.com', password: secret })).statusCode).toBe(201);
    await login('logcheck', secret);
    expect(JSON.stringify(node.logs)).not.toContain(secret);
    const events = await node.ctx.database.db.select().from(replEvents).where(eq(replEvents.type, 'account.set'));
    const text = JSON.stringify(events.map((e) => e.payload));
    expect(text).not.toContain(secret);
    expect(text).toContain('$argon2id$');
  });

  it('refuses a taken username or email (any case), naming the field, and creates nothing', async () => {
    const before = await accountCount();
    const dupName = await register({ username: 'ADA', email: 'other@example.com', password: PASSWORD });
    expect(dupName.statusCode).toBe(409);
    expect(dupName.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('body.username');
    const dupEmail = await register({ username: 'ada2', email: 'ADA@example.com', password: PASSWORD });
    expect(dupEmail.statusCode).toBe(409);
    expect(dupEmail.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('body.email');
    expect(await accountCount()).toEqual(before);
  });

  it.each([
    [{ email: 'x@example.com', password: PASSWORD }, 'body.username'],
    [{ username: 'bob', password: PASSWORD }, 'body.email'],
    [{ username: 'bob', email: 'bob@example.com' }, 'body.password'],
    [{ username: 'b', email: 'bob@example.com', password: PASSWORD }, 'body.username'],
    [{ username: 'bob', email: 'not-an-email', password: PASSWORD }, 'body.email'],
    [{ username: 'bob', email: 'bob@example.com', password: 12345678901 }, 'body.password'],
    [{ username: 'bob', email: 'bob@example.com', password: 'short' }, 'body.password'],
    [{ username: 'bob', email: 'bob@example.com', password: 'password123' }, 'body.password'],
    [{ username: 'bob', email: 'bob@example.com', password: 'bob-is-great-2024' }, 'body.password'],
    [{ username: 'bob', email: 'bob@example.com', password: PASSWORD, firstName: 'x'.repeat(101) }, 'body.firstName'],
    [{ username: 'bob', email: 'bob@example.com', password: PASSWORD, admin: true }, 'body'],
  ])('refuses bad sign-up input %j naming %s, and creates nothing', async (body, field) => {
    const before = await accountCount();
    const res = await register(body);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field).join(',')).toContain(field);
    expect(await accountCount()).toEqual(before);
  });

  it('answers a wrong password and an unknown user the same way', async () => {
    const wrong = await call('POST', '/api/v1/auth/login', { username: 'ada', password: 'wrong password here' });
    const unknown = await call('POST', '/api/v1/auth/login', { username: 'nobody-here', password: 'wrong password here' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json<{ detail: string }>().detail).toBe(unknown.json<{ detail: string }>().detail);
  });

  it('refuses a forged, tampered or expired token', async () => {
    const { token } = await login('ada');
    const [h, p, s] = token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'someone-else' })).toString('base64url')}.${s}`;
    expect((await call('GET', '/api/v1/me', undefined, tampered)).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/me', undefined, 'not.a.token')).statusCode).toBe(401);
    const me = (await call('GET', '/api/v1/me', undefined, token)).json<{ id: string }>();
    const yesterday = new TokenKeys(node.ctx.identity, node.ctx.mesh, () => Date.now() - 24 * 3600_000);
    const expired = await yesterday.issue({ subject: me.id, kind: 'user', ttlMs: 3600_000 });
    expect((await call('GET', '/api/v1/me', undefined, expired.token)).statusCode).toBe(401);
    const current = await yesterday.issue({ subject: me.id, kind: 'user', ttlMs: 48 * 3600_000 });
    expect((await call('GET', '/api/v1/me', undefined, current.token)).statusCode).toBe(200);
  });

  it('logout revokes the token and only that token', async () => {
    const first = await login('ada');
    const second = await login('ada');
    expect((await call('POST', '/api/v1/auth/logout', undefined, first.token)).statusCode).toBe(204);
    expect((await call('GET', '/api/v1/me', undefined, first.token)).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/me', undefined, second.token)).statusCode).toBe(200);
  });

  it('changes profile fields one by one and keeps the others', async () => {
    const { token } = await login('ada');
    const res = await call('PATCH', '/api/v1/me', { lastName: 'Lovelace', phone: '+1 435 555 0100' }, token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', phone: '+1 435 555 0100' });
    const bad = await call('PATCH', '/api/v1/me', { phone: 'call me maybe' }, token);
    expect(bad.statusCode).toBe(400);
    expect((await call('GET', '/api/v1/me', undefined, token)).json()).toMatchObject({ phone: '+1 435 555 0100' });
  });

  it('stores and replaces drink preferences, refusing unknown fields', async () => {
    const { token } = await login('ada');
    const put = await call('PUT', '/api/v1/me/preferences', { size: 'large', ice: 'light', sugarFree: true }, token);
    expect(put.statusCode, put.body).toBe(200);
    expect((await call('GET', '/api/v1/me/preferences', undefined, token)).json()).toEqual({ size: 'large', ice: 'light', sugarFree: true });
    expect((await call('PUT', '/api/v1/me/preferences', { size: 'huge' }, token)).statusCode).toBe(400);
    expect((await call('PUT', '/api/v1/me/preferences', { colour: 'blue' }, token)).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/me/preferences', undefined, token)).json()).toEqual({ size: 'large', ice: 'light', sugarFree: true });
  });

  it('keeps one favorite when it is added twice, and removes it', async () => {
    const { token } = await login('ada');
    const favs = async () => (await call('GET', '/api/v1/me/favorites', undefined, token)).json<{ items: { drinkId: string }[] }>().items.map((i) => i.drinkId);
    expect((await call('PUT', '/api/v1/me/favorites/dirty-dr-pepper', undefined, token)).statusCode).toBe(204);
    expect((await call('PUT', '/api/v1/me/favorites/dirty-dr-pepper', undefined, token)).statusCode).toBe(204);
    expect((await call('PUT', '/api/v1/me/favorites/mango-fizz', undefined, token)).statusCode).toBe(204);
    expect(await favs()).toEqual(['dirty-dr-pepper', 'mango-fizz']);
    expect((await call('DELETE', '/api/v1/me/favorites/mango-fizz', undefined, token)).statusCode).toBe(204);
    expect(await favs()).toEqual(['dirty-dr-pepper']);
    expect((await call('PUT', '/api/v1/me/favorites/bad%20id', undefined, token)).statusCode).toBe(400);
  });

  it('the operator token has no profile', async () => {
    expect((await call('GET', '/api/v1/me', undefined, TEST_OPERATOR_TOKEN)).statusCode).toBe(403);
  });

  it('a disabled account can neither log in nor use its token', async () => {
    expect((await register({ username: 'carol', email: 'carol@example.com', password: PASSWORD })).statusCode).toBe(201);
    const { token, user } = await login('carol');
    await node.ctx.replication.transaction(async (tx, emit) => {
      const ev = await emit({ topic: `user:${user.id}`, type: 'account.set', payload: { userId: user.id, fields: { status: 'disabled' } } });
      await applyAccountSet(tx, ev);
    });
    expect((await call('GET', '/api/v1/me', undefined, token)).statusCode).toBe(401);
    expect((await call('POST', '/api/v1/auth/login', { username: 'carol', password: PASSWORD })).statusCode).toBe(403);
  });
});

describeEachDb('accounts rate limit', (db) => {
  let node: TestNode;
  beforeAll(async () => {
    node = await createTestNode({ db, config: { authRateLimit: 3 } });
  });
  afterAll(() => node.close());

  it('answers 429 with Retry-After once a client tries too often, per name', async () => {
    const attempt = (username: string) => node.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'guess guess guess' } });
    for (let i = 0; i < 3; i++) expect((await attempt('victim')).statusCode).toBe(401);
    const limited = await attempt('victim');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect((await attempt('someone-else')).statusCode).toBe(401);
  });
});
