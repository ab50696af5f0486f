// Shared by every benchmark: option parsing, progress lines stamped with the
// elapsed time (nobody stares at a silent terminal), percentiles, aligned
// summary tables, and cleanup of child processes and servers when a run ends
// or is interrupted.
import { parseArgs } from 'node:util';

const startedAt = performance.now();

/** A progress line, prefixed with the seconds since the benchmark started. */
export function progress(message: string): void {
  const s = ((performance.now() - startedAt) / 1000).toFixed(1).padStart(6);
  console.log(`[${s} s] ${message}`);
}

export class UsageError extends Error {}

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; help: string }>;

/** Parses `--name value` options; unknown ones are a UsageError (the dispatcher exits 2). */
export function parseOptions(args: string[], spec: OptionSpec): Record<string, string | boolean | undefined> {
  const options = Object.fromEntries(Object.entries(spec).map(([name, { type }]) => [name, { type }]));
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function usage(spec: OptionSpec): string {
  return Object.entries(spec)
    .map(([name, { type, help }]) => `  --${name}${type === 'string' ? ' <value>' : ''}`.padEnd(28) + help)
    .join('\n');
}

/** A whole number option at least `min`, or the default when absent. */
export function intOption(values: Record<string, string | boolean | undefined>, name: string, fallback: number, min = 0): number {
  const raw = values[name];
  if (raw === undefined || typeof raw === 'boolean') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ratio(a: number, b: number): string {
  return b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : 'n/a';
}

export function mib(bytes: number): string {
  return `${fmt(bytes / 1024 / 1024, 1)} MiB`;
}

/** An aligned text table; columns whose cells all look numeric are right-aligned. */
export function table(title: string, headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.every((r) => /^[-\d.,×%~ n/a]*(ms|s|MiB|\/s)?$/.test(r[i] ?? '')));
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [``, title, rule, line(headers), rule, ...rows.map(line), rule].join('\n');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Cleanup = () => Promise<unknown>;
const cleanups: Cleanup[] = [];

/** Registers something to stop when the benchmark ends, fails or is interrupted (last registered runs first). */
export function onCleanup(fn: Cleanup): void {
  cleanups.push(fn);
}

export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop() as Cleanup;
    await fn().catch((err: unknown) => console.error(`cleanup failed: ${String(err)}`));
  }
}

let interruptsInstalled = false;
/** Ctrl-C stops the node processes the benchmark started instead of leaving them running. */
export function installInterruptCleanup(): void {
  if (interruptsInstalled) return;
  interruptsInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping what the benchmark started…`);
      void runCleanups().finally(() => process.exit(130));
    });
  }
}
