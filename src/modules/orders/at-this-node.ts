// Everything the orders routes share at one node: its services, its deps
// and the answer to "which store is this".
import { NotFound } from '../../http/errors.js';
import type { NodeContext } from '../../core/context.js';
import type { DashboardReader } from './dashboard.js';
import type { NetworkGatherer } from './network.js';
import type { PaymentService } from './payments.js';
import type { OrdersDeps, StoreInfo } from './needs.js';
import type { OrderService } from './service.js';

export interface OrdersAtThisNode {
  ctx: NodeContext;
  deps: OrdersDeps;
  /** This node's store id; undefined at a hub. */
  storeId: string | undefined;
  orders: OrderService;
  payments: PaymentService;
  dashboards: DashboardReader;
  network: NetworkGatherer;
  webhookSecret: string;
  /** This store's record; 404 at a hub or before the store is set up. */
  storeInfo(): Promise<StoreInfo>;
  /** `storeId` when it names this node's store; a 404 pointing at the right node otherwise. */
  thisStore(storeId: string): string;
}

export function thisStoreHelpers(ctx: NodeContext, deps: OrdersDeps, storeId: string | undefined): Pick<OrdersAtThisNode, 'storeInfo' | 'thisStore'> {
  return {
    async storeInfo() {
      if (!storeId) throw new NotFound('This node is a supply hub; orders live at stores.');
      const store = await deps.stores.store(storeId);
      if (!store) throw new NotFound('This store is not set up yet.');
      return store;
    },
    thisStore(asked) {
      if (!storeId) throw new NotFound('This node is a supply hub; a store’s orders are kept at that store’s node.');
      if (asked !== storeId) {
        const peer = ctx.mesh.peer(asked);
        throw new NotFound(`This node is store ${storeId}; store ${asked}'s orders are kept at its own node${peer ? ` (${peer.apiBaseUrl})` : ''}.`);
      }
      return storeId;
    },
  };
}
