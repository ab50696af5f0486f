// The web app every node serves (web/, built into dist/web): hashed assets
// cached for a year, index.html never cached, and every other GET for a page
// answered with index.html so the app's own router takes it; the API,
// peer, docs and metrics paths are never swallowed. Each page carries a
// strict Content-Security-Policy: scripts and styles from this node only,
// and fetches to this node and the stores the app may fail over to.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import cors from '@fastify/cors';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WebOptions {
  /** The built app: index.html and assets/. */
  root: string;
  /** The API base URLs the app may call besides this node's own (the stores it fails over to). */
  connectSources: () => Promise<string[]> | string[];
}

/** Paths that belong to the node, never to the app's router. */
const RESERVED = ['/api', '/p2p', '/docs', '/metrics', '/openapi.json', '/problems'];
const ORIGINS_TTL_MS = 10_000;

/** Where the build puts the app beside the compiled node (dist/web); undefined when it was not built. */
export function builtWebRoot(): string | undefined {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web');
  return existsSync(path.join(root, 'index.html')) ? root : undefined;
}

export function isReservedPath(url: string): boolean {
  const p = url.split('?')[0] ?? url;
  return RESERVED.some((r) => p === r || p.startsWith(`${r}/`));
}

/**
 * Origins as CSP host sources, few enough for a header however many stores
 * there are: one origin as itself, several ports of one host as host:*, and
 * three or more hosts under one parent domain as *.parent.
 */
export function collapseOrigins(urls: readonly string[]): string[] {
  const byHost = new Map<string, Set<string>>();
  for (const raw of urls) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      continue;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') continue;
    const key = `${u.protocol}//${u.hostname}`;
    const ports = byHost.get(key) ?? new Set<string>();
    ports.add(u.port);
    byHost.set(key, ports);
  }
  const byParent = new Map<string, string[]>();
  const out: string[] = [];
  for (const [key, ports] of byHost) {
    const [scheme, host] = key.split('//') as [string, string];
    const isName = /[a-z]/i.test(host) && host.split('.').length >= 3;
    if (isName) {
      const parent = `${scheme}//${host.split('.').slice(1).join('.')}`;
      byParent.set(parent, [...(byParent.get(parent) ?? []), key]);
    }
    out.push(ports.size > 1 ? `${key}:*` : [...ports][0] ? `${key}:${[...ports][0]}` : key);
  }
  const covered = new Set<string>();
  for (const [parent, hosts] of byParent) {
    if (hosts.length < 3) continue;
    const [scheme, domain] = parent.split('//') as [string, string];
    for (const h of hosts) covered.add(h);
    out.push(`${scheme}//*.${domain}:*`);
  }
  // An entry is its host key, or the key and a port: drop those a wildcard covers.
  return out.filter((o) => !covered.has(o.replace(/:(\d+|\*)$/, ''))).sort();
}

export function contentSecurityPolicy(connect: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export async function installWebApp(app: FastifyInstance, web: WebOptions | undefined, fallback: WebFallback): Promise<void> {
  // The app on one node calls the stores it orders from, which are other origins. Bearer tokens only
  // (no cookies), so any origin may call; nothing ambient goes with a cross-origin request.
  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'traceparent'],
    exposedHeaders: ['retry-after', 'x-request-id', 'location', 'content-disposition'],
    maxAge: 600,
  });
  if (!web) return;
  const index = readFileSync(path.join(web.root, 'index.html'));
  let cached: { at: number; policy: string } | undefined;
  const policy = async (): Promise<string> => {
    if (cached && Date.now() - cached.at < ORIGINS_TTL_MS) return cached.policy;
    const sources = collapseOrigins(await web.connectSources());
    cached = { at: Date.now(), policy: contentSecurityPolicy(sources) };
    return cached.policy;
  };
  await app.register(fastifyStatic, {
    root: web.root,
    prefix: '/',
    index: false,
    wildcard: false,
    // Cache headers are set below, per file: hashed assets for a year, everything else revalidated.
    cacheControl: false,
    // The build writes .br and .gz beside each asset; a browser that takes them gets those bytes.
    preCompressed: true,
    setHeaders: (res, filePath) => {
      const hashed = filePath.includes(`${path.sep}assets${path.sep}`);
      res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.setHeader('x-content-type-options', 'nosniff');
    },
  });
  const sendIndex = async (reply: FastifyReply): Promise<FastifyReply> =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', await policy())
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(index);
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, (_request, reply) => sendIndex(reply));
  fallback.send = async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (isReservedPath(request.url)) return false;
    const accept = String(request.headers.accept ?? '');
    if (!accept.includes('text/html') && !accept.includes('*/*')) return false;
    // A path with a file extension that is not here is a missing file, not a page.
    if (/\.[a-z0-9]{1,8}$/i.test(request.url.split('?')[0] ?? '')) return false;
    await sendIndex(reply);
    return true;
  };
}

/** What the not-found handler asks first: true when it answered a page of the app with index.html. */
export interface WebFallback {
  send: (request: FastifyRequest, reply: FastifyReply) => Promise<boolean>;
}

export function noWebFallback(): WebFallback {
  return { send: async () => false };
}
