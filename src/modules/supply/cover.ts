// Multi-hub fulfilment: when a region's hub approved only part of a request
// (the rest back-ordered), its logistics manager can have a neighbouring hub
// within 1,000 miles of the store cover the rest. The back-order becomes a
// request of its own at that hub (its `parentRequestId` names the first), on
// the global topic so both that hub and the store hold it; the first request
// records `coveredBy`. Each hub approves and delivers its part; the store
// sees both requests and their deliveries.
import { randomUUID } from 'node:crypto';
import type { MeshView, ReplicationApi } from '../../core/context.js';
import { Conflict, Invalid, NotFound } from '../../http/errors.js';
import { haversineMiles } from '../../lib/geo.js';
import { regions } from '../stores/index.js';
import { requestTopic, SUPPLY_SUBMITTED, type SupplyRecord } from './events.js';
import type { SupplyService, SupplyView } from './service.js';
import { MAX_TRANSFER_MILES } from './transfers.js';

export class CoverService {
  constructor(
    private readonly d: {
      supply: SupplyService;
      replication: ReplicationApi;
      mesh: MeshView;
      nodeId: string;
      now: () => number;
      storeInfo: (storeId: string) => Promise<{ name: string; lat: number; lon: number; region: string } | undefined>;
    },
  ) {}

  async cover(actor: string, requestId: string, hubId: string): Promise<{ request: SupplyView; cover: SupplyRecord }> {
    const parent = await this.d.supply.get(requestId);
    if (parent.hubId !== this.d.nodeId) throw new NotFound(`Supply request ${requestId} is decided by its hub ${parent.hubId}, not here.`);
    const other = this.d.mesh.hubs().find((h) => h.nodeId === hubId);
    if (!other || other.nodeId === this.d.nodeId) throw new Invalid('Not another hub of the network.', [{ field: 'body.hubId', message: other ? 'a hub does not cover its own request' : `no hub ${hubId} is known here` }]);
    if (parent.status !== 'APPROVED') {
      throw new Conflict(`Only an approved request's back-order can be covered; this one is ${parent.status}. Approve what is there first.`, [{ field: 'status', message: `is ${parent.status}` }], 'invalid_transition');
    }
    if (parent.coveredBy) throw new Conflict(`This request's back-order is already covered by request ${parent.coveredBy}.`, undefined, 'conflict');
    const rest = parent.items.map((l) => ({ itemId: l.itemId, quantity: l.quantity - (l.approvedQuantity ?? l.quantity) })).filter((l) => l.quantity > 0);
    if (rest.length === 0) throw new Conflict('Nothing of this request is back-ordered: the hub holds all of it.', undefined, 'conflict');
    const store = await this.d.storeInfo(parent.storeId);
    const there = regions.find((r) => r.code === other.region)?.centre;
    const miles = store && there ? Math.round(haversineMiles(store, there) * 10) / 10 : Number.POSITIVE_INFINITY;
    if (miles > MAX_TRANSFER_MILES) throw new Invalid(`Hub ${other.name} is too far from the store.`, [{ field: 'body.hubId', message: `${miles} miles from the store; a neighbouring hub covers within ${MAX_TRANSFER_MILES} miles` }]);
    const at = new Date(this.d.now()).toISOString();
    const cover: SupplyRecord = {
      requestId: randomUUID(),
      storeId: parent.storeId,
      hubId: other.nodeId,
      region: parent.region,
      items: rest,
      urgency: parent.urgency,
      notes: `Covers the back-order of request ${parent.requestId.slice(0, 8)} (hub ${parent.hubId.slice(0, 8)} was short), ${miles} miles from the store.`,
      status: 'PENDING',
      requestedBy: actor,
      createdAt: at,
      updatedAt: at,
      decidedBy: null,
      decidedAt: null,
      reviewNotes: null,
      parentRequestId: parent.requestId,
    };
    await this.d.replication.transaction(async (tx, emit) => {
      // The parent first, under its row lock: a second cover of the same request fails here.
      await this.d.supply.moveIn(tx, emit, parent.requestId, 'same', actor, async (_tx, r) => {
        if (r.status !== 'APPROVED' || r.coveredBy) throw new Conflict('The request changed meanwhile; look again.', undefined, 'conflict');
        return { coveredBy: cover.requestId };
      });
      // Kept by the covering hub and the store; this hub keeps the link (coveredBy) on its own request.
      await emit({ topic: requestTopic(cover), type: SUPPLY_SUBMITTED, payload: cover });
    });
    return { request: await this.d.supply.get(requestId), cover };
  }
}
