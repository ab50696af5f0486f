// Backups of one node: its identity and keys (everything in the data
// directory but the embedded database and the lock) and a consistent copy of
// its database, in one tar file with a manifest. The embedded database is
// copied by PGlite's own dump, taken between statements of the live client
// (a running node makes it itself: GET /api/v1/node/backup); PostgreSQL by
// pg_dump, which reads one snapshot whether the node runs or not. Restoring
// writes the files back and loads the database; the node then starts where
// the backup left it (orders, ledger, replication position) and catches up
// with its peers by anti-entropy like any node back from a long stop.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { openDatabase, type Database } from '../db/database.js';
import { identityDir } from '../core/identity.js';

export const BACKUP_FORMAT = 'codepop-backup';
/** Left in a restored data directory until the node has caught up with its hub (Replicator.holdWritesUntilCaughtUp). */
export const RESTORED_MARKER = 'restored-from-backup.json';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  version: 1;
  nodeId: string;
  createdAt: string;
  database: 'pglite' | 'postgres';
  /** The data directory's own files (identity, certificate, keys), relative paths. */
  files: string[];
}

/** Where a node's database comes from for a backup: a live embedded client, or a PostgreSQL URL. */
export type BackupSource = { kind: 'pglite'; dump: () => Promise<Blob> } | { kind: 'postgres'; url: string };

export function sourceOf(database: Database, databaseUrl: string | undefined): BackupSource {
  if (database.kind === 'pglite' && database.dumpDataDir) return { kind: 'pglite', dump: () => database.dumpDataDir!() };
  if (!databaseUrl) throw new Error('a PostgreSQL node needs its database URL to be backed up');
  return { kind: 'postgres', url: databaseUrl };
}

const SKIPPED = (name: string) => name === 'pgdata' || name === 'node.lock' || name === RESTORED_MARKER || name.startsWith('pgdata.partial-');

function listFiles(dir: string, base = ''): string[] {
  return readdirSync(path.join(dir, base), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(base, e.name);
    if (base === '' && SKIPPED(e.name)) return [];
    if (e.isDirectory()) return listFiles(dir, rel);
    return e.isFile() ? [rel] : [];
  });
}

function requireTool(name: string): void {
  const probe = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (probe.error) throw new Error(`${name} is not installed or not on PATH (${(probe.error as NodeJS.ErrnoException).code}); install the PostgreSQL client tools to back up or restore a PostgreSQL node`);
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} failed (exit ${code}): ${stderr.trim().slice(0, 2000)}`))));
  });
}

/** A URL without its password, for messages. */
const safeUrl = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

export interface BackupResult {
  file: string;
  bytes: number;
  ms: number;
  manifest: BackupManifest;
}

/** Writes a backup of the node at `dataDir` to `out` (atomically: a partial file never takes its name). */
export async function writeBackup(options: { dataDir: string; source: BackupSource; out: string; progress?: (line: string) => void }): Promise<BackupResult> {
  const started = Date.now();
  const say = options.progress ?? (() => undefined);
  const nodeFile = path.join(identityDir(options.dataDir), 'node.json');
  if (!existsSync(nodeFile)) throw new Error(`${options.dataDir} holds no node identity (identity/node.json)`);
  const nodeId = (JSON.parse(readFileSync(nodeFile, 'utf8')) as { nodeId: string }).nodeId;
  if (options.source.kind === 'postgres') requireTool('pg_dump');
  const stage = mkdtempSync(path.join(tmpdir(), 'codepop-backup-'));
  try {
    const files = listFiles(options.dataDir);
    say(`copying ${files.length} identity and key files`);
    for (const f of files) cpSync(path.join(options.dataDir, f), path.join(stage, 'files', f), { preserveTimestamps: true });
    if (options.source.kind === 'pglite') {
      say('dumping the embedded database');
      writeFileSync(path.join(stage, 'database.tar.gz'), Buffer.from(await (await options.source.dump()).arrayBuffer()));
    } else {
      say(`dumping ${safeUrl(options.source.url)} with pg_dump`);
      await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${path.join(stage, 'database.pgdump')}`, `--dbname=${options.source.url}`]);
    }
    const manifest: BackupManifest = { format: BACKUP_FORMAT, version: 1, nodeId, createdAt: new Date().toISOString(), database: options.source.kind, files };
    writeFileSync(path.join(stage, 'manifest.json'), JSON.stringify(manifest, null, 2));
    say('writing the archive');
    mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
    const partial = `${options.out}.partial-${process.pid}`;
    await tar.c({ file: partial, cwd: stage, portable: true }, readdirSync(stage));
    renameSync(partial, options.out);
    return { file: options.out, bytes: statSync(options.out).size, ms: Date.now() - started, manifest };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Restores a backup into `dataDir` (which must hold no node, unless `force`),
 * and into `databaseUrl` for a PostgreSQL node (an empty database, or one
 * whose objects pg_restore may drop and recreate).
 */
export async function restoreBackup(options: { file: string; dataDir: string; databaseUrl?: string | undefined; force?: boolean; progress?: (line: string) => void }): Promise<BackupManifest> {
  const say = options.progress ?? (() => undefined);
  if (!existsSync(options.file)) throw new Error(`no backup file at ${options.file}`);
  const stage = mkdtempSync(path.join(tmpdir(), 'codepop-restore-'));
  try {
    say(`reading ${options.file}`);
    await tar.x({ file: options.file, cwd: stage, strict: true });
    const manifestFile = path.join(stage, 'manifest.json');
    if (!existsSync(manifestFile)) throw new Error(`${options.file} is not a CodePop backup (no manifest.json)`);
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BackupManifest;
    if (manifest.format !== BACKUP_FORMAT || manifest.version !== 1) throw new Error(`${options.file} is not a CodePop backup of a version this program reads`);
    if (manifest.database === 'postgres' && !options.databaseUrl) throw new Error('this backup is of a PostgreSQL node: give --database-url, the database to restore into');
    if (manifest.database === 'pglite' && options.databaseUrl) throw new Error('this backup is of an embedded-database node: leave out --database-url');
    if (existsSync(path.join(identityDir(options.dataDir), 'node.json')) || existsSync(path.join(options.dataDir, 'pgdata'))) {
      if (!options.force) throw new Error(`${options.dataDir} already holds a node; restore into an empty directory, or give --force to replace it`);
      rmSync(options.dataDir, { recursive: true, force: true });
    }
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    if (manifest.database === 'pglite') {
      say('loading the embedded database');
      const blob = new Blob([readFileSync(path.join(stage, 'database.tar.gz'))]);
      const partial = path.join(options.dataDir, `pgdata.partial-${process.pid}`);
      const db = await openDatabase({ kind: 'pglite', dataDir: partial, template: blob });
      await db.close();
      renameSync(partial, path.join(options.dataDir, 'pgdata'));
    } else {
      requireTool('pg_restore');
      say(`restoring into ${safeUrl(options.databaseUrl!)} with pg_restore`);
      await run('pg_restore', ['--clean', '--if-exists', '--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${options.databaseUrl!}`, path.join(stage, 'database.pgdump')]);
    }
    // The identity last: a data directory with node.json is a whole node.
    say(`writing ${manifest.files.length} identity and key files`);
    for (const f of manifest.files) if (f !== RESTORED_MARKER) cpSync(path.join(stage, 'files', f), path.join(options.dataDir, f), { preserveTimestamps: true });
    writeFileSync(path.join(options.dataDir, RESTORED_MARKER), `${JSON.stringify({ backupOf: manifest.createdAt, restoredAt: new Date().toISOString() })}\n`);
    return manifest;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
