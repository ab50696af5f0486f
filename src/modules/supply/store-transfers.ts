// Stock from a nearby store (within 100 miles), approved by both managers:
// the asking store's manager asks, the sending store's manager approves (the
// stock leaves its ledger: in transit) or denies, and the asking store counts
// it in (on hand there; the sender sees any shortfall). Each state is moved
// by one store only (asked and received by the asking store, approved or
// denied by the sender), so the two copies never disagree. The record
// travels on the region topic, or the global one between regions.
import { randomUUID } from 'node:crypto';
import { and, desc, eq, lt, or } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.js';
import type { ReplicatedEvent, ReplicationApi } from '../../core/context.js';
import { Conflict, Invalid, NotFound } from '../../http/errors.js';
import { haversineMiles } from '../../lib/geo.js';
import type { InventoryService } from '../inventory/index.js';
import { regionTopic } from './events.js';
import { arrivals, countIn, lineProblems } from './count-in.js';
import { storeTransfers } from './schema.js';

export const STORE_TRANSFER_SET = 'supply.store-transfer.set';
export const MAX_STORE_TRANSFER_MILES = 100;
export const storeTransferStatuses = ['PENDING', 'IN_TRANSIT', 'RECEIVED', 'DENIED'] as const;
export type StoreTransferStatus = (typeof storeTransferStatuses)[number];

export interface StoreTransfer {
  transferId: string;
  fromStore: string;
  toStore: string;
  fromRegion: string;
  toRegion: string;
  lines: { itemId: string; quantity: number; received?: number | undefined }[];
  miles: number;
  status: StoreTransferStatus;
  notes: string | null;
  reviewNotes: string | null;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  receivedBy: string | null;
  receivedAt: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;
function recordOf(row: typeof storeTransfers.$inferSelect): StoreTransfer {
  return {
    ...row,
    lines: row.lines as StoreTransfer['lines'],
    status: row.status as StoreTransferStatus,
    requestedAt: row.requestedAt.toISOString(),
    decidedAt: iso(row.decidedAt),
    receivedAt: iso(row.receivedAt),
  };
}
const topicOf = (t: StoreTransfer) => (t.fromRegion === t.toRegion ? regionTopic(t.toRegion) : 'global');

type Emit = Parameters<Parameters<ReplicationApi['transaction']>[0]>[1];

export class StoreTransferService {
  constructor(
    private readonly d: {
      db: Db;
      replication: ReplicationApi;
      inventory: InventoryService;
      nodeId: string;
      now: () => number;
      storeInfo: (storeId: string) => Promise<{ name: string; lat: number; lon: number; region: string } | undefined>;
      knownItems: (ids: string[]) => Promise<Set<string>>;
    },
  ) {
    d.replication.on(STORE_TRANSFER_SET, (tx, e) => this.apply(tx, e, false));
  }

  private async apply(tx: Tx, e: Pick<ReplicatedEvent, 'hlc' | 'payload'>, mine: boolean): Promise<void> {
    const t = e.payload as StoreTransfer;
    if (!mine && t.fromStore !== this.d.nodeId && t.toStore !== this.d.nodeId) return;
    const at = (s: string | null) => (s ? new Date(s) : null);
    const row = { ...t, requestedAt: new Date(t.requestedAt), decidedAt: at(t.decidedAt), receivedAt: at(t.receivedAt), hlc: e.hlc };
    await tx.insert(storeTransfers).values(row).onConflictDoUpdate({ target: storeTransfers.transferId, set: { ...row, transferId: undefined }, setWhere: lt(storeTransfers.hlc, e.hlc) });
  }

  private async publish(tx: Tx, emit: Emit, t: StoreTransfer): Promise<void> {
    await this.apply(tx, await emit({ topic: topicOf(t), type: STORE_TRANSFER_SET, payload: t }), true);
  }

  async ask(actor: string, input: { fromStoreId: string; lines: { itemId: string; quantity: number }[]; notes?: string | undefined }): Promise<StoreTransfer> {
    const [here, there] = [await this.d.storeInfo(this.d.nodeId), await this.d.storeInfo(input.fromStoreId)];
    if (!there || input.fromStoreId === this.d.nodeId) throw new Invalid('Not another store of the network.', [{ field: 'body.fromStoreId', message: there ? 'a store does not ask itself' : `no store ${input.fromStoreId} in the directory here` }]);
    if (!here) throw new Conflict("This store's own position is not in the directory yet; try again in a moment.");
    const miles = Math.round(haversineMiles(here, there) * 10) / 10;
    if (miles > MAX_STORE_TRANSFER_MILES) throw new Invalid(`${there.name} is too far.`, [{ field: 'body.fromStoreId', message: `${miles} miles away; stores lend stock within ${MAX_STORE_TRANSFER_MILES} miles` }]);
    const known = await this.d.knownItems(input.lines.map((l) => l.itemId));
    const errors = lineProblems(input.lines, known);
    if (errors.length > 0) throw new Invalid('Some lines cannot be asked for.', errors);
    const t: StoreTransfer = {
      transferId: randomUUID(),
      fromStore: input.fromStoreId,
      toStore: this.d.nodeId,
      fromRegion: there.region,
      toRegion: here.region,
      lines: input.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })),
      miles,
      status: 'PENDING',
      notes: input.notes ?? null,
      reviewNotes: null,
      requestedBy: actor,
      requestedAt: new Date(this.d.now()).toISOString(),
      decidedBy: null,
      decidedAt: null,
      receivedBy: null,
      receivedAt: null,
    };
    await this.d.replication.transaction((tx, emit) => this.publish(tx, emit, t));
    return this.get(t.transferId);
  }

  /** One move made by the store that owns it now, under the row lock, with its ledger lines. */
  private async move(transferId: string, side: 'from' | 'to', from: StoreTransferStatus, work: (tx: Tx, t: StoreTransfer) => Promise<Partial<StoreTransfer>>): Promise<StoreTransfer> {
    await this.d.replication.transaction(async (tx, emit) => {
      const rows = await tx.select().from(storeTransfers).where(eq(storeTransfers.transferId, transferId)).for('update');
      const t = rows[0] ? recordOf(rows[0]) : undefined;
      const owner = side === 'from' ? t?.fromStore : t?.toStore;
      if (!t || owner !== this.d.nodeId) throw new NotFound(`No transfer ${transferId} for this store to ${side === 'from' ? 'decide' : 'count in'}.`);
      if (t.status !== from) throw new Conflict(`This transfer is ${t.status}; it must be ${from}.`, [{ field: 'status', message: `is ${t.status}` }], 'invalid_transition');
      await this.publish(tx, emit, { ...t, ...(await work(tx, t)) });
    });
    return this.get(transferId);
  }

  /** The sending store's manager agrees: the stock leaves its ledger (refused when it would take held stock). */
  async approve(actor: string, transferId: string): Promise<StoreTransfer> {
    return this.move(transferId, 'from', 'PENDING', async (tx, t) => {
      await this.d.inventory.recordIn(tx, this.d.nodeId, t.lines.map((l) => ({ itemId: l.itemId, type: 'transfer_out' as const, quantity: l.quantity })), { actor, reason: 'lent to a nearby store', reference: transferId });
      return { status: 'IN_TRANSIT', decidedBy: actor, decidedAt: new Date(this.d.now()).toISOString() };
    });
  }

  async deny(actor: string, transferId: string, reviewNotes: string | undefined): Promise<StoreTransfer> {
    return this.move(transferId, 'from', 'PENDING', async () => ({ status: 'DENIED', decidedBy: actor, decidedAt: new Date(this.d.now()).toISOString(), reviewNotes: reviewNotes ?? null }));
  }

  async receive(actor: string, transferId: string, counted: { itemId: string; received: number }[]): Promise<StoreTransfer> {
    return this.move(transferId, 'to', 'IN_TRANSIT', async (tx, t) => {
      const { lines, errors } = countIn(t.lines, counted);
      if (errors.length > 0) throw new Invalid('The count does not match what was sent.', errors);
      const arrived = arrivals(lines);
      if (arrived.length > 0) await this.d.inventory.recordIn(tx, this.d.nodeId, arrived, { actor, reason: 'from a nearby store', reference: transferId });
      return { lines, status: 'RECEIVED', receivedBy: actor, receivedAt: new Date(this.d.now()).toISOString() };
    });
  }

  async get(transferId: string): Promise<StoreTransfer> {
    const rows = await this.d.db.select().from(storeTransfers).where(eq(storeTransfers.transferId, transferId));
    if (!rows[0]) throw new NotFound(`No transfer ${transferId} at this store.`);
    return recordOf(rows[0]);
  }

  async list(limit: number): Promise<StoreTransfer[]> {
    const t = storeTransfers;
    const rows = await this.d.db.select().from(t).where(and(or(eq(t.fromStore, this.d.nodeId), eq(t.toStore, this.d.nodeId)))).orderBy(desc(t.requestedAt)).limit(limit);
    return rows.map(recordOf);
  }
}
