// One authorization layer. Every route declares who may call it in
// `config.access`; the app refuses to start a route that declares nothing.
//   'public'            anyone (health, docs, metrics, login)
//   'peer'              a node of the network, by a signed request (mesh)
//   { roles, scope? }   a bearer token whose principal holds one of the roles,
//                       in scope (see grantAllows)
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { timingSafeEqual, createHash } from 'node:crypto';
import { Forbidden, Unauthorized } from './errors.js';

export const roleTypes = [
  'ACCOUNT_USER',
  'GENERAL_USER',
  'MANAGER',
  'ADMIN',
  'LOGISTICS_MANAGER',
  'REPAIR_STAFF',
  'SUPER_ADMIN',
] as const;
export type RoleType = (typeof roleTypes)[number];

/** Roles whose grant names one store, and roles whose grant names one region. */
export const storeScopedRoles: readonly RoleType[] = ['MANAGER', 'ADMIN'];
export const regionScopedRoles: readonly RoleType[] = ['LOGISTICS_MANAGER', 'REPAIR_STAFF'];

/**
 * Which route parameters name the store or region a request acts on. A route
 * with no scope acts on the node that answers it: its store, its region.
 */
export interface RouteScope {
  store?: string;
  region?: string;
}

export type Access = 'public' | 'peer' | { roles: RoleType[]; scope?: RouteScope };

export interface RoleGrant {
  role: RoleType;
  storeId?: string;
  regionCode?: string;
}

export interface Principal {
  subject: string;
  kind: 'operator' | 'user' | 'guest';
  roles: RoleGrant[];
  /** The token's id, for logout. */
  tokenId?: string;
  username?: string;
}

/** What a verified peer request tells the handler about its sender. */
export interface PeerPrincipal {
  nodeId: string;
  role: 'hub' | 'store';
  region: string;
  /** The sender's verified certificate chain, leaf first. */
  chain: unknown[];
}

/** Where this node stands: the store it is (if a store) and its region. */
export interface NodePlace {
  storeId?: string;
  region: string;
  /** The region of another store, when this node knows it (membership). */
  regionOfStore?: (storeId: string) => string | undefined;
}

export interface AuthProviders {
  /** Accounts add user tokens here; the operator token is always understood. */
  resolveBearer?: (token: string) => Promise<Principal | undefined>;
  verifyPeer?: (request: FastifyRequest) => Promise<PeerPrincipal>;
  place?: NodePlace;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
    peer?: PeerPrincipal;
    rawBody?: string;
    /** The W3C trace id this request belongs to (taken from `traceparent`, or new). */
    traceId?: string;
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison of secrets of any length. */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function bearerOf(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/** The store and region a request acts on, from its route parameters or, failing those, this node. */
export function targetOf(
  scope: RouteScope | undefined,
  params: Record<string, unknown>,
  place: NodePlace,
): { storeId: string | undefined; region: string | undefined } {
  const storeParam = scope?.store ? params[scope.store] : undefined;
  const regionParam = scope?.region ? params[scope.region] : undefined;
  if (typeof storeParam === 'string') {
    const region = storeParam === place.storeId ? place.region : place.regionOfStore?.(storeParam);
    return { storeId: storeParam, region };
  }
  if (typeof regionParam === 'string') return { storeId: undefined, region: regionParam };
  return { storeId: place.storeId, region: place.region };
}

/**
 * Whether one grant lets its holder through a route. A super admin goes
 * everywhere; store roles only for their store, region roles only for their
 * region (a store's region counts); customer and guest roles carry no place:
 * the service limits them to their own data.
 */
export function grantAllows(grant: RoleGrant, roles: readonly RoleType[], target: { storeId: string | undefined; region: string | undefined }): boolean {
  if (grant.role === 'SUPER_ADMIN') return true;
  if (!roles.includes(grant.role)) return false;
  if (storeScopedRoles.includes(grant.role)) return grant.storeId !== undefined && grant.storeId === target.storeId;
  if (regionScopedRoles.includes(grant.role)) return grant.regionCode !== undefined && grant.regionCode === target.region;
  return true;
}

export function installAuth(app: FastifyInstance, operatorToken: string | undefined, providers: AuthProviders): void {
  const place: NodePlace = providers.place ?? { region: '' };
  app.addHook('onRoute', (route) => {
    if (!route.config?.access) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no access policy (config.access)`);
    }
  });

  // Bearer checks run before the body is read; peer checks need the raw body, so they wait for it.
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === 'peer') return;
    if (access === undefined || access === 'public') {
      // A public route may still act for a caller who shows a token (logout, optional identity).
      const token = bearerOf(request);
      if (token && providers.resolveBearer) request.principal = await providers.resolveBearer(token);
      return;
    }
    const token = bearerOf(request);
    if (!token) throw new Unauthorized();
    let principal: Principal | undefined;
    if (operatorToken && secretsEqual(token, operatorToken)) {
      principal = { subject: 'operator', kind: 'operator', roles: [{ role: 'SUPER_ADMIN' }] };
    } else {
      principal = await providers.resolveBearer?.(token);
    }
    if (!principal) throw new Unauthorized('The token is not valid here.');
    const target = targetOf(access.scope, (request.params ?? {}) as Record<string, unknown>, place);
    const allowed = principal.roles.some((g) => grantAllows(g, access.roles, target));
    if (!allowed) throw new Forbidden(`This needs one of the roles ${access.roles.join(', ')} for this ${target.storeId ? 'store' : 'region'}.`);
    request.principal = principal;
  });

  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config.access !== 'peer') return;
    if (!providers.verifyPeer) throw new Unauthorized('This node is not part of a network; peer requests are refused.');
    request.peer = await providers.verifyPeer(request);
  });
}
