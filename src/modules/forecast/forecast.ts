// Daily forecasts with their accuracy stated: Holt-Winters (weekly season,
// damped trend) when a rolling backtest shows it beats the seasonal naive
// forecast on this series, else seasonal naive; with too little history
// (under 14 days) the average, said so. Prediction intervals come from the
// backtest's own errors at each step ahead. Pure.
import { backtest, originsOf, type Backtest } from './accuracy.js';
import { fitHoltWinters, seasonalNaive } from './holt-winters.js';

export const MIN_HISTORY_DAYS = 14;
/** Days a backtest origin needs behind it to fit Holt-Winters (four weeks). */
const MIN_TRAIN_DAYS = 28;
/** The backtest scores up to two weeks ahead, the span deliveries are planned on. */
const MAX_BACKTEST_HORIZON = 14;
/** 80 % two-sided normal interval. */
const Z80 = 1.2816;

export interface ForecastPoint {
  date: string;
  quantity: number;
  low: number;
  high: number;
}

export interface DailyForecast {
  points: ForecastPoint[];
  method: string;
  /** Null when the history is too short to test on; `note` says why. */
  backtest: { mase: number | null; smape: number | null; seasonalNaiveMase: number | null; seasonalNaiveSmape: number | null; origins: number; horizon: number; note?: string };
  interval: string;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
export const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** `values[i]` is the quantity on `start + i` days (missing days already 0). */
export function forecastDaily(start: string, values: readonly number[], horizonDays: number): DailyForecast {
  const n = values.length;
  const last = addDays(start, n - 1);
  const dates = Array.from({ length: horizonDays }, (_, i) => addDays(last, i + 1));
  if (n < MIN_HISTORY_DAYS) {
    const avg = n ? values.reduce((a, b) => a + b, 0) / n : 0;
    const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - avg) ** 2, 0) / (n - 1)) : avg;
    return {
      points: dates.map((date) => ({ date, quantity: round(avg), low: round(Math.max(0, avg - Z80 * sd)), high: round(avg + Z80 * sd) })),
      method: `average of the ${n} day(s) there are: under ${MIN_HISTORY_DAYS} days of history is too little to see a week's pattern`,
      backtest: { mase: null, smape: null, seasonalNaiveMase: null, seasonalNaiveSmape: null, origins: 0, horizon: 0, note: `needs at least ${MIN_HISTORY_DAYS} days of history` },
      interval: '80 % from the spread of the days there are',
    };
  }
  const horizon = Math.min(horizonDays, MAX_BACKTEST_HORIZON);
  const origins = originsOf(n, horizon, MIN_TRAIN_DAYS);
  const naive = origins.length ? backtest(values, (t, h) => seasonalNaive(t, h), horizon, origins) : undefined;
  const hw = origins.length ? backtest(values, (t, h) => fitHoltWinters(t).forecast(h), horizon, origins) : undefined;
  const useHw = hw !== undefined && naive !== undefined && hw.mase < naive.mase;
  const chosen: Backtest | undefined = useHw ? hw : naive;
  const raw = useHw ? fitHoltWinters(values).forecast(horizonDays) : seasonalNaive(values, horizonDays);
  const fallbackSd = residualSd(values);
  const points = dates.map((date, i) => {
    const q = Math.max(0, raw[i]!);
    const step = Math.min(i, (chosen?.rmseByStep.length ?? 1) - 1);
    const sd = chosen && chosen.origins >= 3 ? chosen.rmseByStep[step]! * Math.sqrt(Math.max(1, (i + 1) / (step + 1))) : fallbackSd * Math.sqrt(i + 1);
    return { date, quantity: round(q), low: round(Math.max(0, q - Z80 * sd)), high: round(q + Z80 * sd) };
  });
  const method = useHw
    ? 'Holt-Winters (additive, weekly season, damped trend), chosen because it beat seasonal naive on this series\' backtest'
    : origins.length
      ? 'seasonal naive (the same weekday last week): Holt-Winters did no better on this series\' backtest'
      : `seasonal naive (the same weekday last week): under ${MIN_TRAIN_DAYS + horizon} days of history leaves nothing to backtest Holt-Winters on`;
  return {
    points,
    method,
    backtest: {
      mase: chosen ? round(chosen.mase, 3) : null,
      smape: chosen ? round(chosen.smape, 1) : null,
      seasonalNaiveMase: naive ? round(naive.mase, 3) : null,
      seasonalNaiveSmape: naive ? round(naive.smape, 1) : null,
      origins: origins.length,
      horizon,
      ...(origins.length ? {} : { note: `a backtest needs ${MIN_TRAIN_DAYS + horizon} days of history` }),
    },
    interval: chosen && chosen.origins >= 3 ? '80 % from the backtest errors at each step ahead' : '80 % from the week-on-week spread of the history',
  };
}

function residualSd(values: readonly number[]): number {
  const diffs = values.slice(7).map((v, i) => v - values[i]!);
  if (diffs.length === 0) return 0;
  return Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / diffs.length);
}
