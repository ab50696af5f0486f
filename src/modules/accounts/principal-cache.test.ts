// The token cache: remembered until a change is announced, the token expires
// or MAX_AGE_MS passes; a resolution overtaken by a change is not kept.
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../http/auth.js';
import { MAX_AGE_MS, PrincipalCache } from './principal-cache.js';

const alice: Principal = { subject: 'u-alice', kind: 'user', roles: [{ role: 'ACCOUNT_USER' }], tokenId: 't1' };

function setUp() {
  let now = 1_000_000;
  const cache = new PrincipalCache(() => now);
  let loads = 0;
  const load = (expiresAt = now + 3_600_000) => async () => {
    loads += 1;
    return { principal: alice, expiresAt };
  };
  return { cache, load, loads: () => loads, advance: (ms: number) => (now += ms), now: () => now };
}

describe('principal cache', () => {
  it('resolves a token once and answers later requests from memory', async () => {
    const t = setUp();
    expect(await t.cache.resolve('tok', t.load())).toEqual(alice);
    expect(await t.cache.resolve('tok', t.load())).toEqual(alice);
    expect(t.loads()).toBe(1);
  });

  it('resolves again after forget (an account, role or token event committed)', async () => {
    const t = setUp();
    await t.cache.resolve('tok', t.load());
    t.cache.forget();
    await t.cache.resolve('tok', t.load());
    expect(t.loads()).toBe(2);
  });

  it('does not keep a token past its expiry, nor past the maximum age', async () => {
    const t = setUp();
    await t.cache.resolve('short', t.load(t.now() + 1_000));
    t.advance(1_001);
    await t.cache.resolve('short', t.load(t.now() + 1_000));
    expect(t.loads()).toBe(2);
    await t.cache.resolve('long', t.load());
    t.advance(MAX_AGE_MS + 1);
    await t.cache.resolve('long', t.load());
    expect(t.loads()).toBe(4);
  });

  it('does not keep what was read while a change committed', async () => {
    const t = setUp();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const pending = t.cache.resolve('tok', async () => {
      await gate; // the read is in flight…
      return { principal: alice, expiresAt: t.now() + 3_600_000 };
    });
    t.cache.forget(); // …when a logout commits
    release();
    expect(await pending).toEqual(alice);
    expect(t.cache.size).toBe(0);
  });

  it('remembers nothing for a token that does not resolve', async () => {
    const t = setUp();
    expect(await t.cache.resolve('bad', async () => undefined)).toBeUndefined();
    expect(t.cache.size).toBe(0);
  });

  it('hands out a frozen principal, so one request cannot change another’s', async () => {
    const t = setUp();
    const p = await t.cache.resolve('tok', t.load());
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p?.roles)).toBe(true);
  });
});
