// Stock between hubs: send to a hub within 1,000 miles (it leaves this hub's
// ledger now), and count in what another hub sent here.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiAt, ok } from '../../api/client';
import { dateTime } from '../../ui/format';
import { Table } from '../../ui/Table';
import { Async, ProblemAlert } from '../../ui/states';
import { supplyKeys } from '../supply/queries';

export function TransfersPanel({ hubId, base }: { hubId: string; base: string }) {
  const qc = useQueryClient();
  const regions = useQuery({ queryKey: ['regions'], staleTime: 60_000, queryFn: () => ok(apiAt().GET('/api/v1/regions'), 'This node') });
  const others = (regions.data?.items ?? []).flatMap((r) => (r.hub && r.hub.nodeId !== hubId ? [{ id: r.hub.nodeId, label: `${r.hub.name} (region ${r.code})` }] : []));
  const [draft, setDraft] = useState({ toHubId: '', itemId: '', quantity: 10 });
  const key = ['supply', 'transfers', hubId];
  const list = useQuery({ queryKey: key, refetchInterval: 10_000, queryFn: () => ok(apiAt(base).GET('/api/v1/hub-transfers', { params: { query: { limit: 50 } } }), 'The hub') });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: key });
    void qc.invalidateQueries({ queryKey: supplyKeys.hubStock(hubId) });
  };
  const sendIt = useMutation({
    mutationFn: () => ok(apiAt(base).POST('/api/v1/hub-transfers', { body: { toHubId: draft.toHubId, lines: [{ itemId: draft.itemId, quantity: draft.quantity }] } }), 'The hub'),
    onSettled: refresh,
  });
  const countIn = useMutation({
    mutationFn: (t: { transferId: string; lines: { itemId: string; quantity: number }[] }) =>
      ok(apiAt(base).POST('/api/v1/hub-transfers/{transferId}/receive', { params: { path: { transferId: t.transferId } }, body: { lines: t.lines.map((l) => ({ itemId: l.itemId, received: l.quantity })) } }), 'The hub'),
    onSettled: refresh,
  });
  return (
    <>
      <h2>Transfers between hubs</h2>
      <form
        className="panel row"
        onSubmit={(e) => {
          e.preventDefault();
          sendIt.mutate();
        }}
      >
        <label htmlFor="tr-hub">To</label>
        <select id="tr-hub" value={draft.toHubId} onChange={(e) => setDraft({ ...draft, toHubId: e.target.value })} required>
          <option value="">choose a hub</option>
          {others.map((h) => (
            <option key={h.id} value={h.id}>
              {h.label}
            </option>
          ))}
        </select>
        <label htmlFor="tr-item">Item id</label>
        <input id="tr-item" value={draft.itemId} onChange={(e) => setDraft({ ...draft, itemId: e.target.value })} required placeholder="syrup-cherry" />
        <label htmlFor="tr-qty">Quantity</label>
        <input id="tr-qty" type="number" min={1} value={draft.quantity} onChange={(e) => setDraft({ ...draft, quantity: Number(e.target.value) })} />
        <button type="submit" disabled={sendIt.isPending}>
          Send
        </button>
      </form>
      <ProblemAlert error={sendIt.error ?? countIn.error} />
      <Async query={list} what="transfers" empty={(d) => d.items.length === 0}>
        {(d) => (
          <Table caption="Transfers sent and coming, newest first" columns={['Way', 'Lines', 'Miles', 'Sent', 'Status', 'Act']}>
            {d.items.map((t) => (
              <tr key={t.transferId}>
                <td>{t.fromHub === hubId ? `to region ${t.toRegion}` : `from region ${t.fromRegion}`}</td>
                <td>{t.lines.map((l) => `${l.received !== undefined ? `${l.received}/` : ''}${l.quantity} ${l.itemId}`).join(', ')}</td>
                <td>{t.miles}</td>
                <td>{dateTime(t.sentAt)}</td>
                <td>
                  {t.status === 'RECEIVED' ? 'Received' : 'In transit'}
                  {t.shortUnits > 0 && <span className="tag">{t.shortUnits} short</span>}
                </td>
                <td>
                  {t.toHub === hubId && t.status === 'IN_TRANSIT' && (
                    <button type="button" onClick={() => countIn.mutate(t)}>
                      Count in as sent <span className="sr-only">the transfer from region {t.fromRegion}</span>
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
