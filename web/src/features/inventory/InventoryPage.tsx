// A store's stock: each item with a bar against its threshold, a form for
// receipts, adjustments and damage, the count sheet as CSV out and in, and
// the ledger of what moved.
import { useStoreInventory } from './queries';
import { CsvFileInput } from '../../ui/CsvFileInput';
import { Table } from '../../ui/Table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { apiAt, ok, postCsv, TIMEOUT_MS } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import { getSession } from '../../api/session';
import { dateTime } from '../../ui/format';
import { StockBar } from '../../ui/StockBar';
import { Async, Loading, ProblemAlert } from '../../ui/states';
import { useStoreNode } from '../stores/use-store-node';

type TxType = 'receipt' | 'adjustment' | 'damage';

export default function InventoryPage() {
  const { storeId = '' } = useParams();
  const { store, base } = useStoreNode(storeId);
  const qc = useQueryClient();
  const inventory = useStoreInventory(storeId, base);
  const ledger = useQuery({
    queryKey: ['ledger', storeId],
    enabled: base !== undefined,
    queryFn: () => ok(apiAt(base).GET('/api/v1/stores/{storeId}/inventory/transactions', { params: { path: { storeId }, query: { limit: 30 } } })),
  });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['inventory', storeId] });
    void qc.invalidateQueries({ queryKey: ['ledger', storeId] });
  };
  if (!base) return store.error ? <ProblemAlert error={store.error} /> : <Loading what="the store" />;
  const items = inventory.data?.items ?? [];
  return (
    <section>
      <h1>{store.data?.name}: inventory</h1>
      <MovementForm storeId={storeId} base={base} items={items.map((i) => ({ itemId: i.itemId, name: i.name }))} onDone={refresh} />
      <CsvTools storeId={storeId} base={base} onDone={refresh} />
      <h2>Stock</h2>
      <Async query={inventory} what="stock" empty={(d) => d.items.length === 0}>
        {(d) => (
          <Table caption="Stock per item" columns={['Item', 'Available', 'On hand', 'Reserved', 'Threshold', 'Level']}>
              {d.items.map((i) => (
                <tr key={i.itemId}>
                  <th scope="row">{i.name}</th>
                  <td>{i.available}</td>
                  <td>{i.onHand}</td>
                  <td>{i.reserved}</td>
                  <td>{i.threshold}</td>
                  <td>
                    <StockBar available={i.available} threshold={i.threshold} name={i.name} />
                  </td>
                </tr>
              ))}
          </Table>
        )}
      </Async>
      <h2>Recent movements</h2>
      <Async query={ledger} what="movements" empty={(d) => d.items.length === 0}>
        {(d) => (
          <ul className="list">
            {d.items.map((t) => (
              <li key={t.txId}>
                {dateTime(t.at)} · {t.type.replace(/_/g, ' ')} · {t.itemId} · {t.quantity > 0 ? `+${t.quantity}` : t.quantity}
                {t.reason && <> · {t.reason}</>}
              </li>
            ))}
          </ul>
        )}
      </Async>
    </section>
  );
}

function MovementForm({ storeId, base, items, onDone }: { storeId: string; base: string; items: { itemId: string; name: string }[]; onDone: () => void }) {
  const [type, setType] = useState<TxType>('receipt');
  const [itemId, setItemId] = useState('');
  const [quantity, setQuantity] = useState('');
  const [reason, setReason] = useState('');
  const record = useMutation({
    mutationFn: () =>
      ok(
        apiAt(base).POST('/api/v1/stores/{storeId}/inventory/transactions', {
          params: { path: { storeId } },
          headers: { 'idempotency-key': crypto.randomUUID() },
          body: { type, itemId: itemId || items[0]?.itemId || '', quantity: Number(quantity), ...(reason.trim() ? { reason: reason.trim() } : {}) },
        }),
      ),
    onSuccess: () => {
      setQuantity('');
      setReason('');
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    record.mutate();
  };
  return (
    <form className="panel" onSubmit={submit} aria-label="Record a stock movement">
      <h2>Record a movement</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="mv-type">Kind</label>
          <select id="mv-type" value={type} onChange={(e) => setType(e.target.value as TxType)}>
            <option value="receipt">Receipt (goods in)</option>
            <option value="adjustment">Adjustment (+ or −)</option>
            <option value="damage">Damage (goods lost)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="mv-item">Item</label>
          <select id="mv-item" value={itemId || items[0]?.itemId || ''} onChange={(e) => setItemId(e.target.value)}>
            {items.map((i) => (
              <option key={i.itemId} value={i.itemId}>
                {i.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="mv-qty">Quantity</label>
          <input id="mv-qty" type="number" required step={1} value={quantity} onChange={(e) => setQuantity(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="mv-reason">Reason</label>
          <input id="mv-reason" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <button type="submit" disabled={record.isPending}>
          Record
        </button>
      </div>
      <ProblemAlert error={record.error} />
      {record.isSuccess && <p role="status">Recorded.</p>}
    </form>
  );
}

/** The count sheet: downloaded with the person's token (never in the URL), uploaded as text/csv. */
function CsvTools({ storeId, base, onDone }: { storeId: string; base: string; onDone: () => void }) {
  const url = `${base}/api/v1/stores/${storeId}/inventory.csv`;
  const auth = (): Record<string, string> => {
    const s = getSession();
    return s ? { authorization: `Bearer ${s.token}` } : {};
  };
  const download = useMutation({
    mutationFn: async () => {
      const res = await fetch(url, { headers: auth(), signal: AbortSignal.timeout(TIMEOUT_MS) }).catch((e: unknown) => {
        throw ApiProblem.unreachable('The store', e);
      });
      if (!res.ok) throw ApiProblem.fromBody(res.status, await res.json().catch(() => ({})));
      const href = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = href;
      a.download = `inventory-${storeId}.csv`;
      a.click();
      URL.revokeObjectURL(href);
    },
  });
  const upload = useMutation({
    mutationFn: (file: File) => postCsv<{ applied?: number; unchanged?: number }>(url, file, 'The store', 30_000),
    onSuccess: onDone,
  });
  return (
    <div className="panel">
      <h2>Count sheet (CSV)</h2>
      <div className="row">
        <button type="button" onClick={() => download.mutate()} disabled={download.isPending}>
          Download the count sheet
        </button>
        <CsvFileInput id="csv-in" label="Import a count" onFile={(f) => upload.mutate(f)} />
      </div>
      <ProblemAlert error={download.error ?? upload.error} />
      {upload.isSuccess && <p role="status">Count imported.</p>}
    </div>
  );
}
