// Name arbitration: the pure rules (who keeps a contested name, what one
// request writes, what owners' answers mean), and the owner's side on one
// node running alone, per database: live claims first come first served and
// all or nothing, a provisional account with the earlier stamp taking the
// name and the previous holder told, the pending job settling accounts, the
// sweep telling an account whose notice was overtaken, and stale claims
// freed after the grace period only.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHlc } from '../../lib/hlc.js';
import { createTestNode, describeEachDb, type TestNode } from '../../../test/harness/test-node.js';
import type { AuditNote } from './audit.js';
import { arbitrateHere, createNameArbiter, pendingClaimsJob, sweepClaims } from './claims.js';
import { comparePriority, decideKey, liveOutcome, planRequest, retryDelayMs, settleOutcome, type Holder } from './claims-rules.js';
import { ACCOUNT_SET, applyAccountSet, userTopic, type AccountFields } from './events.js';
import { accountsByUsername } from './locator.js';
import { accounts, auditLog, nameClaims } from './schema.js';

const stamp = (wall: number, node = 'n1') => encodeHlc({ wall, logical: 0, node });
const T0 = 1_700_000_000_000;

describe('name claim rules', () => {
  const a: Holder = { userId: 'a', stamp: stamp(T0) };
  const b: Holder = { userId: 'b', stamp: stamp(T0 + 5) };

  it('gives a free name to the claimant and lets a holder claim again', () => {
    expect(decideKey(undefined, a, false)).toEqual({ kind: 'record' });
    expect(decideKey(a, { ...a, stamp: stamp(T0 + 99) }, false)).toEqual({ kind: 'same' });
  });

  it('refuses a live claim on a held name whatever the stamps: first come, first served', () => {
    expect(decideKey(b, a, false)).toEqual({ kind: 'taken', holder: b });
  });

  it('moves a name to a provisional claimant with the earlier stamp, and keeps it from a later one', () => {
    expect(decideKey(b, a, true)).toEqual({ kind: 'move', previous: b });
    expect(decideKey(a, b, true)).toEqual({ kind: 'taken', holder: a });
  });

  it('breaks a tie of stamps by user id', () => {
    const x = { userId: 'x', stamp: stamp(T0) };
    const y = { userId: 'y', stamp: stamp(T0) };
    expect(comparePriority(x, y)).toBeLessThan(0);
    expect(decideKey(y, x, true).kind).toBe('move');
    expect(decideKey(x, y, true).kind).toBe('taken');
  });

  it('writes nothing for a live request that meets one taken key', () => {
    const held = new Map([['email:e', b]]);
    const plan = planRequest(held, ['username:u', 'email:e'], a, false);
    expect(plan.writes).toEqual([]);
    expect(plan.results).toEqual([
      { key: 'username:u', outcome: 'free', fresh: false },
      { key: 'email:e', outcome: 'taken', fresh: false },
    ]);
  });

  it('settles a provisional request key by key, naming who lost', () => {
    const c = { userId: 'c', stamp: stamp(T0 - 10) };
    const held = new Map([
      ['username:u', b],
      ['email:e', { userId: 'z', stamp: stamp(T0 - 20) }],
    ]);
    const plan = planRequest(held, ['username:u', 'email:e', 'email:f'], c, true);
    expect(plan.writes).toEqual([
      { key: 'username:u', kind: 'move' },
      { key: 'email:f', kind: 'record' },
    ]);
    expect(plan.losers).toEqual([{ key: 'username:u', userId: 'b' }]);
    expect(plan.results.map((r) => r.outcome)).toEqual(['held', 'taken', 'held']);
  });

  it('refuses a live claim when any owner says taken, releasing only what this claim recorded', () => {
    const r = liveOutcome([
      { key: 'username:u', outcome: 'held', fresh: true },
      { key: 'email:e', outcome: 'taken', fresh: false },
    ]);
    expect(r).toEqual({ outcome: { outcome: 'taken', field: 'email' }, release: ['username:u'] });
    // A rename keeps its email claim: it was held before, so it is not released.
    expect(liveOutcome([{ key: 'username:v', outcome: 'taken', fresh: false }, { key: 'email:e', outcome: 'held', fresh: false }]).release).toEqual([]);
    expect(liveOutcome([{ key: 'username:u', outcome: 'taken', fresh: false }, { key: 'email:e', outcome: 'taken', fresh: false }]).outcome).toEqual({ outcome: 'taken', field: 'username' });
  });

  it('makes an account provisional when an owner did not answer, and confirms it when all hold', () => {
    expect(liveOutcome([{ key: 'username:u', outcome: 'held', fresh: true }, { key: 'email:e', outcome: 'unreachable', fresh: false }])).toEqual({ outcome: { outcome: 'unreachable' }, release: [] });
    expect(liveOutcome([{ key: 'username:u', outcome: 'held', fresh: true }, { key: 'email:e', outcome: 'held', fresh: true }]).outcome).toEqual({ outcome: 'confirmed' });
    expect(settleOutcome([{ key: 'username:u', outcome: 'held', fresh: false }, { key: 'email:e', outcome: 'unreachable', fresh: false }])).toBe('pending');
    expect(settleOutcome([{ key: 'username:u', outcome: 'taken', fresh: false }, { key: 'email:e', outcome: 'unreachable', fresh: false }])).toBe('lost');
    expect(settleOutcome([{ key: 'username:u', outcome: 'held', fresh: false }, { key: 'email:e', outcome: 'held', fresh: false }])).toBe('confirmed');
  });

  it('backs off from 1 s, doubling, capped, with jitter', () => {
    expect(retryDelayMs(0, 0.999)).toBeLessThanOrEqual(1000);
    expect(retryDelayMs(3, 0)).toBe(4000);
    expect(retryDelayMs(50, 0.999)).toBeLessThanOrEqual(60_000);
    expect(retryDelayMs(50, 0)).toBe(30_000);
  });

  it('ends with the earliest provisional claimant holding the name, whatever order the claims arrive in', () => {
    const claimant = fc.record({ userId: fc.constantFrom('p', 'q', 'r', 's', 't'), wall: fc.integer({ min: 0, max: 20 }) });
    fc.assert(
      fc.property(fc.array(claimant, { minLength: 1, maxLength: 12 }), (claims) => {
        // One stamp per account, as an account claims with its own stamp every time.
        const stampOf = new Map<string, string>();
        for (const c of claims) if (!stampOf.has(c.userId)) stampOf.set(c.userId, stamp(T0 + c.wall));
        const held = new Map<string, Holder>();
        for (const c of claims) {
          const who = { userId: c.userId, stamp: stampOf.get(c.userId)! };
          const plan = planRequest(held, ['username:n'], who, true);
          if (plan.writes.length > 0) held.set('username:n', who);
        }
        const earliest = [...stampOf].map(([userId, s]) => ({ userId, stamp: s })).sort(comparePriority)[0];
        expect(held.get('username:n')).toEqual(earliest);
      }),
    );
  });
});

describeEachDb('name claims at an owner (a node running alone)', (db) => {
  let node: TestNode;
  beforeAll(async () => {
    node = await createTestNode({ role: 'hub', db });
  });
  afterAll(() => node.close());

  const self = () => node.ctx.identity.nodeId;
  const arbiter = () => createNameArbiter(node.ctx);
  const holderOf = async (key: string) => (await node.ctx.database.db.select().from(nameClaims).where(eq(nameClaims.claimKey, key)))[0]?.userId;
  const accountOf = async (userId: string) => (await node.ctx.database.db.select().from(accounts).where(eq(accounts.userId, userId)))[0];

  /** What AccountService.update does: one account.set event on the person's topic, applied here. */
  const update = async (userId: string, fields: Partial<AccountFields>, audit?: AuditNote) => {
    await node.ctx.replication.transaction(async (tx, emit) => {
      const ev = await emit({ topic: userTopic(userId), type: ACCOUNT_SET, payload: { userId, fields, ...(audit ? { audit } : {}) } });
      await applyAccountSet(tx, ev);
    });
  };
  const makeAccount = async (o: { username: string; email: string; nameClaim: AccountFields['nameClaim']; stamp: string; homeNode?: string }) => {
    const userId = randomUUID();
    await update(userId, {
      username: o.username,
      email: o.email,
      passwordHash: '$argon2id$test',
      status: 'active',
      nameClaim: o.nameClaim,
      homeNode: o.homeNode ?? self(),
      homeRegion: 'C',
      createdStamp: o.stamp,
      createdAt: new Date(T0).toISOString(),
    });
    return userId;
  };
  const now = () => stamp(Date.now(), self());

  it('confirms a free name, refuses it to the next account naming the field, and records nothing for the refused one', async () => {
    const [u1, u2, u3] = [randomUUID(), randomUUID(), randomUUID()];
    expect(await arbiter().claim({ userId: u1, usernameKey: 'fizz', emailKey: 'fizz@example.com', stamp: now() })).toEqual({ outcome: 'confirmed' });
    expect(await arbiter().claim({ userId: u2, usernameKey: 'fizz', emailKey: 'pop@example.com', stamp: now() })).toEqual({ outcome: 'taken', field: 'username' });
    expect(await holderOf('email:pop@example.com')).toBeUndefined();
    expect(await arbiter().claim({ userId: u3, usernameKey: 'pop', emailKey: 'pop@example.com', stamp: now() })).toEqual({ outcome: 'confirmed' });
    expect(await arbiter().claim({ userId: u2, usernameKey: 'soda', emailKey: 'FIZZ@example.com'.toLowerCase(), stamp: now() })).toEqual({ outcome: 'taken', field: 'email' });
    // A rename: the account's own email claim is no obstacle.
    expect(await arbiter().claim({ userId: u1, usernameKey: 'fizzy', emailKey: 'fizz@example.com', stamp: now() })).toEqual({ outcome: 'confirmed' });
  });

  it('gives a contested name to exactly one of many concurrent sign-ups', async () => {
    const users = Array.from({ length: 12 }, () => randomUUID());
    const outcomes = await Promise.all(users.map((userId, i) => arbiter().claim({ userId, usernameKey: 'rush', emailKey: `rush${i}@example.com`, stamp: now() })));
    expect(outcomes.filter((o) => o.outcome === 'confirmed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'taken')).toHaveLength(11);
    const winner = users[outcomes.findIndex((o) => o.outcome === 'confirmed')];
    expect(await holderOf('username:rush')).toBe(winner);
  });

  it('moves a name to a provisional account with the earlier stamp and tells the previous holder, with an audit entry', async () => {
    const later = await makeAccount({ username: 'Cola', email: 'cola@example.com', nameClaim: 'confirmed', stamp: stamp(T0 + 1000, 'store-b') });
    await arbitrateHere(node.ctx, { userId: later, keys: ['username:cola', 'email:cola@example.com'], stamp: stamp(T0 + 1000, 'store-b'), provisional: false, node: 'store-b' });
    const earlier = await makeAccount({ username: 'cola', email: 'cola2@example.com', nameClaim: 'pending', stamp: stamp(T0, 'store-a'), homeNode: 'store-a' });
    expect(await arbiter().settle({ userId: earlier, usernameKey: 'cola', emailKey: 'cola2@example.com', stamp: stamp(T0, 'store-a') })).toBe('confirmed');
    expect(await holderOf('username:cola')).toBe(earlier);
    expect((await accountOf(later))?.nameClaim).toBe('lost');
    // The other key of the previous holder stays its own.
    expect(await holderOf('email:cola@example.com')).toBe(later);
    const audit = await node.ctx.database.db.select().from(auditLog).where(eq(auditLog.target, later));
    expect(audit.map((e) => e.action)).toContain('account.name-lost');
    // A provisional account with the later stamp loses and moves nothing.
    const latest = await makeAccount({ username: 'cola', email: 'cola3@example.com', nameClaim: 'pending', stamp: stamp(T0 + 5000, 'store-c'), homeNode: 'store-c' });
    expect(await arbiter().settle({ userId: latest, usernameKey: 'cola', emailKey: 'cola3@example.com', stamp: stamp(T0 + 5000, 'store-c') })).toBe('lost');
    expect(await holderOf('username:cola')).toBe(earlier);
  });

  it('settles the pending accounts made here, confirmed or lost, through the account updater', async () => {
    const holder = await makeAccount({ username: 'float', email: 'float@example.com', nameClaim: 'confirmed', stamp: stamp(T0) });
    await arbitrateHere(node.ctx, { userId: holder, keys: ['username:float', 'email:float@example.com'], stamp: stamp(T0), provisional: false, node: self() });
    const free = await makeAccount({ username: 'shake', email: 'shake@example.com', nameClaim: 'pending', stamp: stamp(T0 + 10) });
    const clash = await makeAccount({ username: 'FLOAT', email: 'float2@example.com', nameClaim: 'pending', stamp: stamp(T0 + 10) });
    const elsewhere = await makeAccount({ username: 'malt', email: 'malt@example.com', nameClaim: 'pending', stamp: stamp(T0 + 10), homeNode: 'another-store' });
    const updates: { userId: string; fields: Partial<AccountFields> }[] = [];
    const job = pendingClaimsJob(node.ctx, {
      accounts: {
        update: async (userId, fields, audit) => {
          updates.push({ userId, fields });
          await update(userId, fields, audit);
        },
      },
    });
    await job.run();
    expect((await accountOf(free))?.nameClaim).toBe('confirmed');
    expect((await accountOf(clash))?.nameClaim).toBe('lost');
    expect((await accountOf(elsewhere))?.nameClaim).toBe('pending');
    expect(updates.map((u) => u.userId).sort()).toEqual([free, clash].sort());
    // Settled accounts are not asked again.
    await job.run();
    expect(updates).toHaveLength(2);
  });

  it('tells an account whose name the table gives to an earlier one, when its notice was overtaken', async () => {
    const first = await makeAccount({ username: 'jolt', email: 'jolt@example.com', nameClaim: 'confirmed', stamp: stamp(T0) });
    await arbitrateHere(node.ctx, { userId: first, keys: ['username:jolt', 'email:jolt@example.com'], stamp: stamp(T0), provisional: false, node: self() });
    // A later account that believes it holds the name (a 'confirmed' written after the owner's notice).
    const second = await makeAccount({ username: 'jolt', email: 'jolt2@example.com', nameClaim: 'confirmed', stamp: stamp(T0 + 50) });
    // An earlier account the owner never heard from, using a name a later account holds.
    const late = await makeAccount({ username: 'tab', email: 'tab-late@example.com', nameClaim: 'confirmed', stamp: stamp(T0 + 900) });
    await arbitrateHere(node.ctx, { userId: late, keys: ['username:tab'], stamp: stamp(T0 + 900), provisional: false, node: self() });
    const early = await makeAccount({ username: 'tab', email: 'tab-early@example.com', nameClaim: 'pending', stamp: stamp(T0 + 100) });

    const { settled } = await sweepClaims(node.ctx);
    expect(settled).toBeGreaterThanOrEqual(2);
    expect((await accountOf(second))?.nameClaim).toBe('lost');
    expect((await accountOf(first))?.nameClaim).toBe('confirmed');
    expect(await holderOf('username:tab')).toBe(early);
    expect((await accountOf(late))?.nameClaim).toBe('lost');
    // Nothing left to settle: a second pass changes nothing.
    const again = await sweepClaims(node.ctx);
    expect(again.settled).toBe(0);
  });

  it('frees a claim no account uses once the grace period is over, and keeps claims in use', async () => {
    const ghost = randomUUID();
    await arbitrateHere(node.ctx, { userId: ghost, keys: ['username:ghost'], stamp: now(), provisional: false, node: self() });
    const real = await makeAccount({ username: 'real', email: 'real@example.com', nameClaim: 'confirmed', stamp: now() });
    await arbitrateHere(node.ctx, { userId: real, keys: ['username:real', 'email:real@example.com'], stamp: now(), provisional: false, node: self() });
    await sweepClaims(node.ctx, { graceMs: 60_000 });
    expect(await holderOf('username:ghost')).toBe(ghost);
    await sweepClaims(node.ctx, { graceMs: -1 });
    expect(await holderOf('username:ghost')).toBeUndefined();
    expect(await holderOf('username:real')).toBe(real);
    expect(await holderOf('email:real@example.com')).toBe(real);
  });

  it('names the account holding a username first when a clash leaves two under it', async () => {
    const lost = await makeAccount({ username: 'twin', email: 'twin1@example.com', nameClaim: 'lost', stamp: stamp(T0 + 1) });
    const kept = await makeAccount({ username: 'twin', email: 'twin2@example.com', nameClaim: 'confirmed', stamp: stamp(T0 + 2) });
    expect(await accountsByUsername(node.ctx, 'twin')).toEqual([kept, lost]);
    expect(await accountsByUsername(node.ctx, 'nobody')).toEqual([]);
  });
});
