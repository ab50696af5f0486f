// The route optimiser against known optima (issue: mean gap under 2 % on the
// TSPLIB instances within the default 1 s, under 5 % on CVRPLIB X-n101-k25
// within 10 s). Each instance is solved with a few seeds; the table gives the
// gap of each run's answer to the published optimum, nearest neighbour's gap
// (and for the CVRP, Clarke–Wright savings') in the same run as the baseline,
// and the time taken. Distances are TSPLIB's EUC_2D (rounded); instance
// files and their sources are in bench/data/routes.
import { prng } from '../src/lib/prng.js';
import { euc2dMatrix } from '../src/modules/routes/distance.js';
import { savings, solutionCost, solveCvrp } from '../src/modules/routes/cvrp.js';
import { nearestNeighbourTour, solveTour, tourCost } from '../src/modules/routes/tsp.js';
import { CVRP_INSTANCES, readInstance, TSP_INSTANCES } from './lib/tsplib.js';
import { fmt, intOption, parseOptions, progress, table, usage, UsageError, type OptionSpec } from './lib/report.js';

export const description = 'the route optimiser: gap to the known optimum on TSPLIB (1 s) and CVRPLIB X-n101-k25 (10 s), against nearest neighbour';

const spec: OptionSpec = {
  seeds: { type: 'string', help: 'runs per instance (default 3)' },
  'tsp-ms': { type: 'string', help: 'time limit per TSP run (default 1000)' },
  'cvrp-ms': { type: 'string', help: 'time limit per CVRP run (default 10000)' },
  help: { type: 'boolean', help: 'this help' },
};

const gap = (cost: number, optimum: number) => (cost / optimum - 1) * 100;
const pct = (g: number) => `${fmt(g, 2)} %`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const yieldNow = () => new Promise<void>((r) => setImmediate(r));

export async function main(args: string[]): Promise<void> {
  const values = parseOptions(args, spec);
  if (values.help) throw new UsageError(usage(spec));
  const seeds = intOption(values, 'seeds', 3, 1);
  const tspMs = intOption(values, 'tsp-ms', 1000, 10);
  const cvrpMs = intOption(values, 'cvrp-ms', 10_000, 10);

  const tspRows: string[][] = [];
  const tspGaps: number[] = [];
  for (const [file, optimum] of TSP_INSTANCES) {
    const inst = readInstance(file, optimum);
    const m = euc2dMatrix(inst.points);
    const nn = tourCost(m, nearestNeighbourTour(m, 0));
    const gaps: number[] = [];
    const times: number[] = [];
    for (let s = 1; s <= seeds; s++) {
      progress(`${inst.name}: seed ${s}/${seeds}`);
      const t0 = performance.now();
      const r = await solveTour(m, { random: prng(s), timeUp: () => performance.now() - t0 > tspMs, pause: yieldNow });
      times.push(performance.now() - t0);
      gaps.push(gap(r.cost, optimum));
    }
    tspGaps.push(mean(gaps));
    tspRows.push([inst.name, String(inst.points.length), String(optimum), pct(mean(gaps)), pct(Math.max(...gaps)), pct(gap(nn, optimum)), fmt(mean(times))]);
  }
  tspRows.push(['mean', '', '', pct(mean(tspGaps)), '', '', '']);
  console.log(table(`TSP, ${tspMs} ms a run, ${seeds} seeds (target: mean gap under 2 %)`, ['instance', 'n', 'optimum', 'gap (mean)', 'gap (worst)', 'nearest neighbour', 'ms (mean)'], tspRows));

  const cvrpRows: string[][] = [];
  for (const [file, optimum] of CVRP_INSTANCES) {
    const inst = readInstance(file, optimum);
    const m = euc2dMatrix(inst.points);
    const p = { m, demand: inst.demands!, capacity: inst.capacity! };
    const cw = solutionCost(m, savings(p));
    const gaps: number[] = [];
    let routes = 0;
    for (let s = 1; s <= seeds; s++) {
      progress(`${inst.name}: seed ${s}/${seeds} (${cvrpMs / 1000} s)`);
      const t0 = performance.now();
      const r = await solveCvrp(p, { random: prng(s), timeUp: () => performance.now() - t0 > cvrpMs, progress: () => (performance.now() - t0) / cvrpMs, pause: yieldNow });
      gaps.push(gap(r.cost, optimum));
      routes = r.routes.length;
    }
    cvrpRows.push([inst.name, String(inst.points.length - 1), String(optimum), pct(mean(gaps)), pct(Math.max(...gaps)), pct(gap(cw, optimum)), String(routes)]);
  }
  console.log(table(`CVRP, ${cvrpMs} ms a run, ${seeds} seeds (target: gap under 5 %)`, ['instance', 'stops', 'optimum', 'gap (mean)', 'gap (worst)', 'savings alone', 'routes'], cvrpRows));
}
