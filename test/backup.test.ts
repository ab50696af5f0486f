// Backup and restore with the real program: a store with orders is backed up
// while it runs (it makes the copy itself), destroyed, restored from the
// file, and started again: every order, its ledger and its replication
// position are back, and what its hub published meanwhile arrives by
// anti-entropy. On PostgreSQL the same round trip goes through pg_dump and
// pg_restore.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { mainScript } from '../src/cli/node-process.js';
import { aroundTheClock } from './harness/orders-kit.js';
import { OPERATOR_TOKEN, TestNetwork, waitFor, type NodeHandle } from './harness/network.js';
import { announcementsOf, publish, replicationOf } from './harness/replication.js';
import { createScratchDatabase, testDatabases } from './harness/databases.js';
import { tempDir } from './harness/processes.js';

const op = { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' };
async function call<T>(node: NodeHandle, method: string, url: string, body?: unknown, headers: Record<string, string> = op): Promise<T> {
  const { 'content-type': _json, ...bare } = headers;
  const res = await fetch(`${node.url}${url}`, { method, headers: body === undefined ? bare : headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

function codepop(...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [mainScript, ...args], { encoding: 'utf8', env: { ...process.env, CODEPOP_OPERATOR_TOKEN: OPERATOR_TOKEN } });
  return { status: r.status, stderr: r.stderr };
}

describe('backup and restore of a store (embedded database, real processes)', () => {
  const network = new TestNetwork({ heartbeatMs: 1000, backoffCapMs: 1000, pgliteTemplate: inject('pgliteTemplateDir') });
  let hub: NodeHandle;
  let store: NodeHandle;
  let storeId = '';
  const printLogs = () => console.log(`node logs:\n${network.logs()}`);
  beforeEach(({ onTestFailed }) => onTestFailed(printLogs));

  beforeAll(async () => {
    hub = await network.defineHub('C', 41.737, -111.8338, 'Logan Hub');
    store = await network.defineStore('C', 'Logan North', 41.76, -111.815);
    await network.start(hub);
    await network.start(store);
    storeId = (await call<{ nodeId: string }>(store, 'GET', '/api/v1/node')).nodeId;
    await waitFor('the store to publish its record', async () => ((await fetch(`${store.url}/api/v1/stores/${storeId}`)).ok ? true : undefined), 30_000);
    await call(store, 'PATCH', `/api/v1/stores/${storeId}`, { weeklyHours: aroundTheClock, timeZone: 'America/Denver' });
    await call(store, 'POST', '/api/v1/catalog/default');
  }, 120_000);
  afterAll(() => network.stopAll());

  it('brings back every order, the ledger and the replication position, then catches up with the hub', async () => {
    const drinks = (await call<{ items: { drinkId: string; ingredients: { itemId: string; quantity: number }[] }[] }>(store, 'GET', '/api/v1/drinks')).items.slice(0, 3);
    for (const d of drinks) for (const i of d.ingredients) {
      await call(store, 'POST', `/api/v1/stores/${storeId}/inventory/transactions`, { type: 'receipt', itemId: i.itemId, quantity: i.quantity * 40 });
    }
    const placed: string[] = [];
    for (let n = 0; n < 30; n++) {
      const order = await call<{ orderId: string }>(store, 'POST', '/api/v1/orders', { items: [{ drinkId: drinks[n % drinks.length]!.drinkId, quantity: 1 }], paymentMethod: 'tok_approve' }, { 'content-type': 'application/json', 'idempotency-key': `backup-test-order-${n}` });
      placed.push(order.orderId);
    }
    await publish(hub, { scope: 'region', title: 'Before the backup', body: 'seen by the store' });
    await waitFor('the store to hold the first announcement', async () => ((await announcementsOf(store)).length === 1 ? true : undefined), 30_000);

    const ordersOf = async () => (await call<{ items: { orderId: string; status: string }[] }>(store, 'GET', `/api/v1/stores/${storeId}/orders?limit=100`)).items;
    const ledgerOf = async () => (await call<{ items: unknown[] }>(store, 'GET', `/api/v1/stores/${storeId}/inventory/transactions?limit=200`)).items;
    const beforeOrders = await ordersOf();
    const beforeLedger = await ledgerOf();
    const beforeVector = (await replicationOf(store)).replication.vector;
    expect(beforeOrders.map((o) => o.orderId).sort()).toEqual([...placed].sort());

    const file = path.join(tempDir('codepop-backup-'), 'store.tar');
    const backup = codepop('backup', '--data-dir', store.dataDir, '--out', file, '--url', store.url);
    expect(backup.status, backup.stderr).toBe(0);
    expect(statSync(file).size).toBeGreaterThan(0);
    // A stopped-node backup of a running one is refused: two processes on one embedded database corrupt it.
    expect(codepop('backup', '--data-dir', store.dataDir, '--out', `${file}.2`).stderr).toMatch(/in use by another node process.*--url/);

    expect(await store.proc!.stop(10_000)).toBe(0);
    rmSync(store.dataDir, { recursive: true, force: true });
    // Published while the store is gone: the restored store must fetch it.
    await publish(hub, { scope: 'region', title: 'While the store was down', body: 'caught up after the restore' });

    const restore = codepop('restore', '--in', file, '--data-dir', store.dataDir);
    expect(restore.status, restore.stderr).toBe(0);
    expect(statSync(path.join(store.dataDir, 'identity', 'node.key')).mode & 0o077).toBe(0);
    expect(codepop('restore', '--in', file, '--data-dir', store.dataDir).stderr).toMatch(/already holds a node/);

    await network.start(store);
    expect((await call<{ nodeId: string }>(store, 'GET', '/api/v1/node')).nodeId).toBe(storeId);
    expect(await ordersOf()).toEqual(beforeOrders);
    expect(await ledgerOf()).toEqual(beforeLedger);
    const afterVector = (await replicationOf(store)).replication.vector;
    for (const [topic, origins] of Object.entries(beforeVector)) {
      for (const [origin, seq] of Object.entries(origins)) expect(afterVector[topic]?.[origin] ?? 0, `${topic} ${origin}`).toBeGreaterThanOrEqual(seq);
    }
    await waitFor('the restored store to catch up with the hub', async () => ((await announcementsOf(store)).some((a) => a.title === 'While the store was down') ? true : undefined), 30_000);
    // It held its replicated writes until it had pulled from its hub, then opened them and dropped the marker.
    await waitFor('the store to open its writes again', async () => (store.proc!.logs.some((l) => l.msg === 'caught up with the hub after the restore: replicated writes are open again') ? true : undefined), 30_000);
    expect(existsSync(path.join(store.dataDir, 'restored-from-backup.json'))).toBe(false);
  }, 180_000);
});

describe.runIf(testDatabases().includes('postgres'))('backup and restore of a PostgreSQL node', () => {
  it('round-trips the database through pg_dump and pg_restore, with the identity', async () => {
    const source = await createScratchDatabase();
    const target = await createScratchDatabase();
    const dataDir = tempDir('codepop-pg-backup-');
    try {
      // A node starts on it once: identity made, migrations applied; then one account written.
      const { startNodeProcess } = await import('./harness/processes.js');
      const node = await startNodeProcess({ role: 'store', name: 'PG Store', region: 'C', lat: 41.7, lon: -111.8, dataDir, databaseUrl: source.url, operatorToken: OPERATOR_TOKEN });
      const reg = await fetch(`${node.url}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'pgbackup', email: 'pgbackup@example.com', password: 'Sparkling-1-Cola-Robot-9071' }) });
      expect(reg.status).toBe(201);
      const file = path.join(tempDir('codepop-backup-'), 'pg.tar');
      // pg_dump reads one snapshot: the node keeps running meanwhile.
      const backup = codepop('backup', '--data-dir', dataDir, '--out', file, '--database-url', source.url);
      expect(backup.status, backup.stderr).toBe(0);
      expect(await node.stop()).toBe(0);

      const restoredDir = path.join(tempDir('codepop-pg-restore-'), 'node');
      const restore = codepop('restore', '--in', file, '--data-dir', restoredDir, '--database-url', target.url);
      expect(restore.status, restore.stderr).toBe(0);
      expect(existsSync(path.join(restoredDir, 'identity', 'node.json'))).toBe(true);
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      try {
        const rows = await client.query<{ username: string }>('select username_key as username from accounts');
        expect(rows.rows.map((r) => r.username)).toEqual(['pgbackup']);
        const events = await client.query<{ n: string }>('select count(*)::text as n from repl_events');
        expect(Number(events.rows[0]!.n)).toBeGreaterThan(0);
      } finally {
        await client.end();
      }
    } finally {
      await source.drop();
      await target.drop();
    }
  }, 120_000);
});
