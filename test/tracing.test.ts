// Traces across nodes: an order placed at a store with the caller's
// `traceparent` is served, logged and answered under that trace id; the
// low-stock signal it raises is a replicated event that carries the id to its
// hub, whose log line for applying it names the same trace. With an
// OpenTelemetry collector configured, the request's span is exported there.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { newSpanId, newTraceId } from '../src/lib/trace.js';
import { aroundTheClock } from './harness/orders-kit.js';
import { OPERATOR_TOKEN, TestNetwork, waitFor, type NodeHandle } from './harness/network.js';
import { createTestNode, TEST_OPERATOR_TOKEN } from './harness/test-node.js';

const json = { 'content-type': 'application/json' };
const op = { authorization: `Bearer ${OPERATOR_TOKEN}`, ...json };
async function call<T>(node: NodeHandle, method: string, url: string, body?: unknown, headers: Record<string, string> = op): Promise<{ body: T; headers: Headers }> {
  const { 'content-type': _c, ...bare } = headers;
  const res = await fetch(`${node.url}${url}`, { method, headers: body === undefined ? bare : headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return { body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

describe('one trace id from a store request to its hub', () => {
  const network = new TestNetwork({ heartbeatMs: 1000, backoffCapMs: 1000, pgliteTemplate: inject('pgliteTemplateDir') });
  let hub: NodeHandle;
  let store: NodeHandle;
  const printLogs = () => console.log(`node logs:\n${network.logs()}`);
  beforeEach(({ onTestFailed }) => onTestFailed(printLogs));
  beforeAll(async () => {
    hub = await network.defineHub('C', 41.737, -111.8338, 'Logan Hub');
    store = await network.defineStore('C', 'Logan North', 41.76, -111.815);
    await network.start(hub, { logLevel: 'debug' });
    await network.start(store, { logLevel: 'debug' });
  }, 120_000);
  afterAll(() => network.stopAll());

  it('an order placed at the store is followed by its trace id into the hub log', async () => {
    const storeId = (await call<{ nodeId: string }>(store, 'GET', '/api/v1/node')).body.nodeId;
    await waitFor('the store to publish its record', async () => ((await fetch(`${store.url}/api/v1/stores/${storeId}`)).ok ? true : undefined), 30_000);
    await call(store, 'PATCH', `/api/v1/stores/${storeId}`, { weeklyHours: aroundTheClock, timeZone: 'America/Denver' });
    await call(store, 'POST', '/api/v1/catalog/default');
    const drink = (await call<{ items: { drinkId: string; ingredients: { itemId: string; quantity: number }[] }[] }>(store, 'GET', '/api/v1/drinks')).body.items[0]!;
    for (const i of drink.ingredients) {
      await call(store, 'POST', `/api/v1/stores/${storeId}/inventory/transactions`, { type: 'receipt', itemId: i.itemId, quantity: i.quantity * 2 });
    }
    // One order takes the first ingredient to half its stock, below this threshold: a low-stock signal for the region.
    const watched = drink.ingredients[0]!;
    await call(store, 'PUT', `/api/v1/stores/${storeId}/inventory/${watched.itemId}/threshold`, { threshold: watched.quantity * 2 - 1 });

    const traceId = newTraceId();
    const placed = await call<{ orderId: string }>(store, 'POST', '/api/v1/orders', { items: [{ drinkId: drink.drinkId, quantity: 1 }] }, { ...json, 'idempotency-key': `trace-${traceId}`, traceparent: `00-${traceId}-${newSpanId()}-01` });
    expect(placed.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    // The answer's log line is written once the response has gone out.
    const storeLine = await waitFor('the store to log the request under the caller’s trace', async () => store.proc!.logs.find((l) => l.traceId === traceId && l.url === '/api/v1/orders'), 10_000);
    expect(storeLine).toMatchObject({ status: 201 });
    const hubLine = await waitFor(
      'the hub to log the low-stock event under the same trace id',
      async () => hub.proc!.logs.find((l) => l.traceId === traceId && l.msg === 'applied a peer event' && l.type === 'inventory.low-stock'),
      30_000,
    );
    expect(hubLine).toMatchObject({ traceId, type: 'inventory.low-stock' });
  }, 120_000);
});

describe('OpenTelemetry export', () => {
  let collector: Server;
  const received: string[] = [];
  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        if (req.url === '/v1/traces') received.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

  it('exports each request as a server span under the trace id it answers with', async () => {
    const address = collector.address() as { port: number };
    const node = await createTestNode({ config: { otelEndpoint: `http://127.0.0.1:${address.port}` } });
    try {
      const traceId = newTraceId();
      const res = await node.app.inject({ method: 'GET', url: '/api/v1/node', headers: { traceparent: `00-${traceId}-${newSpanId()}-01` } });
      expect(res.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-`));
      const spanId = String(res.headers.traceparent).split('-')[2];
      await waitFor('the span to reach the collector', async () => (received.some((b) => b.includes(traceId)) ? true : undefined), 10_000);
      const sent = received.find((b) => b.includes(traceId))!;
      expect(sent).toContain(spanId);
      expect(sent).toContain('GET /api/v1/node');
      // Without a caller's traceparent a new trace starts, and the answer names it.
      const fresh = await node.app.inject({ method: 'GET', url: '/api/v1/node', headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` } });
      expect(fresh.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      expect(String(fresh.headers.traceparent)).not.toContain(traceId);
    } finally {
      await node.close();
    }
  });
});
