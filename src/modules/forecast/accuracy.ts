// How good a forecast method is on a series, measured honestly: a rolling
// origin backtest (fit on the days before each origin, forecast the days
// after, compare), scored by MASE (mean absolute error over the in-sample
// error of the seasonal naive forecast) and sMAPE, for the method and for
// seasonal naive side by side. Pure.

export type Method = (train: readonly number[], h: number) => number[];

export interface Backtest {
  mase: number;
  smape: number;
  origins: number;
  horizon: number;
  /** Root mean square error at each step ahead, over the origins: the width of the prediction interval. */
  rmseByStep: number[];
}

/** Mean absolute error of the seasonal naive forecast inside the training days: MASE's yardstick. */
export function naiveScale(train: readonly number[], m = 7): number {
  let sum = 0;
  let n = 0;
  for (let t = m; t < train.length; t++) {
    sum += Math.abs(train[t]! - train[t - m]!);
    n++;
  }
  const scale = n ? sum / n : 0;
  // A series that never changes week on week has no scale; one unit keeps MASE finite and readable.
  return scale > 0 ? scale : 1;
}

export function smapeOf(actual: readonly number[], forecast: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const f = forecast[i]!;
    const d = Math.abs(a) + Math.abs(f);
    sum += d === 0 ? 0 : (2 * Math.abs(a - f)) / d;
  }
  return actual.length ? (100 * sum) / actual.length : 0;
}

/** The origins of a rolling backtest: the last `maxOrigins` weekly origins that leave `minTrain` days to fit on. */
export function originsOf(n: number, horizon: number, minTrain: number, maxOrigins = 8): number[] {
  const out: number[] = [];
  for (let o = n - horizon; o >= minTrain && out.length < maxOrigins; o -= 7) out.push(o);
  return out.reverse();
}

export function backtest(y: readonly number[], method: Method, horizon: number, origins: readonly number[], m = 7): Backtest {
  let mase = 0;
  let smape = 0;
  const sq = new Array<number>(horizon).fill(0);
  for (const o of origins) {
    const train = y.slice(0, o);
    const actual = y.slice(o, o + horizon);
    const f = method(train, horizon).map((v) => Math.max(0, v));
    const scale = naiveScale(train, m);
    let abs = 0;
    for (let i = 0; i < horizon; i++) {
      const e = actual[i]! - f[i]!;
      abs += Math.abs(e);
      sq[i]! += e * e;
    }
    mase += abs / horizon / scale;
    smape += smapeOf(actual, f);
  }
  const k = origins.length;
  return { mase: mase / k, smape: smape / k, origins: k, horizon, rmseByStep: sq.map((s) => Math.sqrt(s / k)) };
}
