// The catalog, inventory, store directory and accounts as orders see them:
// each real service adapted to the narrow interface needs.ts asks for.
import type { AccountsModule } from '../accounts/index.js';
import type { CatalogService } from '../catalog/index.js';
import type { InventoryService } from '../inventory/index.js';
import type { StoreService } from '../stores/index.js';
import type { NodeContext } from '../../core/context.js';
import { HttpError } from '../../http/errors.js';
import type { OrderableDrink, OrdersDeps, StoreInfo } from './needs.js';

export interface OrdersServices {
  catalog: CatalogService;
  inventory: InventoryService;
  stores: StoreService;
  tokens: AccountsModule['tokens'];
}

/**
 * Drinks as the catalog held them at most a second ago. Every order reads
 * its drinks; the catalog changes by replication a few times a day, and an
 * order priced a second before a price change is priced fairly.
 */
function drinkCache(catalog: CatalogService, now: () => number, ttlMs = 1000) {
  const held = new Map<string, { at: number; drink: OrderableDrink }>();
  return async (ids: string[]): Promise<OrderableDrink[]> => {
    const t = now();
    const fresh = ids.flatMap((id) => {
      const hit = held.get(id);
      return hit && t - hit.at < ttlMs ? [hit.drink] : [];
    });
    if (fresh.length === new Set(ids).size) return fresh;
    const drinks = [...(await catalog.getDrinks(ids)).values()];
    if (held.size > 10_000) held.clear();
    for (const drink of drinks) held.set(drink.drinkId, { at: t, drink });
    return drinks;
  };
}

export function adaptToOrders(ctx: NodeContext, s: OrdersServices): OrdersDeps {
  return {
    catalog: {
      getDrinks: drinkCache(s.catalog, () => ctx.clock.now()),
      ingredientInfo: (ids) => s.catalog.ingredientInfo(ids),
    },
    inventory: {
      reserveVia: (input, call) => s.inventory.reserveVia(input, call),
      release: (tx, input, emit) => s.inventory.release(tx, input, emit),
      consume: (tx, input, emit) => s.inventory.consume(tx, input, emit),
      available: (storeId, itemIds) => s.inventory.available(storeId, itemIds),
      lowStock: async (storeId) =>
        (await s.inventory.items(storeId)).filter((i) => i.lowStock).map((i) => ({ itemId: i.itemId, name: i.name, available: i.available, threshold: i.threshold })),
    },
    stores: {
      store: async (storeId): Promise<StoreInfo | undefined> => {
        let r;
        try {
          r = await s.stores.get(storeId);
        } catch (err) {
          if (err instanceof HttpError && err.status === 404) return undefined;
          throw err;
        }
        return {
          storeId: r.storeId,
          name: r.name,
          // A record not yet told its position stands where the node is configured.
          lat: r.lat ?? ctx.config.lat,
          lon: r.lon ?? ctx.config.lon,
          timeZone: r.timeZone,
          weeklyHours: r.weeklyHours,
          isAcceptingOrders: r.isOperational && r.isAcceptingOrders,
          // The directory computes this store's own wait live, from the queue orders feed it.
          waitMinutes: r.waitMinutes,
          ...(!r.isOperational ? { notAcceptingReason: 'the store is not operational' } : {}),
        };
      },
      storesOfRegion: async (region) => {
        const out: { storeId: string; name: string }[] = [];
        for (let after: string | undefined; ; ) {
          const page = await s.stores.list({ region, limit: 500, after });
          out.push(...page.items.map((r) => ({ storeId: r.storeId, name: r.name })));
          if (!page.nextCursor) return out;
          after = page.nextCursor;
        }
      },
      setWaitSource: (source) => s.stores.setWaitSource(source),
    },
    issueGuestToken: async (subject, ttlMs) => (await s.tokens.issue({ subject, kind: 'guest', ttlMs })).token,
  };
}
