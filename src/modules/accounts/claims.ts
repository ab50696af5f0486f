// Network-wide uniqueness of usernames and emails (DESIGN §3). Each claim key
// (`username:<name>`, `email:<address>`) has an owner hub (names.ts); the
// arbiter asks the owners, an owner decides from its `name_claims` table in
// one transaction (claims-rules.ts), and tells an account that lost a key by
// an `account.set { nameClaim: 'lost' }` on that account's topic, in the same
// transaction. A sign-up no owner answered is provisional: the pending job
// of its home node asks again until it is settled. The owner's sweep keeps
// its table and the accounts it holds in agreement, so a notice that was
// overtaken, or an account that arrived after its name moved, is still told;
// and it frees claims no account uses. docs/accounts-network.md has the story.
import type { FastifyInstance } from 'fastify';
import { and, asc, eq, inArray, lt, ne, notExists, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../../db/database.js';
import { typed } from '../../http/app.js';
import { Conflict, Invalid, NotFound } from '../../http/errors.js';
import { decodeHlc } from '../../lib/hlc.js';
import type { Job } from '../../core/jobs.js';
import type { NodeContext, ReplicatedEvent, ReplicationApi } from '../../core/context.js';
import type { AuditNote } from './audit.js';
import { decideKey, groupByOwner, liveOutcome, planRequest, retryDelayMs, settleOutcome, type KeyAnswer, type KeyResult } from './claims-rules.js';
import { ACCOUNT_SET, applyAccountSet, userTopic, type AccountFields } from './events.js';
import { registerLookupRoute } from './locator.js';
import { emailClaimKey, ownerHub, usernameClaimKey, type NameArbiter, type NameClaim } from './names.js';
import { accounts, nameClaims } from './schema.js';

export const CLAIMS_PATH = '/p2p/v1/accounts/claims';
export const RELEASE_PATH = '/p2p/v1/accounts/claims/release';
/** How long a claim no account uses is kept: longer than an account takes to reach its owner hub. */
export const DEFAULT_GRACE_MS = 60 * 60_000;
/** A claim stamped further ahead of the owner's clock is refused, as replication refuses such events. */
const MAX_STAMP_AHEAD_MS = 60_000;

type Emit = Parameters<Parameters<ReplicationApi['transaction']>[0]>[1];

export interface ClaimRequest {
  userId: string;
  keys: string[];
  stamp: string;
  provisional: boolean;
  /** The node that asked (a release must come from it). */
  node: string;
}

/** Every hub this node knows, itself included when it is one: the set owners are chosen from. */
export function hubIdsOf(ctx: Pick<NodeContext, 'mesh' | 'config' | 'identity'>): string[] {
  const ids = ctx.mesh.hubs().map((h) => h.nodeId);
  if (ctx.config.role === 'hub') ids.push(ctx.identity.nodeId);
  return [...new Set(ids)].sort();
}

const keysOf = (c: Pick<NameClaim, 'usernameKey' | 'emailKey'>): string[] => [usernameClaimKey(c.usernameKey), emailClaimKey(c.emailKey)];
const usesKey = (row: { usernameKey: string; emailKey: string }, key: string): boolean => keysOf(row).includes(key);

/** A concurrent transaction recorded the same key first; the whole decision is taken again. */
class ClaimRace extends Error {}

/**
 * Tells an account it lost `key`, when this node holds it, it still uses the
 * key and has not been told. Written in the caller's transaction.
 */
async function noticeLost(ctx: NodeContext, tx: Tx, emit: Emit, userId: string, key: string, winner: string): Promise<boolean> {
  const row = (await tx.select().from(accounts).where(eq(accounts.userId, userId)).for('update'))[0];
  if (!row || row.nameClaim === 'lost' || !usesKey(row, key)) return false;
  const audit: AuditNote = { actor: 'system', action: 'account.name-lost', target: userId, at: new Date(ctx.clock.now()).toISOString(), detail: { key, keptBy: winner } };
  const event: ReplicatedEvent = await emit({ topic: userTopic(userId), type: ACCOUNT_SET, payload: { userId, fields: { nameClaim: 'lost' }, audit } });
  await applyAccountSet(tx, event);
  ctx.log.info({ userId, key, keptBy: winner }, 'an account lost a name to an earlier claim; it is told');
  return true;
}

async function retryingRaces<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ClaimRace) || attempt >= 5) throw err;
    }
  }
}

/** Decides one claim request at this node, as the owner of its keys, in one transaction. */
export async function arbitrateHere(ctx: NodeContext, req: ClaimRequest): Promise<KeyResult[]> {
  const keys = [...new Set(req.keys)].sort();
  const claimant = { userId: req.userId, stamp: req.stamp };
  return retryingRaces(() =>
    ctx.replication.transaction(async (tx, emit) => {
      const rows = await tx.select().from(nameClaims).where(inArray(nameClaims.claimKey, keys)).orderBy(asc(nameClaims.claimKey)).for('update');
      const held = new Map(rows.map((r) => [r.claimKey, { userId: r.userId, stamp: r.hlc }]));
      const plan = planRequest(held, keys, claimant, req.provisional);
      const claimedAt = new Date(ctx.clock.now());
      for (const w of plan.writes) {
        const row = { claimKey: w.key, userId: req.userId, hlc: req.stamp, node: req.node, claimedAt };
        if (w.kind === 'move') {
          await tx.update(nameClaims).set(row).where(eq(nameClaims.claimKey, w.key));
        } else {
          const inserted = await tx.insert(nameClaims).values(row).onConflictDoNothing().returning({ key: nameClaims.claimKey });
          if (inserted.length === 0) throw new ClaimRace();
        }
      }
      for (const loser of plan.losers) await noticeLost(ctx, tx, emit, loser.userId, loser.key, req.userId);
      return plan.results;
    }),
  );
}

/** Frees keys `userId` holds here (those recorded by `node`, when given). */
export async function releaseHere(ctx: NodeContext, userId: string, keys: string[], node?: string): Promise<number> {
  const deleted = await ctx.database.db
    .delete(nameClaims)
    .where(and(inArray(nameClaims.claimKey, keys), eq(nameClaims.userId, userId), node ? eq(nameClaims.node, node) : undefined))
    .returning({ key: nameClaims.claimKey });
  return deleted.length;
}

const resultSchema = z.object({ key: z.string(), outcome: z.enum(['held', 'taken', 'free']), fresh: z.boolean() });
const answerSchema = z.object({ results: z.array(resultSchema) });

/** Asks each key's owner hub (this node itself when it owns it, or when it runs alone). */
async function askOwners(ctx: NodeContext, req: Omit<ClaimRequest, 'node'>, timeoutMs: number): Promise<KeyAnswer[]> {
  const self = ctx.identity.nodeId;
  if (ctx.mesh.mode() === 'standalone') return arbitrateHere(ctx, { ...req, node: self });
  const hubIds = hubIdsOf(ctx);
  const groups = groupByOwner(req.keys, (key) => ownerHub(key, hubIds));
  const answers = await Promise.all(
    [...groups].map(async ([owner, keys]): Promise<KeyAnswer[]> => {
      const unreachable = keys.map((key) => ({ key, outcome: 'unreachable' as const, fresh: false }));
      if (owner === undefined) return unreachable;
      if (owner === self) return arbitrateHere(ctx, { ...req, keys, node: self });
      // A hub the failure detector holds dead is not waited for: the account is provisional at once.
      if (ctx.mesh.peer(owner)?.reachable === false) return unreachable;
      try {
        const answer = answerSchema.parse(await ctx.mesh.call(owner, 'POST', CLAIMS_PATH, { ...req, keys }, timeoutMs));
        return keys.map((key) => answer.results.find((r) => r.key === key) ?? { key, outcome: 'unreachable', fresh: false });
      } catch (err) {
        ctx.log.debug({ err: String(err), owner, keys }, 'owner hub did not arbitrate the claim');
        return unreachable;
      }
    }),
  );
  return answers.flat();
}

async function releaseAtOwners(ctx: NodeContext, userId: string, keys: string[]): Promise<void> {
  const self = ctx.identity.nodeId;
  if (ctx.mesh.mode() === 'standalone') {
    await releaseHere(ctx, userId, keys);
    return;
  }
  const hubIds = hubIdsOf(ctx);
  const sleep = (ms: number) => new Promise<void>((resolve) => ctx.clock.setTimeout(resolve, ms));
  await Promise.all(
    [...groupByOwner(keys, (key) => ownerHub(key, hubIds))].map(async ([owner, group]) => {
      if (owner === undefined) return;
      if (owner === self) {
        await releaseHere(ctx, userId, group);
        return;
      }
      for (const wait of [0, 1000, 5000]) {
        await sleep(wait);
        try {
          await ctx.mesh.call(owner, 'POST', RELEASE_PATH, { userId, keys: group }, 5000);
          return;
        } catch (err) {
          ctx.log.debug({ err: String(err), owner, keys: group }, 'releasing name claims failed; trying again');
        }
      }
      ctx.log.warn({ owner, keys: group, userId }, 'could not release name claims of a refused sign-up; the owner frees them after its grace period');
    }),
  );
}

export interface SettlingArbiter extends NameArbiter {
  /** A provisional account's keys asked again: confirmed, lost to an earlier account, or still pending. */
  settle(c: NameClaim): Promise<'confirmed' | 'lost' | 'pending'>;
}

export function createNameArbiter(ctx: NodeContext, options: { timeoutMs?: number } = {}): SettlingArbiter {
  const timeoutMs = options.timeoutMs ?? 3000;
  return {
    async claim(c) {
      const answers = await askOwners(ctx, { userId: c.userId, keys: keysOf(c), stamp: c.stamp, provisional: false }, timeoutMs);
      const { outcome, release } = liveOutcome(answers);
      if (release.length > 0) {
        void releaseAtOwners(ctx, c.userId, release).catch((err: unknown) => ctx.log.warn({ err, userId: c.userId }, 'releasing name claims failed'));
      }
      if (outcome.outcome === 'unreachable') {
        const missing = answers.filter((a) => a.outcome === 'unreachable').map((a) => a.key);
        ctx.log.info({ userId: c.userId, keys: missing }, 'owner hub unreachable: the account is provisional until its names are settled');
      }
      return outcome;
    },
    release: (userId, keys) => releaseAtOwners(ctx, userId, keys),
    async settle(c) {
      return settleOutcome(await askOwners(ctx, { userId: c.userId, keys: keysOf(c), stamp: c.stamp, provisional: true }, timeoutMs));
    },
  };
}

/** What the pending job needs of accounts (AccountService.update). */
export interface NameClaimUpdater {
  update(userId: string, fields: Partial<AccountFields>, audit?: AuditNote): Promise<unknown>;
}

/**
 * At every node: asks again for the names of the accounts made here while
 * their owner hub was unreachable, each with its own backoff, until the
 * owners settle them; then writes `nameClaim` (confirmed or lost).
 */
export function pendingClaimsJob(ctx: NodeContext, deps: { accounts: NameClaimUpdater; arbiter?: SettlingArbiter; intervalMs?: number; batch?: number }): Job {
  const arbiter = deps.arbiter ?? createNameArbiter(ctx);
  const backoff = new Map<string, { attempt: number; nextAt: number }>();
  const pendingHere = () =>
    ctx.database.db
      .select({ userId: accounts.userId, usernameKey: accounts.usernameKey, emailKey: accounts.emailKey, stamp: accounts.createdHlc })
      .from(accounts)
      .where(and(eq(accounts.homeNode, ctx.identity.nodeId), eq(accounts.nameClaim, 'pending'), ne(accounts.usernameKey, '')))
      .orderBy(asc(accounts.userId))
      .limit(10_000);
  // Nothing pending at the last look: no query until an account changes here (an idle node polls nothing).
  let quiet = false;
  ctx.replication.afterCommit((events) => void (events.some((e) => e.type.startsWith('account.')) && (quiet = false)));
  return {
    name: 'name-claims-pending',
    intervalMs: deps.intervalMs ?? 1000,
    async run() {
      if (quiet) return;
      const rows = await pendingHere();
      if (rows.length === 0) {
        quiet = true;
        return;
      }
      const ids = new Set(rows.map((r) => r.userId));
      for (const id of backoff.keys()) if (!ids.has(id)) backoff.delete(id);
      const now = ctx.clock.now();
      const due = rows.filter((r) => (backoff.get(r.userId)?.nextAt ?? 0) <= now).slice(0, deps.batch ?? 50);
      for (const r of due) {
        const outcome = await arbiter.settle(r);
        if (outcome === 'pending') {
          const attempt = (backoff.get(r.userId)?.attempt ?? 0) + 1;
          backoff.set(r.userId, { attempt, nextAt: ctx.clock.now() + retryDelayMs(attempt, ctx.clock.random()) });
          continue;
        }
        backoff.delete(r.userId);
        // A rename while we asked made a new claim of its own: this answer is about names it no longer uses.
        const still = (await pendingHere()).find((x) => x.userId === r.userId);
        if (!still || still.usernameKey !== r.usernameKey || still.emailKey !== r.emailKey || still.stamp !== r.stamp) continue;
        const audit: AuditNote = { actor: 'system', action: `account.name-${outcome}`, target: r.userId, at: new Date(ctx.clock.now()).toISOString(), detail: { username: r.usernameKey } };
        await deps.accounts.update(r.userId, { nameClaim: outcome }, audit);
        ctx.log.info({ userId: r.userId, outcome }, 'provisional account settled by its owner hubs');
      }
    },
  };
}

/**
 * In one transaction: an account this node holds uses `key`, which the table
 * gives to another. The earlier claim keeps it: the key moves to the account
 * (and its holder is told), or the account is told it lost.
 */
async function settleConflictHere(ctx: NodeContext, userId: string, key: string): Promise<void> {
  await ctx.replication.transaction(async (tx, emit) => {
    const claim = (await tx.select().from(nameClaims).where(eq(nameClaims.claimKey, key)).for('update'))[0];
    const account = (await tx.select().from(accounts).where(eq(accounts.userId, userId)))[0];
    if (!claim || claim.userId === userId || !account || account.nameClaim === 'lost' || !usesKey(account, key)) return;
    const d = decideKey({ userId: claim.userId, stamp: claim.hlc }, { userId, stamp: account.createdHlc }, true);
    if (d.kind === 'move') {
      await tx.update(nameClaims).set({ userId, hlc: account.createdHlc, node: account.homeNode, claimedAt: new Date(ctx.clock.now()) }).where(eq(nameClaims.claimKey, key));
      await noticeLost(ctx, tx, emit, claim.userId, key, userId);
    } else {
      await noticeLost(ctx, tx, emit, userId, key, claim.userId);
    }
  });
}

/** Accounts held here that use a key this node's table gives to another account (lost accounts have been told). */
async function conflicts(ctx: NodeContext, field: 'username' | 'email', limit: number): Promise<{ key: string; userId: string }[]> {
  const col = field === 'username' ? accounts.usernameKey : accounts.emailKey;
  return ctx.database.db
    .select({ key: nameClaims.claimKey, userId: accounts.userId })
    .from(accounts)
    .innerJoin(nameClaims, eq(nameClaims.claimKey, sql`${`${field}:`} || ${col}`))
    .where(and(ne(nameClaims.userId, accounts.userId), ne(accounts.nameClaim, 'lost'), ne(col, '')))
    .orderBy(asc(nameClaims.claimKey))
    .limit(limit);
}

/** Frees claims no account held here uses (a refused sign-up whose release was lost, an old name after a rename). */
async function collectStale(ctx: NodeContext, graceMs: number, limit: number): Promise<number> {
  const cutoff = new Date(ctx.clock.now() - graceMs);
  return ctx.database.db.transaction(async (tx) => {
    const used = tx
      .select({ one: sql`1` })
      .from(accounts)
      .where(
        and(
          eq(accounts.userId, nameClaims.userId),
          or(eq(nameClaims.claimKey, sql`'username:' || ${accounts.usernameKey}`), eq(nameClaims.claimKey, sql`'email:' || ${accounts.emailKey}`)),
        ),
      );
    const stale = await tx
      .select({ key: nameClaims.claimKey })
      .from(nameClaims)
      .where(and(lt(nameClaims.claimedAt, cutoff), notExists(used)))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (stale.length === 0) return 0;
    await tx.delete(nameClaims).where(inArray(nameClaims.claimKey, stale.map((s) => s.key)));
    return stale.length;
  });
}

/** One pass of an owner's sweep; returns what it did. Runs at hubs and at a node running alone. */
export async function sweepClaims(ctx: NodeContext, options: { graceMs?: number; limit?: number } = {}): Promise<{ settled: number; collected: number }> {
  if (ctx.config.role !== 'hub' && ctx.mesh.mode() !== 'standalone') return { settled: 0, collected: 0 };
  const limit = options.limit ?? 200;
  const found = [...(await conflicts(ctx, 'username', limit)), ...(await conflicts(ctx, 'email', limit))];
  for (const c of found) await settleConflictHere(ctx, c.userId, c.key);
  const collected = await collectStale(ctx, options.graceMs ?? DEFAULT_GRACE_MS, limit);
  if (collected > 0) ctx.log.info({ collected }, 'freed name claims no account uses');
  return { settled: found.length, collected };
}

export interface ClaimRouteOptions {
  sweepIntervalMs?: number;
  graceMs?: number;
}

const security = [{ peer: [] }];
const claimKeySchema = z.string().regex(/^(username|email):\S/, 'username:<name> or email:<address>').max(400);
const claimBody = z.strictObject({
  userId: z.string().min(1).max(64),
  keys: z.array(claimKeySchema).min(1).max(4),
  stamp: z.string().regex(/^\d{15}-\d{6}-\S+$/, 'an encoded hlc').max(200),
  provisional: z.boolean().default(false),
});

/**
 * The owner's side of names: the claim and release peer routes, the account
 * lookup for visitors, and the sweep job (it does nothing at a store of a network).
 */
export function registerClaimRoutes(app: FastifyInstance, ctx: NodeContext, options: ClaimRouteOptions = {}): void {
  const r = typed(app);
  const requireOwner = (keys: string[]) => {
    if (ctx.config.role !== 'hub') throw new NotFound('Only a supply hub arbitrates names.');
    const hubIds = hubIdsOf(ctx);
    const elsewhere = keys.filter((k) => ownerHub(k, hubIds) !== ctx.identity.nodeId);
    // Views of the hubs differ for a moment when one joins: refusing keeps one owner per name; the claimant retries.
    if (elsewhere.length > 0) throw new Conflict(`This hub does not own ${elsewhere.join(', ')} among the ${hubIds.length} hubs it knows.`, undefined, 'not_owner_hub');
  };

  r.post(
    CLAIMS_PATH,
    {
      config: { access: 'peer' },
      schema: {
        tags: ['peer'],
        summary: 'Claim usernames and emails at their owner hub; answers per key: held, taken or free',
        body: claimBody,
        response: { 200: answerSchema },
        security,
      },
    },
    async (request) => {
      const body = request.body;
      requireOwner(body.keys);
      if (decodeHlc(body.stamp).wall > ctx.clock.now() + MAX_STAMP_AHEAD_MS) {
        throw new Invalid('The claim is stamped ahead of this hub’s clock.', [{ field: 'body.stamp', message: 'is in the future' }]);
      }
      return { results: await arbitrateHere(ctx, { ...body, node: request.peer!.nodeId }) };
    },
  );

  r.post(
    RELEASE_PATH,
    {
      config: { access: 'peer' },
      schema: {
        tags: ['peer'],
        summary: 'Free the keys a refused sign-up recorded (only the node that recorded them may)',
        body: z.strictObject({ userId: z.string().min(1).max(64), keys: z.array(claimKeySchema).min(1).max(4) }),
        response: { 200: z.object({ released: z.number().int() }) },
        security,
      },
    },
    async (request) => {
      requireOwner(request.body.keys);
      return { released: await releaseHere(ctx, request.body.userId, request.body.keys, request.peer!.nodeId) };
    },
  );

  registerLookupRoute(app, ctx);
  ctx.jobs.add({
    name: 'name-claims-sweep',
    intervalMs: options.sweepIntervalMs ?? 15_000, // a repair path: no need to poll every few seconds
    run: async () => void (await sweepClaims(ctx, { ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}) })),
  });
}
