// Stock counts as CSV through HTTP, per database: the export is a count
// sheet, an import turns each differing count into an adjustment, and a file
// with one bad line is refused whole, naming the line.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';
import type { CountResult, InventoryItem, LedgerEntry } from './index.js';
import { ledgerCount, serviceOf } from '../../../test/harness/inventory-kit.js';

const auth = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

describeEachDb('inventory counts (CSV)', (db) => {
  let node: TestNode;
  let storeId: string;
  let base: string;

  const upload = (csv: string, contentType = 'text/csv') =>
    node.app.inject({ method: 'POST', url: `${base}/inventory.csv`, payload: csv, headers: { ...auth, 'content-type': contentType } });
  const items = async () => (await node.app.inject({ method: 'GET', url: `${base}/inventory`, headers: auth })).json<{ items: InventoryItem[] }>().items;
  const onHand = async () => Object.fromEntries((await items()).map((i) => [i.itemId, i.onHand]));

  beforeAll(async () => {
    node = await createTestNode({ role: 'store', db });
    storeId = node.ctx.identity.nodeId;
    base = `/api/v1/stores/${storeId}`;
    await serviceOf(node.ctx).seedInventory(
      storeId,
      [
        { itemId: 'cherry-syrup', quantity: 100, threshold: 20 },
        { itemId: 'cola-base', quantity: 150, threshold: 30 },
        { itemId: 'straws', quantity: 400, threshold: 80 },
      ],
      'seed',
    );
  });
  afterAll(() => node?.close());

  it('exports the positions as a count sheet', async () => {
    const res = await node.app.inject({ method: 'GET', url: `${base}/inventory.csv`, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain('attachment');
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('itemId,name,type,onHand,reserved,available,inTransit,onOrder,damaged,threshold');
    expect(lines).toContain('cherry-syrup,cherry-syrup,,100,0,100,0,0,0,20');
  });

  it('applies each differing count as a stock-count adjustment and sets thresholds', async () => {
    const before = await ledgerCount(node.ctx, storeId);
    const res = await upload('itemId,onHand,threshold\ncherry-syrup,97,25\ncola-base,150\nice,40,100\n');
    expect(res.statusCode, res.body).toBe(200);
    const result = res.json<CountResult>();
    expect(result).toMatchObject({ lines: 3, thresholdsChanged: 2, unchanged: 1 });
    expect(result.adjusted).toEqual([
      { line: 2, itemId: 'cherry-syrup', from: 100, to: 97 },
      { line: 4, itemId: 'ice', from: 0, to: 40 },
    ]);
    expect(await ledgerCount(node.ctx, storeId)).toBe(before + 2);
    expect(await onHand()).toMatchObject({ 'cherry-syrup': 97, 'cola-base': 150, ice: 40, straws: 400 });
    const ledger = (await node.app.inject({ method: 'GET', url: `${base}/inventory/transactions?type=adjustment`, headers: auth })).json<{ items: LedgerEntry[] }>().items;
    expect(ledger.map((e) => [e.itemId, e.quantity, e.reason, e.reference])).toEqual(
      expect.arrayContaining([['cherry-syrup', -3, 'stock count', result.countId], ['ice', 40, 'stock count', result.countId]]),
    );
    expect((await items()).find((i) => i.itemId === 'ice')).toMatchObject({ threshold: 100, lowStock: true });
  });

  it('reads a file without a header, with CRLF, quotes and blank lines; the same count again changes nothing', async () => {
    const csv = '"straws",390\r\n\r\ncola-base,"151"\r\n';
    expect((await upload(csv)).json<CountResult>().adjusted).toHaveLength(2);
    const before = await ledgerCount(node.ctx, storeId);
    expect((await upload(csv)).json<CountResult>()).toMatchObject({ adjusted: [], unchanged: 2 });
    expect(await ledgerCount(node.ctx, storeId)).toBe(before);
  });

  it('re-imports its own export unchanged', async () => {
    const exported = (await node.app.inject({ method: 'GET', url: `${base}/inventory.csv`, headers: auth })).body;
    const before = await ledgerCount(node.ctx, storeId);
    const res = await upload(exported);
    expect(res.json<CountResult>()).toMatchObject({ adjusted: [], thresholdsChanged: 0 });
    expect(await ledgerCount(node.ctx, storeId)).toBe(before);
  });

  it.each([
    ['a negative count', 'itemId,onHand\ncherry-syrup,5\ncola-base,-3\n', 'body.line.3.onHand'],
    ['a word for a count', 'cherry-syrup,5\ncola-base,lots\n', 'body.line.2.onHand'],
    ['a missing count', 'cherry-syrup\n', 'body.line.1.onHand'],
    ['a bad item id', 'cherry-syrup,5\nbad item,3\n', 'body.line.2.itemId'],
    ['an item counted twice', 'cherry-syrup,5\ncola-base,3\ncherry-syrup,6\n', 'body.line.3.itemId'],
    ['a bad threshold', 'itemId,onHand,threshold\nstraws,5,high\n', 'body.line.2.threshold'],
    ['an unclosed quote', 'cherry-syrup,5\n"cola-base,3\n', 'body.line.2'],
    ['a header without onHand', 'itemId,count\ncherry-syrup,5\n', 'body.line.1'],
    ['an empty file', '', 'body'],
  ])('refuses %s with a 400 naming the line, and applies nothing', async (_name, csv, field) => {
    const before = { ledger: await ledgerCount(node.ctx, storeId), onHand: await onHand() };
    const res = await upload(csv);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json<{ errors: { field: string; message: string }[] }>().errors.map((e) => e.field)).toContain(field);
    expect(await ledgerCount(node.ctx, storeId)).toBe(before.ledger);
    expect(await onHand()).toEqual(before.onHand);
  });

  it('refuses a count below what open orders hold, naming the line, and applies nothing', async () => {
    await node.ctx.replication.transaction((tx, emit) =>
      serviceOf(node.ctx).reserve(tx, { storeId, reference: 'order-1', items: [{ itemId: 'straws', quantity: 30 }], actor: 'test' }, emit),
    );
    const before = await onHand();
    const res = await upload('cherry-syrup,1\nstraws,20\n');
    expect(res.statusCode).toBe(409);
    expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual(['body.line.2.onHand']);
    expect(await onHand()).toEqual(before);
  });

  it('wants text/csv, and its CSV parser stays out of the JSON routes', async () => {
    const json = await node.app.inject({ method: 'POST', url: `${base}/inventory.csv`, payload: { itemId: 'x' }, headers: auth });
    expect(json.statusCode).toBe(415);
    expect(json.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('headers.content-type');
    const csvToJsonRoute = await node.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: 'a,b', headers: { 'content-type': 'text/csv' } });
    expect(csvToJsonRoute.statusCode).toBe(415);
  });
});
