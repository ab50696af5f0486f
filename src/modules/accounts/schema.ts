// Accounts, favorites, revoked tokens, role assignments, the audit log and
// (at hubs) the name claims that keep usernames and emails unique across the
// network. Everything but name claims is replicated state: rows are written
// only by event appliers, so every holder ends with the same rows.
import { boolean, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** One row per account this node holds (its `user:<id>` topic). */
export const accounts = pgTable(
  'accounts',
  {
    userId: text('user_id').primaryKey(),
    /** Lower-cased username and email, for lookups; uniqueness is the owner hub's to arbitrate. */
    usernameKey: text('username_key').notNull(),
    emailKey: text('email_key').notNull(),
    /** active | disabled */
    status: text('status').notNull(),
    /** pending (owner hub not reached yet) | confirmed | lost (another account kept the name) */
    nameClaim: text('name_claim').notNull(),
    homeNode: text('home_node').notNull(),
    homeRegion: text('home_region').notNull(),
    /** Per-field last-writer-wins state: username, email, passwordHash, firstName, lastName, phone, preferences, status, nameClaim… */
    fields: jsonb('fields').notNull(),
    createdHlc: text('created_hlc').notNull(),
    updatedHlc: text('updated_hlc').notNull(),
  },
  (t) => [index('accounts_username_key_idx').on(t.usernameKey), index('accounts_email_key_idx').on(t.emailKey), index('accounts_home_node_idx').on(t.homeNode, t.nameClaim)],
);

/** Favorites as an observed-remove set: one row per add tag; a remove marks the tags it saw. */
export const accountFavorites = pgTable(
  'account_favorites',
  {
    userId: text('user_id').notNull(),
    tag: text('tag').notNull(),
    drinkId: text('drink_id').notNull(),
    /** Set by a remove; a remove that arrives before its add leaves a removed row the add cannot revive. */
    removed: boolean('removed').notNull().default(false),
    addedHlc: text('added_hlc'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.tag] }), index('account_favorites_user_idx').on(t.userId, t.drinkId)],
);

/** Tokens revoked by logout (or by an admin), until they would have expired anyway. */
export const revokedTokens = pgTable('revoked_tokens', {
  tokenId: text('token_id').primaryKey(),
  userId: text('user_id').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** Role assignments (the `global` topic): an OR-set keyed by role id; a revoke marks its row. */
export const roleAssignments = pgTable(
  'role_assignments',
  {
    roleId: text('role_id').primaryKey(),
    userId: text('user_id').notNull(),
    roleType: text('role_type').notNull(),
    storeId: text('store_id'),
    regionCode: text('region_code'),
    supplyHubId: text('supply_hub_id'),
    grantedBy: text('granted_by'),
    grantedAt: timestamp('granted_at', { withTimezone: true, mode: 'date' }),
    grantedHlc: text('granted_hlc'),
    revokedBy: text('revoked_by'),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    revokedHlc: text('revoked_hlc'),
  },
  (t) => [index('role_assignments_user_idx').on(t.userId)],
);

/** Who did what, where and when; written by the appliers of audited events, so it replicates with them. */
export const auditLog = pgTable(
  'audit_log',
  {
    /** The event that carried it (`topic|origin|seq`): the same id at every node. */
    auditId: text('audit_id').primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    actor: text('actor').notNull(),
    node: text('node').notNull(),
    action: text('action').notNull(),
    target: text('target').notNull(),
    detail: jsonb('detail').notNull(),
    hlc: text('hlc').notNull(),
  },
  (t) => [index('audit_log_hlc_idx').on(t.hlc)],
);

/** At an owner hub: who holds each username and email (`username:<name>`, `email:<address>`). */
export const nameClaims = pgTable('name_claims', {
  claimKey: text('claim_key').primaryKey(),
  userId: text('user_id').notNull(),
  /** The account's creation stamp: the earliest keeps a contested name. */
  hlc: text('hlc').notNull(),
  node: text('node').notNull(),
  claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'date' }).notNull(),
});
