// A store counts a delivery in, line by line: what arrived in good order goes
// on hand, damaged stock is set aside, what is short is written off as lost
// on the way, all in the store's ledger in the same transaction as the
// request's DELIVERED state and the event that tells the hub (which then sees
// the difference and completes the delivery).
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import type { ReplicationApi } from '../../core/context.js';
import { Conflict, Invalid, NotFound } from '../../http/errors.js';
import type { InventoryService } from '../inventory/index.js';
import { receiptMovements, receiptOf } from './delivery-model.js';
import { applyReceived, recordOf, requestTopic, SUPPLY_RECEIVED, type Keeps, type ReceivedPayload } from './events.js';
import { supplyRequests } from './schema.js';

export interface ReceiptDeps {
  db: Db;
  replication: ReplicationApi;
  inventory: InventoryService;
  nodeId: string;
  role: 'store' | 'hub';
  now: () => number;
  keeps: Keeps;
}

export class ReceiptService {
  constructor(private readonly d: ReceiptDeps) {
    d.replication.on(SUPPLY_RECEIVED, async (tx, e) => void (await applyReceived(tx, e, d.keeps)));
  }

  async receive(actor: string, requestId: string, counted: { itemId: string; received: number; damaged?: number | undefined }[]): Promise<void> {
    if (this.d.role !== 'store') throw new NotFound(`Supply request ${requestId} is counted in at its store's own node.`);
    await this.d.replication.transaction(async (tx, emit) => {
      const rows = await tx.select().from(supplyRequests).where(eq(supplyRequests.requestId, requestId)).for('update');
      if (!rows[0] || rows[0].storeId !== this.d.nodeId) throw new NotFound(`No supply request ${requestId} of this store.`);
      const r = recordOf(rows[0]);
      if (r.status !== 'IN_TRANSIT') {
        throw new Conflict(`Only a request in transit can be counted in; this one is ${r.status}.`, [{ field: 'status', message: `is ${r.status}; must be IN_TRANSIT` }], 'invalid_transition');
      }
      const { lines, errors } = receiptOf(r.items, counted);
      if (errors.length > 0) throw new Invalid('The count does not match what was shipped.', errors);
      // The ledger follows the hub's events; a count that arrives before the in-transit event has nothing in transit to receive.
      if (rows[0].ledgerStage !== 'shipped') throw new Conflict('This store has not yet recorded the delivery as shipped; try again in a moment.', undefined, 'conflict');
      await this.d.inventory.recordIn(tx, r.storeId, receiptMovements(lines), { actor, reason: 'supply delivery received', reference: requestId });
      const payload: ReceivedPayload = { requestId, storeId: r.storeId, hubId: r.hubId, lines, by: actor, at: new Date(this.d.now()).toISOString() };
      const event = await emit({ topic: requestTopic(r), type: SUPPLY_RECEIVED, payload });
      await applyReceived(tx, event, () => true);
      await tx.update(supplyRequests).set({ ledgerStage: 'received' }).where(eq(supplyRequests.requestId, requestId));
    });
  }
}
