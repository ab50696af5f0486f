// A store's deliveries: when each comes, with whom, and, for one on the
// road, the count form: what arrived in good order and what was damaged,
// line by line (the rest is recorded short, and the hub sees it).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiAt, ok } from '../../api/client';
import { Async, ProblemAlert } from '../../ui/states';
import { supplyKeys } from './queries';

const words: Record<string, string> = { SCHEDULED: 'Scheduled', IN_TRANSIT: 'On the road', COMPLETED: 'Delivered', FAILED: 'Did not come' };

export function StoreDeliveries({ storeId, base }: { storeId: string; base: string }) {
  const list = useQuery({
    queryKey: supplyKeys.deliveries(storeId),
    refetchInterval: 10_000,
    queryFn: () => ok(apiAt(base).GET('/api/v1/deliveries', { params: { query: { limit: 20 } } })),
  });
  return (
    <>
      <h2>Deliveries</h2>
      <Async query={list} what="deliveries to this store" empty={(d) => d.items.length === 0}>
        {(d) => (
          <ul className="list" aria-label="Deliveries to this store">
            {d.items.map((x) => {
              const stop = x.stops.findIndex((s) => s.storeId === storeId);
              const mine = x.requests.filter((r) => r.storeId === storeId);
              return (
                <li key={x.deliveryId}>
                  <strong>{words[x.status] ?? x.status}</strong> · {x.scheduledDate} · stop {stop + 1} of {x.stops.length}
                  {x.driver && <> · driver {x.driver}</>}
                  {x.vehicle && <> · {x.vehicle}</>}
                  {mine.map((r) =>
                    r.status === 'IN_TRANSIT' ? (
                      <CountForm key={r.requestId} storeId={storeId} base={base} deliveryId={x.deliveryId} request={r} />
                    ) : r.receipt ? (
                      <p key={r.requestId}>
                        Counted in: {r.receipt.map((l) => `${l.received} of ${l.shipped} ${l.itemId}${l.damaged ? `, ${l.damaged} damaged` : ''}${l.short ? `, ${l.short} short` : ''}`).join('; ')}
                      </p>
                    ) : null,
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </Async>
    </>
  );
}

interface Line {
  itemId: string;
  quantity: number;
  approvedQuantity?: number;
}

function CountForm({ storeId, base, deliveryId, request }: { storeId: string; base: string; deliveryId: string; request: { requestId: string; items: Line[] } }) {
  const qc = useQueryClient();
  const shipped = request.items.filter((l) => (l.approvedQuantity ?? l.quantity) > 0);
  const [counts, setCounts] = useState<Record<string, { received: number; damaged: number }>>(() => Object.fromEntries(shipped.map((l) => [l.itemId, { received: l.approvedQuantity ?? l.quantity, damaged: 0 }])));
  const count = useMutation({
    mutationFn: () =>
      ok(
        apiAt(base).POST('/api/v1/deliveries/{deliveryId}/receipt', {
          params: { path: { deliveryId } },
          body: { requestId: request.requestId, lines: shipped.map((l) => ({ itemId: l.itemId, received: counts[l.itemId]!.received, damaged: counts[l.itemId]!.damaged })) },
        }),
      ),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: supplyKeys.deliveries(storeId) });
      void qc.invalidateQueries({ queryKey: supplyKeys.store(storeId) });
    },
  });
  const set = (itemId: string, field: 'received' | 'damaged', v: number) => setCounts((c) => ({ ...c, [itemId]: { ...c[itemId]!, [field]: Math.max(0, Math.floor(v || 0)) } }));
  return (
    <form
      className="panel"
      aria-label="Count the delivery in"
      onSubmit={(e) => {
        e.preventDefault();
        count.mutate();
      }}
    >
      <h3>Count it in</h3>
      {shipped.map((l) => {
        const sent = l.approvedQuantity ?? l.quantity;
        const c = counts[l.itemId]!;
        const short = sent - c.received - c.damaged;
        return (
          <fieldset key={l.itemId} className="row">
            <legend>
              {l.itemId}: {sent} shipped
            </legend>
            <label htmlFor={`rcv-${request.requestId}-${l.itemId}`}>Arrived in good order</label>
            <input id={`rcv-${request.requestId}-${l.itemId}`} type="number" min={0} max={sent} value={c.received} onChange={(e) => set(l.itemId, 'received', Number(e.target.value))} />
            <label htmlFor={`dmg-${request.requestId}-${l.itemId}`}>Damaged</label>
            <input id={`dmg-${request.requestId}-${l.itemId}`} type="number" min={0} max={sent} value={c.damaged} onChange={(e) => set(l.itemId, 'damaged', Number(e.target.value))} />
            <span aria-live="polite">{short < 0 ? 'more than was shipped' : short > 0 ? `${short} short` : 'all there'}</span>
          </fieldset>
        );
      })}
      <button type="submit" className="primary" disabled={count.isPending}>
        Confirm the count
      </button>
      <ProblemAlert error={count.error} />
    </form>
  );
}
