// A data table: a caption a screen reader names it by (hidden from sight),
// column headers, and the rows the page gives. Wide tables scroll sideways
// inside themselves, so the page fits a narrow screen.
import type { ReactNode } from 'react';

export function Table({ caption, columns, children }: { caption: string; columns: readonly string[]; children: ReactNode }) {
  return (
    <table>
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">
              {c === '' ? <span className="sr-only">Actions</span> : c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
