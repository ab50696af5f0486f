// The hub's stock with bars against thresholds, and its purchase orders to
// suppliers: draft, approve (on order), receive in parts, cancel.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiAt, ok } from '../../api/client';
import { StockBar } from '../../ui/StockBar';
import { Table } from '../../ui/Table';
import { Async, ProblemAlert } from '../../ui/states';
import { supplyKeys } from '../supply/queries';
import { TransfersPanel } from './TransfersPanel';

export function HubStockPanel({ hubId, base }: { hubId: string; base: string }) {
  const stock = useQuery({ queryKey: supplyKeys.hubStock(hubId), queryFn: () => ok(apiAt(base).GET('/api/v1/hubs/{hubId}/inventory', { params: { path: { hubId } } }), 'The hub') });
  return (
    <>
      <h2>Hub stock</h2>
      <Async query={stock} what="hub stock" empty={(d) => d.items.length === 0}>
        {(d) => (
          <Table caption="The hub's stock per item" columns={['Item', 'On hand', 'Held for requests', 'Available', 'On order', 'Level']}>
            {d.items.map((i) => (
              <tr key={i.itemId}>
                <th scope="row">{i.name ?? i.itemId}</th>
                <td>{i.onHand}</td>
                <td>{i.reserved}</td>
                <td>{i.available}</td>
                <td>{i.onOrder}</td>
                <td>
                  <StockBar available={i.available} threshold={i.threshold} name={i.name ?? i.itemId} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Async>
      <PurchaseOrders hubId={hubId} base={base} />
      <TransfersPanel hubId={hubId} base={base} />
    </>
  );
}

function PurchaseOrders({ hubId, base }: { hubId: string; base: string }) {
  const qc = useQueryClient();
  const [draft, setDraft] = useState({ supplier: '', itemId: '', quantity: 12, expectedDate: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10) });
  const pos = useQuery({ queryKey: supplyKeys.purchaseOrders(hubId), queryFn: () => ok(apiAt(base).GET('/api/v1/purchase-orders', { params: { query: { limit: 50 } } }), 'The hub') });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: supplyKeys.purchaseOrders(hubId) });
    void qc.invalidateQueries({ queryKey: supplyKeys.hubStock(hubId) });
  };
  const create = useMutation({
    mutationFn: () => ok(apiAt(base).POST('/api/v1/purchase-orders', { body: { supplier: draft.supplier, lines: [{ itemId: draft.itemId, quantity: draft.quantity }], expectedDate: draft.expectedDate } }), 'The hub'),
    onSettled: refresh,
  });
  const act = useMutation({
    mutationFn: ({ poId, how, lines }: { poId: string; how: 'approve' | 'cancel' | 'receive'; lines?: { itemId: string; quantity: number }[] }) =>
      how === 'approve'
        ? ok(apiAt(base).POST('/api/v1/purchase-orders/{poId}/approve', { params: { path: { poId } } }), 'The hub')
        : how === 'cancel'
          ? ok(apiAt(base).POST('/api/v1/purchase-orders/{poId}/cancel', { params: { path: { poId } } }), 'The hub')
          : ok(apiAt(base).POST('/api/v1/purchase-orders/{poId}/receipt', { params: { path: { poId } }, body: { lines: lines ?? [] } }), 'The hub'),
    onSettled: refresh,
  });
  return (
    <>
      <h2>Purchase orders</h2>
      <form
        className="panel row"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <label htmlFor="po-supplier">Supplier</label>
        <input id="po-supplier" value={draft.supplier} onChange={(e) => setDraft({ ...draft, supplier: e.target.value })} required maxLength={200} />
        <label htmlFor="po-item">Item id</label>
        <input id="po-item" value={draft.itemId} onChange={(e) => setDraft({ ...draft, itemId: e.target.value })} required placeholder="syrup-cherry" />
        <label htmlFor="po-qty">Quantity</label>
        <input id="po-qty" type="number" min={1} value={draft.quantity} onChange={(e) => setDraft({ ...draft, quantity: Number(e.target.value) })} />
        <label htmlFor="po-date">Expected</label>
        <input id="po-date" type="date" value={draft.expectedDate} onChange={(e) => setDraft({ ...draft, expectedDate: e.target.value })} />
        <button type="submit" disabled={create.isPending}>
          Draft the order
        </button>
      </form>
      <ProblemAlert error={create.error ?? act.error} />
      <Async query={pos} what="purchase orders" empty={(d) => d.items.length === 0}>
        {(d) => (
          <Table caption="Purchase orders, newest first" columns={['Supplier', 'Lines', 'Expected', 'Status', 'Outstanding', 'Act']}>
            {d.items.map((po) => (
              <tr key={po.poId}>
                <th scope="row">{po.supplier}</th>
                <td>{po.lines.map((l) => `${l.received}/${l.quantity} ${l.itemId}`).join(', ')}</td>
                <td>{po.expectedDate}</td>
                <td>{po.status}</td>
                <td>{po.outstanding}</td>
                <td className="row">
                  {po.allowedNext.includes('APPROVED') && (
                    <button type="button" onClick={() => act.mutate({ poId: po.poId, how: 'approve' })}>
                      Approve <span className="sr-only">the order from {po.supplier}</span>
                    </button>
                  )}
                  {po.allowedNext.includes('RECEIVED') && (
                    <button type="button" onClick={() => act.mutate({ poId: po.poId, how: 'receive', lines: po.lines.filter((l) => l.quantity > l.received).map((l) => ({ itemId: l.itemId, quantity: l.quantity - l.received })) })}>
                      Receive the rest <span className="sr-only">of the order from {po.supplier}</span>
                    </button>
                  )}
                  {po.allowedNext.includes('CANCELLED') && (
                    <button type="button" onClick={() => act.mutate({ poId: po.poId, how: 'cancel' })}>
                      Cancel <span className="sr-only">the order from {po.supplier}</span>
                    </button>
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
