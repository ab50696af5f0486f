// The replicated events of announcements and how a node applies them: each
// carries the fields it sets, merged last-writer-wins per field by the
// event's hlc, so edits made on both sides of a partition converge.
import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { lwwMapSet, type LwwMap } from '../../lib/merge.js';
import type { ReplicatedEvent, ReplicationApi } from '../../core/context.js';
import { announcements } from './schema.js';

export const ANNOUNCEMENT_SET = 'announcement.set';

export interface AnnouncementSetPayload {
  announcementId: string;
  fields: Record<string, unknown>;
}

export async function applyAnnouncementSet(tx: Tx, event: Pick<ReplicatedEvent, 'topic' | 'hlc' | 'payload'>): Promise<void> {
  const payload = event.payload as AnnouncementSetPayload;
  const rows = await tx.select().from(announcements).where(eq(announcements.announcementId, payload.announcementId)).for('update');
  let fields: LwwMap = (rows[0]?.fields as LwwMap | undefined) ?? {};
  for (const [field, value] of Object.entries(payload.fields)) fields = lwwMapSet(fields, field, value, event.hlc);
  const newest = Object.values(fields).reduce((max, r) => (r.hlc > max ? r.hlc : max), '');
  await tx
    .insert(announcements)
    .values({ announcementId: payload.announcementId, topic: event.topic, fields, updatedHlc: newest })
    .onConflictDoUpdate({ target: announcements.announcementId, set: { fields, updatedHlc: newest } });
}

export function registerAnnouncementAppliers(replication: ReplicationApi): void {
  replication.on(ANNOUNCEMENT_SET, applyAnnouncementSet);
}
