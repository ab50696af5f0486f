import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { buildApp, typed } from './app.js';
import { createMetricsRegistry } from './metrics.js';

const written: string[] = [];
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildApp({ log: pino({ level: 'silent' }), metrics: createMetricsRegistry({}), title: 't', bodyLimit: 1024 });
  typed(app).post(
    '/things',
    {
      config: { access: 'public' },
      schema: { body: z.strictObject({ name: z.string().min(1), count: z.number().int().min(0) }) },
    },
    async (request, reply) => {
      written.push(request.body.name);
      return reply.status(201).send({ ok: true });
    },
  );
  app.get('/boom', { config: { access: 'public' } }, async () => {
    throw new Error('secret internals: password=hunter2');
  });
  await app.ready();
});
afterAll(() => app.close());

function post(payload: string, contentType = 'application/json') {
  return app.inject({ method: 'POST', url: '/things', payload, headers: { 'content-type': contentType } });
}

describe('the HTTP app', () => {
  it('accepts a valid body', async () => {
    const res = await post(JSON.stringify({ name: 'a', count: 1 }));
    expect(res.statusCode).toBe(201);
  });

  it.each([
    ['malformed JSON', '{"name": "b",', 'application/json', 400, 'body'],
    ['a wrong type', JSON.stringify({ name: 'b', count: 'three' }), 'application/json', 400, 'body.count'],
    ['an unknown field', JSON.stringify({ name: 'b', count: 1, admin: true }), 'application/json', 400, 'body.admin'],
    ['an oversized body', JSON.stringify({ name: 'b'.repeat(2000), count: 1 }), 'application/json', 413, 'body'],
    ['a wrong content type', 'name=b&count=1', 'application/x-www-form-urlencoded', 415, 'headers.content-type'],
    ['plain text', 'hello', 'text/plain', 415, 'headers.content-type'],
    ['an empty JSON body', '', 'application/json', 400, 'body'],
  ])('answers %s with a problem naming the field and writes nothing', async (_case, payload, type, status, field) => {
    const before = written.length;
    const res = await post(payload, type);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json<{ status: number; title: string; detail: string; errors: { field: string }[] }>();
    expect(body.status).toBe(status);
    expect(body.title).toBeTruthy();
    expect(body.errors.map((e) => e.field)).toContain(field);
    expect(written.length).toBe(before);
  });

  it('turns an unknown error into a 500 with a request id and no internals', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('secret');
    const body = res.json<{ requestId: string; detail: string }>();
    expect(body.requestId).toBe(res.headers['x-request-id']);
    expect(body.detail).toContain(body.requestId);
  });

  it('answers an unknown route with a problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('refuses to register a route that declares no access policy', async () => {
    const other = await buildApp({ log: pino({ level: 'silent' }), metrics: createMetricsRegistry({}), title: 't' });
    expect(() => other.get('/open', async () => 'x')).toThrow(/declares no access policy/);
    await other.close();
  });
});
