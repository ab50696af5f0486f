// The forecast module against series whose truth is known, and against the
// outside yardstick: public M5 daily sales (bench/data/forecast), where it
// must beat seasonal naive on days it never saw.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate, type SeriesSet } from '../../../bench/lib/forecast-eval.js';
import { prng } from '../../lib/prng.js';
import { backtest, forecastDaily, naiveScale, originsOf, patternsOf, recommend, seasonalNaive, smapeOf } from './index.js';

// 2026-01-04 is a Sunday: day i's weekday is i % 7 (0 = Sunday).
const START = '2026-01-04';
const WEEK = [30, 18, 17, 19, 22, 34, 45];
function synthetic(days: number, seed = 7): number[] {
  const random = prng(seed);
  return Array.from({ length: days }, (_, i) => Math.max(0, Math.round(WEEK[i % 7]! + 0.08 * i + (random() - 0.5) * 8)));
}

describe('daily forecasts', () => {
  it('learns a weekly pattern with a trend, beats seasonal naive on its own backtest, and says so', () => {
    const y = synthetic(140);
    const f = forecastDaily(START, y, 14);
    expect(f.method).toMatch(/^Holt-Winters/);
    expect(f.backtest.mase!).toBeLessThan(f.backtest.seasonalNaiveMase!);
    expect(f.backtest.origins).toBe(8);
    expect(f.points[0]!.date).toBe('2026-05-24');
    // Day 140 is a Sunday; the truth for the next week is the pattern plus the trend.
    f.points.slice(0, 7).forEach((p, i) => {
      const truth = WEEK[(140 + i) % 7]! + 0.08 * (140 + i);
      expect(Math.abs(p.quantity - truth) / truth, p.date).toBeLessThan(0.15);
      expect(p.low).toBeLessThanOrEqual(p.quantity);
      expect(p.high).toBeGreaterThanOrEqual(p.quantity);
      expect(p.low).toBeGreaterThanOrEqual(0);
    });
  });

  it('falls back with too little history, and says why', () => {
    const short = forecastDaily(START, [5, 6, 7, 5, 6], 7);
    expect(short.method).toContain('under 14 days');
    expect(short.backtest).toMatchObject({ mase: null, seasonalNaiveMase: null });
    expect(short.points.every((p) => p.quantity === 5.8)).toBe(true);
    const month = forecastDaily(START, synthetic(30), 7);
    expect(month.method).toMatch(/^seasonal naive/);
    expect(month.backtest.note).toContain('needs');
    expect(month.points.map((p) => p.quantity)).toEqual(seasonalNaive(synthetic(30), 7));
  });

  it('scores accuracy: MASE against the in-sample seasonal naive error, sMAPE with zeros', () => {
    expect(smapeOf([0, 10], [0, 10])).toBe(0);
    expect(smapeOf([10], [30])).toBe(100);
    expect(naiveScale([1, 1, 1, 1, 1, 1, 1, 3])).toBe(2);
    const y = synthetic(70);
    const perfect = backtest(y, (_train, h) => y.slice(_train.length, _train.length + h), 7, originsOf(y.length, 7, 28));
    expect(perfect.mase).toBe(0);
    expect(originsOf(70, 7, 28)).toEqual([28, 35, 42, 49, 56, 63]);
  });

  it('reads the patterns: weekday shares, peak days, the trend', () => {
    const p = patternsOf(START, synthetic(140));
    expect(p.peakDays).toEqual(['sat']);
    expect(p.dayOfWeek.sat).toBeGreaterThan(1.4);
    expect(p.dayOfWeek.tue).toBeLessThan(0.8);
    expect(p.trend.direction).toBe('rising');
    expect(patternsOf(START, new Array(56).fill(10)).trend.direction).toBe('flat');
  });

  it('recommends a restock from the forecast and the stock', () => {
    const points = Array.from({ length: 7 }, (_, i) => ({ date: `2026-03-0${i + 1}`, quantity: 30, low: 20, high: 40 }));
    expect(recommend(points, 100, 2)).toMatchObject({ stockoutDate: '2026-03-04', restockDate: '2026-03-02', quantity: 180 });
    expect(recommend(points, 1000, 2)).toMatchObject({ stockoutDate: null, restockDate: null, quantity: 0 });
    expect(recommend(points, 10, 2).restockDate).toBe('2026-03-01');
    expect(recommend(points, null, 2)).toMatchObject({ stockoutDate: null, quantity: null });
  });

  it('beats seasonal naive on public M5 daily sales it never saw (MASE ratio under 0.9), with honest 80 % intervals', () => {
    const data = JSON.parse(readFileSync(new URL('../../../bench/data/forecast/m5-foods3-tx3.json', import.meta.url), 'utf8')) as SeriesSet & { aggregates: SeriesSet['series'] };
    const items = evaluate({ start: data.start, series: data.series });
    const totals = evaluate({ start: data.start, series: data.aggregates });
    expect(items.ratio).toBeLessThan(0.9);
    expect(totals.ratio).toBeLessThan(0.9);
    for (const r of [items, totals]) {
      expect(r.coverage80).toBeGreaterThan(0.7);
      expect(r.coverage80).toBeLessThan(0.9);
    }
  });
});
