// My favorite drinks, from any node (favorites follow the person).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { apiAt, ok } from '../../api/client';
import { useSession } from '../../api/use-session';
import { money } from '../../ui/format';
import { Async, Empty, ProblemAlert } from '../../ui/states';
import { addToBasket } from '../orders/basket';
import { useBasket } from '../orders/basket-context';
import { useFavorites } from '../orders/queries';

export default function FavoritesPage() {
  const session = useSession();
  const favorites = useFavorites();
  const drinks = useQuery({ queryKey: ['drinks', 'here', session?.user.id], enabled: session !== null, queryFn: () => ok(apiAt().GET('/api/v1/drinks'), 'This node') });
  const { setBasket } = useBasket();
  const qc = useQueryClient();
  const remove = useMutation({
    mutationFn: (drinkId: string) => ok(apiAt().DELETE('/api/v1/me/favorites/{drinkId}', { params: { path: { drinkId } } }), 'This node'),
    onSettled: () => qc.invalidateQueries({ queryKey: ['favorites'] }),
  });
  if (!session) return <Empty>Sign in to keep favorites: <Link to="/login">sign in</Link>.</Empty>;
  const byId = new Map((drinks.data?.items ?? []).map((d) => [d.drinkId, d]));
  return (
    <section>
      <h1>Favorites</h1>
      <ProblemAlert error={remove.error} />
      <Async query={favorites} what="favorites" empty={(d) => d.items.length === 0}>
        {(d) => (
          <ul className="list" aria-label="Favorite drinks">
            {d.items.map((f) => {
              const drink = byId.get(f.drinkId);
              return (
                <li key={f.drinkId}>
                  <strong>{drink?.name ?? f.drinkId}</strong> {drink && <>· {money(drink.priceCents)}</>}{' '}
                  {drink && (
                    <button type="button" onClick={() => setBasket((b) => addToBasket(b, { drinkId: drink.drinkId, name: drink.name, unitPriceCents: drink.priceCents }))}>
                      Add <span className="sr-only">{drink.name}</span> to basket
                    </button>
                  )}{' '}
                  <button type="button" onClick={() => remove.mutate(f.drinkId)}>
                    Remove <span className="sr-only">{drink?.name ?? f.drinkId}</span> from favorites
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </Async>
    </section>
  );
}
