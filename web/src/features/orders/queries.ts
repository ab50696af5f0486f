// The orders feature's server data: query keys and fetchers, one place.
import { useQuery } from '@tanstack/react-query';
import { apiAt, ok } from '../../api/client';
import { useSession } from '../../api/use-session';
import type { StoreChoice } from '../stores/failover';

export const orderKeys = {
  drinks: (storeId: string, user: string | undefined) => ['drinks', storeId, user ?? 'guest'] as const,
  availability: (storeId: string, ids: string) => ['availability', storeId, ids] as const,
  favorites: (user: string) => ['favorites', user] as const,
  order: (orderId: string) => ['order', orderId] as const,
  mine: (storeId: string, user: string) => ['my-orders', storeId, user] as const,
};

export function useDrinks(store: StoreChoice | null) {
  const session = useSession();
  return useQuery({
    queryKey: orderKeys.drinks(store?.storeId ?? '', session?.user.id),
    enabled: store !== null,
    queryFn: () => ok(apiAt(store!.apiBaseUrl).GET('/api/v1/drinks'), store!.name),
  });
}

export function useAvailability(store: StoreChoice | null, drinkIds: string[]) {
  const ids = drinkIds.slice(0, 50);
  return useQuery({
    queryKey: orderKeys.availability(store?.storeId ?? '', ids.join(',')),
    enabled: store !== null && ids.length > 0,
    staleTime: 10_000,
    queryFn: () =>
      ok(apiAt(store!.apiBaseUrl).POST('/api/v1/stores/{storeId}/check-inventory', { params: { path: { storeId: store!.storeId } }, body: { drinkIds: ids } }), store!.name),
  });
}

export function useFavorites() {
  const session = useSession();
  return useQuery({
    queryKey: orderKeys.favorites(session?.user.id ?? ''),
    enabled: session !== null,
    queryFn: () => ok(apiAt().GET('/api/v1/me/favorites'), 'This node'),
  });
}
