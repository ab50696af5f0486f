// createTestNode: one node booted in-process on in-memory PGlite or on a
// fresh PostgreSQL database, for integration tests that run per database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { describe, inject } from 'vitest';
import { loadNodeConfig, type NodeConfigInput } from '../../src/core/config.js';
import { startNode, type RunningNode } from '../../src/node/node.js';
import { createScratchDatabase, testDatabases, type TestDb } from './databases.js';

export const TEST_OPERATOR_TOKEN = 'test-operator-token-0123456789';

export interface TestNode extends RunningNode {
  db: TestDb;
  dataDir: string;
  /** Every log line the node wrote, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface TestNodeOptions {
  role?: 'store' | 'hub';
  db?: TestDb;
  /** Listen on a loopback port (default: in-process inject only). */
  listen?: boolean;
  config?: Partial<NodeConfigInput>;
  dataDir?: string;
}

let template: Blob | undefined;
/** The run's migrated database dump (test/global-setup.ts), read once per test file. */
export function pgliteTemplate(): Blob {
  template ??= new Blob([readFileSync(inject('pgliteTemplate'))]);
  return template;
}

export async function createTestNode(options: TestNodeOptions = {}): Promise<TestNode> {
  const role = options.role ?? 'store';
  const db = options.db ?? 'pglite';
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'codepop-test-'));
  const scratch = db === 'postgres' ? await createScratchDatabase() : undefined;
  const config = loadNodeConfig(
    {
      role,
      name: role === 'hub' ? 'Test Hub' : 'Test Store',
      region: 'C',
      lat: 41.737,
      lon: -111.8338,
      port: 0,
      dataDir,
      operatorToken: TEST_OPERATOR_TOKEN,
      logLevel: 'debug',
      ...(scratch ? { databaseUrl: scratch.url } : {}),
      ...options.config,
    },
    {},
  );
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  let node: RunningNode;
  try {
    node = await startNode(config, {
      // In-memory PGlite: nothing to clean up, and fast.
      ...(db === 'pglite' ? { database: { kind: 'pglite' as const, template: pgliteTemplate() } } : {}),
      logDestination: sink,
      listen: options.listen ?? false,
    });
  } catch (err) {
    await scratch?.drop();
    throw err;
  }
  return {
    ...node,
    db,
    dataDir,
    logs,
    async close() {
      await node.stop();
      await scratch?.drop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs a suite once per database of this run; the suite name says which. */
export function describeEachDb(name: string, suite: (db: TestDb) => void): void {
  for (const db of testDatabases()) {
    describe(`${name} [${db}]`, () => suite(db));
  }
}
