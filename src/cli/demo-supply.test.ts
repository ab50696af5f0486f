import { describe, expect, it } from 'vitest';
import { forecastDaily } from '../modules/forecast/index.js';
import { usageCsv, USAGE_DAYS } from './demo-supply.js';

describe("the demo's usage history", () => {
  it('has every day of each item for each store, busier at weekends, and enough to forecast and backtest', () => {
    const lines = usageCsv(['s1', 's2'], new Date('2026-12-07T12:00:00Z')).trim().split('\n');
    expect(lines[0]).toBe('date,store_id,item_name,item_type,quantity_used');
    expect(lines).toHaveLength(1 + 2 * USAGE_DAYS * 3);
    const cherry = lines.slice(1).map((l) => l.split(',')).filter((f) => f[1] === 's1' && f[2] === 'Cherry');
    const mean = (xs: string[][]) => xs.reduce((s, f) => s + Number(f[4]), 0) / xs.length;
    const weekend = cherry.filter((f) => [0, 6].includes(new Date(`${f[0]}T00:00:00Z`).getUTCDay()));
    const weekday = cherry.filter((f) => ![0, 6].includes(new Date(`${f[0]}T00:00:00Z`).getUTCDay()));
    expect(mean(weekend)).toBeGreaterThan(mean(weekday) * 1.2);
    expect(cherry.at(-1)![0]).toBe('2026-12-06');
    const f = forecastDaily(cherry[0]![0]!, cherry.map((x) => Number(x[4])), 14);
    expect(f.backtest.origins).toBeGreaterThanOrEqual(6);
  });
});
