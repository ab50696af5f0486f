// A toy business module that writes replicated state the way real modules
// do: in `replicator.transaction`, its change and its event together, and an
// applier per event type for events from peers. Per topic it keeps a
// last-writer-wins map (`kv.set`, stamped with the event's hlc), an OR-set
// (`fav.add` / `fav.remove`, tags = the add's hlc) and a counter
// (`count.add`). The counter is deliberately not idempotent, like a stock
// ledger: applying an event twice changes it, so the invariants can see it.
// Every application also bumps `applied/<event key>` in the same
// transaction, so double application is visible after a crash too.
import { z } from 'zod';
import { eventKey, type ReplEvent } from '../src/mesh/replication/event.js';
import type { Replicator } from '../src/mesh/replication/engine.js';
import type { MemoryTx } from '../src/mesh/replication/memory-store.js';
import { lwwMapSet, orSetAdd, orSetApplyRemove, orSetEmpty, orSetRemove, type LwwMap, type OrSet } from '../src/lib/merge.js';

export interface TopicState {
  lww: LwwMap;
  fav: OrSet;
  count: number;
}

export type ToyOp =
  | { kind: 'set'; field: string; value: number }
  | { kind: 'add'; element: string }
  | { kind: 'remove'; element: string }
  | { kind: 'count'; delta: number };

const setPayload = z.strictObject({ field: z.string(), value: z.number() });
const addPayload = z.strictObject({ element: z.string() });
const removePayload = z.strictObject({ element: z.string(), tags: z.array(z.string()) });
const countPayload = z.strictObject({ delta: z.number().int() });

export const STATE_PREFIX = 'state/';
export const APPLIED_PREFIX = 'applied/';

export function emptyState(): TopicState {
  return { lww: {}, fav: orSetEmpty(), count: 0 };
}

/** The state after one event: pure, so the invariants can recompute state from the events a node holds. */
export function applyToState(state: TopicState, ev: ReplEvent): TopicState {
  switch (ev.type) {
    case 'kv.set': {
      const p = setPayload.parse(ev.payload);
      return { ...state, lww: lwwMapSet(state.lww, p.field, p.value, ev.hlc) };
    }
    case 'fav.add':
      return { ...state, fav: orSetAdd(state.fav, addPayload.parse(ev.payload).element, ev.hlc) };
    case 'fav.remove':
      return { ...state, fav: orSetApplyRemove(state.fav, removePayload.parse(ev.payload).tags) };
    case 'count.add':
      return { ...state, count: state.count + countPayload.parse(ev.payload).delta };
    default:
      throw new Error(`toy module: unknown event type ${ev.type}`);
  }
}

export const TOY_EVENT_TYPES = ['kv.set', 'fav.add', 'fav.remove', 'count.add'] as const;

/** Applies in the caller's transaction: the state change and the application record commit with it. */
function applyInTx(tx: MemoryTx, ev: ReplEvent): void {
  const key = STATE_PREFIX + ev.topic;
  tx.put(key, applyToState(tx.get<TopicState>(key) ?? emptyState(), ev));
  const applied = APPLIED_PREFIX + eventKey(ev);
  tx.put(applied, (tx.get<number>(applied) ?? 0) + 1);
}

export function registerToyModule(replicator: Replicator<MemoryTx>): void {
  for (const type of TOY_EVENT_TYPES) replicator.on(type, async (tx, ev) => applyInTx(tx, ev));
}

/**
 * One local write: reads the state, emits the event and applies it, all in
 * one transaction. A remove of an element not present emits nothing.
 */
export async function write(replicator: Replicator<MemoryTx>, topic: string, op: ToyOp): Promise<ReplEvent | undefined> {
  return replicator.transaction(async (tx, emit) => {
    let ev: ReplEvent;
    switch (op.kind) {
      case 'set':
        ev = await emit({ topic, type: 'kv.set', payload: { field: op.field, value: op.value } });
        break;
      case 'add':
        ev = await emit({ topic, type: 'fav.add', payload: { element: op.element } });
        break;
      case 'remove': {
        // Removes the tags observed here; a concurrent add elsewhere survives.
        const { removedTags } = orSetRemove((tx.get<TopicState>(STATE_PREFIX + topic) ?? emptyState()).fav, op.element);
        if (removedTags.length === 0) return undefined;
        ev = await emit({ topic, type: 'fav.remove', payload: { element: op.element, tags: removedTags } });
        break;
      }
      case 'count':
        ev = await emit({ topic, type: 'count.add', payload: { delta: op.delta } });
        break;
    }
    applyInTx(tx, ev);
    return ev;
  });
}

export function describeOp(op: ToyOp): string {
  switch (op.kind) {
    case 'set':
      return `kv.set ${op.field}=${op.value}`;
    case 'add':
      return `fav.add ${op.element}`;
    case 'remove':
      return `fav.remove ${op.element}`;
    case 'count':
      return `count.add ${op.delta}`;
  }
}
