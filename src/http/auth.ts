// One authorization layer. Every route declares who may call it in
// `config.access`; the app refuses to start a route that declares nothing.
//   'public'            anyone (health, docs, metrics)
//   'peer'              a node of the network, by a signed request (mesh)
//   { roles: [...] }    a bearer token whose principal holds one of the roles
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

export type Access = 'public' | 'peer' | { roles: RoleType[] };

export interface RoleGrant {
  role: RoleType;
  storeId?: string;
  regionCode?: string;
}

export interface Principal {
  subject: string;
  kind: 'operator' | 'user';
  roles: RoleGrant[];
}

/** What a verified peer request tells the handler about its sender. */
export interface PeerPrincipal {
  nodeId: string;
  role: 'hub' | 'store';
  region: string;
  /** The sender's verified certificate chain, leaf first. */
  chain: unknown[];
}

export interface AuthProviders {
  /** Accounts add user tokens here; the operator token is always understood. */
  resolveBearer?: (token: string) => Promise<Principal | undefined>;
  verifyPeer?: (request: FastifyRequest) => Promise<PeerPrincipal>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
    peer?: PeerPrincipal;
    rawBody?: string;
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison of secrets of any length. */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

export function installAuth(app: FastifyInstance, operatorToken: string | undefined, providers: AuthProviders): void {
  app.addHook('onRoute', (route) => {
    if (!route.config?.access) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no access policy (config.access)`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public' || access === 'peer') return;
    const token = bearerOf(request);
    if (!token) throw new Unauthorized();
    let principal: Principal | undefined;
    if (operatorToken && secretsEqual(token, operatorToken)) {
      principal = { subject: 'operator', kind: 'operator', roles: [{ role: 'SUPER_ADMIN' }] };
    } else {
      principal = await providers.resolveBearer?.(token);
    }
    if (!principal) throw new Unauthorized('The token is not valid here.');
    const allowed = principal.roles.some((g) => g.role === 'SUPER_ADMIN' || access.roles.includes(g.role));
    if (!allowed) throw new Forbidden(`This needs one of the roles ${access.roles.join(', ')}.`);
    request.principal = principal;
  });

  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config.access !== 'peer') return;
    if (!providers.verifyPeer) throw new Unauthorized('This node is not part of a network; peer requests are refused.');
    request.peer = await providers.verifyPeer(request);
  });
}
