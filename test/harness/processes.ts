// Real `codepop node` processes on loopback ports for network tests. Their
// logs are kept and printed when a test fails, so a failure can be read.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnNodeProcess, type NodeProcess } from '../../src/cli/node-process.js';

/**
 * A port that is free now and stays ours until the test binds it. A port the
 * kernel hands out for `listen(0)` lies in its ephemeral range, where the
 * outgoing connections of tests running beside this one land too; a node
 * defined early and started late (a hub started after its stores) lost its
 * port that way. So ports come from below that range (10000–19999), from a
 * slice of 1,000 of its own for each vitest worker, handed out in turn.
 */
const SLICE = 1000;
const sliceIndex = (Number(process.env.VITEST_POOL_ID ?? process.pid) - 1) % 10;
let nextInSlice = 0;

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < SLICE; tries++) {
    const port = 10_000 + sliceIndex * SLICE + (nextInSlice++ % SLICE);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in 10000 + ${sliceIndex} × ${SLICE}`);
}

function bindable(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive ports that are free now, below the
 * kernel's ephemeral range (32768+ here), where servers listening on port 0
 * and outgoing connections of parallel tests never land.
 */
export async function freePortRange(count: number, low = 20_000, high = 32_000): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low - count));
    let free = true;
    for (let p = base; p < base + count && free; p++) free = await bindable(p);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports between ${low} and ${high}`);
}

export function tempDir(prefix = 'codepop-proc-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export interface StartedProcess extends NodeProcess {
  url: string;
  port: number;
  logs: Record<string, unknown>[];
}

/** Starts `codepop node` with the given flags (camelCase keys become --kebab-case) and waits until it listens. */
export async function startNodeProcess(
  flags: Record<string, string | number>,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<StartedProcess> {
  const port = Number(flags.port ?? (await freePort()));
  const args: string[] = [];
  for (const [key, value] of Object.entries({ ...flags, port })) {
    args.push(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(value));
  }
  const logs: Record<string, unknown>[] = [];
  const proc = spawnNodeProcess({ args, env: options.env, onLog: (e) => logs.push(e) });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`node on port ${port} not ready in time`)), options.timeoutMs ?? 30_000).unref(),
  );
  try {
    const url = await Promise.race([proc.ready, timeout]);
    return { ...proc, url, port, logs };
  } catch (err) {
    await proc.kill();
    throw err;
  }
}
