// The admin dashboard's reach beyond this node, over signed peer calls: a
// store answers its own summary, a hub gathers its region's stores, and the
// super admin's node gathers the hubs in parallel (revenue stays at each
// store; only figures travel). Whatever does not answer in time is marked
// unknown with the reason, and the answer as a whole says it is partial.
import type { NodeContext } from '../../core/context.js';
import type { StoreSummary } from './dashboard.js';

export const STORE_SUMMARY_PATH = '/p2p/v1/orders/summary';
export const REGION_SUMMARY_PATH = '/p2p/v1/orders/region-summary';

const STORE_TIMEOUT_MS = 2000;
/** A hub's answer includes waiting for its slowest store, so it gets longer. */
const REGION_TIMEOUT_MS = 4000;

export type StoreEntry = (StoreSummary & { status: 'ok' }) | { storeId: string; name: string; status: 'unknown'; reason: string };

export interface Totals {
  stores: number;
  storesAnswered: number;
  activeOrders: number;
  revenueTodayNetCents: number;
  paidOrdersToday: number;
  lowStockCount: number;
  refundFailures: number;
}

export interface RegionEntry {
  region: string;
  status: 'ok' | 'partial' | 'unknown';
  reason?: string;
  hub: { nodeId: string; name: string } | null;
  stores: StoreEntry[] | null;
  totals: Totals;
}

export function totalsOf(stores: StoreEntry[]): Totals {
  const ok = stores.filter((s): s is StoreSummary & { status: 'ok' } => s.status === 'ok');
  const sum = (f: (s: StoreSummary) => number) => ok.reduce((n, s) => n + f(s), 0);
  return {
    stores: stores.length,
    storesAnswered: ok.length,
    activeOrders: sum((s) => s.activeOrders),
    revenueTodayNetCents: sum((s) => s.revenueToday.netCents),
    paidOrdersToday: sum((s) => s.revenueToday.paidOrders),
    lowStockCount: sum((s) => s.lowStockCount),
    refundFailures: sum((s) => s.refundFailures),
  };
}

export function addTotals(list: Totals[]): Totals {
  const keys: (keyof Totals)[] = ['stores', 'storesAnswered', 'activeOrders', 'revenueTodayNetCents', 'paidOrdersToday', 'lowStockCount', 'refundFailures'];
  return Object.fromEntries(keys.map((k) => [k, list.reduce((n, t) => n + t[k], 0)])) as unknown as Totals;
}

const reasonOf = (err: unknown): string => {
  const status = (err as { status?: number }).status;
  return status ? `answered ${status}` : `did not answer: ${(err as Error).message ?? String(err)}`;
};

export class NetworkGatherer {
  constructor(
    private readonly ctx: Pick<NodeContext, 'mesh' | 'config' | 'identity' | 'log'>,
    private readonly local: {
      /** This node's store summary, when it is a store. */
      ownSummary(): Promise<StoreSummary | undefined>;
      /** The stores of this hub's region, from its registry. */
      storesOfRegion(region: string): Promise<{ storeId: string; name: string }[]>;
    },
  ) {}

  /** One store's summary: this node's own, or asked of the store over the mesh. */
  async store(storeId: string, name: string): Promise<StoreEntry> {
    if (storeId === this.ctx.identity.nodeId) {
      const own = await this.local.ownSummary();
      return own ? { ...own, status: 'ok' } : { storeId, name, status: 'unknown', reason: 'this node is not a store' };
    }
    if (!this.ctx.mesh.peer(storeId)) return { storeId, name, status: 'unknown', reason: 'not a peer this node knows' };
    try {
      const summary = await this.ctx.mesh.call<StoreSummary>(storeId, 'GET', STORE_SUMMARY_PATH, undefined, STORE_TIMEOUT_MS);
      return { ...summary, status: 'ok' };
    } catch (err) {
      return { storeId, name, status: 'unknown', reason: `store ${reasonOf(err)}` };
    }
  }

  /** At a hub: its region's stores, each asked in parallel. */
  async region(): Promise<RegionEntry> {
    const region = this.ctx.config.region;
    const known = await this.local.storesOfRegion(region);
    const stores = await Promise.all(known.map((s) => this.store(s.storeId, s.name)));
    const unknown = stores.filter((s) => s.status === 'unknown').length;
    return {
      region,
      status: unknown === 0 ? 'ok' : 'partial',
      ...(unknown > 0 ? { reason: `${unknown} of ${stores.length} stores did not answer` } : {}),
      hub: { nodeId: this.ctx.identity.nodeId, name: this.ctx.config.name },
      stores,
      totals: totalsOf(stores),
    };
  }

  /** The whole network through the hubs; a store with no network answers for itself alone. */
  async network(): Promise<RegionEntry[]> {
    const isHub = this.ctx.config.role === 'hub';
    const hubs = this.ctx.mesh.hubs().filter((h) => h.nodeId !== this.ctx.identity.nodeId);
    if (!isHub && hubs.length === 0) {
      const own = await this.store(this.ctx.identity.nodeId, this.ctx.config.name);
      return [{ region: this.ctx.config.region, status: own.status === 'ok' ? 'ok' : 'unknown', hub: null, stores: [own], totals: totalsOf([own]) }];
    }
    const asked = hubs.map(async (hub): Promise<RegionEntry> => {
      try {
        return await this.ctx.mesh.call<RegionEntry>(hub.nodeId, 'GET', REGION_SUMMARY_PATH, undefined, REGION_TIMEOUT_MS);
      } catch (err) {
        return { region: hub.region, status: 'unknown', reason: `hub ${reasonOf(err)}`, hub: { nodeId: hub.nodeId, name: hub.name }, stores: null, totals: totalsOf([]) };
      }
    });
    const regions = await Promise.all([...(isHub ? [this.region()] : []), ...asked]);
    return regions.sort((a, b) => a.region.localeCompare(b.region));
  }
}
