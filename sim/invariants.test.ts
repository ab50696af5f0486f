// Each invariant check fires on the damage it is for: a clean run's
// committed data passes, and the same data with one thing broken does not.
import { beforeAll, describe, expect, it } from 'vitest';
import { eventKey } from '../src/mesh/replication/event.js';
import { checkInvariants, type InvariantInput, type InvariantName } from './invariants.js';
import { runSimulation } from './scenario.js';
import { APPLIED_PREFIX, STATE_PREFIX, type TopicState } from './toy-module.js';

let clean: InvariantInput;

beforeAll(async () => {
  clean = (await runSimulation({ seed: 11, nodes: 14, writes: 40 })).checked;
});

/** A copy to damage, and the first node (other than the event's origin) that holds `region:*` data. */
function damaged(): { input: InvariantInput; node: InvariantInput['nodes'][number]; key: string } {
  const input: InvariantInput = { ...clean, nodes: structuredClone(clean.nodes) };
  for (const [key, ev] of clean.ledger) {
    const node = input.nodes.find((n) => n.spec.id !== ev.origin && n.data.events[key] !== undefined && n.spec.role === 'hub');
    if (node) return { input, node, key };
  }
  throw new Error('no replicated event in the run');
}

function kinds(input: InvariantInput): InvariantName[] {
  return [...new Set(checkInvariants(input).map((v) => v.invariant))].sort();
}

describe('checkInvariants', () => {
  it('passes the committed data of a clean run', () => {
    expect(clean.ledger.size).toBeGreaterThan(10);
    expect(checkInvariants(clean)).toEqual([]);
  });

  it('finds a committed event missing on a holder (lost)', () => {
    const { input, node, key } = damaged();
    delete node.data.events[key];
    expect(kinds(input)).toContain('lost-event');
  });

  it('finds an event applied twice', () => {
    const { input, node, key } = damaged();
    node.data.module[APPLIED_PREFIX + key] = 2;
    expect(kinds(input)).toEqual(['applied-twice']);
  });

  it('finds a change without its event, and the divergence it causes', () => {
    const { input, node, key } = damaged();
    const topic = (clean.ledger.get(key) ?? { topic: '' }).topic;
    const state = node.data.module[STATE_PREFIX + topic] as TopicState;
    state.count += 1;
    expect(kinds(input)).toEqual(['change-without-event', 'convergence']);
  });

  it('finds an event held but never applied (an event without its change)', () => {
    const { input, node, key } = damaged();
    delete node.data.module[APPLIED_PREFIX + key];
    expect(kinds(input)).toContain('change-without-event');
  });

  it('finds one key naming two different events', () => {
    const { input, node, key } = damaged();
    const held = node.data.events[key];
    if (held) held.hlc = `000000000000001-000000-${held.origin}`;
    expect(kinds(input)).toContain('event-identity');
  });

  it('finds a vector that claims more than the events held', () => {
    const { input, node, key } = damaged();
    const ev = clean.ledger.get(key);
    if (!ev) throw new Error('unreachable');
    const v = (node.data.vectors[ev.topic] ??= {});
    v[ev.origin] = (v[ev.origin] ?? 0) + 1;
    expect(kinds(input)).toEqual(['convergence', 'vector']);
    expect(eventKey(ev)).toBe(key);
  });

  it('reports causality breaks found while running', () => {
    expect(kinds({ ...clean, causalityBreaks: ['n1 stamped x before y'] })).toEqual(['causality']);
  });
});
