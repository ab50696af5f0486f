// A visitor's first login at a store that does not hold their account: the
// store asks a hub (which holds every account) for the user id behind the
// username, then pulls that person's `user:<id>` topic, so the account, with
// its password hash, is held here and followed from then on. Only ids cross
// on the lookup; the password is checked here against the replicated hash,
// so it never leaves the node where it was typed.
import type { FastifyInstance } from 'fastify';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { typed } from '../../http/app.js';
import { NotFound } from '../../http/errors.js';
import { compareEncodedHlc } from '../../lib/hlc.js';
import type { NodeContext, PeerInfo } from '../../core/context.js';
import { userTopic } from './events.js';
import type { AccountLocator } from './names.js';
import { accounts } from './schema.js';

export const LOOKUP_PATH = '/p2p/v1/accounts/lookup';

const lookupAnswer = z.object({ userId: z.string(), userIds: z.array(z.string()) });
type LookupAnswer = z.infer<typeof lookupAnswer>;

const claimRank = { confirmed: 0, pending: 1, lost: 2 } as Record<string, number>;

/** The accounts held here under a username, the one that holds the name first (several only while a clash settles). */
export async function accountsByUsername(ctx: NodeContext, usernameKey: string): Promise<string[]> {
  const rows = await ctx.database.db
    .select({ userId: accounts.userId, nameClaim: accounts.nameClaim, stamp: accounts.createdHlc })
    .from(accounts)
    .where(eq(accounts.usernameKey, usernameKey));
  return rows
    .sort((a, b) => (claimRank[a.nameClaim] ?? 3) - (claimRank[b.nameClaim] ?? 3) || compareEncodedHlc(a.stamp, b.stamp))
    .map((r) => r.userId);
}

export function registerLookupRoute(app: FastifyInstance, ctx: NodeContext): void {
  typed(app).post(
    LOOKUP_PATH,
    {
      config: { access: 'peer' },
      schema: {
        tags: ['peer'],
        summary: 'A hub names the account(s) behind a username, for a visitor’s first login at a store',
        body: z.strictObject({ usernameKey: z.string().min(1).max(200) }),
        response: { 200: lookupAnswer },
        security: [{ peer: [] }],
      },
    },
    async (request) => {
      if (ctx.config.role !== 'hub') throw new NotFound('Only a supply hub answers account lookups.');
      const userIds = await accountsByUsername(ctx, request.body.usernameKey);
      if (userIds.length === 0) throw new NotFound('No account has that username.');
      return { userId: userIds[0]!, userIds };
    },
  );
}

/** Our region's hub first (a store replicates with it), then the others, reachable ones first. */
function hubsInAskingOrder(ctx: NodeContext): PeerInfo[] {
  const rank = (h: PeerInfo) => (h.region === ctx.config.region ? 0 : 2) + (h.reachable ? 0 : 1);
  return ctx.mesh
    .hubs()
    .filter((h) => h.nodeId !== ctx.identity.nodeId)
    .sort((a, b) => rank(a) - rank(b) || a.nodeId.localeCompare(b.nodeId));
}

export function createAccountLocator(ctx: NodeContext, options: { timeoutMs?: number; settleMs?: number } = {}): AccountLocator {
  const timeoutMs = options.timeoutMs ?? 3000;
  const sleep = (ms: number) => new Promise<void>((resolve) => ctx.clock.setTimeout(resolve, ms));
  const held = async (userId: string) => (await ctx.database.db.select({ userId: accounts.userId }).from(accounts).where(eq(accounts.userId, userId))).length > 0;

  /**
   * Pulls the person's topic. A store may sync only with nodes of its region,
   * so the account comes through our own hub even when another hub named it;
   * when our hub does not have it yet (it is still crossing between hubs), we
   * ask again for a moment. The subscription stays, so it arrives anyway.
   */
  async function pull(userId: string, answeredBy: PeerInfo, ours: PeerInfo | undefined): Promise<boolean> {
    const sources = [...new Set([ours, ...(ctx.config.role === 'hub' || answeredBy.region === ctx.config.region ? [answeredBy] : [])])].filter(
      (p): p is PeerInfo => p !== undefined,
    );
    const deadline = ctx.clock.now() + (options.settleMs ?? 3000);
    for (let round = 0; ; round++) {
      for (const source of sources) {
        try {
          await ctx.mesh.pullTopic(userTopic(userId), source.nodeId);
        } catch (err) {
          ctx.log.debug({ err: String(err), userId, from: source.nodeId }, 'pulling a visitor’s account failed');
        }
        if (await held(userId)) return true;
      }
      if (sources.length === 0 || ctx.clock.now() >= deadline) return false;
      await sleep(Math.min(1000, 100 * 2 ** round));
    }
  }

  return {
    async fetchByUsername(usernameKey) {
      if (ctx.mesh.mode() === 'standalone') return undefined;
      const hubs = hubsInAskingOrder(ctx);
      const ours = hubs.find((h) => h.region === ctx.config.region);
      for (const hub of hubs) {
        let answer: LookupAnswer;
        try {
          answer = lookupAnswer.parse(await ctx.mesh.call(hub.nodeId, 'POST', LOOKUP_PATH, { usernameKey }, timeoutMs));
        } catch (err) {
          const status = (err as { status?: number }).status;
          if (status !== 404) ctx.log.debug({ err: String(err), hub: hub.nodeId }, 'account lookup at a hub failed; asking the next');
          continue;
        }
        let found: string | undefined;
        // Every account under the name comes along: during a clash the password decides which one is the person's.
        for (const userId of answer.userIds.slice(0, 5)) {
          if (await pull(userId, hub, ours)) found ??= userId;
        }
        if (found) {
          ctx.log.info({ userId: found, hub: hub.nodeId }, 'visitor’s account pulled from a hub');
          return found;
        }
      }
      return undefined;
    },
  };
}
