import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeHlc } from './hlc.js';
import { canonicalJson } from './canonical-json.js';
import {
  lwwMapMerge,
  lwwMapSet,
  lwwMapValue,
  lwwMerge,
  orSetAdd,
  orSetApplyRemove,
  orSetEmpty,
  orSetHas,
  orSetMerge,
  orSetRemove,
  orSetValues,
  type LwwMap,
  type LwwRegister,
  type OrSet,
} from './merge.js';

const T0 = 1_700_000_000_000;
const hlc = (ms: number, logical: number, node: string): string => encodeHlc({ wall: T0 + ms, logical, node });

// ---------------------------------------------------------------- arbitraries

// Few nodes and a narrow time range, so equal walls, equal logicals and even
// identical stamps (with different values) come up often.
const stampArb = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.constantFrom('a', 'b', 'c'))
  .map(([ms, logical, node]) => hlc(ms, logical, node));
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('red', 'blue', 0, 1, true, null),
  fc.constantFrom({ x: 1, y: 2 }, { y: 2, x: 1 }, { x: 2 }, ['a', 'b']),
);
const registerArb: fc.Arbitrary<LwwRegister<unknown>> = fc.record({ value: valueArb, hlc: stampArb });

/** A map built through writes, as a replica would build it. */
const lwwMapArb: fc.Arbitrary<LwwMap> = fc
  .array(fc.tuple(fc.constantFrom('name', 'email', 'theme', '__proto__'), valueArb, stampArb), { maxLength: 12 })
  .map((writes) => writes.reduce<LwwMap>((m, [field, value, stamp]) => lwwMapSet(m, field, value, stamp), {}));

type OrOp =
  | { kind: 'add'; replica: number; element: string }
  | { kind: 'remove'; replica: number; element: string }
  | { kind: 'sync'; from: number; to: number };
const replicaArb = fc.integer({ min: 0, max: 2 });
const elementArb = fc.constantFrom('cola', 'lime', 'vanilla', 'constructor');
const orOpArb: fc.Arbitrary<OrOp> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), replica: replicaArb, element: elementArb }),
  fc.record({ kind: fc.constant('remove' as const), replica: replicaArb, element: elementArb }),
  fc.record({ kind: fc.constant('sync' as const), from: replicaArb, to: replicaArb }),
);

/** Runs a program of adds, removes and partial syncs over three replicas; returns their states. */
function runOrSet(ops: readonly OrOp[]): [OrSet, OrSet, OrSet] {
  const states: [OrSet, OrSet, OrSet] = [orSetEmpty(), orSetEmpty(), orSetEmpty()];
  ops.forEach((op, i) => {
    // Tags as the service would make them: the add's hlc, unique per node.
    if (op.kind === 'add') states[op.replica] = orSetAdd(states[op.replica]!, op.element, hlc(i, 0, `r${op.replica}`));
    else if (op.kind === 'remove') states[op.replica] = orSetRemove(states[op.replica]!, op.element).set;
    else states[op.to] = orSetMerge(states[op.to]!, states[op.from]!);
  });
  return states;
}
const orSetsArb = fc.array(orOpArb, { maxLength: 25 }).map(runOrSet);

// ---------------------------------------------------------------- laws

/** Deep equality regardless of key order (jsonb does not keep it either). */
function same(x: unknown, y: unknown): void {
  expect(canonicalJson(x)).toBe(canonicalJson(y));
}

function checkLaws<S>(name: string, triple: fc.Arbitrary<[S, S, S]>, merge: (a: S, b: S) => S): void {
  describe(`${name} is a join`, () => {
    // Block bodies: fast-check treats a property returning false as a failure.
    it('commutative', () =>
      fc.assert(
        fc.property(triple, ([a, b]) => {
          same(merge(a, b), merge(b, a));
        }),
      ));
    it('associative', () =>
      fc.assert(
        fc.property(triple, ([a, b, c]) => {
          same(merge(merge(a, b), c), merge(a, merge(b, c)));
        }),
      ));
    it('idempotent', () =>
      fc.assert(
        fc.property(triple, ([a, b]) => {
          same(merge(a, a), a);
          same(merge(merge(a, b), b), merge(a, b));
        }),
      ));
  });
}

checkLaws('lwwMerge', fc.tuple(registerArb, registerArb, registerArb), lwwMerge);
checkLaws('lwwMapMerge', fc.tuple(lwwMapArb, lwwMapArb, lwwMapArb), lwwMapMerge);
checkLaws('orSetMerge', orSetsArb, orSetMerge);

// ---------------------------------------------------------------- LWW

describe('LWW register', () => {
  it('keeps the write with the greater hlc', () => {
    const older = { value: 'old', hlc: hlc(0, 5, 'z') };
    const newer = { value: 'new', hlc: hlc(1, 0, 'a') };
    expect(lwwMerge(older, newer)).toBe(newer);
    expect(lwwMerge(newer, older)).toBe(newer);
  });

  it('breaks a tie between origins by node id', () => {
    const fromA = { value: 'A', hlc: hlc(0, 0, 'a') };
    const fromB = { value: 'B', hlc: hlc(0, 0, 'b') };
    expect(lwwMerge(fromA, fromB).value).toBe('B');
    expect(lwwMerge(fromB, fromA).value).toBe('B');
  });

  it('settles an identical hlc with different values the same way in either order', () => {
    const x = { value: { n: 1 }, hlc: hlc(0, 0, 'a') };
    const y = { value: { n: 2 }, hlc: hlc(0, 0, 'a') };
    expect(lwwMerge(x, y)).toEqual(lwwMerge(y, x));
  });

  it('ranks values by canonical JSON, so key order does not matter', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe(canonicalJson({ a: [1, { c: 3, d: 2 }], b: 1 }));
  });
});

describe('LWW map', () => {
  it('keeps the newest write per field independently', () => {
    const base = lwwMapSet(lwwMapSet({}, 'name', 'Ann', hlc(0, 0, 'a')), 'theme', 'light', hlc(0, 0, 'a'));
    // Store A renames at t=2; store B changes the theme at t=1 and the name at t=1.
    const atA = lwwMapSet(base, 'name', 'Annie', hlc(2, 0, 'a'));
    const atB = lwwMapSet(lwwMapSet(base, 'theme', 'dark', hlc(1, 0, 'b')), 'name', 'Anna', hlc(1, 0, 'b'));
    const merged = lwwMapMerge(atA, atB);
    expect(lwwMapValue(merged)).toEqual({ name: 'Annie', theme: 'dark' });
    same(lwwMapMerge(atB, atA), merged);
  });

  it('ignores an older write', () => {
    const map = lwwMapSet({}, 'email', 'new@example.com', hlc(5, 0, 'a'));
    const after = lwwMapSet(map, 'email', 'old@example.com', hlc(4, 9, 'z'));
    expect(after).toBe(map);
    expect(lwwMapValue(after)).toEqual({ email: 'new@example.com' });
  });

  it('does not mutate its inputs', () => {
    const map = lwwMapSet({}, 'name', 'Ann', hlc(0, 0, 'a'));
    const snapshot = structuredClone(map);
    lwwMapSet(map, 'name', 'Bo', hlc(1, 0, 'a'));
    lwwMapMerge(map, { theme: { value: 'dark', hlc: hlc(1, 0, 'b') } });
    expect(map).toEqual(snapshot);
  });

  it('treats a field named __proto__ as data and survives a JSON round trip', () => {
    const map = lwwMapSet({}, '__proto__', 'x', hlc(0, 0, 'a'));
    const roundTripped = JSON.parse(JSON.stringify(map)) as LwwMap;
    expect(Object.keys(roundTripped)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(lwwMapValue(roundTripped))).toBe(Object.prototype);
    expect(lwwMapSet(roundTripped, '__proto__', 'y', hlc(0, 0, 'a'))['__proto__']?.value).toBe('y');
  });

  it('merging holds, per field, the write with the greatest hlc among all writes', () => {
    const writes = fc.array(fc.tuple(fc.constantFrom('name', 'theme'), fc.nat(100), stampArb, replicaArb), {
      maxLength: 20,
    });
    fc.assert(
      fc.property(writes, (ws) => {
        const replicas: LwwMap[] = [{}, {}, {}];
        for (const [field, value, stamp, r] of ws) replicas[r] = lwwMapSet(replicas[r]!, field, value, stamp);
        const merged = replicas.reduce(lwwMapMerge, {});
        for (const field of ['name', 'theme']) {
          const best = ws
            .filter(([f]) => f === field)
            .map(([, value, stamp]) => ({ value, hlc: stamp }))
            .reduce<LwwRegister<unknown> | undefined>((acc, r) => (acc ? lwwMerge(acc, r) : r), undefined);
          expect(merged[field]).toEqual(best);
        }
      }),
    );
  });
});

// ---------------------------------------------------------------- OR-set

describe('OR-set', () => {
  it('add at A concurrent with remove at B: the unobserved add wins everywhere', () => {
    const shared = orSetAdd(orSetEmpty(), 'cola', 'tag-1');
    const atA = orSetAdd(shared, 'cola', 'tag-2'); // B has not seen tag-2
    const { set: atB, removedTags } = orSetRemove(shared, 'cola');
    expect(removedTags).toEqual(['tag-1']);
    expect(orSetHas(atB, 'cola')).toBe(false);

    const ab = orSetMerge(atA, atB);
    const ba = orSetMerge(atB, atA);
    expect(ab).toEqual(ba);
    expect(orSetValues(ab)).toEqual(['cola']);
    expect(ab.adds['cola']).toEqual(['tag-2']);
  });

  it('applying the remove event elsewhere has the same effect as merging the state', () => {
    const shared = orSetAdd(orSetEmpty(), 'cola', 'tag-1');
    const atA = orSetAdd(shared, 'cola', 'tag-2');
    const { set: atB, removedTags } = orSetRemove(shared, 'cola');
    expect(orSetApplyRemove(atA, removedTags)).toEqual(orSetMerge(atA, atB));
  });

  it('adding the same element twice then removing removes both observed tags', () => {
    const twice = orSetAdd(orSetAdd(orSetEmpty(), 'lime', 't1'), 'lime', 't2');
    const { set, removedTags } = orSetRemove(twice, 'lime');
    expect(removedTags).toEqual(['t1', 't2']);
    expect(orSetHas(set, 'lime')).toBe(false);
    expect(orSetValues(set)).toEqual([]);
  });

  it('a remove that arrives before its add still removes it', () => {
    const removedFirst = orSetApplyRemove(orSetEmpty(), ['t1']);
    expect(orSetHas(orSetAdd(removedFirst, 'cola', 't1'), 'cola')).toBe(false);
  });

  it('removing an absent element changes nothing and reports no tags', () => {
    const set = orSetAdd(orSetEmpty(), 'cola', 't1');
    expect(orSetRemove(set, 'lime')).toEqual({ set, removedTags: [] });
  });

  it('lists values sorted, and keeps tags sorted and unique', () => {
    let set = orSetEmpty();
    for (const [e, t] of [['vanilla', 't3'], ['cola', 't2'], ['cola', 't1'], ['cola', 't2']] as const) {
      set = orSetAdd(set, e, t);
    }
    expect(orSetValues(set)).toEqual(['cola', 'vanilla']);
    expect(set.adds['cola']).toEqual(['t1', 't2']);
    expect(JSON.parse(JSON.stringify(set))).toEqual(set);
  });

  it('reads a state whose adds still hold tombstoned tags', () => {
    const raw: OrSet = { adds: { cola: ['t1'], lime: ['t2', 't3'] }, removes: ['t1', 't2'] };
    expect(orSetValues(raw)).toEqual(['lime']);
    expect(orSetHas(raw, 'cola')).toBe(false);
    expect(orSetRemove(raw, 'lime').removedTags).toEqual(['t3']);
  });

  it('does not mutate its inputs', () => {
    const set = orSetAdd(orSetEmpty(), 'cola', 't1');
    const snapshot = structuredClone(set);
    orSetAdd(set, 'cola', 't2');
    orSetRemove(set, 'cola');
    orSetApplyRemove(set, ['t1']);
    orSetMerge(set, orSetAdd(orSetEmpty(), 'lime', 't9'));
    expect(set).toEqual(snapshot);
  });

  it('replicas that exchange everything converge, whatever the order', () => {
    fc.assert(
      fc.property(orSetsArb, fc.constantFrom([0, 1, 2], [2, 1, 0], [1, 0, 2]), (states, order) => {
        const forward = states.reduce(orSetMerge, orSetEmpty());
        const shuffled = order.map((i) => states[i]!).reduce(orSetMerge, orSetEmpty());
        expect(JSON.stringify(shuffled)).toBe(JSON.stringify(forward));
      }),
    );
  });
});
