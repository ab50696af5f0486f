// My orders: a signed-in person's orders at the chosen store, and the guest
// orders placed in this browser session.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { apiAt, ok } from '../../api/client';
import { guestOrders } from '../../api/session';
import { useSession } from '../../api/use-session';
import { dateTime, money, orderStatus } from '../../ui/format';
import { Async, Empty } from '../../ui/states';
import { useChosenStore } from '../stores/chosen-store';
import { orderKeys } from './queries';

export function HistoryPage() {
  const session = useSession();
  const { chosen } = useChosenStore();
  const mine = useQuery({
    queryKey: orderKeys.mine(chosen?.storeId ?? '', session?.user.id ?? ''),
    enabled: session !== null && chosen !== null,
    queryFn: () => ok(apiAt(chosen!.apiBaseUrl).GET('/api/v1/me/orders', { params: { query: { limit: 50 } } }), chosen!.name),
  });
  const guests = guestOrders();
  return (
    <section>
      <h1>My orders</h1>
      {session && chosen && (
        <>
          <h2>At {chosen.name}</h2>
          <Async query={mine} what="orders" empty={(d) => d.items.length === 0}>
            {(d) => (
              <ul className="list">
                {d.items.map((o) => (
                  <li key={o.orderId}>
                    <Link to={`/order/${o.storeId}/${o.orderId}`}>
                      {dateTime(o.createdAt)} · {o.items.map((i) => `${i.quantity} × ${i.name}`).join(', ')}
                    </Link>{' '}
                    · {money(o.totalCents)} · {orderStatus(o.status)}
                  </li>
                ))}
              </ul>
            )}
          </Async>
        </>
      )}
      {session && !chosen && <Empty>Choose a store to see your orders there.</Empty>}
      {!session && guests.length === 0 && (
        <Empty>
          No orders yet. <Link to="/login">Sign in</Link> to see the orders of your account.
        </Empty>
      )}
      {guests.length > 0 && (
        <>
          <h2>Guest orders in this browser</h2>
          <ul className="list">
            {guests.map((g) => (
              <li key={g.orderId}>
                <Link to={`/order/${g.storeId}/${g.orderId}`}>Order {g.orderId.slice(0, 8)}</Link>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
