// Loading, empty and problem states: every list and page shows one of them
// in words, so nothing fails silently.
import type { ReactNode } from 'react';
import { describeProblem } from '../api/problem';

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="muted">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function ProblemAlert({ error, action }: { error: unknown; action?: ReactNode }) {
  if (!error) return null;
  const p = describeProblem(error);
  return (
    <div role="alert" className="problem">
      <strong>{p.title}</strong>
      {p.detail && <span> {p.detail}</span>}
      {p.errors.length > 0 && (
        <ul>
          {p.errors.map((e) => (
            <li key={e.field + e.message}>
              {e.field.replace(/^body\./, '')}: {e.message}
            </li>
          ))}
        </ul>
      )}
      {action}
    </div>
  );
}

/** One query's three states around its content. */
export function Async<T>({ query, what, empty, children }: { query: { isPending: boolean; error: unknown; data: T | undefined }; what: string; empty?: (d: T) => boolean; children: (d: T) => ReactNode }) {
  if (query.isPending) return <Loading what={what} />;
  if (query.error) return <ProblemAlert error={query.error} />;
  const data = query.data as T;
  if (empty?.(data)) return <Empty>No {what} yet.</Empty>;
  return <>{children(data)}</>;
}
