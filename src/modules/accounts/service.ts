// Accounts: sign up at any node, log in at any node, tokens any node checks,
// the profile. Every change is an `account.set` event on the person's
// `user:<id>` topic, written with its change in one transaction and applied
// by the same function everywhere. Names are arbitrated by their owner hubs
// (names.ts, claims.ts); an account this node does not hold is pulled from a
// hub at its first login here (the locator).
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { Conflict, Forbidden, Invalid, NotFound, Unauthorized } from '../../http/errors.js';
import type { Principal, RoleGrant } from '../../http/auth.js';
import { encodeHlc } from '../../lib/hlc.js';
import { lwwMapValue, type LwwMap } from '../../lib/merge.js';
import type { ReplicationApi } from '../../core/context.js';
import type { AuditNote } from './audit.js';
import { ACCOUNT_SET, TOKEN_REVOKE, applyAccountSet, applyTokenRevoke, userTopic, type AccountFields } from './events.js';
import { emailClaimKey, usernameClaimKey, type AccountLocator, type NameArbiter } from './names.js';
import { hashPassword, passwordProblem, spendVerification, verifyPassword } from './password.js';
import { accounts, revokedTokens } from './schema.js';
import type { TokenKeys } from './tokens.js';
import { PrincipalCache, type Resolved } from './principal-cache.js';

export interface RoleSource {
  /** A user's active role assignments (ACCOUNT_USER is implied by an active account, not assigned). */
  grantsOf(userId: string): Promise<RoleGrant[]>;
}

/** An account as services and routes see it: its fields without the hash and the claim stamp. */
export type Account = { userId: string } & Omit<AccountFields, 'passwordHash' | 'createdStamp'>;

type AccountRow = typeof accounts.$inferSelect;

function toAccount(row: AccountRow): Account & { passwordHash: string } {
  const v = lwwMapValue(row.fields as LwwMap) as Partial<AccountFields>;
  return {
    userId: row.userId,
    username: v.username ?? '',
    email: v.email ?? '',
    firstName: v.firstName ?? null,
    lastName: v.lastName ?? null,
    phone: v.phone ?? null,
    preferences: v.preferences ?? {},
    status: row.status === 'disabled' ? 'disabled' : 'active',
    nameClaim: row.nameClaim as Account['nameClaim'],
    homeNode: row.homeNode,
    homeRegion: row.homeRegion,
    createdAt: v.createdAt ?? '',
    passwordHash: v.passwordHash ?? '',
  };
}

function publicAccount(a: Account & { passwordHash?: string }): Account {
  const { passwordHash: _hidden, ...rest } = a;
  return rest;
}

export interface AccountDeps {
  db: Db;
  replication: ReplicationApi;
  now: () => number;
  nodeId: string;
  region: string;
  tokens: TokenKeys;
  tokenTtlMs: number;
  arbiter: NameArbiter;
  locator: AccountLocator;
  roles: RoleSource;
  /** Pulls a person's topic from a hub now (a visitor whose account is not held here yet). */
  pullUser?: (userId: string) => Promise<void>;
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: { id: string; username: string; roles: RoleGrant[]; nameClaim: Account['nameClaim'] };
  notice?: string;
}

export const LOST_NAME_NOTICE =
  'Another account registered this username (or email) first. You keep your account and can log in with it; choose a new username with PATCH /api/v1/me.';

export class AccountService {
  private readonly principals: PrincipalCache;

  constructor(private readonly d: AccountDeps) {
    this.principals = new PrincipalCache(d.now);
  }

  /** Drops every remembered token: an account, role or token event committed here. */
  forgetPrincipals(): void {
    this.principals.forget();
  }

  private async rows(where: ReturnType<typeof eq>): Promise<AccountRow[]> {
    return this.d.db.select().from(accounts).where(where);
  }

  async get(userId: string): Promise<Account | undefined> {
    const row = (await this.rows(eq(accounts.userId, userId)))[0];
    return row ? publicAccount(toAccount(row)) : undefined;
  }

  async require(userId: string): Promise<Account> {
    const a = (await this.get(userId)) ?? (await this.fetch(userId));
    if (!a) throw new NotFound(`No account ${userId} is known here.`);
    return a;
  }

  /** A visitor's account, pulled from a hub (their token vouched for them; their data follows them). */
  private async fetch(userId: string): Promise<Account | undefined> {
    if (!this.d.pullUser) return undefined;
    await this.hold(userId);
    await this.d.pullUser(userId).catch(() => undefined);
    return this.get(userId);
  }

  /** Accounts held here under a username (more than one only while a name clash is being settled). */
  async findByUsernameKey(usernameKey: string): Promise<Account[]> {
    return (await this.rows(eq(accounts.usernameKey, usernameKey))).map((r) => publicAccount(toAccount(r)));
  }

  async listHomedAt(nodeId: string, limit: number, cursor?: string): Promise<{ items: Account[]; nextCursor: string | null }> {
    const rows = await this.d.db
      .select()
      .from(accounts)
      .where(and(eq(accounts.homeNode, nodeId), cursor ? gt(accounts.userId, cursor) : undefined))
      .orderBy(asc(accounts.userId))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    return { items: page.map((r) => publicAccount(toAccount(r))), nextCursor: rows.length > limit ? (page[page.length - 1]?.userId ?? null) : null };
  }

  /** Holds the person's topic here from now on (a visitor), so their changes reach this node. */
  async hold(userId: string): Promise<void> {
    await this.d.replication.subscribe(userTopic(userId));
  }

  /** Sets account fields through the replicated event (LWW per field). */
  async update(userId: string, fields: Partial<AccountFields>, audit?: AuditNote): Promise<void> {
    await this.hold(userId);
    await this.d.replication.transaction(async (tx, emit) => {
      const ev = await emit({ topic: userTopic(userId), type: ACCOUNT_SET, payload: { userId, fields, ...(audit ? { audit } : {}) } });
      await applyAccountSet(tx, ev);
    });
  }

  private async takenLocally(field: 'username' | 'email', key: string, except?: string): Promise<boolean> {
    const col = field === 'username' ? accounts.usernameKey : accounts.emailKey;
    const rows = await this.d.db.select({ userId: accounts.userId, nameClaim: accounts.nameClaim }).from(accounts).where(eq(col, key));
    return rows.some((r) => r.userId !== except && r.nameClaim !== 'lost');
  }

  /** Asks the owner hubs for a username and email; refuses a name another account holds. */
  private async claim(userId: string, username: string, email: string, stamp: string): Promise<'confirmed' | 'pending'> {
    const usernameKey = username.toLowerCase();
    const emailKey = email.toLowerCase();
    for (const [field, key] of [['username', usernameKey], ['email', emailKey]] as const) {
      if (await this.takenLocally(field, key, userId)) throw new Conflict(`That ${field} is taken.`, [{ field: `body.${field}`, message: 'is taken' }], 'name_taken');
    }
    const outcome = await this.d.arbiter.claim({ userId, usernameKey, emailKey, stamp });
    if (outcome.outcome === 'taken') {
      throw new Conflict(`That ${outcome.field} is taken.`, [{ field: `body.${outcome.field}`, message: 'is taken' }], 'name_taken');
    }
    return outcome.outcome === 'confirmed' ? 'confirmed' : 'pending';
  }

  private stamp(): string {
    return encodeHlc({ wall: this.d.now(), logical: 0, node: this.d.nodeId });
  }

  async register(input: { username: string; email: string; password: string; firstName?: string | undefined; lastName?: string | undefined }): Promise<Account> {
    const problem = passwordProblem(input.password, input.username);
    if (problem) throw new Invalid(`The password ${problem.message}.`, [{ field: 'body.password', message: problem.message }]);
    const passwordHash = await hashPassword(input.password);
    const userId = randomUUID();
    const stamp = this.stamp();
    const nameClaim = await this.claim(userId, input.username, input.email, stamp);
    const claimed = [usernameClaimKey(input.username.toLowerCase()), emailClaimKey(input.email.toLowerCase())];
    const fields: AccountFields = {
      username: input.username,
      email: input.email,
      passwordHash,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      phone: null,
      preferences: {},
      status: 'active',
      nameClaim,
      homeNode: this.d.nodeId,
      homeRegion: this.d.region,
      createdStamp: stamp,
      createdAt: new Date(this.d.now()).toISOString(),
    };
    await this.undoClaimOnFailure(userId, claimed, () => this.update(userId, fields));
    return this.require(userId);
  }

  /** The name claim was recorded at the owner hubs before the account: if writing the account fails, the claim is freed again. */
  private async undoClaimOnFailure(userId: string, keys: string[], write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      // releaseAtOwners logs what it could not free; the owner's sweep frees it after its grace period.
      await this.d.arbiter.release(userId, keys).catch(() => undefined);
      throw err;
    }
  }

  /** Same answer for an unknown name and a wrong password, at about the same cost. */
  async login(username: string, password: string): Promise<LoginResult> {
    const key = username.toLowerCase();
    const tried = new Set<string>();
    const firstMatch = async (): Promise<(Account & { passwordHash: string }) | undefined> => {
      for (const row of await this.rows(eq(accounts.usernameKey, key))) {
        if (tried.has(row.userId)) continue;
        tried.add(row.userId);
        const a = toAccount(row);
        if (a.passwordHash && (await verifyPassword(a.passwordHash, password))) return a;
      }
      return undefined;
    };
    let match = await firstMatch();
    // Not held here, or only the account that lost this name is: ask the hubs who holds it now.
    if (!match) {
      const found = await this.d.locator.fetchByUsername(key).catch(() => undefined);
      if (found && !tried.has(found)) match = await firstMatch();
    }
    if (tried.size === 0) await spendVerification(password);
    if (!match) throw new Unauthorized('Wrong username or password.');
    if (match.status === 'disabled') throw new Forbidden('This account is disabled. Ask the store for help.');
    await this.hold(match.userId);
    const { token, claims } = await this.d.tokens.issue({ subject: match.userId, kind: 'user', username: match.username, ttlMs: this.d.tokenTtlMs });
    return {
      token,
      expiresAt: claims.expiresAt.toISOString(),
      user: { id: match.userId, username: match.username, roles: await this.rolesOf(match.userId), nameClaim: match.nameClaim },
      ...(match.nameClaim === 'lost' ? { notice: LOST_NAME_NOTICE } : {}),
    };
  }

  async rolesOf(userId: string): Promise<RoleGrant[]> {
    return [{ role: 'ACCOUNT_USER' }, ...(await this.d.roles.grantsOf(userId))];
  }

  /** Revokes the token on every node that holds the person's topic (logout); false when it was not valid anyway. */
  async logout(token: string): Promise<boolean> {
    const claims = await this.d.tokens.verify(token);
    if (!claims || claims.kind !== 'user') return false;
    const userId = claims.subject;
    await this.hold(userId);
    await this.d.replication.transaction(async (tx, emit) => {
      const ev = await emit({ topic: userTopic(userId), type: TOKEN_REVOKE, payload: { userId, tokenId: claims.tokenId, expiresAt: claims.expiresAt.toISOString() } });
      await applyTokenRevoke(tx, ev);
    });
    return true;
  }

  async isRevoked(tokenId: string): Promise<boolean> {
    const rows = await this.d.db.select({ tokenId: revokedTokens.tokenId }).from(revokedTokens).where(eq(revokedTokens.tokenId, tokenId));
    return rows.length > 0;
  }

  /** Profile changes; a new username or email goes through the owner hubs first. */
  async updateProfile(
    userId: string,
    change: { username?: string | undefined; email?: string | undefined; firstName?: string | null | undefined; lastName?: string | null | undefined; phone?: string | null | undefined },
  ): Promise<Account> {
    const current = await this.require(userId);
    const fields: Partial<AccountFields> = {};
    for (const k of ['firstName', 'lastName', 'phone'] as const) if (change[k] !== undefined) fields[k] = change[k];
    const newName = change.username !== undefined && change.username !== current.username;
    const newEmail = change.email !== undefined && change.email.toLowerCase() !== current.email.toLowerCase();
    if (newName || newEmail) {
      const username = change.username ?? current.username;
      const email = change.email ?? current.email;
      const stamp = this.stamp();
      fields.nameClaim = await this.claim(userId, username, email, stamp);
      fields.createdStamp = stamp;
      if (newName) fields.username = username;
      if (newEmail) fields.email = email;
    } else if (change.email !== undefined) {
      fields.email = change.email;
    }
    const claimed = [...(newName ? [usernameClaimKey(fields.username!.toLowerCase())] : []), ...(newEmail ? [emailClaimKey(fields.email!.toLowerCase())] : [])];
    if (Object.keys(fields).length > 0) await this.undoClaimOnFailure(userId, claimed, () => this.update(userId, fields));
    return this.require(userId);
  }

  async setPreferences(userId: string, preferences: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.require(userId);
    await this.update(userId, { preferences });
    return (await this.require(userId)).preferences;
  }

  /** Who a token is: remembered between requests (principal-cache.ts), resolved again after any change to accounts, roles or tokens. */
  async principalOf(token: string): Promise<Principal | undefined> {
    return this.principals.resolve(token, () => this.resolvePrincipal(token));
  }

  private async resolvePrincipal(token: string): Promise<Resolved | undefined> {
    const claims = await this.d.tokens.verify(token);
    if (!claims) return undefined;
    if (await this.isRevoked(claims.tokenId)) return undefined;
    const expiresAt = claims.expiresAt.getTime();
    if (claims.kind === 'guest') {
      return { principal: { subject: claims.subject, kind: 'guest', roles: [{ role: 'GENERAL_USER' }], tokenId: claims.tokenId }, expiresAt };
    }
    const row = (await this.rows(eq(accounts.userId, claims.subject)))[0];
    if (row && row.status === 'disabled') return undefined;
    // A visitor whose account is not held here yet: the token's signature vouches for them; their topic follows.
    if (!row) void this.fetch(claims.subject).catch(() => undefined);
    const principal: Principal = {
      subject: claims.subject,
      kind: 'user',
      roles: await this.rolesOf(claims.subject),
      tokenId: claims.tokenId,
      ...(claims.username ? { username: claims.username } : {}),
    };
    return { principal, expiresAt };
  }
}
