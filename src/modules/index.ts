// Every business module of a node, registered in one place.
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../core/context.js';
import { registerAccounts } from './accounts/index.js';
import { registerAnnouncements } from './announcements/index.js';
import { registerCatalog } from './catalog/index.js';
import { registerInventory } from './inventory/index.js';
import { registerOrders } from './orders/index.js';
import { registerStores } from './stores/index.js';
import { registerRoutes } from './routes/index.js';
import { registerSupply } from './supply/index.js';

/** What the node's own layer uses of the modules. */
export interface Modules {
  /** The API base URLs the web app may call (the store directory and the hubs). */
  apiBaseUrls(): Promise<string[]>;
}

export function registerModules(app: FastifyInstance, ctx: NodeContext): Modules {
  const { tokens } = registerAccounts(app, ctx);
  registerAnnouncements(app, ctx);
  const stores = registerStores(app, ctx);
  const catalog = registerCatalog(app, ctx);
  const inventory = registerInventory(app, ctx, {
    itemInfo: (itemIds) => catalog.ingredientInfo(itemIds),
  });
  // A store's details say how its stock stands: how many items run low, and which.
  stores.setStockStatusProvider(async (storeId) => {
    if (storeId !== ctx.identity.nodeId || ctx.config.role !== 'store') return null;
    const low = (await inventory.items(storeId)).filter((i) => i.lowStock);
    return { lowStockCount: low.length, lowStockItems: low.map((i) => ({ itemId: i.itemId, name: i.name, available: i.available, threshold: i.threshold })) };
  });
  registerOrders(app, ctx, { catalog, inventory, stores, tokens });
  registerRoutes(app);
  registerSupply(app, ctx, { inventory, catalog, stores });
  return { apiBaseUrls: () => stores.apiBaseUrls() };
}
