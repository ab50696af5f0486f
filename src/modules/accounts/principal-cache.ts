// Who a bearer token is, remembered between requests. Resolving a token
// costs a signature check of the token and its issuer's certificate chain,
// then three reads (revoked? account disabled? roles?); a customer's phone
// sends the same token with every request. An entry is dropped:
// - when any account, role or token event commits here (the module calls
//   `forget` after commit), so a logout, a disabled account or a revoked
//   role is refused from the next request on, as before;
// - at the token's expiry;
// - after MAX_AGE_MS, which bounds what no event announces: a store's
//   certificate revoked (its tokens die with it) and the token's clock.
// A resolution that started before a `forget` is not remembered: it may
// have read the state from before the commit.
import type { Principal } from '../../http/auth.js';

export const MAX_AGE_MS = 10_000;
const MAX_ENTRIES = 10_000;

export interface Resolved {
  principal: Principal;
  expiresAt: number;
}

export class PrincipalCache {
  private readonly held = new Map<string, { principal: Principal; until: number }>();
  private generation = 0;

  constructor(private readonly now: () => number) {}

  async resolve(token: string, load: () => Promise<Resolved | undefined>): Promise<Principal | undefined> {
    const t = this.now();
    const hit = this.held.get(token);
    if (hit && hit.until > t) return hit.principal;
    if (hit) this.held.delete(token);
    const generation = this.generation;
    const loaded = await load();
    if (!loaded) return undefined;
    const principal = Object.freeze({ ...loaded.principal, roles: Object.freeze([...loaded.principal.roles]) }) as Principal;
    if (generation === this.generation) {
      // Oldest first out: a Map iterates in insertion order.
      if (this.held.size >= MAX_ENTRIES) this.held.delete(this.held.keys().next().value as string);
      this.held.set(token, { principal, until: Math.min(loaded.expiresAt, t + MAX_AGE_MS) });
    }
    return principal;
  }

  /** Forgets every token: something a principal is made of changed. */
  forget(): void {
    this.generation += 1;
    this.held.clear();
  }

  get size(): number {
    return this.held.size;
  }
}
