// The trace a piece of work belongs to (W3C Trace Context): one trace id
// follows a request through this node's log lines, the peer calls it makes
// and the replicated events it writes, to the log lines of the nodes those
// reach. Held in AsyncLocalStorage, so code below the HTTP layer (services,
// the mesh, replication) reads it without it being passed around.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

export interface TraceContext {
  /** 32 lower-case hex digits, not all zero. */
  traceId: string;
  /** This node's span: 16 lower-case hex digits, not all zero. */
  spanId: string;
  /** Trace flags, two hex digits ("01": sampled). */
  flags: string;
}

const storage = new AsyncLocalStorage<TraceContext>();

export const currentTrace = (): TraceContext | undefined => storage.getStore();

/** Runs `fn` (and everything it starts) in `trace`. */
export function runInTrace<T>(trace: TraceContext, fn: () => T): T {
  return storage.run(trace, fn);
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
export const isTraceId = (s: unknown): s is string => typeof s === 'string' && /^[0-9a-f]{32}$/.test(s) && !/^0+$/.test(s);

/** A caller's `traceparent` header, or undefined when absent or malformed (a new trace is started then). */
export function parseTraceparent(header: unknown): { traceId: string; parentId: string; flags: string } | undefined {
  if (typeof header !== 'string') return undefined;
  const m = TRACEPARENT.exec(header.trim());
  if (!m || m[1] === 'ff' || (m[1] === '00' && m[5] !== undefined)) return undefined;
  const [, , traceId, parentId, flags] = m as unknown as [string, string, string, string, string];
  if (!isTraceId(traceId) || /^0+$/.test(parentId)) return undefined;
  return { traceId, parentId, flags };
}

export const formatTraceparent = (t: TraceContext): string => `00-${t.traceId}-${t.spanId}-${t.flags}`;
export const newTraceId = (): string => randomBytes(16).toString('hex');
export const newSpanId = (): string => randomBytes(8).toString('hex');

/** A new span of `parent`'s trace, or the first span of a new trace. */
export function childTrace(parent?: { traceId: string; flags: string }): TraceContext {
  return { traceId: parent?.traceId ?? newTraceId(), spanId: newSpanId(), flags: parent?.flags ?? '01' };
}
