// The replicated events of accounts (topic `user:<id>`) and how every holder
// applies them: account fields merge last-writer-wins per field by hlc,
// favorites are an observed-remove set kept as one row per add tag, and a
// logout is a revoked token id. Appliers are idempotent and order-free.
import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { lwwMapSet, lwwMapValue, type LwwMap } from '../../lib/merge.js';
import type { ReplicatedEvent, ReplicationApi } from '../../core/context.js';
import { writeAudit, type AuditNote } from './audit.js';
import { accountFavorites, accounts, revokedTokens } from './schema.js';

export const ACCOUNT_SET = 'account.set';
export const FAVORITE_ADD = 'favorite.add';
export const FAVORITE_REMOVE = 'favorite.remove';
export const TOKEN_REVOKE = 'token.revoke';

export const userTopic = (userId: string): string => `user:${userId}`;

/** Fields of an account. The first event of an account sets them all. */
export interface AccountFields {
  username: string;
  email: string;
  passwordHash: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  preferences: Record<string, unknown>;
  status: 'active' | 'disabled';
  nameClaim: 'pending' | 'confirmed' | 'lost';
  homeNode: string;
  homeRegion: string;
  /** The claim stamp (an encoded hlc): the earliest keeps a contested name. */
  createdStamp: string;
  createdAt: string;
}

export interface AccountSetPayload {
  userId: string;
  fields: Partial<AccountFields>;
  audit?: AuditNote;
}
export interface FavoriteAddPayload {
  userId: string;
  drinkId: string;
  tag: string;
}
export interface FavoriteRemovePayload {
  userId: string;
  drinkId: string;
  tags: string[];
}
export interface TokenRevokePayload {
  userId: string;
  tokenId: string;
  expiresAt: string;
}

export async function applyAccountSet(tx: Tx, event: ReplicatedEvent): Promise<void> {
  const p = event.payload as AccountSetPayload;
  const rows = await tx.select().from(accounts).where(eq(accounts.userId, p.userId)).for('update');
  let fields: LwwMap = (rows[0]?.fields as LwwMap | undefined) ?? {};
  for (const [field, value] of Object.entries(p.fields)) fields = lwwMapSet(fields, field, value, event.hlc);
  const v = lwwMapValue(fields) as Partial<AccountFields>;
  const newest = Object.values(fields).reduce((max, r) => (r.hlc > max ? r.hlc : max), '');
  const row = {
    usernameKey: String(v.username ?? '').toLowerCase(),
    emailKey: String(v.email ?? '').toLowerCase(),
    status: v.status ?? 'active',
    nameClaim: v.nameClaim ?? 'pending',
    homeNode: v.homeNode ?? event.origin,
    homeRegion: v.homeRegion ?? '',
    fields,
    createdHlc: v.createdStamp ?? event.hlc,
    updatedHlc: newest,
  };
  await tx
    .insert(accounts)
    .values({ userId: p.userId, ...row })
    .onConflictDoUpdate({ target: accounts.userId, set: row });
  if (p.audit) await writeAudit(tx, event, p.audit);
}

export async function applyFavoriteAdd(tx: Tx, event: ReplicatedEvent): Promise<void> {
  const p = event.payload as FavoriteAddPayload;
  // A remove that came first left a removed row for this tag: the add must not revive it.
  await tx
    .insert(accountFavorites)
    .values({ userId: p.userId, tag: p.tag, drinkId: p.drinkId, removed: false, addedHlc: event.hlc })
    .onConflictDoUpdate({ target: [accountFavorites.userId, accountFavorites.tag], set: { addedHlc: event.hlc } });
}

export async function applyFavoriteRemove(tx: Tx, event: ReplicatedEvent): Promise<void> {
  const p = event.payload as FavoriteRemovePayload;
  if (p.tags.length === 0) return;
  await tx
    .insert(accountFavorites)
    .values(p.tags.map((tag) => ({ userId: p.userId, tag, drinkId: p.drinkId, removed: true })))
    .onConflictDoNothing();
  await tx
    .update(accountFavorites)
    .set({ removed: true })
    .where(and(eq(accountFavorites.userId, p.userId), inArray(accountFavorites.tag, p.tags)));
}

export async function applyTokenRevoke(tx: Tx, event: ReplicatedEvent): Promise<void> {
  const p = event.payload as TokenRevokePayload;
  await tx
    .insert(revokedTokens)
    .values({ tokenId: p.tokenId, userId: p.userId, expiresAt: new Date(p.expiresAt) })
    .onConflictDoNothing();
}

export function registerAccountAppliers(replication: ReplicationApi): void {
  replication.on(ACCOUNT_SET, applyAccountSet);
  replication.on(FAVORITE_ADD, applyFavoriteAdd);
  replication.on(FAVORITE_REMOVE, applyFavoriteRemove);
  replication.on(TOKEN_REVOKE, applyTokenRevoke);
}
