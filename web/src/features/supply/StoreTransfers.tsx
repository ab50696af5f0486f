// Stock between nearby stores: ask a store within 100 miles, approve or deny
// what another store asks of this one, and count in what came.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiAt, ok } from '../../api/client';
import { dateTime } from '../../ui/format';
import { Table } from '../../ui/Table';
import { Async, ProblemAlert } from '../../ui/states';

const words: Record<string, string> = { PENDING: 'Waiting for the other store', IN_TRANSIT: 'On its way', RECEIVED: 'Received', DENIED: 'Denied' };

export function StoreTransfers({ storeId, base, position }: { storeId: string; base: string; position: { lat: number; lon: number } | undefined }) {
  const qc = useQueryClient();
  const key = ['supply', 'store-transfers', storeId];
  const [draft, setDraft] = useState({ fromStoreId: '', itemId: '', quantity: 6 });
  const nearby = useQuery({
    queryKey: ['nearby-stores', storeId],
    enabled: position !== undefined,
    staleTime: 60_000,
    queryFn: () => ok(apiAt(base).GET('/api/v1/stores/nearby', { params: { query: { lat: String(position!.lat), lon: String(position!.lon), radius: '100', limit: 30 } } })),
  });
  const list = useQuery({ queryKey: key, refetchInterval: 10_000, queryFn: () => ok(apiAt(base).GET('/api/v1/stores/{storeId}/transfers', { params: { path: { storeId }, query: { limit: 30 } } })) });
  const refresh = () => void qc.invalidateQueries({ queryKey: key });
  const ask = useMutation({
    mutationFn: () => ok(apiAt(base).POST('/api/v1/stores/{storeId}/transfers', { params: { path: { storeId } }, body: { fromStoreId: draft.fromStoreId, lines: [{ itemId: draft.itemId, quantity: draft.quantity }] } })),
    onSettled: refresh,
  });
  const act = useMutation({
    mutationFn: ({ transferId, how, lines }: { transferId: string; how: 'approve' | 'deny' | 'receive'; lines?: { itemId: string; quantity: number }[] }) =>
      how === 'approve'
        ? ok(apiAt(base).POST('/api/v1/store-transfers/{transferId}/approve', { params: { path: { transferId } } }))
        : how === 'deny'
          ? ok(apiAt(base).POST('/api/v1/store-transfers/{transferId}/deny', { params: { path: { transferId } }, body: {} }))
          : ok(apiAt(base).POST('/api/v1/store-transfers/{transferId}/receive', { params: { path: { transferId } }, body: { lines: (lines ?? []).map((l) => ({ itemId: l.itemId, received: l.quantity })) } })),
    onSettled: refresh,
  });
  const others = (nearby.data?.items ?? []).filter((s) => s.storeId !== storeId);
  return (
    <>
      <h2>From a nearby store</h2>
      <form
        className="panel row"
        onSubmit={(e) => {
          e.preventDefault();
          ask.mutate();
        }}
      >
        <label htmlFor="st-from">Ask</label>
        <select id="st-from" value={draft.fromStoreId} onChange={(e) => setDraft({ ...draft, fromStoreId: e.target.value })} required>
          <option value="">a store within 100 miles</option>
          {others.map((s) => (
            <option key={s.storeId} value={s.storeId}>
              {s.name} ({Math.round(s.distanceMiles)} mi)
            </option>
          ))}
        </select>
        <label htmlFor="st-item">Item id</label>
        <input id="st-item" value={draft.itemId} onChange={(e) => setDraft({ ...draft, itemId: e.target.value })} required placeholder="syrup-mint" />
        <label htmlFor="st-qty">Quantity</label>
        <input id="st-qty" type="number" min={1} value={draft.quantity} onChange={(e) => setDraft({ ...draft, quantity: Number(e.target.value) })} />
        <button type="submit" disabled={ask.isPending}>
          Ask for it
        </button>
      </form>
      <ProblemAlert error={ask.error ?? act.error} />
      <Async query={list} what="transfers between stores" empty={(d) => d.items.length === 0}>
        {(d) => (
          <Table caption="Stock asked of and by nearby stores" columns={['Way', 'Lines', 'Asked', 'Status', 'Act']}>
            {d.items.map((t) => {
              const asking = t.toStore === storeId;
              return (
                <tr key={t.transferId}>
                  <td>{asking ? `asked of a store ${t.miles} mi away` : `asked of us by a store ${t.miles} mi away`}</td>
                  <td>{t.lines.map((l) => `${l.received !== undefined ? `${l.received}/` : ''}${l.quantity} ${l.itemId}`).join(', ')}</td>
                  <td>{dateTime(t.requestedAt)}</td>
                  <td>{words[t.status] ?? t.status}</td>
                  <td className="row">
                    {!asking && t.status === 'PENDING' && (
                      <>
                        <button type="button" onClick={() => act.mutate({ transferId: t.transferId, how: 'approve' })}>
                          Send it <span className="sr-only">to the store that asked on {dateTime(t.requestedAt)}</span>
                        </button>
                        <button type="button" onClick={() => act.mutate({ transferId: t.transferId, how: 'deny' })}>
                          Decline <span className="sr-only">the ask of {dateTime(t.requestedAt)}</span>
                        </button>
                      </>
                    )}
                    {asking && t.status === 'IN_TRANSIT' && (
                      <button type="button" onClick={() => act.mutate({ transferId: t.transferId, how: 'receive', lines: t.lines })}>
                        Count in as sent <span className="sr-only">the stock asked on {dateTime(t.requestedAt)}</span>
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </Table>
        )}
      </Async>
    </>
  );
}
