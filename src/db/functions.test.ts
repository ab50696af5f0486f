// The database holds exactly the functions the modules' sql/ files declare,
// with exactly their bodies and settings: a body changed in a migration, or
// a function no file owns, fails here.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNode, describeEachDb, type TestNode } from '../../test/harness/test-node.js';
import { functionFiles } from './functions.js';

describeEachDb('database functions', (db) => {
  let node: TestNode;
  beforeAll(async () => {
    node = await createTestNode({ db });
  });
  afterAll(() => node.close());

  const held = () =>
    node.ctx.database.query<{ name: string; body: string; config: string[] | null }>(
      `select p.proname as name, p.prosrc as body, p.proconfig as config from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' order by 1`,
      [],
    );

  it('holds exactly the functions of the module files, with their bodies and settings', async () => {
    const files = functionFiles();
    expect(files.map((f) => f.module)).toEqual(expect.arrayContaining(['inventory', 'orders']));
    const rows = await held();
    expect(rows.map((r) => r.name).sort()).toEqual(files.map((f) => f.name).sort());
    for (const f of files) {
      const row = rows.find((r) => r.name === f.name)!;
      expect(row.body, `${f.file}`).toBe(f.body);
      expect(row.config, f.name).toEqual(/SET enable_seqscan = off/.test(f.sql) ? ['enable_seqscan=off'] : null);
    }
  });

  it('puts a body back from its file when the database holds another (applied on every start)', async () => {
    await node.ctx.database.query(`create or replace function "payments_open"(p_payment text, p_order text, p_owner text, p_provider text, p_at timestamptz) returns integer language plpgsql as $$ begin return 0; end $$`, []);
    expect((await held()).find((r) => r.name === 'payments_open')!.body).not.toBe(functionFiles().find((f) => f.name === 'payments_open')!.body);
    await node.ctx.database.migrate();
    expect((await held()).find((r) => r.name === 'payments_open')!.body).toBe(functionFiles().find((f) => f.name === 'payments_open')!.body);
  });

  it('writes inventory tables only from inventory functions', () => {
    for (const f of functionFiles().filter((f) => f.module !== 'inventory')) {
      expect(f.body, `${f.name} writes an inventory table`).not.toMatch(/(insert\s+into|update|delete\s+from)\s+"?inventory_/i);
    }
  });
});
