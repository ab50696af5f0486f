// Checkout: the basket, a payment method of the (fake) provider, and one
// button. The order goes to the chosen store with an Idempotency-Key kept in
// the basket, so a retry after a lost answer never orders or pays twice.
// When the store does not answer or refuses orders, the page says so and
// offers the next nearest healthy store, keeping the basket.
import { Table } from '../../ui/Table';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { apiAt, ok } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import { rememberGuestOrder } from '../../api/session';
import { useSession } from '../../api/use-session';
import { miles, money } from '../../ui/format';
import { Empty, ProblemAlert } from '../../ui/states';
import { useChosenStore } from '../stores/chosen-store';
import { nextStore, shouldFailOver, type StoreChoice } from '../stores/failover';
import { basketTotal, checkoutKey, emptyBasket, MAX_QUANTITY, setQuantity } from './basket';
import { useBasket } from './basket-context';
import { rememberOrderStore } from './order-stores';

export const PAYMENT_METHODS = [
  { token: 'tok_approve', label: 'Test card: approved' },
  { token: 'tok_decline', label: 'Test card: declined' },
  { token: 'tok_later', label: 'Test card: confirmed a little later' },
] as const;

export function CheckoutPage() {
  const session = useSession();
  const { chosen, candidates, choose, failed, markFailed } = useChosenStore();
  const { basket, setBasket } = useBasket();
  const [method, setMethod] = useState<string>(PAYMENT_METHODS[0].token);
  const [offer, setOffer] = useState<{ failedName: string; next: StoreChoice | undefined } | null>(null);
  const navigate = useNavigate();

  const place = useMutation({
    mutationFn: async (store: StoreChoice) => {
      const { basket: withKey, key } = checkoutKey(basket, store.storeId, () => crypto.randomUUID());
      setBasket(() => withKey);
      return ok(
        apiAt(store.apiBaseUrl).POST('/api/v1/orders', {
          params: { header: { 'idempotency-key': key } },
          body: { items: basket.lines.map((l) => ({ drinkId: l.drinkId, quantity: l.quantity })), paymentMethod: method },
        }),
        store.name,
      );
    },
    onSuccess: (order, store) => {
      rememberOrderStore(order.orderId, store.apiBaseUrl);
      if (order.guestToken) rememberGuestOrder({ orderId: order.orderId, storeId: store.storeId, apiBaseUrl: store.apiBaseUrl, token: order.guestToken });
      setBasket(() => emptyBasket());
      setOffer(null);
      navigate(`/order/${store.storeId}/${order.orderId}`);
    },
    onError: (err, store) => {
      if (err instanceof ApiProblem && shouldFailOver(err)) {
        markFailed(store.storeId);
        const next = nextStore(candidates, new Set([...failed, store.storeId]));
        setOffer({ failedName: store.name, next });
      }
    },
  });

  if (basket.lines.length === 0) {
    return (
      <section>
        <h1>Basket</h1>
        <Empty>
          Your basket is empty. <Link to={chosen ? '/menu' : '/'}>{chosen ? 'Choose drinks' : 'Find a store'}</Link>.
        </Empty>
      </section>
    );
  }
  const moveTo = (next: StoreChoice) => {
    choose(next);
    setOffer(null);
    place.reset();
  };
  return (
    <section>
      <h1>Basket and checkout</h1>
      {chosen ? <p>Ordering from {chosen.name}.</p> : <p>Choose a store to order from: <Link to="/">stores nearby</Link>.</p>}
      <Table caption="Drinks in your basket" columns={['Drink', 'Quantity', 'Price', '']}>
          {basket.lines.map((l) => (
            <tr key={l.drinkId}>
              <td>{l.name}</td>
              <td>
                <input
                  type="number"
                  min={1}
                  max={MAX_QUANTITY}
                  value={l.quantity}
                  aria-label={`Quantity of ${l.name}`}
                  onChange={(e) => setBasket((b) => setQuantity(b, l.drinkId, Number(e.target.value) || 1))}
                />
              </td>
              <td>{money(l.unitPriceCents * l.quantity)}</td>
              <td>
                <button type="button" onClick={() => setBasket((b) => setQuantity(b, l.drinkId, 0))}>
                  Remove <span className="sr-only">{l.name}</span>
                </button>
              </td>
            </tr>
          ))}
      </Table>
      <p>
        Total <strong>{money(basketTotal(basket))}</strong> <span className="muted small">(the store prices the order; it may differ if prices changed)</span>
      </p>
      <fieldset>
        <legend>Pay with (this network uses a test payment provider)</legend>
        {PAYMENT_METHODS.map((m) => (
          <label key={m.token} className="radio">
            <input type="radio" name="payment" value={m.token} checked={method === m.token} onChange={() => setMethod(m.token)} /> {m.label}
          </label>
        ))}
      </fieldset>
      {!session && (
        <p className="small">
          Ordering as a guest. <Link to="/login">Sign in</Link> to keep this order in your history.
        </p>
      )}
      {offer && (
        <div role="alert" className="problem">
          <strong>{offer.failedName} is not taking this order right now.</strong>{' '}
          {offer.next ? (
            <>
              The next nearest open store is {offer.next.name} ({miles(offer.next.distanceMiles)} away). Your basket stays as it is.{' '}
              <button type="button" onClick={() => moveTo(offer.next!)}>
                Order from {offer.next.name} instead
              </button>
            </>
          ) : (
            <>No other store nearby is taking orders; <Link to="/">look further</Link>.</>
          )}
        </div>
      )}
      {!offer && <ProblemAlert error={place.error} />}
      {chosen && (
        <button type="button" className="primary" disabled={place.isPending} onClick={() => place.mutate(chosen)}>
          {place.isPending ? 'Placing your order…' : place.error ? `Try ${chosen.name} again` : `Place order at ${chosen.name} and pay ${money(basketTotal(basket))}`}
        </button>
      )}
    </section>
  );
}
