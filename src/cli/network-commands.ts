// Operator commands for admission: make the network's root key, certify a
// hub, issue a store's one-time join token, revoke a store.
import type { Command } from 'commander';
import { certifyHub, initNetwork, issueJoinTokenFor, loadAdmission } from '../mesh/admission/admission.js';
import { PeerClient } from '../mesh/transport/peer-client.js';
import { loadOrCreateIdentity } from '../core/identity.js';

function fail(message: string): never {
  process.stderr.write(`codepop: ${message}\n`);
  process.exit(2);
}

export function addNetworkCommands(program: Command): void {
  const network = program.command('network').description('the network root key and hub certificates');
  network
    .command('init')
    .description("make the network's root key pair (keep root.key offline; give nodes root.pub)")
    .requiredOption('--out <dir>', 'directory to write root.key and root.pub into')
    .action((opts: { out: string }) => {
      try {
        const { rootPublicKey, keyFile, pubFile } = initNetwork(opts.out);
        process.stdout.write(`root key: ${keyFile} (secret, owner-only)\nroot public key: ${pubFile}\n${rootPublicKey}\n`);
      } catch (err) {
        fail((err as Error).message);
      }
    });
  network
    .command('add-hub')
    .description("give the hub whose data directory this is a certificate signed by the root")
    .requiredOption('--root-key <file>', 'the root.key made by `network init`')
    .requiredOption('--data-dir <dir>', "the hub's data directory (its identity is created if new)")
    .requiredOption('--region <code>', 'the region the hub serves')
    .action((opts: { rootKey: string; dataDir: string; region: string }) => {
      if (!/^[A-Z]$/.test(opts.region)) fail('--region: must be one capital letter, such as C');
      try {
        const { nodeId } = certifyHub({ rootKeyFile: opts.rootKey, dataDir: opts.dataDir, region: opts.region });
        process.stdout.write(`hub ${nodeId} certified for region ${opts.region}\n`);
      } catch (err) {
        fail((err as Error).message);
      }
    });

  const hub = program.command('hub').description("a hub operator's tools");
  hub
    .command('issue-join-token')
    .description('make a one-time, expiring token a new store of this region joins with')
    .requiredOption('--data-dir <dir>', "the hub's data directory (its key signs the token)")
    .option('--region <code>', "the store's region (must be the hub's)")
    .option('--ttl-minutes <n>', 'minutes until the token expires', '60')
    .option('--hub-url <url>', 'where the store finds the hub')
    .action((opts: { dataDir: string; region?: string; ttlMinutes: string; hubUrl?: string }) => {
      const minutes = Number(opts.ttlMinutes);
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 7 * 24 * 60) fail('--ttl-minutes: a whole number from 1 to 10080');
      try {
        const { token, expiresAt } = issueJoinTokenFor({
          hubDataDir: opts.dataDir,
          ttlMs: minutes * 60_000,
          ...(opts.region ? { region: opts.region } : {}),
          ...(opts.hubUrl ? { hubUrl: opts.hubUrl } : {}),
        });
        process.stderr.write(`one-time join token, valid until ${new Date(expiresAt).toISOString()}:\n`);
        process.stdout.write(`${token}\n`);
      } catch (err) {
        fail((err as Error).message);
      }
    });
  hub
    .command('revoke')
    .description("revoke a store's certificate; the hub spreads the revocation")
    .requiredOption('--data-dir <dir>', "the hub's data directory (its key signs the request)")
    .requiredOption('--url <url>', "the running hub's URL")
    .requiredOption('--node <id>', "the store's node id")
    .requiredOption('--reason <text>', 'why, for the record')
    .action(async (opts: { dataDir: string; url: string; node: string; reason: string }) => {
      const identity = loadOrCreateIdentity(opts.dataDir);
      const { chain } = loadAdmission(opts.dataDir);
      if (!chain) fail(`${opts.dataDir} holds no hub certificate`);
      const client = new PeerClient({ nodeId: identity.nodeId, privateKey: identity.privateKey, chain: () => chain, now: () => Date.now() });
      try {
        const res = await client.call<{ revocation: { serial: string } }>(opts.url, 'POST', '/p2p/v1/revoke', { nodeId: opts.node, reason: opts.reason });
        process.stdout.write(`revoked ${opts.node} (certificate ${res.revocation.serial})\n`);
      } catch (err) {
        fail((err as Error).message);
      }
    });
}
