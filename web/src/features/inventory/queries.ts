// A store's stock, asked of the store's own node: one query key for every page that shows it.
import { useQuery } from '@tanstack/react-query';
import { apiAt, ok } from '../../api/client';

export function useStoreInventory(storeId: string, base: string | undefined, refetchInterval?: number) {
  return useQuery({
    queryKey: ['inventory', storeId],
    enabled: base !== undefined,
    ...(refetchInterval ? { refetchInterval } : {}),
    queryFn: () => ok(apiAt(base).GET('/api/v1/stores/{storeId}/inventory', { params: { path: { storeId } } })),
  });
}
