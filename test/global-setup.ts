// Runs once per test run: one initialised, migrated PGlite database dumped to
// a file, so each in-memory test node starts from it instead of running
// initdb (about 4 s each).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createPgliteTemplateDir, dumpPgliteTemplate } from '../src/db/database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    /** The same, as a directory real node processes copy (--pglite-template). */
    pgliteTemplateDir: string;
  }
}

let dir = '';

export async function setup(project: TestProject): Promise<void> {
  dir = mkdtempSync(path.join(tmpdir(), 'codepop-template-'));
  const file = path.join(dir, 'pglite-template.tar');
  const blob = await dumpPgliteTemplate();
  writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  const templateDir = path.join(dir, 'pgdata');
  await createPgliteTemplateDir(templateDir);
  project.provide('pgliteTemplateDir', templateDir);
}

export function teardown(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
