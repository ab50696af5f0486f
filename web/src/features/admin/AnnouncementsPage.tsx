// Announcements: read what this node holds; a super admin publishes to the
// whole chain, a logistics manager to their region; retract one.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiAt, ok } from '../../api/client';
import { useSession } from '../../api/use-session';
import { dateTime } from '../../ui/format';
import { Async, ProblemAlert } from '../../ui/states';

export default function AnnouncementsPage() {
  const session = useSession();
  const region = session?.user.roles.find((r) => r.role === 'LOGISTICS_MANAGER')?.regionCode;
  const isSuper = session?.user.roles.some((r) => r.role === 'SUPER_ADMIN') ?? false;
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['announcements'], queryFn: () => ok(apiAt().GET('/api/v1/announcements', { params: { query: { limit: 50 } } }), 'This node') });
  const publish = useMutation({
    mutationFn: () =>
      ok(apiAt().POST('/api/v1/announcements', { body: isSuper ? { scope: 'global', title, body } : { scope: 'region', region: region ?? '', title, body } }), 'This node'),
    onSuccess: () => {
      setTitle('');
      setBody('');
    },
    onSettled: () => qc.invalidateQueries({ queryKey: ['announcements'] }),
  });
  const retract = useMutation({
    mutationFn: (announcementId: string) => ok(apiAt().PATCH('/api/v1/announcements/{announcementId}', { params: { path: { announcementId } }, body: { retracted: true } }), 'This node'),
    onSettled: () => qc.invalidateQueries({ queryKey: ['announcements'] }),
  });
  return (
    <section>
      <h1>Announcements</h1>
      <form
        className="panel"
        onSubmit={(e) => {
          e.preventDefault();
          publish.mutate();
        }}
      >
        <h2>Publish {isSuper ? 'to every store' : `to region ${region ?? ''}`}</h2>
        <div className="field">
          <label htmlFor="ann-title">Title</label>
          <input id="ann-title" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="ann-body">Message</label>
          <textarea id="ann-body" required maxLength={10000} rows={4} value={body} onChange={(e) => setBody(e.target.value)} />
        </div>
        <ProblemAlert error={publish.error} />
        <button type="submit" disabled={publish.isPending}>
          Publish
        </button>
      </form>
      <ProblemAlert error={retract.error} />
      <Async query={list} what="announcements" empty={(d) => d.items.length === 0}>
        {(d) => (
          <ul className="list">
            {d.items.map((a) => (
              <li key={a.announcementId}>
                <strong>{a.title}</strong> · {a.scope === 'global' ? 'everyone' : `region ${a.region}`} · {dateTime(a.publishedAt)}
                {a.retracted && <span className="tag">retracted</span>}
                <p>{a.body}</p>
                {!a.retracted && (
                  <button type="button" onClick={() => retract.mutate(a.announcementId)}>
                    Retract <span className="sr-only">{a.title}</span>
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
