// Supply requests at a node. A store (or its hub, for it) submits; the hub,
// the owner, approves (reserving its own stock in the same transaction),
// denies or cancels (giving the reservation back); a store's cancel goes to
// the hub as an event. Every change is one transaction with its event.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, isNotNull, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.js';
import type { MeshView, ReplicatedEvent, ReplicationApi } from '../../core/context.js';
import { Conflict, Invalid, NotFound, Unavailable } from '../../http/errors.js';
import type { InventoryService } from '../inventory/index.js';
import { allowedFrom, byUrgencyThenAge, isOverdue, mayMove, partialLines, type SupplyLine, type SupplyStatus, type Urgency } from './model.js';
import { stageFor, stageMovements, type LedgerStage } from './delivery-model.js';
import { applyCancelAsk, applySet, applySubmitted, recordOf, regionTopic, requestTopic, SUPPLY_CANCEL, SUPPLY_SET, SUPPLY_SUBMITTED, type Follow, type Keeps, type SupplyRecord } from './events.js';
import { supplyRequests } from './schema.js';

export interface SupplyDeps {
  db: Db;
  replication: ReplicationApi;
  inventory: InventoryService;
  mesh: MeshView;
  nodeId: string;
  role: 'store' | 'hub';
  region: string;
  now: () => number;
  /** Names of the catalog's ingredients, to refuse items the catalog does not hold. */
  itemInfo: (itemIds: string[]) => Promise<Map<string, { name: string }>>;
  /** The region of a store in the directory, when known. */
  regionOfStore: (storeId: string) => Promise<string | undefined>;
}

export interface SubmitInput {
  items: { itemId: string; quantity: number }[];
  urgency: Urgency;
  notes?: string | undefined;
}

export type SupplyView = ReturnType<typeof recordOf> & { totalItems: number; overdue: boolean; allowedNext: SupplyStatus[] };

type Emit = Parameters<Parameters<ReplicationApi['transaction']>[0]>[1];

export class SupplyService {
  readonly keeps: Keeps;

  constructor(private readonly d: SupplyDeps) {
    const keeps: Keeps = (r) => (d.role === 'hub' ? r.hubId === d.nodeId : r.storeId === d.nodeId);
    this.keeps = keeps;
    d.replication.on(SUPPLY_SUBMITTED, (tx, e) => applySubmitted(tx, e, keeps));
    d.replication.on(SUPPLY_SET, (tx, e) => applySet(tx, e, keeps, this.follow));
    d.replication.on(SUPPLY_CANCEL, (tx, e) => applyCancelAsk(tx, e));
    if (d.role === 'hub') {
      // A store's ask to cancel is settled as soon as it has been applied here.
      d.replication.afterCommit((events) => {
        if (events.some((e) => e.type === SUPPLY_CANCEL)) setImmediate(() => void this.settleCancels().catch(() => undefined));
      });
    }
  }

  /**
   * At the request's store: its ledger follows the request, so what is on
   * order and in transit always matches (ordered on approval, shipped on
   * dispatch, order cancelled on cancel; the store's own count receives it).
   */
  private readonly follow: Follow = async (tx, r, stage) => {
    if (this.isHub || r.storeId !== this.d.nodeId) return;
    const from = stage as LedgerStage;
    const to = stageFor(r.status, from);
    if (to === from) return;
    const moves = stageMovements(from, to, r.items);
    if (moves.length > 0) await this.d.inventory.recordIn(tx, r.storeId, moves, { actor: 'supply', reason: `supply request ${r.status.toLowerCase()}`, reference: r.requestId });
    await tx.update(supplyRequests).set({ ledgerStage: to }).where(eq(supplyRequests.requestId, r.requestId));
  };

  private get isHub(): boolean {
    return this.d.role === 'hub';
  }

  view(row: typeof supplyRequests.$inferSelect): SupplyView {
    const r = recordOf(row);
    return { ...r, totalItems: r.items.reduce((s, l) => s + l.quantity, 0), overdue: isOverdue(r, this.d.now()), allowedNext: [...allowedFrom(r.status)] };
  }

  /** The hub that serves the store's region: this node, or the hub the mesh knows. */
  private hubFor(region: string): string {
    if (this.isHub && region === this.d.region) return this.d.nodeId;
    const hub = this.d.mesh.hubs().find((h) => h.region === region);
    if (!hub) throw new Unavailable(`No supply hub of region ${region} is known here yet; try again once this node has joined its region.`);
    return hub.nodeId;
  }

  async submit(actor: string, storeId: string, input: SubmitInput): Promise<SupplyView> {
    const region = storeId === this.d.nodeId ? this.d.region : await this.d.regionOfStore(storeId);
    if (!region) throw new NotFound(`No store ${storeId} in the directory here.`);
    if (this.isHub && region !== this.d.region) throw new NotFound(`Store ${storeId} is in region ${region}; its requests go to that region's hub.`);
    if (!this.isHub && storeId !== this.d.nodeId) throw new NotFound(`Store ${storeId}'s requests are made at that store or its hub.`);
    const known = await this.d.itemInfo(input.items.map((i) => i.itemId));
    const errors = input.items.flatMap((l, i) => (known.has(l.itemId) ? [] : [{ field: `body.items.${i}.itemId`, message: `${l.itemId} is not in the catalog` }]));
    const seen = new Set<string>();
    input.items.forEach((l, i) => {
      if (seen.has(l.itemId)) errors.push({ field: `body.items.${i}.itemId`, message: `${l.itemId} is listed twice` });
      seen.add(l.itemId);
    });
    if (errors.length > 0) throw new Invalid('Some items cannot be requested.', errors);
    const at = new Date(this.d.now()).toISOString();
    const record: SupplyRecord = {
      requestId: randomUUID(),
      storeId,
      hubId: this.hubFor(region),
      region,
      items: input.items.map((l) => ({ itemId: l.itemId, quantity: l.quantity })),
      urgency: input.urgency,
      notes: input.notes ?? null,
      status: 'PENDING',
      requestedBy: actor,
      createdAt: at,
      updatedAt: at,
      decidedBy: null,
      decidedAt: null,
      reviewNotes: null,
    };
    await this.d.replication.transaction(async (tx, emit) => {
      const event = await emit({ topic: regionTopic(region), type: SUPPLY_SUBMITTED, payload: record });
      await applySubmitted(tx, event, () => true);
    });
    return this.get(record.requestId);
  }

  async get(requestId: string): Promise<SupplyView> {
    const rows = await this.d.db.select().from(supplyRequests).where(eq(supplyRequests.requestId, requestId));
    if (!rows[0]) throw new NotFound(`No supply request ${requestId} here; it is kept by its store and its region's hub.`);
    return this.view(rows[0]);
  }

  async list(q: { storeId?: string | undefined; hubId?: string | undefined; status?: SupplyStatus | undefined; limit: number }): Promise<SupplyView[]> {
    const where: (SQL | undefined)[] = [
      q.storeId ? eq(supplyRequests.storeId, q.storeId) : undefined,
      q.hubId ? eq(supplyRequests.hubId, q.hubId) : undefined,
      q.status ? eq(supplyRequests.status, q.status) : undefined,
    ];
    const rows = await this.d.db.select().from(supplyRequests).where(and(...where)).orderBy(asc(supplyRequests.createdAt));
    return rows.map((r) => this.view(r)).sort(byUrgencyThenAge).slice(0, q.limit);
  }

  /** Approves at the owning hub, holding its stock for the request in the same transaction (all lines, or what there is when `partial`). */
  async approve(actor: string, requestId: string, o: { partial: boolean; reviewNotes?: string | undefined }): Promise<SupplyView> {
    return this.change(requestId, 'APPROVED', actor, async (tx, r) => {
      if (r.status !== 'PENDING') throw this.invalidMove(r.status, 'APPROVED');
      let lines: SupplyLine[] = r.items.map((l) => ({ ...l, approvedQuantity: l.quantity }));
      if (o.partial) {
        lines = partialLines(r.items, await this.d.inventory.available(r.hubId, r.items.map((l) => l.itemId), tx));
        if (lines.every((l) => (l.approvedQuantity ?? 0) === 0)) throw new Conflict('The hub holds none of these items; nothing can be approved yet.', undefined, 'insufficient_stock');
      }
      const hold = lines.filter((l) => (l.approvedQuantity ?? 0) > 0).map((l) => ({ itemId: l.itemId, quantity: l.approvedQuantity! }));
      await this.d.inventory.reserve(tx, { storeId: r.hubId, reference: r.requestId, items: hold, actor });
      return { items: lines, reviewNotes: o.reviewNotes ?? null };
    });
  }

  async deny(actor: string, requestId: string, reviewNotes: string | undefined): Promise<SupplyView> {
    return this.change(requestId, 'DENIED', actor, async () => ({ reviewNotes: reviewNotes ?? 'Denied by the logistics manager' }));
  }

  /**
   * At the hub: cancels, giving back what an approval held. At the store:
   * asks the hub, by event (it arrives whenever the hub can be reached); the
   * answer is the request as the store knows it, with the ask noted.
   */
  async cancel(actor: string, requestId: string, reason: string | undefined): Promise<{ view: SupplyView; settled: boolean }> {
    const current = await this.get(requestId);
    if (!mayMove(current.status, 'CANCELLED')) throw this.invalidMove(current.status, 'CANCELLED');
    if (this.isHub) {
      const view = await this.change(requestId, 'CANCELLED', actor, async (tx, r) => {
        await this.d.inventory.release(tx, { storeId: r.hubId, reference: r.requestId, actor, reason: 'supply request cancelled' });
        return { reviewNotes: reason ?? r.reviewNotes };
      });
      return { view, settled: true };
    }
    await this.d.replication.transaction(async (tx, emit) => {
      const event = await emit({ topic: requestTopic(current), type: SUPPLY_CANCEL, payload: { requestId, storeId: current.storeId, by: actor, at: new Date(this.d.now()).toISOString() } });
      await applyCancelAsk(tx, event);
    });
    return { view: await this.get(requestId), settled: false };
  }

  /** The hub settles the cancellations stores asked for. */
  async settleCancels(): Promise<number> {
    if (!this.isHub) return 0;
    const asked = await this.d.db
      .select()
      .from(supplyRequests)
      .where(and(eq(supplyRequests.hubId, this.d.nodeId), isNotNull(supplyRequests.cancelAskedAt), inArray(supplyRequests.status, ['PENDING', 'APPROVED'])));
    for (const row of asked) await this.cancel(row.cancelAskedBy ?? 'store', row.requestId, 'cancelled by the store');
    return asked.length;
  }

  invalidMove(from: SupplyStatus, to: SupplyStatus): Conflict {
    const allowed = allowedFrom(from);
    return new Conflict(
      `A ${from} request cannot become ${to}; from ${from} it may become ${allowed.length > 0 ? allowed.join(', ') : 'nothing (it is settled)'}.`,
      allowed.map((s) => ({ field: 'status', message: `allowed: ${s}` })),
      'invalid_transition',
    );
  }

  /** One move of a request this hub owns: row locked, move checked, change and event in one transaction. */
  private async change(requestId: string, to: SupplyStatus, actor: string, work: (tx: Tx, r: SupplyRecord) => Promise<Partial<SupplyRecord>>): Promise<SupplyView> {
    await this.d.replication.transaction((tx, emit) => this.moveIn(tx, emit, requestId, to, actor, work));
    return this.get(requestId);
  }

  /** A request this hub owns, locked for the rest of the caller's transaction. */
  async lockIn(tx: Tx, requestId: string): Promise<SupplyRecord> {
    const rows = await tx.select().from(supplyRequests).where(eq(supplyRequests.requestId, requestId)).for('update');
    if (!rows[0] || rows[0].hubId !== this.d.nodeId) throw new NotFound(`No supply request ${requestId} at this hub.`);
    const { cancelAskedAt: _asked, ...r } = recordOf(rows[0]);
    return r;
  }

  /** A move inside the caller's transaction (deliveries move several requests with their delivery). */
  async moveIn(
    tx: Tx,
    emit: Emit,
    requestId: string,
    to: SupplyStatus | 'same',
    actor: string,
    work: (tx: Tx, r: SupplyRecord) => Promise<Partial<SupplyRecord>>,
  ): Promise<SupplyRecord> {
    const rows = await tx.select().from(supplyRequests).where(eq(supplyRequests.requestId, requestId)).for('update');
    const row = rows[0];
    if (!row) throw new NotFound(`No supply request ${requestId} here.`);
    if (row.hubId !== this.d.nodeId) throw new NotFound(`Supply request ${requestId} is decided by its hub ${row.hubId}, not here.`);
    const r = recordOf(row);
    const status = to === 'same' ? r.status : to;
    if (to !== 'same' && !mayMove(r.status, to)) throw this.invalidMove(r.status, to);
    const changes = await work(tx, r);
    const at = new Date(this.d.now()).toISOString();
    const decided = to === 'APPROVED' || to === 'DENIED' || to === 'CANCELLED' ? { decidedBy: actor, decidedAt: at } : {};
    const { cancelAskedAt: _asked, ...current } = r;
    const next: SupplyRecord = { ...current, ...changes, ...decided, status, updatedAt: at };
    const event: ReplicatedEvent = await emit({ topic: requestTopic(r), type: SUPPLY_SET, payload: next });
    await applySet(tx, event, () => true);
    return next;
  }
}
