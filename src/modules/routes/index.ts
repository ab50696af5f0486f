// Routes module: the route optimiser (deliveries now, repair crews later).
// Pure solvers (tsp.ts, cvrp.ts) behind planRoutes; one HTTP route. It needs
// nothing of the node: no database, no replication.
import type { FastifyInstance } from 'fastify';
import { registerRouteRoutes } from './routes.js';

export { planRoutes, type RouteRequest, type RoutePlan, type Stop } from './optimize.js';

export function registerRoutes(app: FastifyInstance): void {
  registerRouteRoutes(app);
}
