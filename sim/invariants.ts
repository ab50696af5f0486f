// What must hold after every simulated run, once the network has healed
// (DESIGN §3), checked on what each node committed:
// 1. convergence: every holder of a topic has the same state and vector for it;
// 2. no committed event lost: every event committed anywhere is held, unchanged,
//    by every holder of its topic (and one key never names two events);
// 3. none applied twice: each event was applied at most once per node, local
//    emits included (the toy module counts applications in the same transaction);
// 4. no change without its event (nor an event without its change): a node's
//    state is exactly what its held events produce, and it applied exactly those.
// Plus the store's own promise (a vector counts exactly the contiguous events
// held) and the hlc's (a node's stamp sorts after every stamp it has issued or
// accepted, across restarts too).
import { canonicalJson } from '../src/lib/canonical-json.js';
import { eventKey, type ReplEvent } from '../src/mesh/replication/event.js';
import type { MemoryStoreData } from '../src/mesh/replication/memory-store.js';
import { holdsByRole, type NodeSpec } from './layout.js';
import { APPLIED_PREFIX, applyToState, emptyState, STATE_PREFIX, TOY_EVENT_TYPES, type TopicState } from './toy-module.js';

export type InvariantName =
  | 'convergence'
  | 'lost-event'
  | 'event-identity'
  | 'applied-twice'
  | 'change-without-event'
  | 'vector'
  | 'causality'
  | 'liveness'
  // failure detection (membership-check.ts)
  | 'false-death'
  | 'missed-death'
  | 'detection-bound';

export interface Violation {
  invariant: InvariantName;
  detail: string;
}

export interface InvariantInput {
  nodes: readonly { spec: NodeSpec; data: MemoryStoreData }[];
  ledger: ReadonlyMap<string, ReplEvent>;
  identityClashes: readonly string[];
  /** Found while running (see SimWorld.checkStamp). */
  causalityBreaks: readonly string[];
}

/** Per invariant, only the first few are spelled out: one bug breaks thousands of entries. */
const MAX_PER_KIND = 12;

function holderOf(node: { spec: NodeSpec; data: MemoryStoreData }, topic: string): boolean {
  return holdsByRole(node.spec, topic) || node.data.subscriptions.includes(topic);
}

function stateOf(data: MemoryStoreData, topic: string): TopicState {
  return (data.module[STATE_PREFIX + topic] as TopicState | undefined) ?? emptyState();
}

function sameEvent(a: ReplEvent, b: ReplEvent): boolean {
  return a.hlc === b.hlc && a.type === b.type && canonicalJson(a.payload) === canonicalJson(b.payload);
}

export function checkInvariants(input: InvariantInput): Violation[] {
  const out: Violation[] = [];
  const counts = new Map<InvariantName, number>();
  const report = (invariant: InvariantName, detail: string): void => {
    const n = (counts.get(invariant) ?? 0) + 1;
    counts.set(invariant, n);
    if (n <= MAX_PER_KIND) out.push({ invariant, detail });
  };

  for (const clash of input.identityClashes) report('event-identity', clash);
  for (const brk of input.causalityBreaks) report('causality', brk);
  checkConvergence(input, report);
  checkNothingLost(input, report);
  for (const node of input.nodes) {
    checkAppliedOnce(node.spec.id, node.data, report);
    checkStateFromEvents(node.spec.id, node.data, report);
    checkVectors(node.spec.id, node.data, report);
  }

  for (const [invariant, n] of counts) {
    if (n > MAX_PER_KIND) out.push({ invariant, detail: `… and ${n - MAX_PER_KIND} more ${invariant} violations` });
  }
  return out;
}

type Report = (invariant: InvariantName, detail: string) => void;

function checkConvergence(input: InvariantInput, report: Report): void {
  const topics = new Set<string>();
  for (const ev of input.ledger.values()) topics.add(ev.topic);
  for (const { data } of input.nodes) {
    for (const key of Object.keys(data.module)) if (key.startsWith(STATE_PREFIX)) topics.add(key.slice(STATE_PREFIX.length));
  }
  for (const topic of [...topics].sort()) {
    // Group holders by what they have; more than one group is a divergence.
    const groups = new Map<string, string[]>();
    for (const node of input.nodes) {
      if (!holderOf(node, topic)) continue;
      const fingerprint = canonicalJson({ state: stateOf(node.data, topic), vector: node.data.vectors[topic] ?? {} });
      const list = groups.get(fingerprint) ?? [];
      list.push(node.spec.id);
      groups.set(fingerprint, list);
    }
    if (groups.size > 1) {
      const sides = [...groups.entries()].map(([fp, ids]) => `[${ids.join(',')}] ${fp}`);
      report('convergence', `topic ${topic}: ${groups.size} different states among holders: ${sides.join(' | ')}`);
    }
  }
}

function checkNothingLost(input: InvariantInput, report: Report): void {
  for (const [key, ev] of input.ledger) {
    for (const node of input.nodes) {
      if (!holderOf(node, ev.topic)) continue;
      const held = node.data.events[key];
      if (!held) report('lost-event', `${node.spec.id} holds ${ev.topic} but lacks committed event ${key} (${ev.type})`);
      else if (!sameEvent(held, ev)) report('event-identity', `${node.spec.id} holds ${key} with different content than was committed`);
    }
  }
}

function checkAppliedOnce(id: string, data: MemoryStoreData, report: Report): void {
  for (const [key, value] of Object.entries(data.module)) {
    if (key.startsWith(APPLIED_PREFIX) && typeof value === 'number' && value > 1) {
      report('applied-twice', `${id} applied ${key.slice(APPLIED_PREFIX.length)} ${value} times`);
    }
  }
}

function checkStateFromEvents(id: string, data: MemoryStoreData, report: Report): void {
  const toyTypes: readonly string[] = TOY_EVENT_TYPES;
  const byTopic = new Map<string, ReplEvent[]>();
  const held = new Set<string>();
  for (const [key, ev] of Object.entries(data.events).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!toyTypes.includes(ev.type)) continue;
    held.add(key);
    const list = byTopic.get(ev.topic) ?? [];
    list.push(ev);
    byTopic.set(ev.topic, list);
    if (data.module[APPLIED_PREFIX + key] === undefined) report('change-without-event', `${id} holds event ${key} but never applied it (an event without its change)`);
  }
  for (const key of Object.keys(data.module)) {
    if (key.startsWith(APPLIED_PREFIX) && !held.has(key.slice(APPLIED_PREFIX.length))) {
      report('change-without-event', `${id} applied ${key.slice(APPLIED_PREFIX.length)} but does not hold that event`);
    }
  }
  const topics = new Set([...byTopic.keys()]);
  for (const key of Object.keys(data.module)) if (key.startsWith(STATE_PREFIX)) topics.add(key.slice(STATE_PREFIX.length));
  for (const topic of topics) {
    let expected = emptyState();
    for (const ev of byTopic.get(topic) ?? []) {
      try {
        expected = applyToState(expected, ev);
      } catch (err) {
        report('change-without-event', `${id} holds ${eventKey(ev)}, which the module cannot apply: ${String(err).slice(0, 200)}`);
      }
    }
    const actual = stateOf(data, topic);
    if (canonicalJson(actual) !== canonicalJson(expected)) {
      report(
        'change-without-event',
        `${id} state of ${topic} is not what its held events make: stored ${canonicalJson(actual)}, from events ${canonicalJson(expected)}`,
      );
    }
  }
}

function checkVectors(id: string, data: MemoryStoreData, report: Report): void {
  const highest = new Map<string, number>();
  for (const ev of Object.values(data.events)) {
    const at = `${ev.topic}\u0000${ev.origin}`;
    highest.set(at, Math.max(highest.get(at) ?? 0, ev.seq));
  }
  for (const at of highest.keys()) {
    const [topic = '', origin = ''] = at.split('\u0000');
    let contiguous = 0;
    while (Object.hasOwn(data.events, eventKey({ topic, origin, seq: contiguous + 1 }))) contiguous += 1;
    const claimed = data.vectors[topic]?.[origin] ?? 0;
    if (claimed !== contiguous) report('vector', `${id} vector says ${topic}/${origin} up to ${claimed}, but it holds ${contiguous} contiguous events`);
  }
}
