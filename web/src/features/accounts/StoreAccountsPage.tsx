// A store admin's people: the accounts made at this store, active or
// disabled, with enable, disable and "make manager"; and the store's audit.
import { Table } from '../../ui/Table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { apiAt, ok } from '../../api/client';
import { dateTime } from '../../ui/format';
import { Async, Loading, ProblemAlert } from '../../ui/states';
import { useStoreNode } from '../stores/use-store-node';

export default function StoreAccountsPage() {
  const { storeId = '' } = useParams();
  const { store, base } = useStoreNode(storeId);
  const qc = useQueryClient();
  const accounts = useQuery({
    queryKey: ['accounts', storeId],
    enabled: base !== undefined,
    queryFn: () => ok(apiAt(base).GET('/api/v1/stores/{storeId}/accounts', { params: { path: { storeId }, query: { limit: 200 } } })),
  });
  const audit = useQuery({
    queryKey: ['store-audit', storeId],
    enabled: base !== undefined,
    queryFn: () => ok(apiAt(base).GET('/api/v1/stores/{storeId}/audit', { params: { path: { storeId }, query: { limit: 50 } } })),
  });
  const names = new Map((accounts.data?.items ?? []).map((a) => [a.userId, a.username]));
  const done = () => {
    void qc.invalidateQueries({ queryKey: ['accounts', storeId] });
    void qc.invalidateQueries({ queryKey: ['store-audit', storeId] });
  };
  const toggle = useMutation({
    mutationFn: ({ userId, enable }: { userId: string; enable: boolean }) =>
      enable
        ? ok(apiAt(base).POST('/api/v1/stores/{storeId}/accounts/{userId}/enable', { params: { path: { storeId, userId } }, body: {} }))
        : ok(apiAt(base).POST('/api/v1/stores/{storeId}/accounts/{userId}/disable', { params: { path: { storeId, userId } }, body: { reason: 'disabled by the store admin' } })),
    onSettled: done,
  });
  const promote = useMutation({
    mutationFn: (userId: string) => ok(apiAt(base).POST('/api/v1/roles', { body: { userId, roleType: 'MANAGER', storeId } })),
    onSettled: done,
  });
  if (!base) return store.error ? <ProblemAlert error={store.error} /> : <Loading what="the store" />;
  return (
    <section>
      <h1>{store.data?.name}: accounts</h1>
      <ProblemAlert error={toggle.error ?? promote.error} />
      {promote.isSuccess && <p role="status">Manager role given.</p>}
      <Async query={accounts} what="accounts" empty={(d) => d.items.length === 0}>
        {(d) => (
          <Table caption="Accounts made at this store" columns={['Username', 'Email', 'Since', 'Status', 'Actions']}>
              {d.items.map((a) => (
                <tr key={a.userId}>
                  <th scope="row">{a.username}</th>
                  <td>{a.email}</td>
                  <td>{dateTime(a.createdAt)}</td>
                  <td>{a.status === 'active' ? 'Active' : 'Disabled'}</td>
                  <td className="row">
                    <button type="button" disabled={toggle.isPending} onClick={() => toggle.mutate({ userId: a.userId, enable: a.status !== 'active' })}>
                      {a.status === 'active' ? 'Disable' : 'Enable'} <span className="sr-only">{a.username}</span>
                    </button>
                    {a.status === 'active' && (
                      <button type="button" disabled={promote.isPending} onClick={() => promote.mutate(a.userId)}>
                        Make <span className="sr-only">{a.username}</span> manager
                      </button>
                    )}
                  </td>
                </tr>
              ))}
          </Table>
        )}
      </Async>
      <h2>What was done here</h2>
      <Async query={audit} what="audit entries" empty={(d) => d.items.length === 0}>
        {(d) => (
          <ul className="list" aria-label="Audit of this store">
            {d.items.map((a) => (
              <li key={a.auditId}>
                {dateTime(a.at)} · {a.action.replace(/[._]/g, ' ')} · {names.get(a.target.replace(/^user:/, '')) ?? a.target} · by {names.get(a.actor) ?? a.actor}
                {typeof a.detail.reason === 'string' && <> · “{a.detail.reason}”</>}
              </li>
            ))}
          </ul>
        )}
      </Async>
    </section>
  );
}
