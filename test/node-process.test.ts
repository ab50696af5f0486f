// A real `codepop node` process: it starts, answers, keeps its identity
// across restarts, refuses bad configuration with exit code 2 and stops
// cleanly on SIGTERM.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mainScript } from '../src/cli/node-process.js';
import { startNodeProcess, tempDir } from './harness/processes.js';

const storeFlags = (dataDir: string) => ({
  role: 'store',
  name: 'Process Store',
  region: 'C',
  lat: 41.7,
  lon: -111.8,
  dataDir,
});

describe('a codepop node process', () => {
  it('keeps its id and keys across a restart and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const first = await startNodeProcess(storeFlags(dataDir));
    const info = (await (await fetch(`${first.url}/api/v1/node`)).json()) as { nodeId: string; storeId: string };
    expect(info.storeId).toBe(info.nodeId);
    expect(await first.stop()).toBe(0);
    expect(first.logs.some((l) => l.msg === 'stopped cleanly')).toBe(true);

    const keyFile = path.join(dataDir, 'identity', 'node.key');
    expect(statSync(keyFile).mode & 0o077).toBe(0);
    const second = await startNodeProcess(storeFlags(dataDir));
    const again = (await (await fetch(`${second.url}/api/v1/node`)).json()) as { nodeId: string };
    expect(again.nodeId).toBe(info.nodeId);
    expect(await second.stop()).toBe(0);
  }, 90_000); // two starts and two stops of a real process: slow on a loaded 2-core machine

  it('refuses to start a second node on a data directory in use, and leaves the first unharmed', async () => {
    const dataDir = tempDir();
    const first = await startNodeProcess(storeFlags(dataDir));
    try {
      const second = spawnSync(process.execPath, [mainScript, 'node', ...Object.entries({ ...storeFlags(dataDir), port: 0 }).flatMap(([k, v]) => [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(v)])], {
        encoding: 'utf8',
      });
      expect(second.status).not.toBe(0);
      expect(second.stderr).toMatch(/in use by another node process/);
      const res = await fetch(`${first.url}/p2p/v1/health`);
      expect(res.status).toBe(200);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(existsSync(path.join(dataDir, 'node.lock'))).toBe(false);
  });

  it('refuses a bad setting with exit code 2, naming the field, and starts nothing', () => {
    const dataDir = path.join(tempDir(), 'never');
    const result = spawnSync(
      process.execPath,
      [mainScript, 'node', '--role', 'store', '--name', 'x', '--region', 'C', '--lat', 'north', '--lon', '0', '--port', '0', '--data-dir', dataDir],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--lat \(CODEPOP_LAT\): must be a number/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('prints help for each command', () => {
    const result = spawnSync(process.execPath, [mainScript, 'node', '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/--data-dir <dir>/);
  });
});
