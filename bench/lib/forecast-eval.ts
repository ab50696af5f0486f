// The forecast's accuracy measured from outside: for each series, the last
// weeks are held out at several outer origins; the forecast (which picks its
// method on its own backtest of the days before) is scored on days it never
// saw, beside seasonal naive, by MASE (scaled by the in-sample seasonal naive
// error) and sMAPE. The ratio of mean MASEs is the yardstick.
import { forecastDaily, naiveScale, seasonalNaive, smapeOf } from '../../src/modules/forecast/index.js';

export interface SeriesSet {
  start: string;
  series: { id: string; values: number[] }[];
}

export interface EvalResult {
  series: number;
  origins: number;
  horizon: number;
  mase: number;
  naiveMase: number;
  ratio: number;
  smape: number;
  naiveSmape: number;
  /** How often the forecast chose Holt-Winters over seasonal naive. */
  holtWintersShare: number;
  /** Share of held-out days inside the 80 % interval. */
  coverage80: number;
  msPerForecast: number;
}

export function evaluate(set: SeriesSet, horizon = 14, outerOrigins = 4): EvalResult {
  let mase = 0;
  let naive = 0;
  let smape = 0;
  let naiveSmape = 0;
  let hw = 0;
  let inside = 0;
  let points = 0;
  let count = 0;
  let ms = 0;
  for (const s of set.series) {
    for (let k = 0; k < outerOrigins; k++) {
      const cut = s.values.length - horizon - 7 * k;
      const train = s.values.slice(0, cut);
      const actual = s.values.slice(cut, cut + horizon);
      const t0 = performance.now();
      const f = forecastDaily(set.start, train, horizon);
      ms += performance.now() - t0;
      const q = f.points.map((p) => p.quantity);
      const sn = seasonalNaive(train, horizon);
      const scale = naiveScale(train);
      mase += actual.reduce((a, v, i) => a + Math.abs(v - q[i]!), 0) / horizon / scale;
      naive += actual.reduce((a, v, i) => a + Math.abs(v - sn[i]!), 0) / horizon / scale;
      smape += smapeOf(actual, q);
      naiveSmape += smapeOf(actual, sn);
      if (f.method.startsWith('Holt')) hw++;
      f.points.forEach((p, i) => {
        if (actual[i]! >= p.low && actual[i]! <= p.high) inside++;
        points++;
      });
      count++;
    }
  }
  return {
    series: set.series.length,
    origins: outerOrigins,
    horizon,
    mase: mase / count,
    naiveMase: naive / count,
    ratio: mase / naive,
    smape: smape / count,
    naiveSmape: naiveSmape / count,
    holtWintersShare: hw / count,
    coverage80: inside / points,
    msPerForecast: ms / count,
  };
}
