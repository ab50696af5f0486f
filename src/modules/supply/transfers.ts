// Stock sent between hubs, within 1,000 miles: it leaves the sender's ledger
// when sent (in transit between the two), and enters the receiver's when the
// receiving hub counts it in; both hubs keep the record and see any
// difference. The record travels on the global topic, which every hub holds.
import { randomUUID } from 'node:crypto';
import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.js';
import type { MeshView, ReplicatedEvent, ReplicationApi } from '../../core/context.js';
import { Conflict, Invalid, NotFound } from '../../http/errors.js';
import { haversineMiles } from '../../lib/geo.js';
import type { InventoryService } from '../inventory/index.js';
import { regions } from '../stores/index.js';
import { arrivals, countIn, lineProblems } from './count-in.js';
import { hubTransfers } from './schema.js';

export const HUB_TRANSFER_SET = 'supply.transfer.set';
const TOPIC = 'global';
/** The farthest one hub sends stock to another. */
export const MAX_TRANSFER_MILES = 1000;

export interface TransferLine {
  itemId: string;
  quantity: number;
  /** Set when the receiving hub counts it in. */
  received?: number | undefined;
}

export interface TransferRecord {
  transferId: string;
  fromHub: string;
  toHub: string;
  fromRegion: string;
  toRegion: string;
  lines: TransferLine[];
  miles: number;
  status: 'IN_TRANSIT' | 'RECEIVED';
  notes: string | null;
  sentBy: string;
  sentAt: string;
  receivedBy: string | null;
  receivedAt: string | null;
}

export type TransferView = TransferRecord & { shortUnits: number };

function recordOf(row: typeof hubTransfers.$inferSelect): TransferRecord {
  return {
    ...row,
    lines: row.lines as TransferLine[],
    status: row.status as TransferRecord['status'],
    sentAt: row.sentAt.toISOString(),
    receivedAt: row.receivedAt?.toISOString() ?? null,
  };
}

const viewOf = (r: TransferRecord): TransferView => ({ ...r, shortUnits: r.lines.reduce((s, l) => s + (l.received === undefined ? 0 : l.quantity - l.received), 0) });

export class TransferService {
  constructor(
    private readonly d: { db: Db; replication: ReplicationApi; inventory: InventoryService; mesh: MeshView; nodeId: string; region: string; position: { lat: number; lon: number }; now: () => number; knownItems: (ids: string[]) => Promise<Set<string>> },
  ) {
    d.replication.on(HUB_TRANSFER_SET, (tx, e) => this.apply(tx, e, false));
  }

  private async apply(tx: Tx, e: Pick<ReplicatedEvent, 'hlc' | 'payload'>, mine: boolean): Promise<void> {
    const r = e.payload as TransferRecord;
    if (!mine && r.fromHub !== this.d.nodeId && r.toHub !== this.d.nodeId) return;
    const row = { ...r, sentAt: new Date(r.sentAt), receivedAt: r.receivedAt ? new Date(r.receivedAt) : null, hlc: e.hlc };
    await tx.insert(hubTransfers).values(row).onConflictDoUpdate({ target: hubTransfers.transferId, set: { ...row, transferId: undefined }, setWhere: lt(hubTransfers.hlc, e.hlc) });
  }

  private async publish(tx: Tx, emit: (e: { topic: string; type: string; payload: unknown }) => Promise<ReplicatedEvent>, r: TransferRecord): Promise<void> {
    await this.apply(tx, await emit({ topic: TOPIC, type: HUB_TRANSFER_SET, payload: r }), true);
  }

  /** Where a hub is: this hub's own position, another's region centre. */
  private positionOf(region: string): { lat: number; lon: number } | undefined {
    return region === this.d.region ? this.d.position : regions.find((r) => r.code === region)?.centre;
  }

  async send(actor: string, input: { toHubId: string; lines: { itemId: string; quantity: number }[]; notes?: string | undefined }): Promise<TransferView> {
    const to = this.d.mesh.hubs().find((h) => h.nodeId === input.toHubId);
    if (!to || to.nodeId === this.d.nodeId) throw new Invalid('Not another hub of the network.', [{ field: 'body.toHubId', message: to ? 'a hub does not send stock to itself' : `no hub ${input.toHubId} is known here` }]);
    const from = this.positionOf(this.d.region);
    const there = this.positionOf(to.region);
    const miles = from && there ? Math.round(haversineMiles(from, there) * 10) / 10 : Number.POSITIVE_INFINITY;
    if (miles > MAX_TRANSFER_MILES) throw new Invalid(`Hub ${to.name} is too far for a transfer.`, [{ field: 'body.toHubId', message: `${miles} miles away; hubs send stock within ${MAX_TRANSFER_MILES} miles` }]);
    const known = await this.d.knownItems(input.lines.map((l) => l.itemId));
    const errors = lineProblems(input.lines, known);
    if (errors.length > 0) throw new Invalid('Some lines cannot be sent.', errors);
    const record: TransferRecord = {
      transferId: randomUUID(),
      fromHub: this.d.nodeId,
      toHub: to.nodeId,
      fromRegion: this.d.region,
      toRegion: to.region,
      lines: input.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })),
      miles,
      status: 'IN_TRANSIT',
      notes: input.notes ?? null,
      sentBy: actor,
      sentAt: new Date(this.d.now()).toISOString(),
      receivedBy: null,
      receivedAt: null,
    };
    await this.d.replication.transaction(async (tx, emit) => {
      // The ledger refuses to send what is held for approved requests, or more than is on hand.
      await this.d.inventory.recordIn(tx, this.d.nodeId, input.lines.map((l) => ({ itemId: l.itemId, type: 'transfer_out' as const, quantity: l.quantity })), { actor, reason: `sent to hub ${to.name}`, reference: record.transferId });
      await this.publish(tx, emit, record);
    });
    return this.get(record.transferId);
  }

  /** The receiving hub counts what came; it goes on hand, and the sender sees any difference. */
  async receive(actor: string, transferId: string, counted: { itemId: string; received: number }[]): Promise<TransferView> {
    await this.d.replication.transaction(async (tx, emit) => {
      const rows = await tx.select().from(hubTransfers).where(eq(hubTransfers.transferId, transferId)).for('update');
      if (!rows[0] || rows[0].toHub !== this.d.nodeId) throw new NotFound(`No transfer ${transferId} coming to this hub.`);
      const r = recordOf(rows[0]);
      if (r.status !== 'IN_TRANSIT') throw new Conflict(`This transfer was counted in already (${r.receivedAt}).`, [{ field: 'status', message: `is ${r.status}` }], 'invalid_transition');
      const { lines, errors } = countIn(r.lines, counted);
      if (errors.length > 0) throw new Invalid('The count does not match what was sent.', errors);
      const arrived = arrivals(lines);
      if (arrived.length > 0) await this.d.inventory.recordIn(tx, this.d.nodeId, arrived, { actor, reason: `received from region ${r.fromRegion}'s hub`, reference: transferId });
      await this.publish(tx, emit, { ...r, lines, status: 'RECEIVED', receivedBy: actor, receivedAt: new Date(this.d.now()).toISOString() });
    });
    return this.get(transferId);
  }

  async get(transferId: string): Promise<TransferView> {
    const rows = await this.d.db.select().from(hubTransfers).where(eq(hubTransfers.transferId, transferId));
    if (!rows[0]) throw new NotFound(`No transfer ${transferId} at this hub.`);
    return viewOf(recordOf(rows[0]));
  }

  async list(q: { direction?: 'in' | 'out' | undefined; status?: 'IN_TRANSIT' | 'RECEIVED' | undefined; limit: number }): Promise<TransferView[]> {
    const t = hubTransfers;
    const side: SQL | undefined = q.direction === 'in' ? eq(t.toHub, this.d.nodeId) : q.direction === 'out' ? eq(t.fromHub, this.d.nodeId) : or(eq(t.toHub, this.d.nodeId), eq(t.fromHub, this.d.nodeId));
    const rows = await this.d.db.select().from(t).where(and(side, q.status ? eq(t.status, q.status) : undefined)).orderBy(desc(t.sentAt)).limit(q.limit);
    return rows.map((r) => viewOf(recordOf(r)));
  }
}
