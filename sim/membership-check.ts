// What must hold of failure detection at the end of a run, after the heal
// and a final phase in which a few nodes crash for good (docs/mesh.md,
// "Failure detection"), checked on each up node's Membership view:
// 1. false-death: a node that is up is 'alive' at every up node that watches
//    it: no death (nor suspicion) from the fault phase outlives the heal;
// 2. missed-death: a node that is down is 'dead' at every up node that
//    watches it and, by report, at every up member of its region;
// 3. detection-bound: with a 1 s interval and no partition, each node crashed
//    in the final phase was 'dead' at all of those within 5 s of its crash.
import type { PeerState } from '../src/mesh/membership/failure-detector.js';
import type { Violation } from './invariants.js';

/** One entry of a node's view (Membership.view()): how it sees one member. */
export interface SeenMember {
  nodeId: string;
  state: PeerState | 'unwatched';
  /** 'observed' by the viewer's own heartbeats (it watches the member), 'reported' by a peer, or null. */
  source: 'observed' | 'reported' | null;
}

export interface FinalCrash {
  id: string;
  /** Virtual ms since the run's start. */
  crashedAt: number;
  /** How long after the crash every watcher and region member had it dead; undefined if they never all did. */
  deadEverywhereAfterMs: number | undefined;
}

export interface MembershipInput {
  nodes: readonly { id: string; region: string; up: boolean }[];
  /** Every up node's view, by node id. */
  views: ReadonlyMap<string, readonly SeenMember[]>;
  finalCrashes: readonly FinalCrash[];
  boundMs: number;
}

const MAX_PER_KIND = 12;

/**
 * Not an invariant (yet): up nodes that some region member still holds dead
 * by report. A report is sent once per transition and never again, so when a
 * dead→alive report is lost (or loses to an earlier 'dead' stamped by a clock
 * running ahead) a member that does not watch the node keeps it dead until
 * its next transition. Listed in the summary so the rate stays visible.
 */
export function staleDeathReports(input: MembershipInput): string[] {
  const up = new Set(input.nodes.filter((n) => n.up).map((n) => n.id));
  const out: string[] = [];
  for (const [viewer, view] of input.views) {
    for (const m of view) if (up.has(m.nodeId) && m.source === 'reported' && m.state === 'dead') out.push(`${viewer} holds ${m.nodeId} dead`);
  }
  return out;
}

export function checkMembership(input: MembershipInput): Violation[] {
  const out: Violation[] = [];
  const counts = new Map<Violation['invariant'], number>();
  const report = (invariant: Violation['invariant'], detail: string): void => {
    const n = (counts.get(invariant) ?? 0) + 1;
    counts.set(invariant, n);
    if (n <= MAX_PER_KIND) out.push({ invariant, detail });
  };
  const byId = new Map(input.nodes.map((n) => [n.id, n]));

  for (const [viewer, view] of input.views) {
    const region = byId.get(viewer)?.region;
    const seen = new Map(view.map((m) => [m.nodeId, m]));
    for (const node of input.nodes) {
      if (node.id === viewer) continue;
      const m = seen.get(node.id);
      if (node.up) {
        if (m?.source === 'observed' && m.state !== 'alive') report('false-death', `${viewer} watches ${node.id}, which is up, and sees it ${m.state}`);
      } else if (m?.source === 'observed' && m.state !== 'dead') {
        report('missed-death', `${viewer} watches ${node.id}, which is down, and sees it ${m.state}`);
      } else if (node.region === region && m?.state !== 'dead') {
        report('missed-death', `${node.id} is down but ${viewer}, of its region, sees it ${m ? `${m.state} (${m.source ?? 'no source'})` : 'not at all'}`);
      }
    }
  }

  for (const c of input.finalCrashes) {
    if (c.deadEverywhereAfterMs === undefined) report('detection-bound', `${c.id}, crashed at ${c.crashedAt} ms, was never dead at all its watchers and region members`);
    else if (c.deadEverywhereAfterMs > input.boundMs) {
      report('detection-bound', `${c.id} was dead at all its watchers and region members only ${c.deadEverywhereAfterMs} ms after its crash (bound ${input.boundMs} ms)`);
    }
  }

  for (const [invariant, n] of counts) {
    if (n > MAX_PER_KIND) out.push({ invariant, detail: `… and ${n - MAX_PER_KIND} more ${invariant} violations` });
  }
  return out;
}
