// The node runtime through HTTP, once per database.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { createScratchDatabase } from './harness/databases.js';
import { createTestNode, describeEachDb, pgliteTemplate, TEST_OPERATOR_TOKEN, type TestNode } from './harness/test-node.js';

describeEachDb('a node', (db) => {
  let node: TestNode;
  beforeAll(async () => {
    node = await createTestNode({ role: 'hub', db });
  });
  afterAll(() => node.close());

  it('says which node it is', async () => {
    const res = await node.app.inject({ method: 'GET', url: '/api/v1/node' });
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ nodeId: node.ctx.identity.nodeId, nodeType: 'SUPPLY_HUB', displayName: 'Test Hub', region: 'C' });
    expect(body.storeId).toBeUndefined();
  });

  it('answers the public health check with its database state and nothing secret', async () => {
    const res = await node.app.inject({ method: 'GET', url: '/p2p/v1/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ status: 'ok', database: 'ok', nodeType: 'SUPPLY_HUB', peers: { reachable: 0, total: 0 } });
    expect(Date.parse(String(body.timestamp))).not.toBeNaN();
    expect(res.body).not.toContain(TEST_OPERATOR_TOKEN);
    expect(res.body).not.toMatch(/PRIVATE KEY/);
  });

  it('shows its status to an admin only', async () => {
    const anonymous = await node.app.inject({ method: 'GET', url: '/api/v1/node/status' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/problem\+json/);
    const wrong = await node.app.inject({
      method: 'GET',
      url: '/api/v1/node/status',
      headers: { authorization: 'Bearer not-the-token-at-all' },
    });
    expect(wrong.statusCode).toBe(401);
    const ok = await node.app.inject({
      method: 'GET',
      url: '/api/v1/node/status',
      headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ database: { kind: db, ok: true } });
  });

  it('counts requests by route and status in /metrics', async () => {
    await node.app.inject({ method: 'GET', url: '/api/v1/node' });
    const res = await node.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/codepop_http_requests_total\{method="GET",route="\/api\/v1\/node",status="200"/);
    expect(res.body).toMatch(/codepop_http_request_duration_seconds_bucket\{/);
    expect(res.body).toMatch(/process_cpu_user_seconds_total/);
  });

  it('describes its routes in /openapi.json and serves /docs', async () => {
    const spec = (await node.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/v1/node', '/p2p/v1/health', '/api/v1/node/status']));
    const docs = await node.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/html/);
  });

  it('logs the request id of an error and redacts the bearer token', async () => {
    await node.app.inject({ method: 'GET', url: '/api/v1/node/status', headers: { authorization: 'Bearer leaked-secret-123456' } });
    const text = JSON.stringify(node.logs);
    expect(text).not.toContain('leaked-secret-123456');
    expect(node.logs.some((l) => l.status === 401 && typeof l.reqId === 'string')).toBe(true);
  });
});

describeEachDb('migrations', (db) => {
  it('apply in one go and are safe to run twice', async () => {
    const scratch = db === 'postgres' ? await createScratchDatabase() : undefined;
    const database = await openDatabase(scratch ? { kind: 'postgres', url: scratch.url } : { kind: 'pglite', template: pgliteTemplate() });
    try {
      await database.migrate();
      await database.migrate();
      expect(await database.ping()).toBe(true);
    } finally {
      await database.close();
      await scratch?.drop();
    }
  });
});
