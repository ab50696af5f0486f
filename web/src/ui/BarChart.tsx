// A bar chart (Recharts) with its figures also in a table a screen reader
// reads; the bars are labelled with their values, so colour carries nothing
// on its own.
import { Bar, BarChart as RBarChart, CartesianGrid, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface Datum {
  label: string;
  value: number;
}

export function BarChart({ title, data, format = String }: { title: string; data: Datum[]; format?: (v: number) => string }) {
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div aria-hidden="true" className="chart-area">
        <ResponsiveContainer width="100%" height={220}>
          <RBarChart data={data} margin={{ top: 20, right: 10, bottom: 5, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" interval={0} tick={{ fontSize: 12 }} />
            <YAxis allowDecimals={false} tickFormatter={format} width={60} />
            <Tooltip formatter={(v) => format(Number(v))} />
            <Bar dataKey="value" fill="#b3245b" isAnimationActive={false}>
              <LabelList dataKey="value" position="top" formatter={(v: unknown) => format(Number(v))} />
            </Bar>
          </RBarChart>
        </ResponsiveContainer>
      </div>
      <table className="sr-only">
        <caption>{title}</caption>
        <tbody>
          {data.map((d) => (
            <tr key={d.label}>
              <th scope="row">{d.label}</th>
              <td>{format(d.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
