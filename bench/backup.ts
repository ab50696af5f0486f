// What a backup of a busy store costs: a store node on its embedded database
// (or PostgreSQL) takes N paid orders (default 20,000), then `writeBackup`
// copies it while it runs and `restoreBackup` brings it back into a new data
// directory; reported: the archive's size, the seconds each step took, and
// that the restored database holds every order.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fmt, intOption, mib, onCleanup, parseOptions, progress, table, usage, UsageError, type OptionSpec } from './lib/report.js';

export const description = 'backup and restore of a store with N orders (default 20,000): size and seconds';

const spec: OptionSpec = {
  orders: { type: 'string', help: 'orders placed before the backup (default 20000)' },
  db: { type: 'string', help: 'pglite (default) or postgres (CODEPOP_BENCH_PG_URL or 127.0.0.1:5432)' },
  help: { type: 'boolean', help: 'this help' },
};
const DRINK = 'drink-classic-cherry-cola';

export async function main(args: string[]): Promise<void> {
  const o = parseOptions(args, spec);
  if (o.help) {
    console.log(usage(spec));
    return;
  }
  const count = intOption(o, 'orders', 20_000, 1);
  const db = (o.db as string | undefined) ?? 'pglite';
  if (db !== 'pglite' && db !== 'postgres') throw new UsageError('--db is pglite or postgres');
  const [{ loadNodeConfig }, { startNode }, { OrdersKit }, { writeBackup, restoreBackup, sourceOf }, { openDatabase }] = await Promise.all([
    import('../src/core/config.js'),
    import('../src/node/node.js'),
    import('../test/harness/orders-kit.js'),
    import('../src/node/backup.js'),
    import('../src/db/database.js'),
  ]);
  const dir = mkdtempSync(path.join(tmpdir(), 'codepop-bench-backup-'));
  onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  let databaseUrl: string | undefined;
  let restoreUrl: string | undefined;
  if (db === 'postgres') {
    const pg = (await import('pg')).default;
    const admin = process.env.CODEPOP_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const names = [`bench_backup_${randomUUID().slice(0, 8)}`, `bench_restore_${randomUUID().slice(0, 8)}`];
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    for (const n of names) await client.query(`create database ${n}`);
    await client.end();
    onCleanup(async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      for (const n of names) await c.query(`drop database if exists ${n} with (force)`);
      await c.end();
    });
    [databaseUrl, restoreUrl] = names.map((n) => admin.replace(/\/[^/]*$/, `/${n}`));
  }
  const dataDir = path.join(dir, 'store');
  const operatorToken = randomUUID();
  progress(`starting a store node on ${db}`);
  const config = loadNodeConfig({ role: 'store', name: 'Backup Bench Store', region: 'C', lat: 41.737, lon: -111.8338, port: 0, dataDir, operatorToken, logLevel: 'warn', ...(databaseUrl ? { databaseUrl } : {}) }, {});
  const node = await startNode(config);
  let stopped = false;
  onCleanup(async () => (stopped ? undefined : node.stop()));
  const kit = new OrdersKit(node.app, node.ctx.identity.nodeId, operatorToken);
  await kit.setUp();
  await kit.stockFor(DRINK, count + 10);
  const placeStart = Date.now();
  for (let done = 0; done < count; ) {
    const batch = Math.min(50, count - done);
    await Promise.all(
      Array.from({ length: batch }, () =>
        node.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { 'idempotency-key': randomUUID() }, payload: { items: [{ drinkId: DRINK, quantity: 1 }], paymentMethod: 'tok_approve' } }).then((r) => {
          if (r.statusCode !== 201) throw new Error(`order refused: ${r.body}`);
        }),
      ),
    );
    done += batch;
    if (done % 2000 === 0 || done === count) progress(`${fmt(done)} of ${fmt(count)} orders placed (${fmt((Date.now() - placeStart) / 1000, 1)} s)`);
  }

  progress('backing up the running node');
  const out = path.join(dir, 'store.tar');
  const backup = await writeBackup({ dataDir, source: sourceOf(node.ctx.database, databaseUrl), out, progress });
  await node.stop();
  stopped = true;
  progress('restoring into a new data directory');
  const restoredDir = path.join(dir, 'restored');
  const restoreStart = Date.now();
  await restoreBackup({ file: out, dataDir: restoredDir, databaseUrl: restoreUrl });
  const restoreMs = Date.now() - restoreStart;
  const restored = await openDatabase(restoreUrl ? { kind: 'postgres', url: restoreUrl } : { kind: 'pglite', dataDir: path.join(restoredDir, 'pgdata') });
  const [{ n }] = (await restored.query<{ n: string }>('select count(*)::text as n from orders', [])) as [{ n: string }];
  await restored.close();
  if (Number(n) !== count) throw new Error(`the restored database holds ${n} orders, not ${count}`);
  console.log(
    table(`backup of a store with ${fmt(count)} orders (${db})`, ['step', 'seconds', 'size'], [
      ['backup (node running)', fmt(backup.ms / 1000, 1), mib(backup.bytes)],
      ['restore', fmt(restoreMs / 1000, 1), ''],
      ['orders in the restored database', n, ''],
    ]),
  );
}
