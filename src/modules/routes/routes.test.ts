// The route optimiser: the solvers against brute force and their invariants
// (every stop once, capacity kept, never longer than the given order), and
// POST /api/v1/routes/optimize through HTTP: roles, bad input, answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../../lib/prng.js';
import { createTestNode, TEST_OPERATOR_TOKEN, type TestNode } from '../../../test/harness/test-node.js';
import { euc2dMatrix, matrixOf } from './distance.js';
import { routeCost, savings, solveCvrp } from './cvrp.js';
import { exactTour, nearestNeighbourTour, solveTour, tourCost } from './tsp.js';
import { planRoutes } from './optimize.js';

const randomPoints = (n: number, seed: number) => {
  const r = prng(seed);
  return Array.from({ length: n }, () => ({ x: Math.round(r() * 1000), y: Math.round(r() * 1000) }));
};
const quick = (ms: number) => {
  const t0 = performance.now();
  return { random: prng(3), timeUp: () => performance.now() - t0 > ms };
};

describe('the TSP search', () => {
  it('finds the optimum of small tours (checked against every order)', async () => {
    // Up to 9 nodes the solver tries every order; from 10 it searches: compare the search with brute force on 10 and 11.
    for (const [n, seed] of [[10, 42], [10, 7], [11, 3]] as const) {
      const m = euc2dMatrix(randomPoints(n, seed));
      const brute = tourCost(m, exactTour(m));
      const found = await solveTour(m, quick(300));
      expect(found.iterations).toBeGreaterThan(0);
      expect(found.cost).toBeCloseTo(brute, 6);
    }
  });

  it('visits every node once and beats nearest neighbour on 200 random points', async () => {
    const m = euc2dMatrix(randomPoints(200, 9));
    const r = await solveTour(m, quick(400));
    expect([...r.tour].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(r.tour[0]).toBe(0);
    expect(r.cost).toBeCloseTo(tourCost(m, r.tour), 6);
    expect(r.cost).toBeLessThan(tourCost(m, nearestNeighbourTour(m)) * 0.95);
  });
});

describe('the CVRP search', () => {
  it('keeps every route within capacity, serves every stop once, and improves on savings', async () => {
    const points = randomPoints(60, 5);
    const m = euc2dMatrix(points);
    const r = prng(8);
    const demand = [0, ...Array.from({ length: 59 }, () => 1 + Math.floor(r() * 30))];
    const p = { m, demand, capacity: 100 };
    const start = savings(p).reduce((s, route) => s + routeCost(m, route), 0);
    const result = await solveCvrp(p, quick(500));
    expect(result.routes.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 59 }, (_, i) => i + 1));
    for (const route of result.routes) expect(route.reduce((s, c) => s + demand[c]!, 0)).toBeLessThanOrEqual(100);
    expect(result.cost).toBeLessThanOrEqual(start);
  });

  it('handles a single stop and stops that each fill a vehicle', async () => {
    const m = matrixOf(3, (i, j) => Math.abs(i - j) * 10);
    const full = await solveCvrp({ m, demand: [0, 5, 5], capacity: 5 }, quick(20));
    expect(full.routes.map((r) => r.length)).toEqual([1, 1]);
    expect(full.cost).toBe(60);
  });
});

describe('planning routes from stops', () => {
  const stops = [
    { id: 'ogden', lat: 41.223, lon: -111.974 },
    { id: 'provo', lat: 40.234, lon: -111.659 },
    { id: 'slc', lat: 40.761, lon: -111.891 },
    { id: 'brigham', lat: 41.51, lon: -112.015 },
  ];
  const logan = { lat: 41.737, lon: -111.834 };
  const plan = (extra: Record<string, unknown> = {}) => planRoutes({ start: logan, stops, returnToStart: true, timeLimitMs: 100, averageSpeedMph: 40, ...extra }, { now: () => performance.now() });

  it('orders stops down the valley and back, never longer than the given order, with minutes at the stated speed', async () => {
    const p = await plan();
    expect(p.routes).toHaveLength(1);
    const order = p.routes[0]!.stopIds;
    expect([order, [...order].reverse()]).toContainEqual(['brigham', 'ogden', 'slc', 'provo']);
    expect(p.totalMiles).toBeLessThanOrEqual(p.givenOrderMiles);
    expect(p.routes[0]!.minutes).toBeCloseTo((p.totalMiles / 40) * 60, 0);
  });

  it('ends at the last stop when the vehicle need not come back', async () => {
    const p = await plan({ returnToStart: false });
    expect(p.routes[0]!.stopIds).toEqual(['brigham', 'ogden', 'slc', 'provo']);
    const closed = await plan();
    expect(p.totalMiles).toBeLessThan(closed.totalMiles);
  });

  it('splits stops into vehicles by capacity', async () => {
    const p = await plan({ vehicleCapacity: 2, stops: stops.map((s) => ({ ...s, demand: 1 })) });
    expect(p.routes).toHaveLength(2);
    expect(p.routes.every((r) => (r.load ?? 0) <= 2)).toBe(true);
    expect(p.routes.flatMap((r) => r.stopIds).sort()).toEqual(['brigham', 'ogden', 'provo', 'slc']);
  });
});

describe('POST /api/v1/routes/optimize', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await createTestNode({ role: 'hub' });
  });
  afterAll(() => node.close());
  const post = (payload: unknown, token = TEST_OPERATOR_TOKEN) =>
    node.app.inject({ method: 'POST', url: '/api/v1/routes/optimize', payload: payload as object, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = { start: { lat: 41.737, lon: -111.834 }, stops: [{ id: 'a', lat: 41.2, lon: -111.9 }, { id: 'b', lat: 40.7, lon: -111.9 }], timeLimitMs: 50 };

  it('answers routes, the baseline miles and the time taken', async () => {
    const res = await post(body);
    expect(res.statusCode, res.body).toBe(200);
    const plan = res.json<{ routes: { stopIds: string[] }[]; totalMiles: number; nearestNeighbourMiles: number; computeMs: number }>();
    expect(plan.routes[0]!.stopIds.sort()).toEqual(['a', 'b']);
    expect(plan.totalMiles).toBeGreaterThan(0);
    expect(plan.totalMiles).toBeLessThanOrEqual(plan.nearestNeighbourMiles);
    expect(plan.computeMs).toBeGreaterThanOrEqual(0);
  });

  it('refuses callers without a role that plans routes', async () => {
    expect((await post(body, '')).statusCode).toBe(401);
    const signUp = await node.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { username: 'planner', email: 'planner@example.com', password: 'a long enough password' } });
    expect(signUp.statusCode).toBe(201);
    const login = await node.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'planner', password: 'a long enough password' } });
    expect((await post(body, login.json<{ token: string }>().token)).statusCode).toBe(403);
  });

  it('names the field of bad input', async () => {
    const cases: [unknown, string][] = [
      [{ ...body, stops: [] }, 'body.stops'],
      [{ ...body, stops: [{ id: 'a', lat: 91, lon: 0 }] }, 'body.stops.0.lat'],
      [{ ...body, stops: [body.stops[0], body.stops[0]] }, 'body.stops.1.id'],
      [{ ...body, vehicleCapacity: 1, stops: [{ ...body.stops[0], demand: 2 }] }, 'body.stops.0.demand'],
      [{ ...body, vehicleCapacity: 5, returnToStart: false }, 'body.returnToStart'],
      [{ ...body, timeLimitMs: 60_000 }, 'body.timeLimitMs'],
      [{ ...body, stops: [{ id: 'x\u0000', lat: 1, lon: 1 }] }, 'body.stops.0.id'],
    ];
    for (const [payload, field] of cases) {
      const res = await post(payload);
      expect(res.statusCode, field).toBe(400);
      expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field), res.body).toContain(field);
    }
  });
});
