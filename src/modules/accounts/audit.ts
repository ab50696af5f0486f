// The audit log: who did what, where and when. Entries ride on the events of
// the changes they describe and are written by those events' appliers, so
// the log replicates with the change and names the same entry everywhere.
import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.js';
import type { ReplicatedEvent } from '../../core/context.js';
import { auditLog } from './schema.js';

/** What an audited event carries besides its change. */
export interface AuditNote {
  /** The user id (or 'operator') who made the change. */
  actor: string;
  action: string;
  target: string;
  /** When it was made (ISO-8601), at the node where it was made. */
  at: string;
  detail?: Record<string, unknown>;
}

export async function writeAudit(tx: Tx, event: Pick<ReplicatedEvent, 'origin' | 'topic' | 'seq' | 'hlc'>, note: AuditNote): Promise<void> {
  await tx
    .insert(auditLog)
    .values({
      auditId: `${event.topic}|${event.origin}|${event.seq}`,
      at: new Date(note.at),
      actor: note.actor,
      node: event.origin,
      action: note.action,
      target: note.target,
      detail: note.detail ?? {},
      hlc: event.hlc,
    })
    .onConflictDoNothing();
}

export interface AuditEntry {
  auditId: string;
  at: string;
  actor: string;
  node: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

/** What an audit search may narrow to: exact actor, action or target; one store (done there, or about it). */
export interface AuditFilter {
  actor?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  storeId?: string | undefined;
}

/** Newest first; `cursor` is the hlc of the last entry of the previous page. */
export async function listAudit(db: Db, limit: number, cursor?: string, filter: AuditFilter = {}): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const where: (SQL | undefined)[] = [
    cursor ? lt(auditLog.hlc, cursor) : undefined,
    filter.actor ? eq(auditLog.actor, filter.actor) : undefined,
    filter.action ? eq(auditLog.action, filter.action) : undefined,
    filter.target ? eq(auditLog.target, filter.target) : undefined,
    // A store node's id is its store id: what was done at the store, or what names the store.
    filter.storeId ? or(eq(auditLog.node, filter.storeId), sql`${auditLog.detail}->>'storeId' = ${filter.storeId}`) : undefined,
  ];
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.hlc))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({ auditId: r.auditId, at: r.at.toISOString(), actor: r.actor, node: r.node, action: r.action, target: r.target, detail: r.detail as Record<string, unknown> })),
    nextCursor: rows.length > limit ? (page[page.length - 1]?.hlc ?? null) : null,
  };
}
