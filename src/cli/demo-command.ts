// `codepop demo` on the command line: options, and Ctrl-C stopping the network.
import type { Command } from 'commander';
import path from 'node:path';
import { runDemo, stopDemo, type DemoNode } from './demo.js';
import { demoRegions } from './demo-network.js';

function int(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      process.stderr.write(`codepop demo: ${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})\n`);
      process.exit(2);
    }
    return n;
  };
}

function regionList(value: string): string[] {
  const codes = value.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
  const unknown = codes.filter((c) => !demoRegions.some((r) => r.code === c));
  if (codes.length === 0 || unknown.length > 0) {
    process.stderr.write(`codepop demo: --regions takes region codes from ${demoRegions.map((r) => r.code).join(', ')} (got ${JSON.stringify(value)})\n`);
    process.exit(2);
  }
  return [...new Set(codes)];
}

export function addDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start a whole network on this machine: 7 supply hubs and stores in every region, each a real node process')
    .option('--data-dir <dir>', "where every node's data goes", '.codepop-demo')
    .option('--base-port <port>', 'nodes listen on consecutive loopback ports from here', int('--base-port', 1024, 65000), 7000)
    .option('--stores-per-region <n>', 'at most this many stores in each region (default: all 44)', int('--stores-per-region', 0, 100))
    .option('--regions <codes>', 'only these regions, comma-separated (e.g. C for one hub and its stores)', regionList)
    .option('--heartbeat-ms <ms>', 'heartbeat interval of every node', int('--heartbeat-ms', 100, 60_000), 1000)
    .option('--parallel <n>', 'nodes started at once', int('--parallel', 1, 16), 4)
    .action(async (opts: { dataDir: string; basePort: number; storesPerRegion?: number; regions?: string[]; heartbeatMs: number; parallel: number }) => {
      const out = (line: string) => process.stdout.write(`${line}\n`);
      let nodes: DemoNode[] = [];
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        process.exit(await stopDemo(nodes, out));
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
      try {
        await runDemo({ ...opts, dataDir: path.resolve(opts.dataDir), out, onPlan: (planned) => (nodes = planned), ...(opts.storesPerRegion !== undefined ? { storesPerRegion: opts.storesPerRegion } : {}) });
      } catch (err) {
        out(`demo failed: ${(err as Error).message}`);
        await stopDemo(nodes, out);
        process.exit(1);
      }
    });
}
