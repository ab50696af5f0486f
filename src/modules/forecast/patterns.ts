// What a logistics manager reads off a usage series, and when to restock:
// the recent daily average, each weekday against it, the trend, and, from a
// forecast and the stock there is, the day it runs out and what to order.
// Pure.
import { addDays, type ForecastPoint } from './forecast.js';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export interface Patterns {
  averageDaily: number;
  /** Each weekday's average over the recent weeks, as a share of the overall average (1 = an ordinary day). */
  dayOfWeek: Record<(typeof WEEKDAYS)[number], number>;
  peakDays: string[];
  trend: { perDay: number; direction: 'rising' | 'falling' | 'flat' };
}

/** Over the last eight weeks (or what there is). */
export function patternsOf(start: string, values: readonly number[]): Patterns {
  const from = Math.max(0, values.length - 56);
  const recent = values.slice(from);
  const avg = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : 0;
  const sums = new Array<number>(7).fill(0);
  const counts = new Array<number>(7).fill(0);
  recent.forEach((v, i) => {
    const wd = new Date(Date.parse(`${addDays(start, from + i)}T00:00:00Z`)).getUTCDay();
    sums[wd]! += v;
    counts[wd]!++;
  });
  const dayOfWeek = Object.fromEntries(WEEKDAYS.map((d, i) => [d, avg > 0 && counts[i]! > 0 ? round(sums[i]! / counts[i]! / avg) : 0])) as Patterns['dayOfWeek'];
  const peak = Math.max(...Object.values(dayOfWeek));
  const peakDays = peak > 1.1 ? WEEKDAYS.filter((d) => dayOfWeek[d] >= peak - 0.05) : [];
  // Least squares slope over the recent days.
  const n = recent.length;
  const mx = (n - 1) / 2;
  let num = 0;
  let den = 0;
  recent.forEach((v, i) => {
    num += (i - mx) * (v - avg);
    den += (i - mx) ** 2;
  });
  const perDay = den > 0 ? num / den : 0;
  // Flat unless four weeks of it moves the average by more than 5 %.
  const direction = avg > 0 && Math.abs(perDay * 28) > 0.05 * avg ? (perDay > 0 ? 'rising' : 'falling') : 'flat';
  return { averageDaily: round(avg), dayOfWeek, peakDays: [...peakDays], trend: { perDay: round(perDay, 3), direction } };
}

export interface Recommendation {
  /** The stock it was worked out from; null when not known here. */
  stock: number | null;
  stockoutDate: string | null;
  restockDate: string | null;
  quantity: number | null;
  leadTimeDays: number;
  note: string;
}

/**
 * From the forecast and the stock: the first day the forecast use passes
 * the stock, the day to restock (lead time before it, not before the first
 * forecast day), and what covers the horizon at the high end of the
 * interval.
 */
export function recommend(points: readonly ForecastPoint[], stock: number | null, leadTimeDays: number): Recommendation {
  if (stock === null || points.length === 0) {
    return { stock, stockoutDate: null, restockDate: null, quantity: null, leadTimeDays, note: 'the stock of this item is not known here, so no stockout day can be worked out' };
  }
  let used = 0;
  let stockoutDate: string | null = null;
  for (const p of points) {
    used += p.quantity;
    if (used > stock) {
      stockoutDate = p.date;
      break;
    }
  }
  const high = points.reduce((s, p) => s + p.high, 0);
  const quantity = Math.max(0, Math.ceil(high - stock));
  const first = points[0]!.date;
  const restockDate = stockoutDate ? (addDays(stockoutDate, -leadTimeDays) < first ? first : addDays(stockoutDate, -leadTimeDays)) : null;
  const note = stockoutDate
    ? `runs out on ${stockoutDate} at the forecast use; order ${quantity} by ${restockDate} to cover the ${points.length} days at the high end of the forecast`
    : quantity > 0
      ? `lasts the ${points.length} days at the forecast use; ${quantity} more would cover the high end of the forecast`
      : `lasts the ${points.length} days even at the high end of the forecast`;
  return { stock, stockoutDate, restockDate, quantity, leadTimeDays, note };
}
