#!/usr/bin/env node
// The `codepop` program: every role of the network runs this one command.
import { Command, CommanderError } from 'commander';
import { addNodeCommand } from './node-command.js';
import { addDemoCommand } from './demo-command.js';
import { addNetworkCommands } from './network-commands.js';
import { addAccountsCommand } from './accounts-command.js';
import { addBackupCommands } from './backup-command.js';

const program = new Command('codepop')
  .description('CodePop Mesh: soda shops and supply hubs as a peer-to-peer network')
  .showHelpAfterError()
  .exitOverride();

addNodeCommand(program);
addDemoCommand(program);
addNetworkCommands(program);
addAccountsCommand(program);
addBackupCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version exit 0; a bad command line is a usage error (2).
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  const cause = err instanceof Error && err.cause instanceof Error ? `\ncaused by: ${err.cause.message}` : '';
  process.stderr.write(`codepop: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}${cause}\n`);
  process.exit(1);
}
