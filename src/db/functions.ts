// The database functions each module owns, as current files: one
// `src/modules/<module>/sql/<function>.sql` per function, holding one
// `CREATE OR REPLACE FUNCTION`. They are applied after the schema
// migrations on every start (idempotent), so a function's body lives in one
// place instead of across migration history; a change of a function's
// arguments or result type needs a migration that drops the old one first.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The modules folder, from src/db or dist/db alike (the .sql files stay in src). */
export const modulesFolder = fileURLToPath(new URL('../../src/modules', import.meta.url));

export interface FunctionFile {
  module: string;
  name: string;
  file: string;
  sql: string;
  /** The text between the $$ quotes: what the database keeps as the body (pg_proc.prosrc). */
  body: string;
}

const NAME = /CREATE OR REPLACE FUNCTION "([a-z_][a-z0-9_]*)"\(/;

export function functionFiles(root = modulesFolder): FunctionFile[] {
  const out: FunctionFile[] = [];
  for (const module of readdirSync(root).sort()) {
    const dir = path.join(root, module, 'sql');
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
      const file = path.join(dir, name);
      const sql = readFileSync(file, 'utf8');
      const declared = NAME.exec(sql)?.[1];
      if (declared !== name.slice(0, -'.sql'.length)) throw new Error(`${file} must hold CREATE OR REPLACE FUNCTION "${name.slice(0, -4)}"(…)`);
      const start = sql.indexOf('$$');
      const end = sql.lastIndexOf('$$');
      if (start < 0 || end <= start) throw new Error(`${file} has no $$-quoted body`);
      out.push({ module, name: declared, file, sql, body: sql.slice(start + 2, end) });
    }
  }
  return out;
}

/** Applies every function file, one statement each, in module and name order. */
export async function applyFunctions(execute: (sql: string) => Promise<unknown>): Promise<void> {
  for (const f of functionFiles()) {
    try {
      await execute(f.sql);
    } catch (err) {
      throw new Error(`applying ${path.relative(process.cwd(), f.file)} failed: ${(err as Error).message}`, { cause: err });
    }
  }
}
