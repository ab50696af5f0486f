#!/usr/bin/env node
// Builds the web app after the node is compiled (`npm run build`):
// 1. asks a node, booted here on in-memory PGlite, for its /openapi.json;
// 2. turns it into the app's API types (web/src/api/schema.gen.ts);
// 3. type-checks the app against them, so the build fails when the API and
//    the app disagree; 4. bundles it with Vite into dist/web.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const step = (n, text) => console.log(`[web ${n}/4] ${text}`);
const t0 = Date.now();

step(1, 'reading the API description from a node booted in memory…');
const { startNode } = await import(path.join(root, 'dist/node/node.js'));
const { loadNodeConfig } = await import(path.join(root, 'dist/core/config.js'));
const dataDir = mkdtempSync(path.join(tmpdir(), 'codepop-openapi-'));
const config = loadNodeConfig({ role: 'store', name: 'OpenAPI', region: 'C', lat: 41.7, lon: -111.8, port: 0, dataDir, logLevel: 'silent' }, {});
const node = await startNode(config, { database: { kind: 'pglite' }, listen: false, serveWeb: false });
const spec = (await node.app.inject({ method: 'GET', url: '/openapi.json' })).json();
await node.stop();
rmSync(dataDir, { recursive: true, force: true });
const specFile = path.join(root, 'web/src/api/openapi.json');
const text = `${JSON.stringify(spec, null, 1)}\n`;
if (!existsSync(specFile) || readFileSync(specFile, 'utf8') !== text) writeFileSync(specFile, text);

step(2, 'generating the API types (openapi-typescript)…');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('npx', ['openapi-typescript', 'web/src/api/openapi.json', '-o', 'web/src/api/schema.gen.ts', '--alphabetize']);

step(3, 'type-checking the app against the API…');
run('npx', ['tsc', '-p', 'web/tsconfig.json']);

step(4, 'bundling with Vite…');
run('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']);
// Compressed siblings of each asset: the node serves .br or .gz to a browser that takes them.
const { readdirSync, statSync } = await import('node:fs');
const { brotliCompressSync, gzipSync, constants } = await import('node:zlib');
const assets = path.join(root, 'dist/web/assets');
let raw = 0;
let br = 0;
for (const name of readdirSync(assets)) {
  if (!/\.(js|css|svg|json)$/.test(name)) continue;
  const file = path.join(assets, name);
  const body = readFileSync(file);
  const brotli = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  writeFileSync(`${file}.br`, brotli);
  writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
  raw += statSync(file).size;
  br += brotli.length;
}
console.log(`[web] built into dist/web in ${((Date.now() - t0) / 1000).toFixed(1)} s: assets ${(raw / 1000).toFixed(0)} kB, ${(br / 1000).toFixed(0)} kB with brotli`);
