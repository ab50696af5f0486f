// `npm run sim -- …`: the deterministic simulation from the command line.
//   --seed N          one run; prints its summary, or on a violation its trace,
//                     the engines' last log lines and the violations (exit 1)
//   --seeds N         runs seeds 1..N (or --from F .. F+N-1), prints progress and
//                     a count, lists failing seeds (exit 1 if any)
//   --nodes N         network size (default 51)
//   --writes N, --fault-ms MS   workload size and length of the fault phase
//   --broken          every node on the deliberately broken store
//   --trace           with --seed: print the trace even when the run is clean
// The same seed and options give the same trace, byte for byte.
import { parseArgs } from 'node:util';
import { DEFAULTS, runSimulation, type SimConfig, type SimResult } from './scenario.js';

function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number >= 0, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

function printFailure(r: SimResult): void {
  console.log(`--- trace of seed ${r.seed} ---`);
  for (const line of r.trace) console.log(line);
  console.log(`--- last engine and watcher log lines ---`);
  for (const line of r.nodeLog.slice(-60)) console.log(line);
  console.log(`--- violations of seed ${r.seed} ---`);
  for (const v of r.violations) console.log(`[${v.invariant}] ${v.detail}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      seeds: { type: 'string' },
      from: { type: 'string' },
      nodes: { type: 'string' },
      writes: { type: 'string' },
      'fault-ms': { type: 'string' },
      broken: { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const base: Omit<SimConfig, 'seed'> = {
    nodes: intOption(values.nodes, 'nodes', DEFAULTS.nodes),
    writes: intOption(values.writes, 'writes', DEFAULTS.writes),
    faultMs: intOption(values['fault-ms'], 'fault-ms', DEFAULTS.faultMs),
    broken: values.broken,
  };
  const same = `${values.broken ? ' --broken' : ''}${values.nodes ? ` --nodes ${base.nodes}` : ''}${values.writes ? ` --writes ${base.writes}` : ''}${values['fault-ms'] ? ` --fault-ms ${base.faultMs}` : ''}`;

  if (values.seed !== undefined) {
    const r = await runSimulation({ ...base, seed: intOption(values.seed, 'seed', 1) });
    if (r.violations.length > 0) {
      printFailure(r);
      console.log(`replay: npm run sim -- --seed ${r.seed}${same}`);
      return 1;
    }
    if (values.trace) for (const line of r.trace) console.log(line);
    else console.log(r.summary);
    return 0;
  }

  const count = intOption(values.seeds, 'seeds', 100);
  const from = intOption(values.from, 'from', 1);
  const failing: number[] = [];
  const started = performance.now();
  for (let seed = from; seed < from + count; seed++) {
    const r = await runSimulation({ ...base, seed });
    if (r.violations.length > 0) {
      failing.push(seed);
      console.log(`seed ${seed} FAILED: ${r.violations.map((v) => v.invariant).filter((x, i, a) => a.indexOf(x) === i).join(', ')}`);
    }
    const done = seed - from + 1;
    if (done % 50 === 0 || done === count) {
      const s = (performance.now() - started) / 1000;
      console.log(`${done}/${count} seeds, ${failing.length} failing, ${s.toFixed(1)} s (${((s * 1000) / done).toFixed(0)} ms/seed)`);
    }
  }
  if (failing.length > 0) {
    console.log(`failing seeds: ${failing.join(' ')}`);
    console.log(`replay one: npm run sim -- --seed ${failing[0]}${same}`);
    return 1;
  }
  console.log(`all ${count} seeds passed (${from}..${from + count - 1})`);
  return 0;
}

process.exitCode = await main();
