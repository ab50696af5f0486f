// One order, followed until it is ready: its status and history, the locker
// code, the golden-window estimate with "start preparing", paying again after
// a decline, and cancelling while that is still allowed.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { apiAt, bearer, ok, type Schemas } from '../../api/client';
import { guestTokenFor } from '../../api/session';
import { dateTime, money, orderStatus, timeOfDay } from '../../ui/format';
import { Loading, ProblemAlert } from '../../ui/states';
import { PAYMENT_METHODS } from './CheckoutPage';
import { orderStore } from './order-stores';
import { orderKeys } from './queries';

type Order = Schemas['order'];
const FINAL = new Set(['picked_up', 'cancelled']);

export function OrderPage() {
  const { storeId = '', orderId = '' } = useParams();
  const remembered = orderStore(orderId);
  const store = useQuery({
    queryKey: ['store', storeId, 'directory'],
    queryFn: () => ok(apiAt().GET('/api/v1/stores/{storeId}', { params: { path: { storeId } } }), 'This node'),
    staleTime: 60_000,
  });
  const base = remembered ?? store.data?.apiBaseUrl;
  const guest = guestTokenFor(orderId);
  const headers = guest ? bearer(guest) : undefined;
  const order = useQuery({
    queryKey: orderKeys.order(orderId),
    enabled: base !== undefined,
    queryFn: () => ok(apiAt(base!).GET('/api/v1/orders/{orderId}', { params: { path: { orderId } }, ...(headers ? { headers } : {}) }), 'The store'),
    // Followed every two seconds until it is picked up or cancelled.
    refetchInterval: (q) => (q.state.data && FINAL.has(q.state.data.status) ? false : 2000),
  });
  if (!base) return store.error ? <ProblemAlert error={store.error} /> : <Loading what="the order's store" />;
  if (order.isPending) return <Loading what="your order" />;
  if (order.error) return <ProblemAlert error={order.error} />;
  const o = order.data;
  return (
    <section>
      <h1>Order at {store.data?.name ?? 'the store'}</h1>
      <p className="status" aria-live="polite">
        Status: <strong>{orderStatus(o.status)}</strong>
      </p>
      <OrderFacts order={o} timeZone={store.data?.timeZone} />
      <Payment order={o} base={base} headers={headers} />
      {o.status !== 'cancelled' && o.status !== 'picked_up' && <GoldenWindow order={o} base={base} headers={headers} store={store.data} />}
      <Cancel order={o} base={base} headers={headers} />
      <h2>History</h2>
      <ol className="history">
        {o.history.map((h, i) => (
          <li key={i}>
            {orderStatus(h.status)} · {dateTime(h.at)}
            {h.note && <> · {h.note}</>}
          </li>
        ))}
      </ol>
    </section>
  );
}

function OrderFacts({ order: o, timeZone }: { order: Order; timeZone: string | undefined }) {
  return (
    <dl className="facts-grid">
      <dt>Locker code</dt>
      <dd>
        <strong className="locker">{o.lockerCombo}</strong> {o.status !== 'ready' && <span className="small muted">(the locker opens with it once your drinks are ready)</span>}
      </dd>
      <dt>Ready about</dt>
      <dd>{timeOfDay(o.pickupTime ?? o.pickupEstimate, timeZone)}</dd>
      <dt>Drinks</dt>
      <dd>
        <ul>
          {o.items.map((i) => (
            <li key={i.drinkId}>
              {i.quantity} × {i.name} ({money(i.lineTotalCents)})
            </li>
          ))}
        </ul>
      </dd>
      <dt>Total</dt>
      <dd>{money(o.totalCents)}</dd>
    </dl>
  );
}

type Props = { order: Order; base: string; headers: Record<string, string> | undefined };

function Payment({ order: o, base, headers }: Props) {
  const qc = useQueryClient();
  const [method, setMethod] = useState('tok_approve');
  const pay = useMutation({
    mutationFn: () =>
      ok(apiAt(base).POST('/api/v1/orders/{orderId}/pay', { params: { path: { orderId: o.orderId } }, body: { paymentMethod: method }, ...(headers ? { headers } : {}) })),
    onSettled: () => qc.invalidateQueries({ queryKey: orderKeys.order(o.orderId) }),
  });
  const s = o.payment.status;
  const words =
    s === 'approved' ? 'Paid.' : s === 'declined' ? `Declined by the card provider${o.payment.reason ? ` (${o.payment.reason.replace(/_/g, ' ')})` : ''}. Nothing was charged.` : s === 'pending' ? 'Waiting for the card provider to confirm…' : s === 'unpaid' ? 'Not paid yet.' : s.replace(/_/g, ' ');
  return (
    <div className="panel">
      <h2>Payment</h2>
      <p aria-live="polite">{words}</p>
      {o.status === 'pending' && (s === 'declined' || s === 'unpaid') && (
        <div className="row">
          <label htmlFor="pay-method">Pay with</label>
          <select id="pay-method" value={method} onChange={(e) => setMethod(e.target.value)}>
            {PAYMENT_METHODS.map((m) => (
              <option key={m.token} value={m.token}>
                {m.label}
              </option>
            ))}
          </select>
          <button type="button" disabled={pay.isPending} onClick={() => pay.mutate()}>
            Pay {money(o.totalCents)}
          </button>
        </div>
      )}
      <ProblemAlert error={pay.error} />
    </div>
  );
}

function GoldenWindow({ order: o, base, headers, store }: Props & { store: Schemas['store'] | undefined }) {
  const qc = useQueryClient();
  const arrive = useMutation({
    mutationFn: (at: { lat: number; lon: number }) =>
      ok(apiAt(base).POST('/api/v1/orders/{orderId}/arrival', { params: { path: { orderId: o.orderId } }, body: at, ...(headers ? { headers } : {}) })),
    onSettled: () => qc.invalidateQueries({ queryKey: orderKeys.order(o.orderId) }),
  });
  const onMyWay = () => {
    navigator.geolocation?.getCurrentPosition(
      (p) => arrive.mutate({ lat: p.coords.latitude, lon: p.coords.longitude }),
      () => arrive.reset(),
      { timeout: 10_000 },
    );
  };
  if (o.status !== 'paid' && !arrive.data) return null;
  const w = arrive.data;
  return (
    <div className="panel">
      <h2>Fresh when you arrive</h2>
      <p className="small">The store starts your drinks so they are ready as you walk in (the golden window).</p>
      {w && (
        <p aria-live="polite">
          {w.preparationStarted || w.startNow
            ? 'The store has started making your drinks.'
            : `You are ${w.distanceMiles.toFixed(1)} mi away, about ${Math.round(w.arrivalMinutes)} min; the store will start in ${Math.round(w.startInMinutes)} min (${w.prepMinutes} min to make).`}
        </p>
      )}
      <div className="row">
        <button type="button" onClick={onMyWay} disabled={arrive.isPending}>
          I'm on my way: estimate
        </button>
        {store && (
          <button type="button" onClick={() => arrive.mutate({ lat: store.lat ?? 0, lon: store.lon ?? 0 })} disabled={arrive.isPending}>
            Start preparing now
          </button>
        )}
      </div>
      <ProblemAlert error={arrive.error} />
    </div>
  );
}

function Cancel({ order: o, base, headers }: Props) {
  const qc = useQueryClient();
  const cancel = useMutation({
    mutationFn: () =>
      ok(apiAt(base).POST('/api/v1/orders/{orderId}/cancel', { params: { path: { orderId: o.orderId } }, body: { reason: 'cancelled by the customer' }, ...(headers ? { headers } : {}) })),
    onSettled: () => qc.invalidateQueries({ queryKey: orderKeys.order(o.orderId) }),
  });
  if (!o.nextStatuses.includes('cancelled')) return null;
  return (
    <p>
      <button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
        Cancel this order
      </button>
      <ProblemAlert error={cancel.error} />
    </p>
  );
}
