// A logistics manager's hub: the requests queue (CRITICAL first, overdue
// marked) with approve, approve what is there, and deny; and the hub's stock
// with bars against thresholds.
import { Table } from '../../ui/Table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiAt, ok } from '../../api/client';
import { useSession } from '../../api/use-session';
import { dateTime } from '../../ui/format';
import { StockBar } from '../../ui/StockBar';
import { Async, Empty, Loading, ProblemAlert } from '../../ui/states';
import { statusWords, supplyKeys, useRegionHub } from './queries';

export default function LogisticsPage() {
  const session = useSession();
  const region = session?.user.roles.find((r) => r.role === 'LOGISTICS_MANAGER')?.regionCode ?? (session?.user.roles.some((r) => r.role === 'SUPER_ADMIN') ? 'C' : undefined);
  const { regions, hub } = useRegionHub(region);
  if (!region) return <Empty>This page is for a region's logistics manager.</Empty>;
  if (regions.isPending) return <Loading what="the regions" />;
  if (!hub) return regions.error ? <ProblemAlert error={regions.error} /> : <Empty>Region {region}'s hub is not known here yet.</Empty>;
  return (
    <section>
      <h1>
        Logistics, region {region}: {hub.name}
      </h1>
      <Queue hubId={hub.hubId} base={hub.base} />
      <HubStock hubId={hub.hubId} base={hub.base} />
    </section>
  );
}

function Queue({ hubId, base }: { hubId: string; base: string }) {
  const qc = useQueryClient();
  const [status, setStatus] = useState<'PENDING' | 'APPROVED' | undefined>('PENDING');
  const queue = useQuery({
    queryKey: [...supplyKeys.hub(hubId), status],
    refetchInterval: 5000,
    queryFn: () => ok(apiAt(base).GET('/api/v1/hubs/{hubId}/supply-requests', { params: { path: { hubId }, query: { limit: 200, ...(status ? { status } : {}) } } }), 'The hub'),
  });
  const done = () => {
    void qc.invalidateQueries({ queryKey: supplyKeys.hub(hubId) });
    void qc.invalidateQueries({ queryKey: supplyKeys.hubStock(hubId) });
  };
  const decide = useMutation({
    mutationFn: ({ requestId, how }: { requestId: string; how: 'approve' | 'partial' | 'deny' }) =>
      how === 'deny'
        ? ok(apiAt(base).POST('/api/v1/supply-requests/{requestId}/deny', { params: { path: { requestId } }, body: {} }), 'The hub')
        : ok(apiAt(base).POST('/api/v1/supply-requests/{requestId}/approve', { params: { path: { requestId } }, body: { partial: how === 'partial' } }), 'The hub'),
    onSettled: done,
  });
  return (
    <>
      <h2>Requests</h2>
      <div role="tablist" aria-label="Requests by status" className="tabs">
        {(['PENDING', 'APPROVED', undefined] as const).map((s) => (
          <button key={s ?? 'all'} type="button" role="tab" aria-selected={status === s} onClick={() => setStatus(s)}>
            {s ? statusWords[s] : 'All'}
          </button>
        ))}
      </div>
      <ProblemAlert error={decide.error} />
      <Async query={queue} what="requests" empty={(d) => d.items.length === 0}>
        {(d) => (
          <Table caption="Supply requests, most urgent first" columns={['Urgency', 'Store', 'Asked', 'Items', 'Status', 'Decide']}>
              {d.items.map((r) => (
                <tr key={r.requestId}>
                  <td>
                    {r.urgency} {r.overdue && <span className="tag">overdue</span>}
                  </td>
                  <td>{r.storeId.slice(0, 8)}</td>
                  <td>{dateTime(r.createdAt)}</td>
                  <td>{r.items.map((l) => `${l.quantity} ${l.itemId}${l.approvedQuantity !== undefined && l.approvedQuantity < l.quantity ? ` (${l.approvedQuantity} held)` : ''}`).join(', ')}</td>
                  <td>{statusWords[r.status] ?? r.status}</td>
                  <td className="row">
                    {r.allowedNext.includes('APPROVED') && (
                      <>
                        <button type="button" disabled={decide.isPending} onClick={() => decide.mutate({ requestId: r.requestId, how: 'approve' })}>
                          Approve <span className="sr-only">request {r.requestId.slice(0, 8)}</span>
                        </button>
                        <button type="button" disabled={decide.isPending} onClick={() => decide.mutate({ requestId: r.requestId, how: 'partial' })}>
                          Approve what is there <span className="sr-only">for request {r.requestId.slice(0, 8)}</span>
                        </button>
                        <button type="button" disabled={decide.isPending} onClick={() => decide.mutate({ requestId: r.requestId, how: 'deny' })}>
                          Deny <span className="sr-only">request {r.requestId.slice(0, 8)}</span>
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
          </Table>
        )}
      </Async>
    </>
  );
}

function HubStock({ hubId, base }: { hubId: string; base: string }) {
  const stock = useQuery({ queryKey: supplyKeys.hubStock(hubId), queryFn: () => ok(apiAt(base).GET('/api/v1/hubs/{hubId}/inventory', { params: { path: { hubId } } }), 'The hub') });
  return (
    <>
      <h2>Hub stock</h2>
      <Async query={stock} what="hub stock" empty={(d) => d.items.length === 0}>
        {(d) => (
          <Table caption="The hub's stock per item" columns={['Item', 'On hand', 'Held for requests', 'Available', 'Level']}>
              {d.items.map((i) => (
                <tr key={i.itemId}>
                  <th scope="row">{i.name ?? i.itemId}</th>
                  <td>{i.onHand}</td>
                  <td>{i.reserved}</td>
                  <td>{i.available}</td>
                  <td>
                    <StockBar available={i.available} threshold={i.threshold} name={i.name ?? i.itemId} />
                  </td>
                </tr>
              ))}
          </Table>
        )}
      </Async>
    </>
  );
}
