// The API fuzzer against a store and a hub on PGlite, with a fixed seed and a
// budget that fits CI: no 5xx, every error problem+json with a catalogue
// code, no hang, and no 4xx that changed a table. `npm run fuzz -- --seed N
// --minutes M` runs the same for longer (FUZZ_SEED, FUZZ_MINUTES, FUZZ_REQUESTS).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrdersKit } from './harness/orders-kit.js';
import { createTestNode, TEST_OPERATOR_TOKEN, type TestNode } from './harness/test-node.js';
import { fuzzNode, summarize } from './fuzz/runner.js';
import type { FuzzContext } from './fuzz/requests.js';

const seed = Number(process.env.FUZZ_SEED ?? 20261207);
const minutes = Number(process.env.FUZZ_MINUTES ?? 0);
const requests = Number(process.env.FUZZ_REQUESTS ?? (minutes > 0 ? 10_000_000 : 5000));
const budgetMs = minutes > 0 ? minutes * 60_000 : 600_000;

/** A node with something in it: catalog, stock, a customer, an order; and the ids the fuzzer fills paths with. */
async function prepare(node: TestNode): Promise<FuzzContext> {
  const storeId = node.ctx.identity.nodeId;
  const kit = new OrdersKit(node.app, storeId, TEST_OPERATOR_TOKEN);
  const ids: Record<string, string[]> = { storeId: [storeId], hubId: [storeId], nodeId: [storeId] };
  // Mostly the operator (super admin), so requests get past the access layer and reach the handlers.
  const tokens = [TEST_OPERATOR_TOKEN, TEST_OPERATOR_TOKEN, TEST_OPERATOR_TOKEN, TEST_OPERATOR_TOKEN, 'not-a-token'];
  if (node.ctx.config.role === 'store') {
    await kit.setUp();
    const drinks = (await kit.call('GET', '/api/v1/drinks')).json<{ items: { drinkId: string }[] }>().items.map((d) => d.drinkId);
    ids.drinkId = drinks.slice(0, 5);
    for (const d of ids.drinkId) await kit.stockFor(d, 20);
    const customer = await kit.user('fuzzer');
    tokens.push(customer.token);
    ids.userId = [customer.userId];
    const order = await kit.placed([{ drinkId: drinks[0]!, quantity: 1 }], customer.headers);
    ids.orderId = [order.orderId];
  } else {
    const seeded = await kit.call('POST', '/api/v1/catalog/default');
    expect(seeded.statusCode, seeded.body).toBe(200);
    const customer = await kit.user('fuzzer');
    tokens.push(customer.token);
    ids.userId = [customer.userId];
  }
  ids.itemId = (await kit.call('GET', '/api/v1/ingredients')).json<{ items: { itemId: string }[] }>().items.slice(0, 5).map((i) => i.itemId);
  return { knownIds: ids, tokens };
}

for (const role of ['store', 'hub'] as const) {
  describe(`the API fuzzer on a ${role} (seed ${seed})`, () => {
    let node: TestNode;
    let fuzzCtx: FuzzContext;
    beforeAll(async () => {
      node = await createTestNode({ role, config: { authRateLimit: 100_000 } });
      fuzzCtx = await prepare(node);
    });
    afterAll(() => node?.close());

    it(
      `answers ${minutes > 0 ? `${minutes} minutes of` : requests} generated requests with no 5xx, only problem+json errors, no hang, and no 4xx that changed anything`,
      async () => {
        const started = Date.now();
        const report = await fuzzNode(node, fuzzCtx, {
          seed,
          requests,
          ...(minutes > 0 ? { deadline: started + minutes * 60_000 } : {}),
          progress: (done, total, findings) => {
            if (minutes > 0 || done % 1000 === 0) console.log(`[fuzz ${role}] ${done}/${minutes > 0 ? '…' : total} requests, ${findings} findings, ${Math.round((Date.now() - started) / 1000)} s`);
          },
        });
        console.log(`[fuzz ${role}] ${summarize(report)}`);
        expect(report.requests).toBeGreaterThanOrEqual(minutes > 0 ? 1 : requests);
        expect(report.findings, summarize(report)).toEqual([]);
      },
      budgetMs + 120_000,
    );
  });
}
