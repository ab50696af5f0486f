// Structured JSON logs (pino). Secrets are redacted wherever they appear in
// a log object: tokens, passwords, keys, signatures, authorization headers.
// Each line carries the trace id of the work it belongs to (lib/trace.ts).
import pino, { type DestinationStream, type Logger } from 'pino';
import { currentTrace } from '../lib/trace.js';

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
      // Every line written while serving a request or applying a peer's event names its trace.
      mixin: () => {
        const trace = currentTrace();
        return trace ? { traceId: trace.traceId } : {};
      },
    },
    destination,
  );
}
