// Accounts across real `codepop node` processes (DESIGN §3, §5): two hubs in
// two regions, two stores of region C and one of region B. An account made
// at one store logs in at another of its region and at a store of the other
// region (found at a hub and pulled; the password never leaves the store it
// was typed at); a favorite added at one store shows at the others; a name
// is unique across the network, also for sign-ups made while its owner hub
// is down (provisional, settled when it returns, the later one told at
// login and able to choose another name); a role given at a hub works at
// the stores and stops working everywhere once revoked; a token made at
// one store works at another with the first one stopped; and a logout at
// one store is refused at another once it has replicated.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { ownerHub, usernameClaimKey } from '../src/modules/accounts/names.js';
import { loadOrCreateIdentity } from '../src/core/identity.js';
import { OPERATOR_TOKEN, peersOf, TestNetwork, waitFor, type NodeHandle } from './harness/network.js';
import { replicationOf } from './harness/replication.js';

const CONVERGE_MS = 30_000;
/** Settling waits for the pending job's backoff (doubling from 1 s) after the owner is back. */
const SETTLE_MS = 90_000;
const FLAGS = { authRateLimit: 100_000 };

interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}
interface LoginBody {
  token: string;
  user: { id: string; username: string; nameClaim: 'pending' | 'confirmed' | 'lost'; roles: { role: string }[] };
  notice?: string;
}

async function call<T = Record<string, unknown>>(node: NodeHandle, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer<T>> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

let serial = 0;
/** Unlike any username, as the password policy asks; unique per person. */
const passwordFor = (n: number) => `Sparkling-${n}-Cola-Robot-9071`;

describe('accounts across two regions: sign-up, visitors, unique names, roles and tokens', () => {
  const network = new TestNetwork({ heartbeatMs: 1000, backoffCapMs: 1000, pgliteTemplate: inject('pgliteTemplateDir') });
  let hubC: NodeHandle;
  let hubB: NodeHandle;
  let storeA: NodeHandle;
  let storeB: NodeHandle;
  let storeD: NodeHandle;
  const ids = new Map<NodeHandle, string>();

  const printLogs = () => console.log(`node logs:\n${network.logs()}`);
  beforeEach(({ onTestFailed }) => onTestFailed(printLogs));

  const register = (node: NodeHandle, username: string, email: string, password: string) =>
    call<{ user: { id: string; username: string }; nameClaim: string }>(node, 'POST', '/api/v1/auth/register', { body: { username, email, password } });
  const login = (node: NodeHandle, username: string, password: string) => call<LoginBody>(node, 'POST', '/api/v1/auth/login', { body: { username, password } });
  async function loggedIn(node: NodeHandle, username: string, password: string): Promise<LoginBody> {
    const res = await login(node, username, password);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }
  /** A new person signed up at `node`. */
  async function person(node: NodeHandle, prefix = 'guest') {
    const n = ++serial;
    const username = `${prefix}${n}`;
    const password = passwordFor(n);
    const res = await register(node, username, `${username}@example.com`, password);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.user.id, username, password };
  }
  /** A username whose owner hub is `hub` (names are spread over the hubs by a hash). */
  function nameOwnedBy(hub: NodeHandle, prefix: string): string {
    const hubIds = [ids.get(hubC)!, ids.get(hubB)!];
    for (let i = 0; ; i++) {
      const name = `${prefix}${i}`;
      if (ownerHub(usernameClaimKey(name), hubIds) === ids.get(hub)) return name;
    }
  }

  beforeAll(async () => {
    try {
      hubC = await network.defineHub('C', 41.737, -111.8338, 'Logan Hub');
      hubB = await network.defineHub('B', 40.7357, -74.1724, 'Newark Hub');
      storeA = await network.defineStore('C', 'Logan North', 41.76, -111.815);
      storeB = await network.defineStore('C', 'Brigham City', 41.5102, -112.0155);
      storeD = await network.defineStore('B', 'Jersey City', 40.7178, -74.0431);
      // One at a time: parallel boots on a busy 2-core machine miss their start timeout.
      for (const n of [hubC, hubB, storeA, storeB, storeD]) await network.start(n, FLAGS);
      for (const n of network.nodes) ids.set(n, loadOrCreateIdentity(n.dataDir).nodeId);
      const expected = new Map<NodeHandle, NodeHandle[]>([
        [hubC, [hubB, storeA, storeB]],
        [hubB, [hubC, storeD]],
        [storeA, [hubC, storeB]],
        [storeB, [hubC, storeA]],
        [storeD, [hubB]],
      ]);
      for (const [n, peers] of expected) {
        await waitFor(`${n.name} to replicate with its peers`, async () => {
          const have = new Set((await replicationOf(n)).replication.peers.map((p) => p.peer));
          return peers.every((p) => have.has(ids.get(p)!)) ? true : undefined;
        });
      }
      // Every store must know both hubs: names are spread over all of them. (A store watches only its own hub.)
      for (const s of [storeA, storeB, storeD]) {
        await waitFor(`${s.name} to know both hubs`, async () => {
          const peers = await peersOf(s);
          return [hubC, hubB].every((h) => peers.some((p) => p.nodeId === ids.get(h))) ? true : undefined;
        });
      }
    } catch (err) {
      printLogs();
      throw err;
    }
  }, 120_000);

  afterAll(async () => {
    await network.stopAll();
    rmSync(network.dir, { recursive: true, force: true });
  });

  it('an account made at store A logs in at store B of its region and at a store of the other region; the password stays at A', async () => {
    const ada = await person(storeA, 'ada');
    const atA = await loggedIn(storeA, ada.username, ada.password);
    expect(atA.user).toMatchObject({ id: ada.id, nameClaim: 'confirmed' });
    const atB = await loggedIn(storeB, ada.username, ada.password);
    expect(atB.user.id).toBe(ada.id);
    const atD = await loggedIn(storeD, ada.username.toUpperCase(), ada.password);
    expect(atD.user.id).toBe(ada.id);
    const me = await call<{ id: string; homeStoreId: string }>(storeD, 'GET', '/api/v1/me', { token: atD.token });
    expect(me.body).toMatchObject({ id: ada.id, homeStoreId: ids.get(storeA) });
    // Logins at B and D checked the password against the replicated hash: it was typed at each, and sent nowhere else.
    expect(network.logs()).not.toContain(ada.password);
    const wrong = await login(storeD, ada.username, 'Not-The-Password-123');
    expect(wrong.status).toBe(401);
  });

  it('a favorite added at store B shows at store A and at the store of the other region', async () => {
    const bea = await person(storeA, 'bea');
    const atA = await loggedIn(storeA, bea.username, bea.password);
    const atB = await loggedIn(storeB, bea.username, bea.password);
    const atD = await loggedIn(storeD, bea.username, bea.password);
    expect((await call(storeB, 'PUT', '/api/v1/me/favorites/mango-fizz', { token: atB.token })).status).toBe(204);
    for (const [node, token] of [[storeA, atA.token], [storeD, atD.token]] as const) {
      await waitFor(
        `the favorite at ${node.name}`,
        async () => {
          const res = await call<{ items: { drinkId: string }[] }>(node, 'GET', '/api/v1/me/favorites', { token });
          return res.body.items?.some((f) => f.drinkId === 'mango-fizz') ? true : undefined;
        },
        CONVERGE_MS,
        200,
      );
    }
  });

  it('concurrent sign-ups of one username at two regions: one account gets it, the other is refused naming the field', async () => {
    const n = ++serial;
    const [atA, atD] = await Promise.all([
      register(storeA, `Rush${n}`, `rush${n}-a@example.com`, passwordFor(n)),
      register(storeD, `rush${n}`, `rush${n}-d@example.com`, passwordFor(n)),
    ]);
    expect([atA.status, atD.status].sort()).toEqual([201, 409]);
    const refused = (atA.status === 409 ? atA : atD).body as unknown as { errors: { field: string }[] };
    expect(refused.errors[0]?.field).toBe('body.username');
  });

  it('sign-ups of one username at two regions while its owner hub is down are provisional; when it returns the earlier keeps it and the later is told and picks another', async () => {
    const name = nameOwnedBy(hubC, 'fizz');
    const n = ++serial;
    const password = passwordFor(n);
    await hubC.proc!.stop(5000);
    let first: Answer<{ user: { id: string }; nameClaim: string }>;
    let second: Answer<{ user: { id: string }; nameClaim: string }>;
    try {
      first = await register(storeA, name, `${name}-a@example.com`, password);
      second = await register(storeD, name, `${name}-d@example.com`, password);
    } finally {
      await network.start(hubC, FLAGS);
    }
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(first.body.nameClaim).toBe('pending');
    expect(second.body.nameClaim).toBe('pending');

    const settledAt = (node: NodeHandle, want: string) =>
      waitFor(
        `the account at ${node.name} to be ${want}`,
        async () => {
          const res = await login(node, name, password);
          return res.status === 200 && res.body.user.nameClaim === want ? res.body : undefined;
        },
        SETTLE_MS,
        500,
      );
    const winner = await settledAt(storeA, 'confirmed');
    expect(winner.user.id).toBe(first.body.user.id);
    const loser = await settledAt(storeD, 'lost');
    expect(loser.user.id).toBe(second.body.user.id);
    expect(loser.notice).toMatch(/choose a new username/i);

    const renamed = await call<{ username: string; nameClaim: string }>(storeD, 'PATCH', '/api/v1/me', { token: loser.token, body: { username: `${name}d` } });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body).toMatchObject({ username: `${name}d`, nameClaim: 'confirmed' });
    const again = await loggedIn(storeD, `${name}d`, password);
    expect(again.user).toMatchObject({ id: second.body.user.id, nameClaim: 'confirmed' });
    // The name is still the first account's: a new sign-up anywhere is refused.
    const n2 = ++serial;
    const third = await register(storeB, name, `${name}-b@example.com`, passwordFor(n2));
    expect(third.status).toBe(409);
  });

  it('a role given at a hub works at the stores of its region; revoked, it stops working everywhere', async () => {
    const cy = await person(storeA, 'cy');
    const { token } = await loggedIn(storeA, cy.username, cy.password);
    const staffList = (node: NodeHandle) => call(node, 'GET', '/api/v1/announcements', { token });
    expect((await staffList(storeA)).status).toBe(403);
    const given = await waitFor(
      'the hub to hold the account and give the role',
      async () => {
        const res = await call<{ roleId: string }>(hubC, 'POST', '/api/v1/roles', { token: OPERATOR_TOKEN, body: { userId: cy.id, roleType: 'REPAIR_STAFF', regionCode: 'C' } });
        return res.status === 201 ? res.body : undefined;
      },
      CONVERGE_MS,
      200,
    );
    for (const node of [storeA, storeB]) {
      await waitFor(`the role to work at ${node.name}`, async () => ((await staffList(node)).status === 200 ? true : undefined), CONVERGE_MS, 200);
    }
    expect((await staffList(storeD)).status).toBe(403);
    const revoked = await call(hubC, 'DELETE', `/api/v1/roles/${given.roleId}`, { token: OPERATOR_TOKEN });
    expect(revoked.status).toBe(200);
    for (const node of [storeA, storeB, hubC]) {
      await waitFor(`the revoked role refused at ${node.name}`, async () => ((await staffList(node)).status === 403 ? true : undefined), CONVERGE_MS, 200);
    }
  });

  it('a token made at store A works at store B while store A is stopped', async () => {
    const dee = await person(storeA, 'dee');
    const { token } = await loggedIn(storeA, dee.username, dee.password);
    await storeA.proc!.stop(5000);
    try {
      const me = await call<{ id: string; username: string }>(storeB, 'GET', '/api/v1/me', { token });
      expect(me.status, JSON.stringify(me.body)).toBe(200);
      expect(me.body).toMatchObject({ id: dee.id, username: dee.username });
      expect((await call(storeB, 'PUT', '/api/v1/me/favorites/root-beer', { token })).status).toBe(204);
    } finally {
      await network.start(storeA, FLAGS);
    }
  });

  it('a logout at store A makes the token refused at store B once it has replicated', async () => {
    const eve = await person(storeA, 'eve');
    const { token } = await loggedIn(storeA, eve.username, eve.password);
    expect((await call(storeB, 'GET', '/api/v1/me', { token })).status).toBe(200);
    expect((await call(storeA, 'POST', '/api/v1/auth/logout', { token })).status).toBe(204);
    expect((await call(storeA, 'GET', '/api/v1/me', { token })).status).toBe(401);
    await waitFor('the logout to reach store B', async () => ((await call(storeB, 'GET', '/api/v1/me', { token })).status === 401 ? true : undefined), CONVERGE_MS, 200);
  });
});
