// A store manager's day: the switch that takes orders on and off, today's
// revenue, what runs low, and the order queue with one-click moves.
import { useStoreInventory } from '../inventory/queries';
import { Table } from '../../ui/Table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { apiAt, ok } from '../../api/client';
import { money, orderStatus, timeOfDay } from '../../ui/format';
import { Async, Loading, ProblemAlert } from '../../ui/states';
import { useStoreNode } from '../stores/use-store-node';
import { BarChart } from '../../ui/BarChart';
import { StockBar } from '../../ui/StockBar';

const STATUSES = ['paid', 'preparing', 'ready', 'pending', 'picked_up', 'cancelled'] as const;
type Status = (typeof STATUSES)[number];
const ACTION: Record<string, string> = { preparing: 'Start preparing', ready: 'Mark ready', picked_up: 'Mark picked up', cancelled: 'Cancel' };

export default function StoreTodayPage() {
  const { storeId = '' } = useParams();
  const { store, base } = useStoreNode(storeId);
  const qc = useQueryClient();
  const dashboard = useQuery({
    queryKey: ['dashboard', storeId],
    enabled: base !== undefined,
    refetchInterval: 5000,
    queryFn: () => ok(apiAt(base).GET('/api/v1/stores/{storeId}/dashboard', { params: { path: { storeId } } })),
  });
  const accepting = useMutation({
    mutationFn: (on: boolean) => ok(apiAt(base).PATCH('/api/v1/stores/{storeId}', { params: { path: { storeId } }, body: { isAcceptingOrders: on } })),
    onSettled: () => qc.invalidateQueries({ queryKey: ['dashboard', storeId] }),
  });
  if (!base) return store.error ? <ProblemAlert error={store.error} /> : <Loading what="the store" />;
  return (
    <section>
      <h1>{store.data?.name}: today</h1>
      <p>
        <Link to={`/staff/${storeId}/inventory`}>Inventory</Link> · <Link to={`/staff/${storeId}/accounts`}>Accounts</Link>
      </p>
      <Async query={dashboard} what="the dashboard">
        {(d) => (
          <>
            <div className="panel row">
              <label className="switch">
                <input type="checkbox" role="switch" checked={d.acceptingOrders} disabled={accepting.isPending} onChange={(e) => accepting.mutate(e.target.checked)} /> Taking orders
              </label>
              <span aria-live="polite">{d.acceptingOrders ? 'Customers can order here.' : 'Orders are switched off: customers are sent to the next store.'}</span>
            </div>
            <ProblemAlert error={accepting.error} />
            <div className="tiles">
              <div className="tile">
                <span className="tile-label">Revenue today ({d.revenueToday.date})</span>
                <strong>{money(d.revenueToday.netCents)}</strong>
                <span className="small">{d.revenueToday.paidOrders} paid orders · average {money(d.revenueToday.averageOrderCents)}</span>
              </div>
              <div className="tile">
                <span className="tile-label">Active orders</span>
                <strong>{d.activeOrders}</strong>
                <span className="small">wait about {d.waitMinutes} min</span>
              </div>
              <div className="tile">
                <span className="tile-label">Low stock</span>
                <strong>{d.lowStockCount}</strong>
                <Link className="small" to={`/staff/${storeId}/inventory`}>
                  see inventory
                </Link>
              </div>
            </div>
            <LowStock storeId={storeId} base={base} />
            <BarChart title="Today's orders by status" data={STATUSES.map((st) => ({ label: orderStatus(st), value: d.ordersByStatus[st] ?? 0 }))} />
          </>
        )}
      </Async>
      <OrderQueue storeId={storeId} base={base} timeZone={store.data?.timeZone} />
    </section>
  );
}

/** What runs low now, lowest first, each with its bar: the list a manager restocks from. */
function LowStock({ storeId, base }: { storeId: string; base: string }) {
  const inventory = useStoreInventory(storeId, base, 15_000);
  const low = (inventory.data?.items ?? []).filter((i) => i.lowStock).sort((a, b) => a.available / Math.max(1, a.threshold) - b.available / Math.max(1, b.threshold));
  return (
    <div className="panel">
      <h2>Running low</h2>
      {inventory.isPending ? (
        <Loading what="stock" />
      ) : inventory.error ? (
        <ProblemAlert error={inventory.error} />
      ) : low.length === 0 ? (
        <p className="empty">Nothing is below its threshold.</p>
      ) : (
        <ul className="list" aria-label="Items running low">
          {low.map((i) => (
            <li key={i.itemId} className="row">
              <strong>{i.name}</strong> {i.available} left (threshold {i.threshold}) <StockBar available={i.available} threshold={i.threshold} name={i.name} />
            </li>
          ))}
        </ul>
      )}
      <Link to={`/staff/${storeId}/supply`}>Ask the hub for stock</Link>
    </div>
  );
}

function OrderQueue({ storeId, base, timeZone }: { storeId: string; base: string; timeZone: string | undefined }) {
  const [status, setStatus] = useState<Status>('paid');
  const qc = useQueryClient();
  const orders = useQuery({
    queryKey: ['store-orders', storeId, status],
    refetchInterval: 5000,
    queryFn: () => ok(apiAt(base).GET('/api/v1/stores/{storeId}/orders', { params: { path: { storeId }, query: { status, limit: 50 } } })),
  });
  const move = useMutation({
    mutationFn: ({ orderId, to }: { orderId: string; to: 'preparing' | 'ready' | 'picked_up' | 'cancelled' }) =>
      ok(apiAt(base).POST('/api/v1/orders/{orderId}/status', { params: { path: { orderId } }, body: { status: to } })),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ['store-orders', storeId] });
      void qc.invalidateQueries({ queryKey: ['dashboard', storeId] });
    },
  });
  return (
    <>
      <h2>Order queue</h2>
      <div role="tablist" aria-label="Orders by status" className="tabs">
        {STATUSES.map((s) => (
          <button key={s} type="button" role="tab" aria-selected={status === s} onClick={() => setStatus(s)}>
            {orderStatus(s)}
          </button>
        ))}
      </div>
      <ProblemAlert error={move.error} />
      <div role="tabpanel" aria-label={orderStatus(status)}>
        <Async query={orders} what={`orders ${orderStatus(status).toLowerCase()}`} empty={(d) => d.items.length === 0}>
          {(d) => (
            <Table caption={`Orders: ${orderStatus(status)}`} columns={['Placed', 'Drinks', 'Total', 'Locker', 'Next']}>
                {d.items.map((o) => (
                  <tr key={o.orderId}>
                    <td>{timeOfDay(o.createdAt, timeZone)}</td>
                    <td>{o.items.map((i) => `${i.quantity} × ${i.name}`).join(', ')}</td>
                    <td>{money(o.totalCents)}</td>
                    <td>{o.lockerCombo}</td>
                    <td className="row">
                      {o.nextStatuses
                        .filter((s): s is 'preparing' | 'ready' | 'picked_up' | 'cancelled' => s in ACTION)
                        .map((to) => (
                          <button key={to} type="button" disabled={move.isPending} onClick={() => move.mutate({ orderId: o.orderId, to })}>
                            {ACTION[to]} <span className="sr-only">order {o.orderId.slice(0, 8)}</span>
                          </button>
                        ))}
                    </td>
                  </tr>
                ))}
            </Table>
          )}
        </Async>
      </div>
    </>
  );
}
