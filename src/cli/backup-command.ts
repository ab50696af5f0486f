// `codepop backup` and `codepop restore` (docs/backup.md). A stopped node is
// backed up from its data directory; a running embedded-database node makes
// the copy itself (GET /api/v1/node/backup, with --url and the operator
// token), because two processes must never open one embedded database; a
// PostgreSQL node is backed up by pg_dump whether it runs or not.
import type { Command } from 'commander';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openDatabase } from '../db/database.js';
import { restoreBackup, sourceOf, writeBackup, type BackupSource } from '../node/backup.js';
import { DataDirLockedError, lockDataDir } from '../node/data-dir-lock.js';

const say = (line: string) => process.stderr.write(`${line}\n`);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Asks a running node for its backup and writes it to `out`, showing the bytes as they come. */
async function backupOverHttp(url: string, token: string, out: string): Promise<number> {
  say(`asking ${url} for a backup`);
  const res = await fetch(new URL('/api/v1/node/backup', url), { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok || !res.body) throw new Error(`the node answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const partial = `${out}.partial-${process.pid}`;
  let got = 0;
  let shown = 0;
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  body.on('data', (chunk: Buffer) => {
    got += chunk.length;
    if (got - shown > 8 * 1024 * 1024) {
      shown = got;
      say(`  ${mib(got)}${total ? ` of ${mib(total)}` : ''}`);
    }
  });
  try {
    await pipeline(body, createWriteStream(partial));
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  renameSync(partial, out);
  return got;
}

export function addBackupCommands(program: Command): void {
  program
    .command('backup')
    .description("Write a consistent backup of a node (identity, keys and database) to one file")
    .requiredOption('--data-dir <dir>', "the node's data directory", process.env.CODEPOP_DATA_DIR)
    .requiredOption('--out <file>', 'the backup file to write')
    .option('--database-url <url>', "the node's PostgreSQL, when it runs on one (backed up with pg_dump)", process.env.DATABASE_URL)
    .option('--url <url>', 'a running embedded-database node: ask it to make the copy')
    .option('--operator-token <token>', 'with --url: the operator token (or CODEPOP_OPERATOR_TOKEN)', process.env.CODEPOP_OPERATOR_TOKEN)
    .action(async (o: { dataDir: string; out: string; databaseUrl?: string; url?: string; operatorToken?: string }) => {
      const started = Date.now();
      if (o.url) {
        if (!o.operatorToken) throw new Error('--url needs --operator-token (or CODEPOP_OPERATOR_TOKEN)');
        const bytes = await backupOverHttp(o.url, o.operatorToken, o.out);
        say(`backup written: ${o.out} (${mib(bytes)}, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
        return;
      }
      let unlock: (() => void) | undefined;
      if (!o.databaseUrl) {
        try {
          unlock = lockDataDir(o.dataDir);
        } catch (err) {
          if (err instanceof DataDirLockedError) throw new Error(`${err.message}: give --url and --operator-token so the running node makes the copy itself`);
          throw err;
        }
      }
      try {
        const database = o.databaseUrl ? undefined : await openDatabase({ kind: 'pglite', dataDir: path.join(o.dataDir, 'pgdata') });
        try {
          const source: BackupSource = database ? sourceOf(database, undefined) : { kind: 'postgres', url: o.databaseUrl! };
          const result = await writeBackup({ dataDir: o.dataDir, source, out: o.out, progress: (l) => say(l) });
          say(`backup written: ${o.out} (${mib(result.bytes)}, ${(result.ms / 1000).toFixed(1)} s, node ${result.manifest.nodeId})`);
        } finally {
          await database?.close();
        }
      } finally {
        unlock?.();
      }
    });

  program
    .command('restore')
    .description('Bring a node back from a backup file into an empty data directory (and database, for PostgreSQL)')
    .requiredOption('--in <file>', 'the backup file')
    .requiredOption('--data-dir <dir>', 'the data directory to restore into', process.env.CODEPOP_DATA_DIR)
    .option('--database-url <url>', 'for a PostgreSQL node: the database to restore into', process.env.DATABASE_URL)
    .option('--force', 'replace a node already in the data directory')
    .action(async (o: { in: string; dataDir: string; databaseUrl?: string; force?: boolean }) => {
      const started = Date.now();
      // Never under a running node: taking its lock fails while one runs.
      try {
        lockDataDir(o.dataDir)();
      } catch (err) {
        if (err instanceof DataDirLockedError) throw new Error(`${err.message}: stop the node before restoring into its directory`);
        throw err;
      }
      const manifest = await restoreBackup({ file: o.in, dataDir: o.dataDir, databaseUrl: o.databaseUrl, force: o.force === true, progress: (l) => say(l) });
      say(`restored node ${manifest.nodeId} (backup of ${manifest.createdAt}) into ${o.dataDir} in ${((Date.now() - started) / 1000).toFixed(1)} s; start it as before and it catches up with its peers`);
    });
}
