// The hub's requests queue (CRITICAL first, overdue marked) with approve,
// approve what is there, and deny; approved requests not yet on a delivery
// can be chosen and put on one, whose stops the route optimiser orders.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiAt, ok } from '../../api/client';
import { dateTime } from '../../ui/format';
import { Table } from '../../ui/Table';
import { Async, ProblemAlert } from '../../ui/states';
import { statusWords, supplyKeys, useStoreNames } from '../supply/queries';

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

export function RequestsQueue({ hubId, base, region }: { hubId: string; base: string; region: string }) {
  const qc = useQueryClient();
  const storeName = useStoreNames(region, base);
  const [status, setStatus] = useState<'PENDING' | 'APPROVED' | undefined>('PENDING');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [plan, setPlan] = useState({ scheduledDate: tomorrow(), driver: '', vehicle: '' });
  const queue = useQuery({
    queryKey: [...supplyKeys.hub(hubId), status],
    refetchInterval: 5000,
    queryFn: () => ok(apiAt(base).GET('/api/v1/hubs/{hubId}/supply-requests', { params: { path: { hubId }, query: { limit: 200, ...(status ? { status } : {}) } } }), 'The hub'),
  });
  const done = () => {
    void qc.invalidateQueries({ queryKey: supplyKeys.hub(hubId) });
    void qc.invalidateQueries({ queryKey: supplyKeys.hubStock(hubId) });
    void qc.invalidateQueries({ queryKey: supplyKeys.deliveries(hubId) });
  };
  const decide = useMutation({
    mutationFn: ({ requestId, how }: { requestId: string; how: 'approve' | 'partial' | 'deny' }) =>
      how === 'deny'
        ? ok(apiAt(base).POST('/api/v1/supply-requests/{requestId}/deny', { params: { path: { requestId } }, body: {} }), 'The hub')
        : ok(apiAt(base).POST('/api/v1/supply-requests/{requestId}/approve', { params: { path: { requestId } }, body: { partial: how === 'partial' } }), 'The hub'),
    onSettled: done,
  });
  const planDelivery = useMutation({
    mutationFn: () =>
      ok(
        apiAt(base).POST('/api/v1/deliveries', {
          body: { requestIds: [...picked], scheduledDate: plan.scheduledDate, ...(plan.driver.trim() ? { driver: plan.driver.trim() } : {}), ...(plan.vehicle.trim() ? { vehicle: plan.vehicle.trim() } : {}) },
        }),
        'The hub',
      ),
    onSuccess: () => setPicked(new Set()),
    onSettled: done,
  });
  const toggle = (id: string) => setPicked((p) => (p.has(id) ? new Set([...p].filter((x) => x !== id)) : new Set([...p, id])));
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
      <ProblemAlert error={decide.error ?? planDelivery.error} />
      {planDelivery.isSuccess && (
        <p role="status">
          Delivery planned: {planDelivery.data.stops.length} stops, {planDelivery.data.route.miles} miles (saves {planDelivery.data.savingMiles} miles against the order chosen).
        </p>
      )}
      <Async query={queue} what="requests" empty={(d) => d.items.length === 0}>
        {(d) => (
          <>
            <Table caption="Supply requests, most urgent first" columns={['Urgency', 'Store', 'Asked', 'Items', 'Status', 'Act']}>
              {d.items.map((r) => (
                <tr key={r.requestId}>
                  <td>
                    {r.urgency} {r.overdue && <span className="tag">overdue</span>}
                  </td>
                  <td>{storeName(r.storeId)}</td>
                  <td>{dateTime(r.createdAt)}</td>
                  <td>{r.items.map((l) => `${l.quantity} ${l.itemId}${l.approvedQuantity !== undefined && l.approvedQuantity < l.quantity ? ` (${l.approvedQuantity} held)` : ''}`).join(', ')}</td>
                  <td>
                    {statusWords[r.status] ?? r.status}
                    {r.deliveryId && <span className="tag">on a delivery</span>}
                  </td>
                  <td className="row">
                    {r.allowedNext.includes('APPROVED') && r.status === 'PENDING' && (
                      <>
                        <button type="button" disabled={decide.isPending} onClick={() => decide.mutate({ requestId: r.requestId, how: 'approve' })}>
                          Approve <span className="sr-only">the request of {storeName(r.storeId)}</span>
                        </button>
                        <button type="button" disabled={decide.isPending} onClick={() => decide.mutate({ requestId: r.requestId, how: 'partial' })}>
                          Approve what is there <span className="sr-only">for {storeName(r.storeId)}</span>
                        </button>
                        <button type="button" disabled={decide.isPending} onClick={() => decide.mutate({ requestId: r.requestId, how: 'deny' })}>
                          Deny <span className="sr-only">the request of {storeName(r.storeId)}</span>
                        </button>
                      </>
                    )}
                    {r.status === 'APPROVED' && !r.coveredBy && r.items.some((l) => (l.approvedQuantity ?? l.quantity) < l.quantity) && (
                      <CoverFrom base={base} hubId={hubId} requestId={r.requestId} store={storeName(r.storeId)} onDone={done} />
                    )}
                    {r.coveredBy && <span className="tag">back-order covered by another hub</span>}
                    {r.status === 'APPROVED' && !r.deliveryId && (
                      <label>
                        <input type="checkbox" checked={picked.has(r.requestId)} onChange={() => toggle(r.requestId)} /> Put on the delivery <span className="sr-only">the request of {storeName(r.storeId)}</span>
                      </label>
                    )}
                  </td>
                </tr>
              ))}
            </Table>
            {picked.size > 0 && (
              <form
                className="panel row"
                onSubmit={(e) => {
                  e.preventDefault();
                  planDelivery.mutate();
                }}
              >
                <strong>{picked.size} request(s) chosen</strong>
                <label htmlFor="plan-date">Day</label>
                <input id="plan-date" type="date" value={plan.scheduledDate} onChange={(e) => setPlan({ ...plan, scheduledDate: e.target.value })} required />
                <label htmlFor="plan-driver">Driver</label>
                <input id="plan-driver" value={plan.driver} onChange={(e) => setPlan({ ...plan, driver: e.target.value })} maxLength={120} />
                <label htmlFor="plan-vehicle">Vehicle</label>
                <input id="plan-vehicle" value={plan.vehicle} onChange={(e) => setPlan({ ...plan, vehicle: e.target.value })} maxLength={120} />
                <button type="submit" disabled={planDelivery.isPending}>
                  Plan the delivery
                </button>
              </form>
            )}
          </>
        )}
      </Async>
    </>
  );
}

/** Asks a neighbouring hub to cover what this hub back-ordered. */
function CoverFrom({ base, hubId, requestId, store, onDone }: { base: string; hubId: string; requestId: string; store: string; onDone: () => void }) {
  const regions = useQuery({ queryKey: ['regions'], staleTime: 60_000, queryFn: () => ok(apiAt().GET('/api/v1/regions'), 'This node') });
  const others = (regions.data?.items ?? []).flatMap((r) => (r.hub && r.hub.nodeId !== hubId ? [{ id: r.hub.nodeId, label: `${r.hub.name} (${r.code})` }] : []));
  const [to, setTo] = useState('');
  const cover = useMutation({
    mutationFn: () => ok(apiAt(base).POST('/api/v1/supply-requests/{requestId}/cover', { params: { path: { requestId } }, body: { hubId: to } }), 'The hub'),
    onSettled: onDone,
  });
  return (
    <span className="row">
      <label htmlFor={`cover-${requestId}`}>Cover the rest from</label>
      <select id={`cover-${requestId}`} value={to} onChange={(e) => setTo(e.target.value)}>
        <option value="">a neighbouring hub</option>
        {others.map((h) => (
          <option key={h.id} value={h.id}>
            {h.label}
          </option>
        ))}
      </select>
      <button type="button" disabled={!to || cover.isPending} onClick={() => cover.mutate()}>
        Ask <span className="sr-only">that hub to cover the rest of the request of {store}</span>
      </button>
      <ProblemAlert error={cover.error} />
    </span>
  );
}
