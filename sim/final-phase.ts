// The last phase of a run, for failure detection: once the healed network has
// converged, a few nodes (planned from the seed) crash one after another and
// stay down for at least 10 s of virtual time, with no loss, duplication or
// partition, and one-way delays of at most 250 ms (see FINAL_MAX_DELAY_MS).
// Failure detection runs alone: the replication
// engines have converged by then, so the data they are judged on is final,
// and their idle anti-entropy rounds would double the cost of a run. Each
// crash's detection time is the moment every up node that watches it or
// shares its region first has it 'dead', checked whenever some node's view
// changes, so it is exact, not sampled. Then every up node's Membership view
// is taken for membership-check.ts.
import type { FinalCrash, MembershipInput, SeenMember } from './membership-check.js';
import { randInt } from './sim-clock.js';
import type { SimWorld } from './sim-world.js';

/** The bound: with 1 s heartbeats a crashed node is known dead in its region within 5 s. */
export const DETECTION_BOUND_MS = 5000;
/** How long the last of the final crashes stays down before the checks. */
export const FINAL_DOWN_MS = 10_000;
/**
 * The 5 s bound assumes a network whose round trips fit well inside a
 * heartbeat's 1 s timeout. A watcher's last answer from a crashed node can
 * arrive up to one delay d after the crash; it declares death 4 to 4.25 s
 * after that answer (4 intervals of silence, seen at a quarter-interval
 * tick); its report takes another d: at most 4.25 s + 2d. With the fault
 * phase's delays of up to 500 ms that is 5.25 s (seeds 1–600 measured up to
 * 4.98 s), so the bound only holds for d ≤ 375 ms; the final phase keeps
 * the run's delays but caps them at 250 ms, at most 4.75 s.
 */
export const FINAL_MAX_DELAY_MS = 250;

export interface FinalPlan {
  crashes: { id: string; afterMs: number }[];
}

/** 1 to 3 distinct nodes (hubs too), crashing 1–3 s into the phase. */
export function planFinalPhase(plan: () => number, ids: readonly string[]): FinalPlan {
  const count = randInt(plan, 1, 3);
  const chosen = new Set<string>();
  const crashes: FinalPlan['crashes'] = [];
  while (crashes.length < count) {
    const id = ids[Math.floor(plan() * ids.length)] as string;
    const afterMs = randInt(plan, 1000, 3000);
    if (chosen.has(id)) continue;
    chosen.add(id);
    crashes.push({ id, afterMs });
  }
  return { crashes };
}

/** Whether every up node that watches `id` or shares its region has it dead. */
function deadEverywhere(world: SimWorld, id: string): boolean {
  const { region } = world.node(id).spec;
  for (const other of world.layout.nodes) {
    if (other.id === id) continue;
    const membership = world.membershipOf(other.id);
    if (!membership || (other.region !== region && !membership.detector.has(id))) continue;
    if (membership.state(id) !== 'dead') return false;
  }
  return true;
}

export async function runFinalPhase(world: SimWorld, plan: FinalPlan, epoch: number): Promise<FinalCrash[]> {
  const { sched } = world;
  const start = sched.now;
  const crashes: FinalCrash[] = [];
  const detect = (): void => {
    for (const c of crashes) {
      if (c.deadEverywhereAfterMs !== undefined || !deadEverywhere(world, c.id)) continue;
      c.deadEverywhereAfterMs = sched.now - epoch - c.crashedAt;
      world.log(`${c.id} dead at all its watchers and region members ${(c.deadEverywhereAfterMs / 1000).toFixed(3)} s after its crash`);
    }
  };
  world.net.faults = { ...world.net.faults, maxDelayMs: Math.min(world.net.faults.maxDelayMs, FINAL_MAX_DELAY_MS) };
  world.log(`final phase: ${plan.crashes.map((c) => c.id).join(', ')} to crash for good; delays up to ${world.net.faults.maxDelayMs} ms`);
  for (const { id, afterMs } of plan.crashes) {
    sched.at(start + afterMs, () => {
      if (!world.isUp(id)) return world.log(`final crash ${id} skipped: down`);
      world.crash(id);
      world.log(`final crash ${id}`);
      crashes.push({ id, crashedAt: sched.now - epoch, deadEverywhereAfterMs: undefined });
      // A crash removes an observer too, which may complete an earlier crash's detection.
      detect();
    });
  }
  world.onMembershipChange = detect;
  const last = Math.max(...plan.crashes.map((c) => c.afterMs));
  await sched.run(start + last + FINAL_DOWN_MS);
  world.onMembershipChange = undefined;
  return crashes;
}

/** Every up node's view of the members it keeps, for checkMembership. */
export function membershipInput(world: SimWorld, finalCrashes: FinalCrash[]): MembershipInput {
  const views = new Map<string, SeenMember[]>();
  for (const { id } of world.layout.nodes) {
    const membership = world.membershipOf(id);
    if (membership) views.set(id, membership.view().map(({ nodeId, state, source }) => ({ nodeId, state, source })));
  }
  return {
    nodes: world.layout.nodes.map((n) => ({ id: n.id, region: n.region, up: world.isUp(n.id) })),
    views,
    finalCrashes,
    boundMs: DETECTION_BOUND_MS,
  };
}
