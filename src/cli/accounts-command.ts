// `codepop accounts create-admin`: the network's first super admin, made on
// a stopped node's data directory (normally a hub's), with no token and no
// running network: access to the data directory is the authority, as it is
// for the node's keys. The account and its SUPER_ADMIN role are written as
// the node itself would write them, events included, so they replicate when
// the node starts. The owner hubs confirm the username then (until then the
// account is provisional, and it can log in all the same).
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, type Tx } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import { systemClock } from '../lib/clock.js';
import { loadAdmission } from '../mesh/admission/admission.js';
import { Replicator } from '../mesh/replication/engine.js';
import { SqlReplicationStore } from '../mesh/replication/sql-store.js';
import { AccountService, RoleService, TokenKeys } from '../modules/accounts/index.js';
import { emailSchema, usernameSchema } from '../modules/accounts/routes.js';
import { identityDir, loadOrCreateIdentity } from '../core/identity.js';
import { DataDirLockedError, lockDataDir } from '../node/data-dir-lock.js';

export interface CreateAdminInput {
  dataDir: string;
  /** The node's PostgreSQL, when it runs on one; otherwise its embedded database in the data directory. */
  databaseUrl?: string | undefined;
  username: string;
  email: string;
  /** Omitted: one is generated. */
  password?: string | undefined;
  /** For a node with no certificate (standalone); a certified node's region comes from its certificate. */
  region?: string | undefined;
}

export interface CreatedAdmin {
  userId: string;
  username: string;
  password: string;
  generated: boolean;
  nodeId: string;
}

const offline = () => Promise.reject(new Error('the node is stopped: events wait in its outbox'));
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined };

/** Makes an account with the SUPER_ADMIN role in a stopped node's database. */
export async function createFirstAdmin(input: CreateAdminInput): Promise<CreatedAdmin> {
  const username = usernameSchema.safeParse(input.username);
  if (!username.success) throw new Error(`--username: ${username.error.issues[0]?.message ?? 'invalid'}`);
  const email = emailSchema.safeParse(input.email);
  if (!email.success) throw new Error(`--email: ${email.error.issues[0]?.message ?? 'invalid'}`);
  if (!existsSync(path.join(identityDir(input.dataDir), 'node.json'))) {
    throw new Error(`${input.dataDir} holds no node identity: start the node once with this data directory, stop it, then run this again`);
  }
  const generated = input.password === undefined;
  const password = input.password ?? randomBytes(18).toString('base64url');

  let unlock: () => void;
  try {
    unlock = lockDataDir(input.dataDir);
  } catch (err) {
    // Two processes on one embedded database corrupt it; and a running node would not see the new rows' events.
    if (err instanceof DataDirLockedError) throw new Error(`${err.message}: stop the node first`);
    throw err;
  }
  try {
    const region = loadAdmission(input.dataDir).chain?.[0]?.region ?? input.region;
    if (!region) throw new Error(`${input.dataDir} holds no certificate to read the region from: give --region`);
    const identity = loadOrCreateIdentity(input.dataDir);
    const database = await openDatabase(
      input.databaseUrl ? { kind: 'postgres', url: input.databaseUrl, poolSize: 2 } : { kind: 'pglite', dataDir: path.join(input.dataDir, 'pgdata') },
    );
    try {
      await database.migrate();
      const isHub = loadAdmission(input.dataDir).chain?.[0]?.role === 'hub';
      const replicator = new Replicator<Tx>({
        nodeId: identity.nodeId,
        store: new SqlReplicationStore(database.db),
        transport: { events: offline, sync: offline },
        // The node's own topics, so the events are the ones it would have written itself.
        topology: { baseTopics: () => (isHub ? 'all' : ['global', `region:${region}`, `node:${identity.nodeId}`]), peers: () => [], peerHolds: () => false },
        clock: systemClock,
        log: quiet,
      });
      await replicator.start();
      try {
        const now = () => systemClock.now();
        const roles = new RoleService(database.db, replicator, now);
        const accounts = new AccountService({
          db: database.db,
          replication: replicator,
          now,
          nodeId: identity.nodeId,
          region,
          tokens: new TokenKeys(identity, { encodedChain: () => undefined, verifyChain: () => undefined }, now),
          tokenTtlMs: 60_000,
          // No owner hub is up: the sign-up is provisional and the node's pending job settles it once the network runs.
          arbiter: { claim: async () => ({ outcome: 'unreachable' }), release: async () => undefined },
          locator: { fetchByUsername: async () => undefined },
          roles,
        });
        const account = await accounts.register({ username: username.data, email: email.data, password });
        await roles.assign({ userId: account.userId, roleType: 'SUPER_ADMIN' }, 'operator');
        return { userId: account.userId, username: account.username, password, generated, nodeId: identity.nodeId };
      } finally {
        replicator.stop();
      }
    } finally {
      await database.close();
    }
  } catch (err) {
    // The service's typed errors carry the reason (a taken name, a weak password) as their message.
    if (err instanceof HttpError) throw new Error(err.errors?.map((e) => `${e.field.replace(/^body\./, '--')}: ${e.message}`).join('; ') || err.message);
    throw err;
  } finally {
    unlock();
  }
}

function fail(message: string): never {
  process.stderr.write(`codepop: ${message}\n`);
  process.exit(2);
}

export function addAccountsCommand(program: Command): void {
  const accounts = program.command('accounts').description('accounts an operator makes by hand');
  accounts
    .command('create-admin')
    .description("make a super admin in a stopped node's data directory (normally a hub's); it replicates when the node starts")
    .requiredOption('--data-dir <dir>', "the stopped node's data directory")
    .requiredOption('--username <name>', 'the new account: 3 to 32 letters, digits, "_", "." or "-"')
    .requiredOption('--email <address>', "the new account's email")
    .option('--password-env <VAR>', 'read the password from this environment variable (default: generate one and print it once)')
    .option('--database-url <url>', 'the node\'s PostgreSQL, if it uses one (default: $CODEPOP_DATABASE_URL, $DATABASE_URL, else its embedded database)')
    .option('--region <code>', 'the region, for a node that has no certificate yet')
    .action(async (opts: { dataDir: string; username: string; email: string; passwordEnv?: string; databaseUrl?: string; region?: string }) => {
      let password: string | undefined;
      if (opts.passwordEnv !== undefined) {
        password = process.env[opts.passwordEnv];
        if (!password) fail(`--password-env: the environment variable ${opts.passwordEnv} is not set or empty`);
      }
      const databaseUrl = opts.databaseUrl ?? (process.env.CODEPOP_DATABASE_URL || process.env.DATABASE_URL || undefined);
      try {
        const made = await createFirstAdmin({ dataDir: opts.dataDir, databaseUrl, username: opts.username, email: opts.email, password, region: opts.region });
        process.stdout.write(`super admin ${made.username} created on node ${made.nodeId}\nuser id: ${made.userId}\n`);
        if (made.generated) process.stdout.write(`password (shown this once; keep it safe): ${made.password}\n`);
        process.stderr.write('start the node: the account and its role replicate from it, and it can log in at any node that has them.\n');
      } catch (err) {
        fail((err as Error).message);
      }
    });
}
