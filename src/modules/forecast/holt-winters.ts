// Additive Holt-Winters with a damped trend and a weekly season, in the
// error-correction form of ETS(A,Ad,A): each day's error moves the level,
// the trend and that weekday's seasonal term. Parameters are chosen by a
// grid search on the one-step errors of the training days only, so a
// backtest that fits at each origin sees nothing of the days it forecasts.
// Pure.

export interface HwParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

export interface HwFit {
  params: HwParams;
  /** Forecasts for the next `h` days after the series. */
  forecast: (h: number) => number[];
  /** Root mean square of the one-step errors over the fitted days. */
  rmse: number;
}

const ALPHAS = [0.02, 0.05, 0.1, 0.2, 0.35, 0.5];
const BETAS = [0, 0.005, 0.02];
const GAMMAS = [0.01, 0.05, 0.1, 0.2];
const PHIS = [0.9, 0.98];

interface State {
  level: number;
  trend: number;
  season: number[];
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function initial(y: readonly number[], m: number): State {
  const first = y.slice(0, m);
  const level = mean(first);
  const trend = y.length >= 2 * m ? (mean(y.slice(m, 2 * m)) - level) / m : 0;
  return { level, trend, season: first.map((v) => v - level) };
}

/** Runs the smoother over `y`; answers the final state and the sum of squared one-step errors after the first season. */
function run(y: readonly number[], m: number, p: HwParams): { state: State; sse: number; count: number } {
  const s = initial(y, m);
  const season = [...s.season];
  let { level, trend } = s;
  let sse = 0;
  let count = 0;
  for (let t = m; t < y.length; t++) {
    const k = t % m;
    const expected = level + p.phi * trend + season[k]!;
    const e = y[t]! - expected;
    sse += e * e;
    count++;
    const nextLevel = level + p.phi * trend + p.alpha * e;
    trend = p.phi * trend + p.beta * e;
    level = nextLevel;
    season[k] = season[k]! + p.gamma * e;
  }
  return { state: { level, trend, season }, sse, count };
}

export function fitHoltWinters(y: readonly number[], m = 7): HwFit {
  let best: { p: HwParams; sse: number; state: State; count: number } | undefined;
  for (const alpha of ALPHAS)
    for (const beta of BETAS)
      for (const gamma of GAMMAS)
        for (const phi of PHIS) {
          if (beta > alpha || gamma > 1 - alpha) continue;
          const p = { alpha, beta, gamma, phi };
          const r = run(y, m, p);
          if (!best || r.sse < best.sse) best = { p, sse: r.sse, state: r.state, count: r.count };
        }
  const { p, state, sse, count } = best!;
  const n = y.length;
  return {
    params: p,
    rmse: Math.sqrt(sse / Math.max(1, count)),
    forecast: (h) => {
      const out: number[] = [];
      let damp = 0;
      for (let i = 1; i <= h; i++) {
        damp += p.phi ** i;
        out.push(state.level + damp * state.trend + state.season[(n + i - 1) % m]!);
      }
      return out;
    },
  };
}

/** The same weekday last week, repeated. */
export function seasonalNaive(y: readonly number[], h: number, m = 7): number[] {
  const out: number[] = [];
  for (let i = 0; i < h; i++) out.push(y[y.length - m + (i % m)] ?? y[y.length - 1] ?? 0);
  return out;
}
