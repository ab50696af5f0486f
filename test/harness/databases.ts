// Which databases the integration suites run on, and fresh PostgreSQL
// databases for a test: created on demand, dropped after.
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export type TestDb = 'pglite' | 'postgres';

/** The legs of this run, set by scripts/test.mjs (CODEPOP_TEST_DBS=pglite,postgres). */
export function testDatabases(): TestDb[] {
  const raw = process.env.CODEPOP_TEST_DBS ?? 'pglite';
  const legs = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const leg of legs) {
    if (leg !== 'pglite' && leg !== 'postgres') throw new Error(`CODEPOP_TEST_DBS: unknown database ${leg}`);
  }
  return legs as TestDb[];
}

/** A server-level URL (the `postgres` maintenance database) used to create and drop test databases. */
export function adminUrl(): string {
  return process.env.CODEPOP_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const name = `codepop_t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
