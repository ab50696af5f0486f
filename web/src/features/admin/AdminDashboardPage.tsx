// The admin dashboard: an ADMIN's stores, or for a super admin the whole
// network gathered through the hubs. A store or region that did not answer is
// marked as missing, never shown as zero.
import { useQuery } from '@tanstack/react-query';
import { apiAt, ok } from '../../api/client';
import { money } from '../../ui/format';
import { Async } from '../../ui/states';
import { BarChart } from '../../ui/BarChart';

export default function AdminDashboardPage() {
  const dash = useQuery({ queryKey: ['admin-dashboard'], refetchInterval: 15_000, queryFn: () => ok(apiAt().GET('/api/v1/admin/dashboard'), 'This node') });
  return (
    <section>
      <h1>Dashboard</h1>
      <Async query={dash} what="the dashboard">
        {(d) => (
          <>
            {d.partial && (
              <p role="status" className="warn">
                Partial: some stores or regions did not answer; their figures are missing, not zero.
              </p>
            )}
            {(d.regions ?? []).map((r) => (
              <div key={r.region} className="panel">
                <h2>
                  Region {r.region} {r.hub && <>· {r.hub.name}</>} {r.status !== 'ok' && <span className="tag">{r.status === 'unknown' ? 'unknown' : 'partial'}</span>}
                </h2>
                {r.reason && <p className="small">{r.reason}</p>}
                {r.stores && r.stores.length > 0 && (
                  <BarChart
                    title={`Revenue today, region ${r.region}`}
                    format={money}
                    data={r.stores.flatMap((s) => ('revenueToday' in s && s.revenueToday ? [{ label: s.name, value: s.revenueToday.netCents }] : []))}
                  />
                )}
                {r.stores === null ? (
                  <p>Figures unknown: the region's hub did not answer.</p>
                ) : (
                  <table>
                    <caption className="sr-only">Stores of region {r.region}</caption>
                    <thead>
                      <tr>
                        <th scope="col">Store</th>
                        <th scope="col">Revenue today</th>
                        <th scope="col">Paid orders</th>
                        <th scope="col">Active orders</th>
                        <th scope="col">Low stock</th>
                      </tr>
                    </thead>
                    <tbody>
                      {r.stores.map((s) =>
                        'revenueToday' in s && s.revenueToday ? (
                          <tr key={s.storeId}>
                            <th scope="row">{s.name}</th>
                            <td>{money(s.revenueToday.netCents)}</td>
                            <td>{s.revenueToday.paidOrders}</td>
                            <td>{s.activeOrders}</td>
                            <td>{s.lowStockCount}</td>
                          </tr>
                        ) : (
                          <tr key={s.storeId}>
                            <th scope="row">{s.name}</th>
                            <td colSpan={4}>Did not answer: figures missing</td>
                          </tr>
                        ),
                      )}
                    </tbody>
                  </table>
                )}
              </div>
            ))}
          </>
        )}
      </Async>
    </section>
  );
}
