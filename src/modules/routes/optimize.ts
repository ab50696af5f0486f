// Stops in, vehicle routes out: great-circle miles between the start and the
// stops, one tour when there is no vehicle capacity (open at the end when the
// vehicle need not come back), capacitated routes when there is. The answer
// is never longer than the stops in their given order: when the search does
// no better, the given order is returned. Pure apart from the clock the
// caller passes in.
import { prng } from '../../lib/prng.js';
import { greatCircleMatrix, type Matrix } from './distance.js';
import { routeCost, routesInOrder, solveCvrp, type Routes } from './cvrp.js';
import { nearestNeighbourTour, solveTour, type SearchControl } from './tsp.js';

export interface Stop {
  id: string;
  lat: number;
  lon: number;
  serviceMinutes?: number | undefined;
  demand?: number | undefined;
}

export interface RouteRequest {
  start: { lat: number; lon: number };
  stops: Stop[];
  returnToStart: boolean;
  vehicleCapacity?: number | undefined;
  timeLimitMs: number;
  averageSpeedMph: number;
}

export interface PlannedRoute {
  stopIds: string[];
  miles: number;
  minutes: number;
  load?: number;
}

export interface RoutePlan {
  routes: PlannedRoute[];
  totalMiles: number;
  /** The same stops by nearest neighbour (cut by capacity in that order when there is one): the baseline. */
  nearestNeighbourMiles: number;
  /** The stops in the order given. */
  givenOrderMiles: number;
  averageSpeedMph: number;
  method: string;
  iterations: number;
  computeMs: number;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * For a route that need not return: a dummy node at distance 0 from the start
 * and `far` from every stop, so the best tour through it is the best open
 * path followed by the free return.
 */
function openPathMatrix(m: Matrix): Matrix {
  const n = m.n + 1;
  const far = 1 + 4 * m.d.reduce((a, b) => Math.max(a, b), 0) * m.n;
  const d = new Float64Array(n * n);
  for (let i = 0; i < m.n; i++) for (let j = 0; j < m.n; j++) d[i * n + j] = m.d[i * m.n + j]!;
  for (let i = 1; i < m.n; i++) {
    d[i * n + m.n] = far;
    d[m.n * n + i] = far;
  }
  return { n, d };
}

function pathCost(m: Matrix, order: readonly number[], closed: boolean): number {
  let sum = 0;
  for (let i = 1; i < order.length; i++) sum += m.d[order[i - 1]! * m.n + order[i]!]!;
  return closed && order.length > 1 ? sum + m.d[order[order.length - 1]! * m.n + order[0]!]! : sum;
}

export async function planRoutes(req: RouteRequest, clock: { now: () => number; pause?: () => Promise<void> }): Promise<RoutePlan> {
  const t0 = clock.now();
  const control: SearchControl & { progress: () => number } = {
    random: prng(req.stops.length * 7919 + 17),
    timeUp: () => clock.now() - t0 >= req.timeLimitMs,
    progress: () => (clock.now() - t0) / req.timeLimitMs,
    ...(clock.pause ? { pause: clock.pause } : {}),
  };
  const m = greatCircleMatrix([req.start, ...req.stops]);
  const given = [0, ...req.stops.map((_, i) => i + 1)];
  const minutesOf = (miles: number, nodes: number[]) =>
    round((miles / req.averageSpeedMph) * 60 + nodes.reduce((s, i) => s + (req.stops[i - 1]?.serviceMinutes ?? 0), 0), 1);
  const toRoute = (nodes: number[], miles: number): PlannedRoute => ({
    stopIds: nodes.map((i) => req.stops[i - 1]!.id),
    miles: round(miles),
    minutes: minutesOf(miles, nodes),
    ...(req.vehicleCapacity !== undefined ? { load: nodes.reduce((s, i) => s + (req.stops[i - 1]!.demand ?? 1), 0) } : {}),
  });

  if (req.vehicleCapacity === undefined) {
    const closed = req.returnToStart;
    const searchMatrix = closed ? m : openPathMatrix(m);
    const result = await solveTour(searchMatrix, control);
    const tour = closed ? result.tour : dropDummy(result.tour, m.n);
    const nn = nearestNeighbourTour(m, 0);
    const givenMiles = pathCost(m, given, closed);
    let order = tour;
    let miles = pathCost(m, tour, closed);
    if (miles > givenMiles) {
      order = given;
      miles = givenMiles;
    }
    return {
      routes: req.stops.length > 0 ? [toRoute(order.slice(1), miles)] : [],
      totalMiles: round(miles),
      nearestNeighbourMiles: round(pathCost(m, nn, closed)),
      givenOrderMiles: round(givenMiles),
      averageSpeedMph: req.averageSpeedMph,
      method: m.n <= 9 ? 'exact (every order tried)' : 'nearest neighbour, 2-opt and Or-opt, iterated local search',
      iterations: result.iterations,
      computeMs: clock.now() - t0,
    };
  }

  const demand = [0, ...req.stops.map((s) => s.demand ?? 1)];
  const problem = { m, demand, capacity: req.vehicleCapacity };
  const result = await solveCvrp(problem, control);
  const inGivenOrder = routesInOrder(problem, given.slice(1));
  const cost = (routes: Routes) => routes.reduce((s, r) => s + routeCost(m, r), 0);
  const givenMiles = cost(inGivenOrder);
  const routes = result.cost <= givenMiles ? result.routes : inGivenOrder;
  const nn = nearestNeighbourTour(m, 0).slice(1);
  return {
    routes: routes.map((r) => toRoute(r, routeCost(m, r))),
    totalMiles: round(cost(routes)),
    nearestNeighbourMiles: round(cost(routesInOrder(problem, nn))),
    givenOrderMiles: round(givenMiles),
    averageSpeedMph: req.averageSpeedMph,
    method: 'Clarke-Wright savings, then ruin and recreate under simulated annealing; routes polished by 2-opt and Or-opt',
    iterations: result.iterations,
    computeMs: clock.now() - t0,
  };
}

/** The tour from the start, without the dummy end node, in the direction that puts the dummy last. */
function dropDummy(tour: number[], dummy: number): number[] {
  const i = tour.indexOf(0);
  const rotated = [...tour.slice(i), ...tour.slice(0, i)];
  const forward = rotated[rotated.length - 1] === dummy ? rotated : [rotated[0]!, ...rotated.slice(1).reverse()];
  return forward.filter((x) => x !== dummy);
}

