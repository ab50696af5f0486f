// Announcements through HTTP on one node, per database: each change is
// written with its replication event, and bad input changes nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';

const auth = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

describeEachDb('announcements', (db) => {
  let node: TestNode;
  beforeAll(async () => {
    node = await createTestNode({ role: 'hub', db });
  });
  afterAll(() => node.close());

  const post = (payload: unknown, headers: Record<string, string> = auth) =>
    node.app.inject({ method: 'POST', url: '/api/v1/announcements', payload: payload as object, headers });
  const list = async () =>
    (await node.app.inject({ method: 'GET', url: '/api/v1/announcements', headers: auth })).json<{ items: { announcementId: string; title: string; body: string }[] }>().items;

  it('publishes to the chain and writes the replication event with it', async () => {
    const res = await post({ scope: 'global', title: 'New drink', body: 'Mango Fizz launches Monday' });
    expect(res.statusCode).toBe(201);
    const created = res.json<{ announcementId: string; scope: string; author: string }>();
    expect(created).toMatchObject({ scope: 'global', author: 'operator' });
    expect((await list()).map((a) => a.announcementId)).toContain(created.announcementId);
    const status = (await node.app.inject({ method: 'GET', url: '/api/v1/node/status', headers: auth })).json<{
      replication: { emitted: number; vector: Record<string, Record<string, number>> };
    }>();
    expect(status.replication.emitted).toBeGreaterThanOrEqual(1);
    expect(status.replication.vector.global?.[node.ctx.identity.nodeId]).toBeGreaterThanOrEqual(1);
  });

  it('edits one field and keeps the others', async () => {
    const created = (await post({ scope: 'region', title: 'Holiday hours', body: 'Closed on the 25th' })).json<{ announcementId: string }>();
    const res = await node.app.inject({
      method: 'PATCH',
      url: `/api/v1/announcements/${created.announcementId}`,
      payload: { body: 'Closed on the 25th and 26th' },
      headers: auth,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ title: 'Holiday hours', body: 'Closed on the 25th and 26th', region: 'C' });
  });

  it('hides a retracted announcement unless asked', async () => {
    const created = (await post({ scope: 'global', title: 'Oops', body: 'Sent by mistake' })).json<{ announcementId: string }>();
    await node.app.inject({ method: 'PATCH', url: `/api/v1/announcements/${created.announcementId}`, payload: { retracted: true }, headers: auth });
    expect((await list()).map((a) => a.announcementId)).not.toContain(created.announcementId);
    const all = await node.app.inject({ method: 'GET', url: '/api/v1/announcements?includeRetracted=true', headers: auth });
    expect(all.json<{ items: { announcementId: string }[] }>().items.map((a) => a.announcementId)).toContain(created.announcementId);
  });

  it.each([
    ['a missing title', { scope: 'global', body: 'x' }, 'body.title'],
    ['an unknown scope', { scope: 'planet', title: 't', body: 'b' }, 'body.scope'],
    ['an unknown field', { scope: 'global', title: 't', body: 'b', pinned: true }, 'body.pinned'],
    ['a too long title', { scope: 'global', title: 't'.repeat(201), body: 'b' }, 'body.title'],
  ])('refuses %s, naming the field, and writes nothing', async (_name, payload, field) => {
    const before = (await list()).length;
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    expect((await list()).length).toBe(before);
  });

  it('refuses anyone without a token', async () => {
    const res = await post({ scope: 'global', title: 't', body: 'b' }, {});
    expect(res.statusCode).toBe(401);
  });

  it('answers 404 for an unknown announcement', async () => {
    const res = await node.app.inject({
      method: 'PATCH',
      url: '/api/v1/announcements/00000000-0000-4000-8000-000000000000',
      payload: { title: 'x' },
      headers: auth,
    });
    expect(res.statusCode).toBe(404);
  });
});
