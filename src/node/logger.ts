// Structured JSON logs (pino). Secrets are redacted wherever they appear in
// a log object: tokens, passwords, keys, signatures, authorization headers.
import pino, { type DestinationStream, type Logger } from 'pino';

export const redactedPaths = [
  'password',
  '*.password',
  'token',
  '*.token',
  'joinToken',
  '*.joinToken',
  'operatorToken',
  '*.operatorToken',
  'privateKey',
  '*.privateKey',
  'req.headers.authorization',
  'req.headers["x-codepop-signature"]',
  'headers.authorization',
  'headers["x-codepop-signature"]',
  'config.joinToken',
  'config.operatorToken',
  'config.databaseUrl',
];

export function createLogger(
  bindings: Record<string, string>,
  level: string,
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, ...bindings },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
