// Announcements: publish, edit, retract and list. Every change is written
// with its replication event in one transaction, and applied locally by the
// same function that applies it at every other node.
import { randomUUID } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { NotFound } from '../../http/errors.js';
import { lwwMapValue, type LwwMap } from '../../lib/merge.js';
import type { ReplicationApi } from '../../core/context.js';
import { ANNOUNCEMENT_SET, applyAnnouncementSet, type AnnouncementSetPayload } from './events.js';
import { announcements } from './schema.js';

export interface Announcement {
  announcementId: string;
  scope: 'global' | 'region';
  region: string | null;
  title: string;
  body: string;
  author: string;
  publishedAt: string;
  retracted: boolean;
}

function toAnnouncement(row: typeof announcements.$inferSelect): Announcement {
  const v = lwwMapValue(row.fields as LwwMap);
  const region = row.topic.startsWith('region:') ? row.topic.slice(7) : null;
  return {
    announcementId: row.announcementId,
    scope: region ? 'region' : 'global',
    region,
    title: String(v.title ?? ''),
    body: String(v.body ?? ''),
    author: String(v.author ?? ''),
    publishedAt: String(v.publishedAt ?? ''),
    retracted: v.retracted === true,
  };
}

export class AnnouncementService {
  constructor(
    private readonly db: Db,
    private readonly replication: ReplicationApi,
    private readonly now: () => number,
  ) {}

  private async set(topic: string, payload: AnnouncementSetPayload): Promise<void> {
    await this.replication.transaction(async (tx, emit) => {
      const event = await emit({ topic, type: ANNOUNCEMENT_SET, payload });
      await applyAnnouncementSet(tx, event);
    });
  }

  async publish(input: { topic: string; title: string; body: string; author: string }): Promise<Announcement> {
    const announcementId = randomUUID();
    const fields = { title: input.title, body: input.body, author: input.author, publishedAt: new Date(this.now()).toISOString(), retracted: false };
    await this.set(input.topic, { announcementId, fields });
    return this.get(announcementId);
  }

  async edit(announcementId: string, fields: { title?: string | undefined; body?: string | undefined; retracted?: boolean | undefined }): Promise<Announcement> {
    const current = await this.row(announcementId);
    const changes = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    if (Object.keys(changes).length > 0) await this.set(current.topic, { announcementId, fields: changes });
    return this.get(announcementId);
  }

  private async row(announcementId: string) {
    const rows = await this.db.select().from(announcements).where(eq(announcements.announcementId, announcementId));
    if (!rows[0]) throw new NotFound(`No announcement ${announcementId} here.`);
    return rows[0];
  }

  async get(announcementId: string): Promise<Announcement> {
    return toAnnouncement(await this.row(announcementId));
  }

  async list(topics: string[], limit: number, includeRetracted: boolean): Promise<Announcement[]> {
    const rows = await this.db
      .select()
      .from(announcements)
      .where(inArray(announcements.topic, topics))
      .orderBy(sql`${announcements.updatedHlc} collate "C" desc`)
      .limit(limit);
    return rows.map(toAnnouncement).filter((a) => includeRetracted || !a.retracted);
  }
}
