// The supply feature's server data: the region's hub (from the regions list
// of the node that served the app), and query keys.
import { useQuery } from '@tanstack/react-query';
import { apiAt, ok } from '../../api/client';

export const supplyKeys = {
  store: (storeId: string) => ['supply', 'store', storeId] as const,
  hub: (hubId: string) => ['supply', 'hub', hubId] as const,
  hubStock: (hubId: string) => ['supply', 'hub-stock', hubId] as const,
  deliveries: (nodeId: string) => ['supply', 'deliveries', nodeId] as const,
  overview: (region: string) => ['supply', 'overview', region] as const,
  purchaseOrders: (hubId: string) => ['supply', 'purchase-orders', hubId] as const,
  usage: (hubId: string) => ['supply', 'usage', hubId] as const,
};

export function useRegionHub(region: string | undefined) {
  const regions = useQuery({ queryKey: ['regions'], staleTime: 60_000, queryFn: () => ok(apiAt().GET('/api/v1/regions'), 'This node') });
  const hub = regions.data?.items.find((r) => r.code === region)?.hub ?? undefined;
  return { regions, hub: hub && hub.apiBaseUrl ? { hubId: hub.nodeId, name: hub.name, base: hub.apiBaseUrl } : undefined };
}

export const URGENCIES = ['CRITICAL', 'URGENT', 'NORMAL', 'LOW'] as const;
export const statusWords: Record<string, string> = {
  PENDING: 'Waiting for the hub',
  APPROVED: 'Approved',
  IN_TRANSIT: 'On the road',
  DELIVERED: 'Delivered',
  DENIED: 'Denied',
  CANCELLED: 'Cancelled',
};

/** Store names of a region from the directory, for lists that carry store ids. */
export function useStoreNames(region: string, base = '') {
  const stores = useQuery({
    queryKey: ['store-names', region, base],
    staleTime: 60_000,
    queryFn: () => ok(apiAt(base).GET('/api/v1/stores', { params: { query: { region, limit: 500 } } }), 'The hub'),
  });
  const names = new Map((stores.data?.items ?? []).map((s) => [s.storeId, s.name]));
  return (storeId: string) => names.get(storeId) ?? storeId.slice(0, 8);
}
