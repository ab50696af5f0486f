// A super admin's people tools: look up a user's roles and give or revoke
// one; search the audit trail (who did what, where and when).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { apiAt, ok } from '../../api/client';
import { dateTime } from '../../ui/format';
import { Async, ProblemAlert } from '../../ui/states';

const ROLES = ['MANAGER', 'ADMIN', 'LOGISTICS_MANAGER', 'REPAIR_STAFF', 'SUPER_ADMIN'] as const;

export default function PeoplePage() {
  return (
    <section>
      <h1>Roles and audit</h1>
      <Roles />
      <Audit />
    </section>
  );
}

function Roles() {
  const [userId, setUserId] = useState('');
  const [asked, setAsked] = useState('');
  const [role, setRole] = useState<(typeof ROLES)[number]>('MANAGER');
  const [scope, setScope] = useState('');
  const qc = useQueryClient();
  const roles = useQuery({
    queryKey: ['roles', asked],
    enabled: asked !== '',
    queryFn: () => ok(apiAt().GET('/api/v1/users/{userId}/roles', { params: { path: { userId: asked } } }), 'This node'),
  });
  const give = useMutation({
    mutationFn: () => {
      const s = scope.trim();
      const where = role === 'MANAGER' || role === 'ADMIN' ? { storeId: s } : role === 'LOGISTICS_MANAGER' || role === 'REPAIR_STAFF' ? { regionCode: s.toUpperCase() } : {};
      return ok(apiAt().POST('/api/v1/roles', { body: { userId: asked, roleType: role, ...where } }), 'This node');
    },
    onSettled: () => qc.invalidateQueries({ queryKey: ['roles', asked] }),
  });
  const revoke = useMutation({
    mutationFn: (roleId: string) => ok(apiAt().DELETE('/api/v1/roles/{roleId}', { params: { path: { roleId } } }), 'This node'),
    onSettled: () => qc.invalidateQueries({ queryKey: ['roles', asked] }),
  });
  const look = (e: FormEvent) => {
    e.preventDefault();
    setAsked(userId.trim());
  };
  return (
    <div className="panel">
      <h2>A person's roles</h2>
      <form className="row" onSubmit={look}>
        <label htmlFor="role-user">User id</label>
        <input id="role-user" value={userId} onChange={(e) => setUserId(e.target.value)} required />
        <button type="submit">Look up</button>
      </form>
      {asked && (
        <Async query={roles} what="roles" empty={(d) => d.items.length === 0}>
          {(d) => (
            <ul className="list">
              {d.items.map((r) => (
                <li key={r.roleId}>
                  {r.roleType} {r.storeId && <>of store {r.storeId}</>} {r.regionCode && <>of region {r.regionCode}</>}{' '}
                  <button type="button" onClick={() => revoke.mutate(r.roleId)}>
                    Revoke <span className="sr-only">{r.roleType}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </Async>
      )}
      {asked && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            give.mutate();
          }}
        >
          <label htmlFor="give-role">Give role</label>
          <select id="give-role" value={role} onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
          <label htmlFor="give-scope">Store id or region</label>
          <input id="give-scope" value={scope} onChange={(e) => setScope(e.target.value)} />
          <button type="submit">Give</button>
        </form>
      )}
      <ProblemAlert error={give.error ?? revoke.error} />
    </div>
  );
}

function Audit() {
  const [text, setText] = useState('');
  const audit = useQuery({ queryKey: ['audit'], queryFn: () => ok(apiAt().GET('/api/v1/audit', { params: { query: { limit: 200 } } }), 'This node') });
  const q = text.trim().toLowerCase();
  return (
    <div className="panel">
      <h2>Audit trail</h2>
      <div className="row">
        <label htmlFor="audit-q">Search actor, action or target</label>
        <input id="audit-q" type="search" value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      <Async query={audit} what="audit entries" empty={(d) => d.items.length === 0}>
        {(d) => {
          const hits = d.items.filter((a) => !q || `${a.actor} ${a.action} ${a.target} ${a.node}`.toLowerCase().includes(q));
          return (
            <>
              <p className="small" role="status">
                {hits.length} of the latest {d.items.length} entries
              </p>
              <ul className="list">
                {hits.map((a) => (
                  <li key={a.auditId}>
                    {dateTime(a.at)} · {a.actor} · {a.action.replace(/_/g, ' ')} · {a.target}
                  </li>
                ))}
              </ul>
            </>
          );
        }}
      </Async>
    </div>
  );
}
