// Tables owned by the node runtime itself.
import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Facts about this node kept in its database, e.g. the node id it was created for. */
export const nodeMeta = pgTable('node_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
