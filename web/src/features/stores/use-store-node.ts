// Staff pages talk to the store's own node (it owns the store's orders and
// stock); its address comes from the directory of the node that served the app.
import { useQuery } from '@tanstack/react-query';
import { apiAt, ok } from '../../api/client';

export function useStoreNode(storeId: string) {
  const store = useQuery({
    queryKey: ['store', storeId, 'directory'],
    enabled: storeId !== '',
    queryFn: () => ok(apiAt().GET('/api/v1/stores/{storeId}', { params: { path: { storeId } } }), 'This node'),
    staleTime: 60_000,
  });
  return { store, base: store.data?.apiBaseUrl || undefined };
}
