// The chosen store's menu: every drink with its price, marked when the store
// cannot make it right now (and why); add to the basket; favorite it.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { apiAt, ok } from '../../api/client';
import { useSession } from '../../api/use-session';
import { money } from '../../ui/format';
import { Async, Empty, ProblemAlert } from '../../ui/states';
import { useChosenStore } from '../stores/chosen-store';
import { addToBasket, basketCount, basketTotal } from './basket';
import { useBasket } from './basket-context';
import { useAvailability, useDrinks, useFavorites } from './queries';

export function MenuPage() {
  const { chosen } = useChosenStore();
  const session = useSession();
  const drinks = useDrinks(chosen);
  const list = (drinks.data?.items ?? []).filter((d) => !d.retired);
  const availability = useAvailability(chosen, list.map((d) => d.drinkId));
  const favorites = useFavorites();
  const { basket, setBasket } = useBasket();
  const qc = useQueryClient();
  const favorite = useMutation({
    mutationFn: ({ drinkId, on }: { drinkId: string; on: boolean }) =>
      on
        ? ok(apiAt().PUT('/api/v1/me/favorites/{drinkId}', { params: { path: { drinkId } } }), 'This node')
        : ok(apiAt().DELETE('/api/v1/me/favorites/{drinkId}', { params: { path: { drinkId } } }), 'This node'),
    onSettled: () => qc.invalidateQueries({ queryKey: ['favorites'] }),
  });
  if (!chosen) {
    return (
      <section>
        <h1>Menu</h1>
        <Empty>
          Choose a store first: <Link to="/">find the nearest stores</Link>.
        </Empty>
      </section>
    );
  }
  const favs = new Set((favorites.data?.items ?? []).map((f) => f.drinkId));
  const canMake = new Map((availability.data?.items ?? []).map((a) => [a.drinkId, a]));
  return (
    <section>
      <h1>Menu at {chosen.name}</h1>
      <p>
        <Link to="/build">Make a drink of your own</Link>
        {basketCount(basket) > 0 && (
          <>
            {' '}
            · <Link to="/checkout">Basket: {basketCount(basket)} drink{basketCount(basket) === 1 ? '' : 's'}, {money(basketTotal(basket))}</Link>
          </>
        )}
      </p>
      <ProblemAlert error={favorite.error} />
      {availability.error && <ProblemAlert error={availability.error} />}
      <Async query={drinks} what="drinks" empty={(d) => d.items.length === 0}>
        {() => (
          <ul className="cards" aria-label="Drinks">
            {list.map((d) => {
              const a = canMake.get(d.drinkId);
              const short = a && !a.canMake;
              return (
                <li key={d.drinkId} className={`card${short ? ' unavailable' : ''}`}>
                  <h3>
                    {d.name} {d.userCreated && <span className="tag">yours</span>}
                  </h3>
                  <p className="small">
                    {d.size} · {money(d.priceCents)}
                    {d.rating !== null && d.rating !== undefined && <> · rated {d.rating}</>}
                  </p>
                  {short && (
                    <p className="warn small">
                      Not available here now: out of {a.missing.map((m) => m.name ?? m.itemId).join(', ')}
                    </p>
                  )}
                  {!a && availability.isPending && <p className="muted small">Checking stock…</p>}
                  <div className="row">
                    <button type="button" disabled={short} onClick={() => setBasket((b) => addToBasket(b, { drinkId: d.drinkId, name: d.name, unitPriceCents: d.priceCents }))}>
                      Add {d.name} to basket
                    </button>
                    {session && (
                      <button type="button" aria-pressed={favs.has(d.drinkId)} onClick={() => favorite.mutate({ drinkId: d.drinkId, on: !favs.has(d.drinkId) })}>
                        {favs.has(d.drinkId) ? '★ Favorite' : '☆ Favorite'}
                        <span className="sr-only"> {d.name}</span>
                      </button>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </Async>
    </section>
  );
}
