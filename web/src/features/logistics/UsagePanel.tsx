// Usage history: upload a CSV (each bad row is shown with its line, and
// nothing of that file is imported), the items the hub holds history for,
// and a forecast of one of them: the chart with its 80 % interval, the
// backtest against seasonal naive in words, the patterns and when to
// restock.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { apiAt, ok, postCsv } from '../../api/client';
import { CsvFileInput } from '../../ui/CsvFileInput';
import { Table } from '../../ui/Table';
import { Async, ProblemAlert } from '../../ui/states';
import { supplyKeys } from '../supply/queries';

type ItemType = 'syrup' | 'soda' | 'add-in' | 'juice' | 'physical' | 'ice';
const DAY_NAMES: Record<string, string> = { sun: 'Sundays', mon: 'Mondays', tue: 'Tuesdays', wed: 'Wednesdays', thu: 'Thursdays', fri: 'Fridays', sat: 'Saturdays' };
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function UsagePanel({ hubId, base }: { hubId: string; base: string }) {
  const qc = useQueryClient();
  const [item, setItem] = useState<{ itemName: string; itemType: ItemType } | undefined>();
  const summary = useQuery({ queryKey: supplyKeys.usage(hubId), queryFn: () => ok(apiAt(base).GET('/api/v1/hubs/{hubId}/usage', { params: { path: { hubId }, query: { sinceDays: 3650 } } }), 'The hub') });
  const upload = useMutation({
    mutationFn: (file: File) => postCsv<{ imported: number; replacedInFile: number; dateRange: { start: string; end: string } | null; ms: number }>(`${base}/api/v1/hubs/${hubId}/usage`, file, 'The hub'),
    onSuccess: () => void qc.invalidateQueries({ queryKey: supplyKeys.usage(hubId) }),
  });
  return (
    <>
      <h2>Usage history</h2>
      <div className="panel row">
        <CsvFileInput id="usage-file" label="Upload usage (CSV: date,store_id,item_name,item_type,quantity_used)" onFile={(f) => upload.mutate(f)} />
      </div>
      {upload.isPending && <p role="status">Uploading…</p>}
      <ProblemAlert error={upload.error} />
      {upload.isSuccess && (
        <p role="status">
          Imported {upload.data.imported} rows{upload.data.dateRange ? ` from ${upload.data.dateRange.start} to ${upload.data.dateRange.end}` : ''} in {(upload.data.ms / 1000).toFixed(1)} s
          {upload.data.replacedInFile > 0 ? `; ${upload.data.replacedInFile} repeated rows gave way to later ones` : ''}.
        </p>
      )}
      <Async query={summary} what="usage history" empty={(d) => d.items.length === 0}>
        {(d) => (
          <Table caption="Items with usage history" columns={['Item', 'Type', 'Days', 'From', 'To', 'Stores', 'Forecast']}>
            {d.items.map((i) => (
              <tr key={`${i.itemName}|${i.itemType}`}>
                <th scope="row">{i.itemName}</th>
                <td>{i.itemType}</td>
                <td>{i.days}</td>
                <td>{i.first}</td>
                <td>{i.last}</td>
                <td>{i.stores}</td>
                <td>
                  <button type="button" onClick={() => setItem({ itemName: i.itemName, itemType: i.itemType as ItemType })}>
                    Forecast <span className="sr-only">{i.itemName}</span>
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Async>
      {item && <ForecastPanel hubId={hubId} base={base} item={item} />}
    </>
  );
}

function ForecastPanel({ hubId, base, item }: { hubId: string; base: string; item: { itemName: string; itemType: ItemType } }) {
  const f = useQuery({
    queryKey: ['supply', 'forecast', hubId, item.itemName, item.itemType],
    queryFn: () => ok(apiAt(base).POST('/api/v1/hubs/{hubId}/forecasts', { params: { path: { hubId } }, body: { ...item, horizonDays: 14 } }), 'The hub'),
  });
  return (
    <Async query={f} what="the forecast">
      {(x) => {
        const data = [
          ...x.history.recent.map((h) => ({ date: h.date, used: h.quantity })),
          ...x.points.map((p) => ({ date: p.date, forecast: p.quantity, range: [p.low, p.high] as [number, number] })),
        ];
        const b = x.backtest;
        return (
          <figure className="chart panel">
            <figcaption>
              <h3>
                {x.itemName}: the next {x.points.length} days
              </h3>
            </figcaption>
            <div aria-hidden="true" className="chart-area">
              <ResponsiveContainer width="100%" height={260}>
                <ComposedChart data={data} margin={{ top: 10, right: 10, bottom: 5, left: 0 }} accessibilityLayer={false}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="date" tick={{ fontSize: 11 }} minTickGap={24} />
                  <YAxis width={50} />
                  <Tooltip />
                  <Area dataKey="range" stroke="none" fill="#f3c4d6" isAnimationActive={false} name="80 % interval" />
                  <Line dataKey="used" stroke="#444" dot={false} isAnimationActive={false} name="used" />
                  <Line dataKey="forecast" stroke="#b3245b" strokeDasharray="5 3" dot={false} isAnimationActive={false} name="forecast" />
                </ComposedChart>
              </ResponsiveContainer>
            </div>
            <p>
              Method: {x.method}. {b.mase !== null && b.seasonalNaiveMase !== null ? `On a backtest of ${b.origins} past weeks it was off by ${b.mase} (MASE) against ${b.seasonalNaiveMase} for repeating last week.` : (b.note ?? '')}
            </p>
            <p>
              About {x.patterns.averageDaily} a day{x.patterns.peakDays.length ? `, most on ${x.patterns.peakDays.map((d) => DAY_NAMES[d] ?? d).join(' and ')}` : ''}; trend {x.patterns.trend.direction}. {sentence(x.recommendation.note)}.
            </p>
            <Table caption={`Forecast of ${x.itemName}, day by day`} columns={['Day', 'Forecast', 'Low (80 %)', 'High (80 %)']}>
              {x.points.map((p) => (
                <tr key={p.date}>
                  <td>{p.date}</td>
                  <td>{p.quantity}</td>
                  <td>{p.low}</td>
                  <td>{p.high}</td>
                </tr>
              ))}
            </Table>
          </figure>
        );
      }}
    </Async>
  );
}
