// The region at a glance: stores critical (a day of stock or less) and low
// (three days or less), requests by urgency, deliveries on the road, the
// hub's own stock and orders, and how the forecasts have been doing.
import { useQuery } from '@tanstack/react-query';
import { apiAt, ok } from '../../api/client';
import { dateTime } from '../../ui/format';
import { Table } from '../../ui/Table';
import { Async } from '../../ui/states';
import { supplyKeys } from '../supply/queries';

export function OverviewPanel({ region, base }: { region: string; base: string }) {
  const overview = useQuery({
    queryKey: supplyKeys.overview(region),
    refetchInterval: 15_000,
    queryFn: () => ok(apiAt(base).GET('/api/v1/regions/{code}/logistics', { params: { path: { code: region } } }), 'The hub'),
  });
  return (
    <Async query={overview} what="the region overview">
      {(o) => {
        const pending = Object.values(o.requests.pending).reduce((a, b) => a + b, 0);
        const acc = o.forecastAccuracy;
        return (
          <>
            <ul className="cards" aria-label="The region in figures">
              <li className={o.stores.critical.length ? 'card alert' : 'card'}>
                <strong>{o.stores.critical.length}</strong> stores critical (a day of stock or less)
              </li>
              <li className="card">
                <strong>{o.stores.low.length}</strong> stores low (three days or less)
              </li>
              <li className="card">
                <strong>{pending}</strong> requests waiting: {Object.entries(o.requests.pending).map(([u, n]) => `${n} ${u.toLowerCase()}`).join(', ')}
                {o.requests.overdue > 0 && <>; {o.requests.overdue} overdue</>}
              </li>
              <li className="card">
                <strong>{o.deliveries.inTransit.length}</strong> deliveries on the road, {o.deliveries.scheduled} scheduled; {o.deliveries.completedLast7Days} completed and {o.deliveries.failedLast7Days} failed in 7 days
              </li>
              <li className="card">
                <strong>{o.hub.low}</strong> of {o.hub.items} hub items low; {o.hub.openPurchaseOrders} purchase orders open ({o.hub.unitsOnOrder} units on order)
              </li>
              <li className="card">
                Forecasts:{' '}
                {acc.ratio === null ? (
                  'not enough usage history to test them yet'
                ) : (
                  <>
                    <strong>{Math.round((1 - acc.ratio) * 100)} %</strong> less error than last week's figures (MASE {acc.mase} against {acc.seasonalNaiveMase}, {acc.items} items)
                  </>
                )}
              </li>
            </ul>
            {[...o.stores.critical, ...o.stores.low].length > 0 && (
              <Table caption="Stores running short, the soonest first" columns={['Store', 'Runs out first', 'Left', 'Days', 'Items short', 'Reported']}>
                {[...o.stores.critical, ...o.stores.low].map((s) => (
                  <tr key={s.storeId}>
                    <th scope="row">{s.name}</th>
                    <td>{s.worst?.name}</td>
                    <td>{s.worst?.available}</td>
                    <td>{s.worst?.daysOfStock} {s.worst && s.worst.daysOfStock <= 1 && <span className="tag">critical</span>}</td>
                    <td>{s.shortItems}</td>
                    <td>{s.reportedAt ? dateTime(s.reportedAt) : 'never'}</td>
                  </tr>
                ))}
              </Table>
            )}
            {o.stores.unknown.length > 0 && <p className="muted">Not reported yet: {o.stores.unknown.map((s) => s.name).join(', ')}.</p>}
            <p className="muted">
              {o.stores.ok} stores have more than three days of everything. As of {dateTime(o.asOf)}.
            </p>
          </>
        );
      }}
    </Async>
  );
}
