// `codepop node`: runs one node in the foreground until SIGTERM or SIGINT,
// then drains requests, stops jobs and closes the database.
import type { Command } from 'commander';
import { ConfigError, loadNodeConfig } from '../core/config.js';
import { startNode } from '../node/node.js';

export function addNodeCommand(program: Command): void {
  program
    .command('node')
    .description('run one node (a store or a supply hub) in the foreground')
    .option('--config <file>', 'JSON file with settings (flags and CODEPOP_* variables override it)')
    .option('--role <role>', 'store or hub')
    .option('--name <name>', 'display name')
    .option('--region <code>', 'region code, A-G in the demo network')
    .option('--lat <degrees>', 'latitude')
    .option('--lon <degrees>', 'longitude')
    .option('--port <port>', 'HTTP port (0 picks a free one)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--data-dir <dir>', 'where identity, keys and the embedded database live')
    .option('--database-url <url>', 'use this PostgreSQL database instead of the embedded one (also DATABASE_URL)')
    .option('--pglite-template <dir>', 'initialised embedded database to copy on first start (skips initdb)')
    .option('--hubs <urls>', 'comma-separated base URLs of the supply hubs')
    .option('--public-url <url>', 'the URL others reach this node at (default http://host:port)')
    .option('--join-token <token>', 'one-time token from a hub, for a store joining the network')
    .option('--root-public-key <key>', "the network root's public key (base64url)")
    .option('--operator-token <token>', 'bearer token granting the operator super-admin rights on this node')
    .option('--heartbeat-ms <ms>', 'heartbeat interval for failure detection')
    .option('--watch-neighbours <n>', 'how many nearest region stores a store heartbeats itself')
    .option('--backoff-cap-ms <ms>', 'longest wait between registration retries')
    .option('--otel-endpoint <url>', 'export request spans by OTLP/HTTP to this collector (also OTEL_EXPORTER_OTLP_ENDPOINT)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .option('--auth-rate-limit <n>', 'login and sign-up attempts per client and name per minute (default 20)')
    .option('--token-ttl-minutes <n>', 'how long a login token stays valid (default 720)')
    .addHelpText(
      'after',
      '\nEvery option can also be set as CODEPOP_<NAME> in the environment, e.g. CODEPOP_DATA_DIR.\n' +
        'Example:\n  codepop node --role store --name "Logan West" --region C --lat 41.734 --lon -111.86 \\\n' +
        '    --port 7101 --data-dir ./data/logan-west --hubs http://127.0.0.1:7000\n',
    )
    .action(async (opts: Record<string, string | undefined>) => {
      const { config: configFile, ...flags } = opts;
      let config;
      try {
        config = loadNodeConfig(flags, process.env, configFile);
      } catch (err) {
        if (err instanceof ConfigError) {
          process.stderr.write(`codepop node: ${err.message}\n`);
          process.exit(2);
        }
        throw err;
      }
      const node = await startNode(config);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        node.ctx.log.info({ signal }, 'signal received');
        node.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            node.ctx.log.error({ err }, 'unclean stop');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
