// A store manager's supply: ask the region's hub for stock (low items come
// first, with a suggested quantity that brings each back to twice its
// threshold), and follow what was asked, cancelling while that is allowed.
import { useStoreInventory } from '../inventory/queries';
import { Table } from '../../ui/Table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { apiAt, ok } from '../../api/client';
import { dateTime } from '../../ui/format';
import { Async, Loading, ProblemAlert } from '../../ui/states';
import { useStoreNode } from '../stores/use-store-node';
import { statusWords, supplyKeys, URGENCIES } from './queries';
import { StoreDeliveries } from './StoreDeliveries';
import { StoreTransfers } from './StoreTransfers';
import { ToReorder } from './ToReorder';

type Urgency = (typeof URGENCIES)[number];

export default function StoreSupplyPage() {
  const { storeId = '' } = useParams();
  const { store, base } = useStoreNode(storeId);
  const qc = useQueryClient();
  const inventory = useStoreInventory(storeId, base);
  const requests = useQuery({
    queryKey: supplyKeys.store(storeId),
    enabled: base !== undefined,
    refetchInterval: 5000,
    queryFn: () => ok(apiAt(base).GET('/api/v1/stores/{storeId}/supply-requests', { params: { path: { storeId }, query: { limit: 100 } } })),
  });
  // What the region's hub has (fetched by the store from its hub; the last copy when the hub is away).
  const hubStock = useQuery({
    queryKey: ['hub-stock', storeId],
    enabled: base !== undefined,
    retry: 0,
    queryFn: () => ok(apiAt(base).GET('/api/v1/stores/{storeId}/hub-stock', { params: { path: { storeId } } })),
  });
  const atHub = new Map((hubStock.data?.items ?? []).map((i) => [i.itemId, i.available]));
  const [qty, setQty] = useState<Record<string, number>>({});
  const [urgency, setUrgency] = useState<Urgency>('NORMAL');
  const [notes, setNotes] = useState('');
  const submit = useMutation({
    mutationFn: () =>
      ok(
        apiAt(base).POST('/api/v1/stores/{storeId}/supply-requests', {
          params: { path: { storeId } },
          body: { items: Object.entries(qty).filter(([, q]) => q > 0).map(([itemId, quantity]) => ({ itemId, quantity })), urgency, ...(notes.trim() ? { notes: notes.trim() } : {}) },
        }),
      ),
    onSuccess: () => {
      setQty({});
      setNotes('');
    },
    onSettled: () => qc.invalidateQueries({ queryKey: supplyKeys.store(storeId) }),
  });
  const cancel = useMutation({
    mutationFn: (requestId: string) => ok(apiAt(base).PATCH('/api/v1/supply-requests/{requestId}', { params: { path: { requestId } }, body: { status: 'CANCELLED' } })),
    onSettled: () => qc.invalidateQueries({ queryKey: supplyKeys.store(storeId) }),
  });
  if (!base) return store.error ? <ProblemAlert error={store.error} /> : <Loading what="the store" />;
  const items = [...(inventory.data?.items ?? [])].sort((a, b) => Number(b.lowStock) - Number(a.lowStock) || a.name.localeCompare(b.name));
  const suggested = (i: { available: number; threshold: number }) => Math.max(0, i.threshold * 2 - i.available);
  const chosen = Object.values(qty).filter((q) => q > 0).length;
  return (
    <section>
      <h1>{store.data?.name}: supply</h1>
      <ToReorder storeId={storeId} base={base} onSuggest={(itemId, quantity) => setQty((q) => ({ ...q, [itemId]: quantity }))} />
      <form
        className="panel"
        aria-label="Ask the hub for stock"
        onSubmit={(e) => {
          e.preventDefault();
          submit.mutate();
        }}
      >
        <h2>Ask the hub for stock</h2>
        <p className="small">Low items come first; “suggest” fills in what brings an item back to twice its threshold.</p>
        {hubStock.data && (
          <p className="small" role="status">
            {hubStock.data.syncedAt ? (
              <>
                The hub's stock as of {dateTime(hubStock.data.syncedAt)}
                {hubStock.data.stale && <strong> (the last copy: the hub is not answering now)</strong>}.
              </>
            ) : (
              <>The hub's stock is not known yet ({hubStock.data.reason}).</>
            )}
          </p>
        )}
        {hubStock.error && <ProblemAlert error={hubStock.error} />}
        <Table caption="Items to ask for" columns={['Item', 'Available', 'Threshold', 'The hub has', 'Ask for']}>
            {items.map((i) => (
              <tr key={i.itemId}>
                <th scope="row">
                  {i.name} {i.lowStock && <span className="tag">low</span>}
                </th>
                <td>{i.available}</td>
                <td>{i.threshold}</td>
                <td>{atHub.get(i.itemId) ?? '—'}</td>
                <td className="row">
                  <input type="number" min={0} max={100000} aria-label={`Quantity of ${i.name} to ask for`} value={qty[i.itemId] ?? 0} onChange={(e) => setQty((q) => ({ ...q, [i.itemId]: Math.max(0, Number(e.target.value) || 0) }))} />
                  {suggested(i) > 0 && (
                    <button type="button" onClick={() => setQty((q) => ({ ...q, [i.itemId]: suggested(i) }))}>
                      Suggest {suggested(i)} <span className="sr-only">of {i.name}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
        </Table>
        <div className="row">
          <label htmlFor="sup-urgency">Urgency</label>
          <select id="sup-urgency" value={urgency} onChange={(e) => setUrgency(e.target.value as Urgency)}>
            {URGENCIES.map((u) => (
              <option key={u} value={u}>
                {u === 'CRITICAL' ? 'CRITICAL (out of stock)' : u}
              </option>
            ))}
          </select>
          <label htmlFor="sup-notes">Notes</label>
          <input id="sup-notes" maxLength={2000} value={notes} onChange={(e) => setNotes(e.target.value)} />
          <button type="submit" className="primary" disabled={chosen === 0 || submit.isPending}>
            Send the request ({chosen} item{chosen === 1 ? '' : 's'})
          </button>
        </div>
        <ProblemAlert error={submit.error} />
        {submit.isSuccess && <p role="status">Request sent. It reaches the hub as soon as the hub answers.</p>}
      </form>
      <StoreDeliveries storeId={storeId} base={base} />
      <StoreTransfers storeId={storeId} base={base} position={store.data?.lat != null && store.data.lon != null ? { lat: store.data.lat, lon: store.data.lon } : undefined} />
      <h2>Requests</h2>
      <ProblemAlert error={cancel.error} />
      <Async query={requests} what="supply requests" empty={(d) => d.items.length === 0}>
        {(d) => (
          <ul className="list" aria-label="Supply requests of this store">
            {d.items.map((r) => (
              <li key={r.requestId}>
                <strong>{statusWords[r.status] ?? r.status}</strong> · {r.urgency} · {dateTime(r.createdAt)} · {r.items.map((l) => `${l.quantity} ${l.itemId}${l.approvedQuantity !== undefined && l.approvedQuantity < l.quantity ? ` (${l.approvedQuantity} approved, rest back-ordered)` : ''}`).join(', ')}
                {r.overdue && <span className="tag">overdue</span>}
                {r.cancelAskedAt && r.status !== 'CANCELLED' && <span className="tag">cancel asked</span>}
                {r.reviewNotes && <> · “{r.reviewNotes}”</>}{' '}
                {r.allowedNext.includes('CANCELLED') && !r.cancelAskedAt && (
                  <button type="button" onClick={() => cancel.mutate(r.requestId)}>
                    Cancel <span className="sr-only">request of {dateTime(r.createdAt)}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Async>
    </section>
  );
}
