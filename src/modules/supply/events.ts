// The replicated events of supply requests, on the region's topic:
// - submitted: a store (or the hub, for a store) asks. Replication's outbox
//   carries it to the hub whenever the hub can be reached, exactly once;
// - set: the hub, the owner, moved the request; every copy takes the newest;
// - cancel: a store asks the hub to cancel (the hub settles it and answers
//   with a set).
// A store keeps only its own requests; the hub keeps its region's.
import { and, eq, isNull, lt } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import type { ReplicatedEvent } from '../../core/context.js';
import type { SupplyLine, SupplyStatus, Urgency } from './model.js';
import { supplyRequests } from './schema.js';

export const SUPPLY_SUBMITTED = 'supply.request.submitted';
export const SUPPLY_SET = 'supply.request.set';
export const SUPPLY_CANCEL = 'supply.request.cancel';

export interface SupplyRecord {
  requestId: string;
  storeId: string;
  hubId: string;
  region: string;
  items: SupplyLine[];
  urgency: Urgency;
  notes: string | null;
  status: SupplyStatus;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  reviewNotes: string | null;
}

export interface CancelAsk {
  requestId: string;
  storeId: string;
  by: string;
  at: string;
}

export const regionTopic = (region: string) => `region:${region}`;

function rowOf(r: SupplyRecord, hlc: string): typeof supplyRequests.$inferInsert {
  return {
    requestId: r.requestId,
    storeId: r.storeId,
    hubId: r.hubId,
    region: r.region,
    items: r.items,
    urgency: r.urgency,
    notes: r.notes,
    status: r.status,
    requestedBy: r.requestedBy,
    createdAt: new Date(r.createdAt),
    updatedAt: new Date(r.updatedAt),
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt ? new Date(r.decidedAt) : null,
    reviewNotes: r.reviewNotes,
    hlc,
  };
}

export function recordOf(row: typeof supplyRequests.$inferSelect): SupplyRecord & { cancelAskedAt: string | null } {
  return {
    requestId: row.requestId,
    storeId: row.storeId,
    hubId: row.hubId,
    region: row.region,
    items: row.items as SupplyLine[],
    urgency: row.urgency as Urgency,
    notes: row.notes,
    status: row.status as SupplyStatus,
    requestedBy: row.requestedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    reviewNotes: row.reviewNotes,
    cancelAskedAt: row.cancelAskedAt?.toISOString() ?? null,
  };
}

/** Whether this node keeps a copy: the hub of the request, or its store. */
export type Keeps = (r: { storeId: string; hubId: string }) => boolean;

/** A new request: kept once; a resend (the same event again, or the store's copy) changes nothing. */
export async function applySubmitted(tx: Tx, event: Pick<ReplicatedEvent, 'hlc' | 'payload'>, keeps: Keeps): Promise<void> {
  const r = event.payload as SupplyRecord;
  if (!keeps(r)) return;
  await tx.insert(supplyRequests).values(rowOf(r, event.hlc)).onConflictDoNothing();
}

/** The hub's newest word on a request wins over anything older. */
export async function applySet(tx: Tx, event: Pick<ReplicatedEvent, 'hlc' | 'payload'>, keeps: Keeps): Promise<void> {
  const r = event.payload as SupplyRecord;
  if (!keeps(r)) return;
  const row = rowOf(r, event.hlc);
  await tx
    .insert(supplyRequests)
    .values(row)
    .onConflictDoUpdate({ target: supplyRequests.requestId, set: { ...row, requestId: undefined }, setWhere: lt(supplyRequests.hlc, event.hlc) });
}

/** A store's ask to cancel: noted on the copy; the hub settles it (service.settleCancels). */
export async function applyCancelAsk(tx: Tx, event: Pick<ReplicatedEvent, 'payload'>): Promise<void> {
  const a = event.payload as CancelAsk;
  await tx
    .update(supplyRequests)
    .set({ cancelAskedBy: a.by, cancelAskedAt: new Date(a.at) })
    .where(and(eq(supplyRequests.requestId, a.requestId), eq(supplyRequests.storeId, a.storeId), isNull(supplyRequests.cancelAskedAt)));
}
