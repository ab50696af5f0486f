// Opens the node's database: embedded PGlite in the data directory by
// default, real PostgreSQL when a URL is given. Both are driven through
// drizzle's pg-core, so there is one SQL dialect and one set of migrations.
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import * as schema from './schema.js';
import { applyFunctions } from './functions.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle: the same query API as Db. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export type DatabaseSpec =
  | {
      kind: 'pglite';
      /** Omitted: in memory. */
      dataDir?: string;
      /** A dump of an initialised, migrated database (see dumpPgliteTemplate); skips initdb's 4 s. */
      template?: Blob;
    }
  | { kind: 'postgres'; url: string; poolSize?: number };

export interface Database {
  kind: DatabaseSpec['kind'];
  db: Db;
  /** Applies pending migrations in one transaction, then the modules' function files (db/functions.ts); safe to run twice. */
  migrate(): Promise<void>;
  /** Cheap round trip, for health checks. */
  ping(): Promise<boolean>;
  /**
   * One statement on its own (never inside a transaction), for a hot path
   * such as the checkout: no query builder in between, and on PostgreSQL a
   * named statement, parsed once per connection. Rows come back as objects
   * with the driver's own value types (jsonb parsed, timestamps as Date).
   */
  query<T extends Record<string, unknown>>(text: string, params: unknown[]): Promise<T[]>;
  /** Embedded only: a consistent copy of the whole database as a gzipped tarball, taken between statements (backups). */
  dumpDataDir?(): Promise<Blob>;
  close(): Promise<void>;
}

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

/**
 * Settings that keep an embedded node small (DESIGN §6: many PGlite nodes share
 * one demo machine). A store's working set is its region, so 8 MB of shared
 * buffers is plenty.
 */
const pgliteSettings = [
  'shared_buffers=8MB',
  'work_mem=2MB',
  'maintenance_work_mem=8MB',
  'wal_buffers=256kB',
  'max_connections=5',
];

export async function openDatabase(spec: DatabaseSpec): Promise<Database> {
  if (spec.kind === 'pglite') {
    const client = new PGlite(spec.dataDir, {
      postgresqlconf: pgliteSettings,
      ...(spec.template ? { loadDataDir: spec.template } : {}),
    });
    await client.waitReady;
    const db = drizzlePglite({ client, schema });
    return {
      kind: 'pglite',
      db: db as unknown as Db, // the pglite and pg drivers share pg-core; only the result HKT differs
      migrate: async () => {
        await migratePglite(db, { migrationsFolder });
        await applyFunctions((text) => client.exec(text));
      },
      ping: () => pingDb(db as unknown as Db),
      query: async <T extends Record<string, unknown>>(text: string, params: unknown[]) => (await client.query<T>(text, params)).rows,
      dumpDataDir: () => client.dumpDataDir('gzip'),
      close: () => client.close(),
    };
  }
  // Loaded only when used: an embedded node never pays for the pg driver's start-up.
  const [{ default: pg }, { drizzle: drizzlePg }, { migrate: migratePg }] = await Promise.all([
    import('pg'),
    import('drizzle-orm/node-postgres'),
    import('drizzle-orm/node-postgres/migrator'),
  ]);
  const pool = new pg.Pool({ connectionString: spec.url, max: spec.poolSize ?? 10 });
  // An idle client losing its server must not crash the node; the pool replaces it.
  pool.on('error', () => undefined);
  const db = drizzlePg({ client: pool, schema });
  return {
    kind: 'postgres',
    db: db as unknown as Db,
    migrate: async () => {
      await migratePg(db, { migrationsFolder });
      await applyFunctions((text) => pool.query(text));
    },
    ping: () => pingDb(db as unknown as Db),
    query: async <T extends Record<string, unknown>>(text: string, params: unknown[]) =>
      (await pool.query<T>({ name: statementName(text), text, values: params })).rows,
    close: () => pool.end(),
  };
}

/**
 * Whether an error is a unique violation (SQLSTATE 23505) from either
 * driver; drizzle wraps the driver's error, so the code may sit on a cause.
 */
export function isUniqueViolation(err: unknown): boolean {
  let e = err;
  for (let depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    if ((e as { code?: unknown }).code === '23505') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** A prepared statement's name, the same for the same text on every connection. */
function statementName(text: string): string {
  return `codepop_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
}

async function pingDb(db: Db): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

/** An initialised and migrated embedded database as a tarball, to start new ones from. */
export async function dumpPgliteTemplate(): Promise<Blob> {
  const client = new PGlite({ postgresqlconf: pgliteSettings });
  try {
    await migratePglite(drizzlePglite({ client, schema }), { migrationsFolder });
    await applyFunctions((text) => client.exec(text));
    return await client.dumpDataDir('none');
  } finally {
    await client.close();
  }
}

/** Creates an initialised, migrated embedded database directory for nodes to copy (pgliteTemplate). */
export async function createPgliteTemplateDir(dir: string): Promise<void> {
  mkdirSync(path.dirname(dir), { recursive: true });
  const database = await openDatabase({ kind: 'pglite', dataDir: dir });
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
}
