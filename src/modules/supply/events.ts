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
import type { ReceiptLine } from './delivery-model.js';
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
  /** The delivery carrying it, once planned. */
  deliveryId?: string | null | undefined;
  /** Set on a request a neighbouring hub took over: the request it covers (it travels on the global topic). */
  parentRequestId?: string | null | undefined;
  /** Set on the covered request: the request at the other hub. */
  coveredBy?: string | null | undefined;
  /** The store's count, once received. */
  receipt?: ReceiptLine[] | null | undefined;
  receivedBy?: string | null | undefined;
  receivedAt?: string | null | undefined;
}

export interface CancelAsk {
  requestId: string;
  storeId: string;
  by: string;
  at: string;
}

export const regionTopic = (region: string) => `region:${region}`;

/**
 * Where a request's events travel: its region's topic, or the global topic
 * for a request another region's hub covers (that hub does not hold the
 * store's region topic; every node holds the global one).
 */
export const requestTopic = (r: { region: string; parentRequestId?: string | null | undefined }) => (r.parentRequestId ? 'global' : regionTopic(r.region));

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
    deliveryId: r.deliveryId ?? null,
    parentRequestId: r.parentRequestId ?? null,
    coveredBy: r.coveredBy ?? null,
    receipt: r.receipt ?? null,
    receivedBy: r.receivedBy ?? null,
    receivedAt: r.receivedAt ? new Date(r.receivedAt) : null,
    hlc,
  };
}

/** A request as stored here, every field present. */
export type StoredRequest = SupplyRecord & {
  deliveryId: string | null;
  parentRequestId: string | null;
  coveredBy: string | null;
  receipt: ReceiptLine[] | null;
  receivedBy: string | null;
  receivedAt: string | null;
  cancelAskedAt: string | null;
};

export function recordOf(row: typeof supplyRequests.$inferSelect): StoredRequest {
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
    deliveryId: row.deliveryId,
    parentRequestId: row.parentRequestId,
    coveredBy: row.coveredBy,
    receipt: (row.receipt as ReceiptLine[] | null) ?? null,
    receivedBy: row.receivedBy,
    receivedAt: row.receivedAt?.toISOString() ?? null,
    cancelAskedAt: row.cancelAskedAt?.toISOString() ?? null,
  };
}

/** Whether this node keeps a copy: the hub of the request, or its store. */
export type Keeps = (r: { storeId: string; hubId: string }) => boolean;

/** Called at the request's store after its copy changed, so the store's ledger follows (on order, in transit). */
export type Follow = (tx: Tx, r: SupplyRecord, stage: string) => Promise<void>;

/** A new request: kept once; a resend (the same event again, or the store's copy) changes nothing. */
export async function applySubmitted(tx: Tx, event: Pick<ReplicatedEvent, 'hlc' | 'payload'>, keeps: Keeps): Promise<void> {
  const r = event.payload as SupplyRecord;
  if (!keeps(r)) return;
  await tx.insert(supplyRequests).values(rowOf(r, event.hlc)).onConflictDoNothing();
}

/** The hub's newest word on a request wins over anything older. */
export async function applySet(tx: Tx, event: Pick<ReplicatedEvent, 'hlc' | 'payload'>, keeps: Keeps, follow?: Follow): Promise<void> {
  const r = event.payload as SupplyRecord;
  if (!keeps(r)) return;
  const row = rowOf(r, event.hlc);
  const written = await tx
    .insert(supplyRequests)
    .values(row)
    .onConflictDoUpdate({ target: supplyRequests.requestId, set: { ...row, requestId: undefined }, setWhere: lt(supplyRequests.hlc, event.hlc) })
    .returning({ stage: supplyRequests.ledgerStage });
  if (written[0] && follow) await follow(tx, r, written[0].stage);
}

/** A store counted a delivery in: the request is DELIVERED with the count, at the store and at the hub. */
export const SUPPLY_RECEIVED = 'supply.request.received';

export interface ReceivedPayload {
  requestId: string;
  storeId: string;
  hubId: string;
  lines: ReceiptLine[];
  by: string;
  at: string;
}

export async function applyReceived(tx: Tx, event: Pick<ReplicatedEvent, 'hlc' | 'payload'>, keeps: Keeps): Promise<boolean> {
  const p = event.payload as ReceivedPayload;
  if (!keeps(p)) return false;
  const rows = await tx
    .update(supplyRequests)
    .set({ status: 'DELIVERED', receipt: p.lines, receivedBy: p.by, receivedAt: new Date(p.at), updatedAt: new Date(p.at), hlc: event.hlc })
    .where(and(eq(supplyRequests.requestId, p.requestId), eq(supplyRequests.storeId, p.storeId), eq(supplyRequests.status, 'IN_TRANSIT')))
    .returning({ requestId: supplyRequests.requestId });
  return rows.length > 0;
}

/** A store's ask to cancel: noted on the copy; the hub settles it (service.settleCancels). */
export async function applyCancelAsk(tx: Tx, event: Pick<ReplicatedEvent, 'payload'>): Promise<void> {
  const a = event.payload as CancelAsk;
  await tx
    .update(supplyRequests)
    .set({ cancelAskedBy: a.by, cancelAskedAt: new Date(a.at) })
    .where(and(eq(supplyRequests.requestId, a.requestId), eq(supplyRequests.storeId, a.storeId), isNull(supplyRequests.cancelAskedAt)));
}
