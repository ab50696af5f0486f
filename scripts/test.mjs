#!/usr/bin/env node
// `npm test`: builds the program (real-process tests run dist/), then runs
// every suite on PGlite and, when PostgreSQL is reachable, again on it.
// Says which legs ran. CODEPOP_REQUIRE_PG=1 (CI) fails when PostgreSQL is
// not reachable instead of skipping that leg.
import { spawnSync } from 'node:child_process';
import pg from 'pg';

const adminUrl = process.env.CODEPOP_TEST_PG_ADMIN_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function postgresReachable() {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err.message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

const pgState = await postgresReachable();
const legs = ['pglite'];
if (pgState.ok) legs.push('postgres');
const summary = `test legs: pglite ran; postgres ${pgState.ok ? `ran (${adminUrl.replace(/\/\/[^@]*@/, '//')})` : `skipped (${pgState.reason})`}`;
console.log(summary);
if (!pgState.ok && process.env.CODEPOP_REQUIRE_PG === '1') {
  console.error('CODEPOP_REQUIRE_PG=1 but PostgreSQL is not reachable: failing.');
  process.exit(1);
}

console.log('building dist/ and the web app (real-process and browser tests run the built program)…');
const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const args = ['vitest', 'run', ...process.argv.slice(2)];
const run = spawnSync('npx', args, {
  stdio: 'inherit',
  env: { ...process.env, CODEPOP_TEST_DBS: legs.join(','), CODEPOP_TEST_PG_ADMIN_URL: adminUrl },
});
console.log(summary);
process.exit(run.status ?? 1);
