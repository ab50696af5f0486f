// The benchmark dispatcher: `tsx bench/run.ts <name> [options]` runs the
// exported `main(args)` of bench/<name>.ts; with no name it lists the
// benchmarks (each file's exported `description`). `npm run bench -- <name>`
// builds dist/ first, which the benchmarks that start real node processes need.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { installInterruptCleanup, runCleanups, UsageError } from './lib/report.js';

interface BenchModule {
  main(args: string[]): Promise<void>;
  description?: string;
}

const benchDir = path.dirname(fileURLToPath(import.meta.url));

function benchmarkNames(): string[] {
  return readdirSync(benchDir)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}

function isBenchModule(m: unknown): m is BenchModule {
  return typeof m === 'object' && m !== null && typeof (m as { main?: unknown }).main === 'function';
}

async function load(name: string): Promise<BenchModule | undefined> {
  const mod: unknown = await import(pathToFileURL(path.join(benchDir, `${name}.ts`)).href);
  return isBenchModule(mod) ? mod : undefined;
}

async function list(): Promise<void> {
  console.log('usage: npm run bench -- <name> [options]      (or: npx tsx bench/run.ts <name> [options])\n');
  console.log('benchmarks:');
  for (const name of benchmarkNames()) {
    const mod = await load(name);
    if (mod) console.log(`  ${name.padEnd(12)} ${mod.description ?? ''}`);
  }
  console.log('\n`<name> --help` lists its options.');
}

async function run(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  if (!name || name === '--help' || name === '-h') {
    await list();
    return 0;
  }
  if (!benchmarkNames().includes(name)) {
    console.error(`unknown benchmark "${name}"; known: ${benchmarkNames().join(', ')}`);
    return 2;
  }
  const mod = await load(name);
  if (!mod) {
    console.error(`bench/${name}.ts exports no main(args)`);
    return 2;
  }
  installInterruptCleanup();
  try {
    await mod.main(args);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`bench ${name}: ${err.message}`);
      return 2;
    }
    console.error(`bench ${name} failed:`, err);
    return 1;
  } finally {
    await runCleanups();
  }
}

// Exit explicitly: a benchmark's leftover keep-alive sockets must not hold the terminal.
run().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
