import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { createMetricsRegistry } from './metrics.js';
import { collapseOrigins, contentSecurityPolicy, isReservedPath } from './web.js';

const root = mkdtempSync(path.join(tmpdir(), 'codepop-web-'));
let app: FastifyInstance;
let origins = ['http://127.0.0.1:7101', 'http://127.0.0.1:7102'];

beforeAll(async () => {
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>CodePop</title><script type="module" src="/assets/index-abc123.js"></script>');
  writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(path.join(root, 'assets', 'index-abc123.js.br'), brotliCompressSync('console.log(1)'));
  writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  app = await buildApp({ log: pino({ level: 'silent' }), metrics: createMetricsRegistry({}), title: 't', web: { root, connectSources: () => origins } });
  app.get('/api/v1/thing', { config: { access: 'public' } }, async () => ({ ok: true }));
  await app.ready();
});
afterAll(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

const page = (url: string) => app.inject({ method: 'GET', url, headers: { accept: 'text/html,application/xhtml+xml' } });

describe('the web app served by a node', () => {
  it('answers / and any page path with index.html, uncached, under a strict CSP', async () => {
    for (const url of ['/', '/menu', '/order/abc/def', '/staff/123/inventory?x=1']) {
      const res = await page(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("connect-src 'self' http://127.0.0.1:*");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.body).toContain('<title>CodePop</title>');
    }
  });

  it('caches hashed assets for a year and other files not at all', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-encoding']).toBeUndefined();
    // A browser that takes brotli gets the compressed file the build wrote beside it.
    const br = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toContain('javascript');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('never swallows the API, peer, docs or metrics paths, nor a missing file', async () => {
    for (const url of ['/api/v1/nothing', '/api', '/p2p/v1/nothing', '/metrics/x', '/docs-x/../api/v1/none', '/assets/missing.js', '/problems/none']) {
      const res = await page(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
    }
    const wrongMethod = await app.inject({ method: 'DELETE', url: '/api/v1/thing' });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
    expect((await app.inject({ method: 'POST', url: '/menu', headers: { accept: 'text/html' } })).statusCode).toBe(404);
  });

  it('lets the app on another node call this API (bearer tokens only, no cookies)', async () => {
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/thing',
      headers: { origin: 'http://127.0.0.1:7101', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('idempotency-key');
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    const get = await app.inject({ method: 'GET', url: '/api/v1/thing', headers: { origin: 'http://127.0.0.1:7101' } });
    expect(get.headers['access-control-allow-origin']).toBe('*');
  });

  it('lists the stores it knows in connect-src, refreshed as the directory grows', async () => {
    origins = [...origins, 'https://store-9.codepop.example'];
    // The policy is cached for ten seconds; a fresh app sees the new list at once.
    const fresh = await buildApp({ log: pino({ level: 'silent' }), metrics: createMetricsRegistry({}), title: 't', web: { root, connectSources: () => origins } });
    await fresh.ready();
    const csp = String((await fresh.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } })).headers['content-security-policy']);
    expect(csp).toContain('https://store-9.codepop.example');
    await fresh.close();
  });
});

describe('the CSP host list', () => {
  it('keeps one origin as itself, collapses ports of one host and many hosts of one domain', () => {
    expect(collapseOrigins(['http://127.0.0.1:7101'])).toEqual(['http://127.0.0.1:7101']);
    expect(collapseOrigins(['http://127.0.0.1:7101', 'http://127.0.0.1:7102/', 'bogus', 'ftp://x.example'])).toEqual(['http://127.0.0.1:*']);
    expect(collapseOrigins(['https://a.shops.example', 'https://b.shops.example', 'https://c.shops.example', 'https://hub.other.example'])).toEqual([
      'https://*.shops.example:*',
      'https://hub.other.example',
    ]);
    const many = Array.from({ length: 5000 }, (_, i) => `https://store-${i}.codepop.example`);
    expect(contentSecurityPolicy(collapseOrigins(many)).length).toBeLessThan(400);
  });

  it('tells the node\'s own paths from the app\'s', () => {
    for (const p of ['/api', '/api/v1/x', '/p2p/v1/health', '/docs', '/docs/json', '/metrics', '/openapi.json', '/problems/x']) expect(isReservedPath(p), p).toBe(true);
    for (const p of ['/', '/menu', '/apiary', '/staff/x', '/metricsboard']) expect(isReservedPath(p), p).toBe(false);
  });
});
