// `codepop demo`: a whole network on one machine (filled in by the demo module).
import type { Command } from 'commander';

export function addDemoCommand(program: Command): void {
  program.command('demo').description('start a demo network on this machine').action(() => {
    process.stderr.write('demo: not yet\n');
    process.exit(1);
  });
}
