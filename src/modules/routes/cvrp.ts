// The capacitated part of the route optimiser: stops with demands, vehicles
// of one capacity leaving from and returning to node 0. Start from Clarke and
// Wright's savings, then ruin and recreate under simulated annealing while
// time remains: remove a cluster of nearby stops (strings of consecutive
// stops from the routes around a random seed stop), put each back where it
// costs least (now and then skipping a position, so the search does not
// rerun the same insertion), accept the result by the annealing rule, keep
// the best. Each route of the best solution is then reordered by the TSP
// local search. Pure: time and randomness come from the caller.
import { neighbourLists, type Matrix } from './distance.js';
import { improveTour, rotateTo, type SearchControl } from './tsp.js';

const EPS = 1e-9;

export interface CvrpProblem {
  m: Matrix;
  /** Demand of each node; node 0 is the depot. */
  demand: readonly number[];
  capacity: number;
}

export type Routes = number[][];

export function routeCost(m: Matrix, route: readonly number[]): number {
  if (route.length === 0) return 0;
  const { n, d } = m;
  let sum = d[route[0]!]! + d[route[route.length - 1]! * n]!;
  for (let i = 1; i < route.length; i++) sum += d[route[i - 1]! * n + route[i]!]!;
  return sum;
}

export function solutionCost(m: Matrix, routes: Routes): number {
  return routes.reduce((s, r) => s + routeCost(m, r), 0);
}

const load = (p: CvrpProblem, route: readonly number[]) => route.reduce((s, c) => s + p.demand[c]!, 0);

/** Clarke–Wright parallel savings. */
export function savings(p: CvrpProblem): Routes {
  const { n, d } = p.m;
  const routeOf = new Int32Array(n).fill(-1);
  const routes: (number[] | null)[] = [];
  const loads: number[] = [];
  for (let i = 1; i < n; i++) {
    routeOf[i] = routes.length;
    routes.push([i]);
    loads.push(p.demand[i]!);
  }
  const pairs: [number, number, number][] = [];
  for (let i = 1; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([d[i]! + d[j]! - d[i * n + j]!, i, j]);
  pairs.sort((a, b) => b[0] - a[0]);
  for (const [s, i, j] of pairs) {
    if (s <= 0) break;
    const ri = routeOf[i]!;
    const rj = routeOf[j]!;
    if (ri === rj || loads[ri]! + loads[rj]! > p.capacity) continue;
    let a = routes[ri]!;
    let b = routes[rj]!;
    // i must end a, j must start b (turning either round when needed).
    if (a[a.length - 1] !== i) a = a[0] === i ? a.reverse() : a;
    if (b[0] !== j) b = b[b.length - 1] === j ? b.reverse() : b;
    if (a[a.length - 1] !== i || b[0] !== j) continue;
    const merged = [...a, ...b];
    routes[ri] = merged;
    routes[rj] = null;
    loads[ri] = loads[ri]! + loads[rj]!;
    for (const c of b) routeOf[c] = ri;
  }
  return routes.filter((r): r is number[] => r !== null);
}

/** Stops cut into routes in the order given, a new vehicle whenever the next would overload it. */
export function routesInOrder(p: CvrpProblem, order: readonly number[]): Routes {
  const out: Routes = [];
  let current: number[] = [];
  let used = 0;
  for (const c of order) {
    if (current.length > 0 && used + p.demand[c]! > p.capacity) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(c);
    used += p.demand[c]!;
  }
  if (current.length > 0) out.push(current);
  return out;
}

class Search {
  private readonly nbrs: Int32Array[];
  constructor(
    private readonly p: CvrpProblem,
    private readonly random: () => number,
  ) {
    this.nbrs = neighbourLists(p.m, 20);
  }

  /** Removes stops around a random seed: strings from up to three routes near it. */
  ruin(routes: Routes): { routes: Routes; removed: number[] } {
    const n = this.p.m.n;
    const seed = 1 + Math.floor(this.random() * (n - 1));
    const out = routes.map((r) => [...r]);
    const routeOf = new Map<number, number>();
    out.forEach((r, ri) => r.forEach((c) => routeOf.set(c, ri)));
    const removed: number[] = [];
    const ruined = new Set<number>();
    const maxStrings = 1 + Math.floor(this.random() * 3);
    for (const c of [seed, ...this.nbrs[seed]!]) {
      if (ruined.size >= maxStrings) break;
      const ri = routeOf.get(c);
      if (ri === undefined || ruined.has(ri)) continue;
      ruined.add(ri);
      const route = out[ri]!;
      const len = Math.min(route.length, 1 + Math.floor(this.random() * 10));
      const at = route.indexOf(c);
      const start = Math.max(0, Math.min(at - Math.floor(this.random() * len), route.length - len));
      removed.push(...route.splice(start, len));
    }
    return { routes: out.filter((r) => r.length > 0), removed };
  }

  /** Puts each removed stop where it adds least, in an order chosen at random (by demand, by distance, or shuffled). */
  recreate(routes: Routes, removed: number[]): Routes {
    const { n, d } = this.p.m;
    const loads = routes.map((r) => load(this.p, r));
    const roll = this.random();
    const order =
      roll < 0.4 ? removed.sort((a, b) => this.p.demand[b]! - this.p.demand[a]!) : roll < 0.8 ? removed.sort((a, b) => d[b]! - d[a]!) : removed.sort(() => this.random() - 0.5);
    for (const c of order) {
      let best = Infinity;
      let bestRoute = -1;
      let bestAt = 0;
      for (let ri = 0; ri < routes.length; ri++) {
        if (loads[ri]! + this.p.demand[c]! > this.p.capacity) continue;
        const r = routes[ri]!;
        for (let k = 0; k <= r.length; k++) {
          if (this.random() < 0.01) continue; // a blink
          const before = k === 0 ? 0 : r[k - 1]!;
          const after = k === r.length ? 0 : r[k]!;
          const add = d[before * n + c]! + d[c * n + after]! - d[before * n + after]!;
          if (add < best) {
            best = add;
            bestRoute = ri;
            bestAt = k;
          }
        }
      }
      if (bestRoute < 0 || 2 * d[c]! < best) {
        routes.push([c]);
        loads.push(this.p.demand[c]!);
      } else {
        routes[bestRoute]!.splice(bestAt, 0, c);
        loads[bestRoute] = loads[bestRoute]! + this.p.demand[c]!;
      }
    }
    return routes;
  }
}

export interface CvrpResult {
  routes: Routes;
  cost: number;
  iterations: number;
}

/** Each route reordered by the TSP local search (the depot stays first). */
export function polishRoutes(m: Matrix, routes: Routes): Routes {
  return routes.map((r) => {
    if (r.length < 3) return r;
    const nodes = [0, ...r];
    const sub: Matrix = { n: nodes.length, d: new Float64Array(nodes.length * nodes.length) };
    for (let i = 0; i < nodes.length; i++) for (let j = 0; j < nodes.length; j++) sub.d[i * nodes.length + j] = m.d[nodes[i]! * m.n + nodes[j]!]!;
    const tour = nodes.map((_, i) => i);
    improveTour(sub, tour);
    return rotateTo(tour, 0).slice(1).map((i) => nodes[i]!);
  });
}

export async function solveCvrp(p: CvrpProblem, o: SearchControl & { progress?: () => number }): Promise<CvrpResult> {
  if (p.m.n <= 1) return { routes: [], cost: 0, iterations: 0 };
  const search = new Search(p, o.random);
  let current = polishRoutes(p.m, savings(p));
  let currentCost = solutionCost(p.m, current);
  let best = current;
  let bestCost = currentCost;
  // Temperatures scale with the mean distance from the depot; cooling follows the share of time used.
  const meanLeg = Array.from({ length: p.m.n - 1 }, (_, i) => p.m.d[i + 1]!).reduce((a, b) => a + b, 0) / (p.m.n - 1);
  const t0 = meanLeg * 0.05;
  const t1 = meanLeg * 0.0005;
  let iterations = 0;
  let idle = 0;
  // Small or easy cases settle long before the time limit: stop when the best has not moved for a while.
  const idleLimit = Math.max(30_000, 400 * p.m.n);
  while (!o.timeUp() && idle < idleLimit) {
    iterations += 1;
    idle += 1;
    if ((iterations & 255) === 0) await o.pause?.();
    const share = Math.min(1, o.progress?.() ?? 0);
    const temperature = t0 * Math.pow(t1 / t0, share);
    const { routes, removed } = search.ruin(current);
    const candidate = search.recreate(routes, removed);
    const cost = solutionCost(p.m, candidate);
    if (cost < currentCost - temperature * Math.log(o.random())) {
      current = candidate;
      currentCost = cost;
      if (cost < bestCost - EPS) {
        best = candidate.map((r) => [...r]);
        bestCost = cost;
        idle = 0;
      }
    }
  }
  best = polishRoutes(p.m, best);
  return { routes: best, cost: solutionCost(p.m, best), iterations };
}
