import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadNodeConfig } from './config.js';

const good = { role: 'store', name: 'Logan West', region: 'C', lat: '41.734', lon: '-111.86', port: '7012', dataDir: '/tmp/x' };

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('node config', () => {
  it('parses flags into typed values', () => {
    const c = loadNodeConfig({ ...good, hubs: 'http://127.0.0.1:7000, http://127.0.0.1:7001' }, {});
    expect(c.lat).toBe(41.734);
    expect(c.port).toBe(7012);
    expect(c.hubs).toEqual(['http://127.0.0.1:7000', 'http://127.0.0.1:7001']);
    expect(c.heartbeatMs).toBe(1000);
  });

  it('takes flags over environment over file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const file = path.join(dir, 'node.json');
    writeFileSync(file, JSON.stringify({ ...good, name: 'from file', port: 1 }));
    const c = loadNodeConfig({ port: '3' }, { CODEPOP_NAME: 'from env', CODEPOP_PORT: '2' }, file);
    expect(c.name).toBe('from env');
    expect(c.port).toBe(3);
  });

  it('reads DATABASE_URL when CODEPOP_DATABASE_URL is not set', () => {
    const c = loadNodeConfig(good, { DATABASE_URL: 'postgres://u@h/db' });
    expect(c.databaseUrl).toBe('postgres://u@h/db');
  });

  it('names the flag, the variable and the allowed values of a bad setting', () => {
    const problems = problemsOf(() => loadNodeConfig({ ...good, lat: '95', role: 'warehouse' }, {}));
    expect(problems.some((p) => p.startsWith('--lat (CODEPOP_LAT)') && p.includes('"95"'))).toBe(true);
    expect(problems.some((p) => p.startsWith('--role (CODEPOP_ROLE)') && p.includes('"store" or "hub"'))).toBe(true);
  });

  it('reports a missing required setting as missing', () => {
    const { dataDir: _omitted, ...rest } = good;
    const problems = problemsOf(() => loadNodeConfig(rest, {}));
    expect(problems).toEqual([expect.stringMatching(/^--data-dir \(CODEPOP_DATA_DIR\).*missing/)]);
  });

  it('refuses unknown settings in a config file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const file = path.join(dir, 'node.json');
    writeFileSync(file, JSON.stringify({ ...good, colour: 'red' }));
    expect(problemsOf(() => loadNodeConfig({}, {}, file))).toEqual(['unknown setting(s): colour']);
  });

  it('refuses a hub list entry that is not a URL', () => {
    const problems = problemsOf(() => loadNodeConfig({ ...good, hubs: 'http://ok:1,nonsense' }, {}));
    expect(problems[0]).toMatch(/^--hubs/);
  });
});
