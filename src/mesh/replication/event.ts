// Replication events (DESIGN §3): `{origin, topic, seq, hlc, type, payload}`.
// `seq` counts the origin's events on that topic, 1, 2, 3… with no gaps;
// (origin, topic, seq) names an event everywhere. Topics say who needs it.
import { z } from 'zod';

export const topicSchema = z
  .string()
  .regex(/^(global|region:[A-Z]|node:[\x21-\x7e]{1,128}|user:[\x21-\x7e]{1,128})$/, 'a topic: global, region:<code>, node:<id> or user:<id>');

export const eventSchema = z.strictObject({
  origin: z.string().regex(/^[\x21-\x7e]{1,128}$/),
  topic: topicSchema,
  seq: z.number().int().min(1),
  hlc: z.string().min(1).max(200),
  type: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'an event type such as account.created'),
  payload: z.unknown(),
  /** The trace of the work that made the change (lib/trace.ts), so the nodes it reaches log under the same id. */
  traceId: z.string().regex(/^[0-9a-f]{32}$/).optional(),
});

export type ReplEvent = z.infer<typeof eventSchema>;

/** What a module hands to emit; origin, seq and hlc are the engine's to assign. */
export interface NewEvent {
  topic: string;
  type: string;
  payload: unknown;
}

export function eventKey(e: Pick<ReplEvent, 'origin' | 'topic' | 'seq'>): string {
  return `${e.topic}|${e.origin}|${e.seq}`;
}

export type TopicKind = 'global' | 'region' | 'node' | 'user';

export function topicKind(topic: string): TopicKind {
  const kind = topic.split(':', 1)[0];
  if (kind === 'global' || kind === 'region' || kind === 'node' || kind === 'user') return kind;
  throw new Error(`not a topic: ${topic}`);
}

export function topicArg(topic: string): string {
  const i = topic.indexOf(':');
  return i < 0 ? '' : topic.slice(i + 1);
}
