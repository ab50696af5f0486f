// Forecast module: daily demand forecasts with honest accuracy (rolling
// backtest against seasonal naive), patterns and restock advice. Pure, no
// I/O; supply's usage forecasts use it, and store analytics will.
export { forecastDaily, addDays, MIN_HISTORY_DAYS, type DailyForecast, type ForecastPoint } from './forecast.js';
export { patternsOf, recommend, type Patterns, type Recommendation } from './patterns.js';
export { backtest, naiveScale, originsOf, smapeOf } from './accuracy.js';
export { fitHoltWinters, seasonalNaive } from './holt-winters.js';
