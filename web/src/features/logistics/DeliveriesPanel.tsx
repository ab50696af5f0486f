// The hub's deliveries: by status, each with its route on the map, the
// saving against the order the requests were given, the stops, what each
// store counted in (short and damaged), and dispatch or fail.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiAt, ok } from '../../api/client';
import { dateTime } from '../../ui/format';
import { Table } from '../../ui/Table';
import { Async, ProblemAlert } from '../../ui/states';
import { statusWords, supplyKeys } from '../supply/queries';
import { RouteMap } from './RouteMap';

const STATUSES = ['SCHEDULED', 'IN_TRANSIT', 'COMPLETED', 'FAILED'] as const;
const deliveryWords: Record<string, string> = { SCHEDULED: 'Scheduled', IN_TRANSIT: 'On the road', COMPLETED: 'Completed', FAILED: 'Failed' };

export function DeliveriesPanel({ hubId, base }: { hubId: string; base: string }) {
  const qc = useQueryClient();
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('SCHEDULED');
  const [chosen, setChosen] = useState<string | undefined>();
  const [reason, setReason] = useState('');
  const list = useQuery({
    queryKey: [...supplyKeys.deliveries(hubId), status],
    refetchInterval: 10_000,
    queryFn: () => ok(apiAt(base).GET('/api/v1/deliveries', { params: { query: { status, limit: 100 } } }), 'The hub'),
  });
  const act = useMutation({
    mutationFn: ({ deliveryId, how }: { deliveryId: string; how: 'dispatch' | 'fail' }) =>
      how === 'dispatch'
        ? ok(apiAt(base).POST('/api/v1/deliveries/{deliveryId}/dispatch', { params: { path: { deliveryId } } }), 'The hub')
        : ok(apiAt(base).POST('/api/v1/deliveries/{deliveryId}/fail', { params: { path: { deliveryId } }, body: { reason: reason.trim() || 'did not run' } }), 'The hub'),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: supplyKeys.deliveries(hubId) });
      void qc.invalidateQueries({ queryKey: supplyKeys.hub(hubId) });
      void qc.invalidateQueries({ queryKey: supplyKeys.hubStock(hubId) });
    },
  });
  return (
    <>
      <h2>Deliveries</h2>
      <div role="tablist" aria-label="Deliveries by status" className="tabs">
        {STATUSES.map((s) => (
          <button key={s} type="button" role="tab" aria-selected={status === s} onClick={() => setStatus(s)}>
            {deliveryWords[s]}
          </button>
        ))}
      </div>
      <ProblemAlert error={act.error} />
      <Async query={list} what="deliveries" empty={(d) => d.items.length === 0}>
        {(d) => {
          const shown = d.items.find((x) => x.deliveryId === chosen) ?? d.items[0]!;
          const saving = shown.route.givenOrderMiles > 0 ? Math.round((shown.savingMiles / shown.route.givenOrderMiles) * 100) : 0;
          return (
            <div className="split">
              <Table caption="Deliveries, newest day first" columns={['Day', 'Driver', 'Vehicle', 'Stops', 'Miles', 'Show']}>
                {d.items.map((x) => (
                  <tr key={x.deliveryId} aria-current={x.deliveryId === shown.deliveryId ? 'true' : undefined}>
                    <td>{x.scheduledDate}</td>
                    <td>{x.driver ?? 'not set'}</td>
                    <td>{x.vehicle ?? 'not set'}</td>
                    <td>{x.stops.length}</td>
                    <td>{x.route.miles}</td>
                    <td>
                      <button type="button" onClick={() => setChosen(x.deliveryId)}>
                        Show <span className="sr-only">the delivery of {x.scheduledDate} by {x.driver ?? 'no driver yet'}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </Table>
              <div className="panel">
                <h3>
                  {shown.scheduledDate}: {deliveryWords[shown.status]}
                </h3>
                <RouteMap start={shown.start} stops={shown.stops} title={`Route of the delivery of ${shown.scheduledDate}`} />
                <p>
                  {shown.route.miles} miles, about {Math.round(shown.route.minutes)} minutes with stops. In the order given: {shown.route.givenOrderMiles} miles, so the route saves{' '}
                  <strong>
                    {shown.savingMiles} miles ({saving} %)
                  </strong>
                  . Nearest neighbour: {shown.route.nearestNeighbourMiles} miles.
                </p>
                <Table caption="Stops in route order, and what each store counted in" columns={['#', 'Store', 'Request', 'Status', 'Short', 'Damaged']}>
                  {shown.stops.flatMap((s, i) =>
                    s.requestIds.map((id) => {
                      const r = shown.requests.find((q) => q.requestId === id);
                      return (
                        <tr key={id}>
                          <td>{i + 1}</td>
                          <td>{s.name}</td>
                          <td>{r ? r.items.map((l) => `${l.approvedQuantity ?? l.quantity} ${l.itemId}`).join(', ') : id.slice(0, 8)}</td>
                          <td>{r ? (statusWords[r.status] ?? r.status) : ''}{r?.receivedAt ? `, ${dateTime(r.receivedAt)}` : ''}</td>
                          <td>{r?.shortUnits ?? 0}</td>
                          <td>{r?.damagedUnits ?? 0}</td>
                        </tr>
                      );
                    }),
                  )}
                </Table>
                {shown.failureReason && <p>Failed: {shown.failureReason}</p>}
                <div className="row">
                  {shown.allowedNext.includes('IN_TRANSIT') && (
                    <button type="button" disabled={act.isPending} onClick={() => act.mutate({ deliveryId: shown.deliveryId, how: 'dispatch' })}>
                      Dispatch
                    </button>
                  )}
                  {shown.allowedNext.includes('FAILED') && (
                    <>
                      <label htmlFor="fail-reason">Why it failed</label>
                      <input id="fail-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
                      <button type="button" disabled={act.isPending} onClick={() => act.mutate({ deliveryId: shown.deliveryId, how: 'fail' })}>
                        Mark failed
                      </button>
                    </>
                  )}
                </div>
              </div>
            </div>
          );
        }}
      </Async>
    </>
  );
}
