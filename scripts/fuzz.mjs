#!/usr/bin/env node
// `npm run fuzz -- --seed N --minutes M [--requests R]`: the API fuzzer of
// test/fuzz.test.ts for longer than CI runs it, against a store and a hub on
// PGlite. Prints progress every 250 requests and the findings by class.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { seed: { type: 'string' }, minutes: { type: 'string' }, requests: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log('usage: npm run fuzz -- [--seed N] [--minutes M] [--requests R]\n  --seed      the fast-check seed (default: a new one, printed)\n  --minutes   run each node this long (default 1)\n  --requests  stop after this many requests per node instead');
  process.exit(0);
}
const seed = values.seed ?? String(Math.floor(Math.random() * 2 ** 31));
const env = { ...process.env, FUZZ_SEED: seed, CODEPOP_TEST_DBS: 'pglite' };
if (values.requests) env.FUZZ_REQUESTS = values.requests;
else env.FUZZ_MINUTES = values.minutes ?? '1';
console.log(`fuzzing with seed ${seed} (${values.requests ? `${values.requests} requests` : `${env.FUZZ_MINUTES} minutes`} per node); repeat with --seed ${seed}`);
const run = spawnSync('npx', ['vitest', 'run', 'test/fuzz.test.ts', '--reporter', 'verbose'], { stdio: 'inherit', env });
process.exit(run.status ?? 1);
