// The node's one typed configuration, validated once at start from (lowest
// to highest precedence) an optional JSON file, CODEPOP_* environment
// variables and command-line flags. A bad value stops the node before
// anything starts, naming the field and what is allowed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const nodeConfigSchema = z.strictObject({
  role: z.enum(['store', 'hub'], { error: 'must be "store" or "hub"' }),
  name: z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters'),
  region: z.string().regex(/^[A-Z]$/, 'must be one capital letter, a region code such as C'),
  lat: z.coerce.number({ error: 'must be a number' }).min(-90).max(90),
  lon: z.coerce.number({ error: 'must be a number' }).min(-180).max(180),
  port: z.coerce.number({ error: 'must be a number' }).int().min(0).max(65535),
  host: z.string().min(1).default('127.0.0.1'),
  dataDir: z.string().min(1, 'must name a directory'),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  hubs: z.array(url).default([]),
  /** The base URL other nodes and clients use to reach this node. */
  publicUrl: url.optional(),
  /** An initialised embedded database directory copied on first start, instead of running initdb (~4 s, ~780 MB peak). */
  pgliteTemplate: z.string().min(1).optional(),
  joinToken: z.string().min(10).optional(),
  rootPublicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url Ed25519 public key').optional(),
  operatorToken: z.string().min(16, 'at least 16 characters').optional(),
  heartbeatMs: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** How many nearest region stores a store heartbeats itself; it learns about the rest from reports. */
  watchNeighbours: z.coerce.number().int().min(1).max(100).default(4),
  /** Longest wait between registration retries (exponential backoff with jitter up to this). */
  backoffCapMs: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** OTLP/HTTP endpoint to export request spans to (e.g. http://127.0.0.1:4318); unset, tracing only writes trace ids in logs. */
  otelEndpoint: url.optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Login and sign-up attempts allowed per client address and name per minute (429 beyond). */
  authRateLimit: z.coerce.number().int().min(1).max(1_000_000).default(20),
  /** How long a login token is valid, in minutes. */
  tokenTtlMinutes: z.coerce.number().int().min(1).max(60 * 24 * 30).default(12 * 60),
});

export type NodeConfig = z.infer<typeof nodeConfigSchema>;
export type NodeConfigInput = z.input<typeof nodeConfigSchema>;

/** Flag and environment spellings of each field, used in error messages. */
const spellings: Record<string, { flag: string; env: string }> = Object.fromEntries(
  Object.keys(nodeConfigSchema.shape).map((key) => {
    const kebab = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    return [key, { flag: `--${kebab}`, env: `CODEPOP_${kebab.replaceAll('-', '_').toUpperCase()}` }];
  }),
);
// DATABASE_URL and OTEL_EXPORTER_OTLP_ENDPOINT are the conventional names; the CODEPOP_ spelling wins when both are set.
const envAliases: Record<string, string> = { databaseUrl: 'DATABASE_URL', otelEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT' };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

function fromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, { env: name }] of Object.entries(spellings)) {
    const alias = envAliases[key];
    const value = env[name] ?? (alias ? env[alias] : undefined);
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

function fromFile(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`--config: cannot read ${file} (${(err as Error).message})`]);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError([`--config: ${file} is not a JSON object (${(err as Error).message})`]);
  }
}

function splitHubs(value: unknown): unknown {
  return typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;
}

/**
 * Merges file < environment < flags and validates the result. `flags` holds
 * camelCase keys with string values as a command-line parser gives them.
 */
export function loadNodeConfig(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
  configFile?: string,
): NodeConfig {
  const definedFlags = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const merged: Record<string, unknown> = { ...fromFile(configFile), ...fromEnv(env), ...definedFlags };
  if ('hubs' in merged) merged.hubs = splitHubs(merged.hubs);
  const result = nodeConfigSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      if (issue.code === 'unrecognized_keys') return `unknown setting(s): ${issue.keys.join(', ')}`;
      const spelled = spellings[key];
      const name = spelled ? `${spelled.flag} (${spelled.env})` : key;
      const got = merged[key] === undefined ? 'missing' : `got ${JSON.stringify(merged[key])}`;
      return `${name}: ${issue.message} (${got})`;
    });
    throw new ConfigError(problems);
  }
  const config = result.data;
  config.dataDir = path.resolve(config.dataDir);
  return config;
}

/** The URL peers and clients use for this node. */
export function publicUrlOf(config: NodeConfig, boundPort: number): string {
  return config.publicUrl ?? `http://${config.host}:${boundPort}`;
}
