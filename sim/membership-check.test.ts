// Each failure-detection check fires on the damage it is for: a clean run's
// views pass, and the same views with one thing broken do not.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkMembership, type FinalCrash, type MembershipInput, type SeenMember } from './membership-check.js';
import { runSimulation } from './scenario.js';

let clean: MembershipInput;

beforeAll(async () => {
  clean = (await runSimulation({ seed: 11, nodes: 14, writes: 10 })).membership;
});

function copy(): { input: MembershipInput; views: Map<string, SeenMember[]> } {
  const views = new Map([...clean.views].map(([k, v]) => [k, v.map((m) => ({ ...m }))]));
  return { input: { ...clean, views, finalCrashes: clean.finalCrashes.map((c) => ({ ...c })) }, views };
}

function kinds(input: MembershipInput): string[] {
  return [...new Set(checkMembership(input).map((v) => v.invariant))].sort();
}

/** A node that is down at the end and a region member that is up, and how that member sees it. */
function downAndRegionPeer(views: Map<string, SeenMember[]>): { crash: FinalCrash; seen: SeenMember } {
  for (const crash of clean.finalCrashes) {
    const region = clean.nodes.find((n) => n.id === crash.id)?.region;
    for (const n of clean.nodes) {
      if (!n.up || n.region !== region) continue;
      const seen = views.get(n.id)?.find((m) => m.nodeId === crash.id);
      if (seen) return { crash, seen };
    }
  }
  throw new Error('no final crash with an up region member');
}

describe('checkMembership', () => {
  it('passes the views of a clean run, in which every final crash was detected', () => {
    expect(clean.finalCrashes.length).toBeGreaterThan(0);
    expect(clean.finalCrashes.every((c) => c.deadEverywhereAfterMs !== undefined)).toBe(true);
    expect(checkMembership(clean)).toEqual([]);
  });

  it('finds an up node that a watcher still sees dead (false-death)', () => {
    const { input, views } = copy();
    const up = new Set(clean.nodes.filter((n) => n.up).map((n) => n.id));
    const entry = [...views.values()].flat().find((m) => m.source === 'observed' && up.has(m.nodeId));
    expect(entry).toBeDefined();
    entry!.state = 'dead';
    expect(kinds(input)).toEqual(['false-death']);
  });

  it('finds a down node that a region member still sees alive, by report or not at all (missed-death)', () => {
    const { input, views } = copy();
    const { seen } = downAndRegionPeer(views);
    seen.state = 'alive';
    expect(kinds(input)).toEqual(['missed-death']);
    seen.state = 'unwatched';
    seen.source = null;
    expect(kinds(input)).toEqual(['missed-death']);
  });

  it('finds a crash detected too late, or never (detection-bound)', () => {
    const { input } = copy();
    const first = input.finalCrashes[0] as FinalCrash;
    first.deadEverywhereAfterMs = clean.boundMs + 1;
    expect(kinds(input)).toEqual(['detection-bound']);
    first.deadEverywhereAfterMs = undefined;
    expect(kinds(input)).toEqual(['detection-bound']);
  });
});
