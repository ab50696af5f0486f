// Announcements: notices from head office or a region's logistics to every
// store that should see them (a new drink, a recall, holiday hours).
import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';

export const announcements = pgTable('announcements', {
  announcementId: text('announcement_id').primaryKey(),
  /** The replication topic it travels on: global or region:<code>. */
  topic: text('topic').notNull(),
  /** Per-field last-writer-wins state (title, body, retracted, author, publishedAt). */
  fields: jsonb('fields').notNull(),
  /** The newest hlc of any field, for ordering lists. */
  updatedHlc: text('updated_hlc').notNull(),
});
