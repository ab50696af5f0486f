// Seeding the demo's people against a real node: a run cut short after a
// sign-up reached the node is repaired by the next (the password was on
// record before the sign-up was sent); an overloaded node's 503s are retried;
// a name somebody else holds stops seeding with a clear reason.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoUsers, type DemoNode } from '../src/cli/demo-users.js';
import { createTestNode, TEST_OPERATOR_TOKEN, type TestNode } from './harness/test-node.js';

describe('seeding the demo users', () => {
  let node: TestNode;
  let proxy: Server;
  let failNextRegisters = 0;
  let hub: DemoNode;
  beforeAll(async () => {
    node = await createTestNode({ role: 'hub', listen: true, config: { authRateLimit: 1000 } });
    // In front of the node: answers 503 to the next `failNextRegisters` sign-ups, as an overloaded node would.
    proxy = createServer((req, res) => {
      if (req.url === '/api/v1/auth/register' && failNextRegisters > 0) {
        failNextRegisters -= 1;
        req.resume();
        res.writeHead(503, { 'content-type': 'application/problem+json' }).end('{"status":503,"code":"unavailable"}');
        return;
      }
      const { hostname, port } = new URL(node.url);
      const upstream = httpRequest({ hostname, port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    hub = { slug: 'hub-c', role: 'hub', name: 'Test Hub', region: 'C', url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}` };
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await node.close();
  });

  const register = (username: string, password: string) =>
    fetch(`${node.url}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, email: `${username}@demo.codepop.example`, password }) });

  it('finishes what an interrupted run left (a sign-up that reached the node), retrying a node that answers 503', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'codepop-seed-'));
    // The earlier run recorded user3's password, sent the sign-up, and stopped before it heard the answer.
    const password = 'Recorded-Before-Sending-42';
    expect((await register('user3', password)).status).toBe(201);
    writeFileSync(path.join(dataDir, 'demo-users.json'), JSON.stringify({ users: { user3: { userId: '', password, roleGiven: true } } }));
    failNextRegisters = 2;
    const lines: string[] = [];
    await seedDemoUsers({ dataDir, nodes: [hub], operatorToken: TEST_OPERATOR_TOKEN, out: (l) => lines.push(l), parallel: 1 });
    const state = JSON.parse(readFileSync(path.join(dataDir, 'demo-users.json'), 'utf8')) as { users: Record<string, { userId: string; roleGiven: boolean; password: string | null }> };
    expect(Object.keys(state.users).sort()).toEqual(['logistics_c', 'repair_c', 'superadmin', ...Array.from({ length: 10 }, (_, i) => `user${i + 1}`)].sort());
    for (const [name, u] of Object.entries(state.users)) {
      expect(u.userId, name).not.toBe('');
      expect(u.roleGiven, name).toBe(true);
    }
    expect(state.users.user3!.password).toBe(password);
    expect(lines.filter((l) => l.includes('trying again'))).toHaveLength(2);
    // A second run has nothing to do.
    const again: string[] = [];
    await seedDemoUsers({ dataDir, nodes: [hub], operatorToken: TEST_OPERATOR_TOKEN, out: (l) => again.push(l) });
    expect(again.join('\n')).toMatch(/13 seeded earlier/);
  }, 60_000);

  it('stops with the reason when a name is held by an account whose password it does not have', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'codepop-seed-'));
    // A fresh record, but the node holds the people of the run above: superadmin's password is not this run's.
    await expect(seedDemoUsers({ dataDir, nodes: [hub], operatorToken: TEST_OPERATOR_TOKEN, out: () => undefined, parallel: 1 })).rejects.toThrow(/superadmin is registered already with a password this demo does not have/);
  }, 60_000);
});
