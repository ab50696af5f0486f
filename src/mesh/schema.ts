// Tables of the mesh: the peers this node knows (a hub's region registry; a
// store's cached view of its region, so it still knows its peers after a
// restart while its hub is down), used join tokens and revocations.
import { bigint, doublePrecision, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const meshMembers = pgTable('mesh_members', {
  nodeId: text('node_id').primaryKey(),
  role: text('role', { enum: ['hub', 'store'] }).notNull(),
  region: text('region').notNull(),
  name: text('name').notNull(),
  apiBaseUrl: text('api_base_url').notNull(),
  lat: doublePrecision('lat').notNull(),
  lon: doublePrecision('lon').notNull(),
  /** The member's certificate chain as it presented it (verified before it was stored). */
  chain: jsonb('chain').notNull(),
  registeredAt: timestamp('registered_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One row per join token redeemed: the primary key makes a token one-time, also under concurrency. */
export const meshUsedJoinTokens = pgTable('mesh_used_join_tokens', {
  tokenId: text('token_id').primaryKey(),
  nodeId: text('node_id').notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }).notNull().defaultNow(),
});

export const meshRevocations = pgTable('mesh_revocations', {
  serial: text('serial').primaryKey(),
  nodeId: text('node_id').notNull(),
  issuerId: text('issuer_id').notNull(),
  revokedAt: bigint('revoked_at', { mode: 'number' }).notNull(),
  reason: text('reason').notNull(),
  signature: text('signature').notNull(),
});
