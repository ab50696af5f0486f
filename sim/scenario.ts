// One simulated run, all from its seed: the fault settings, a workload of
// writes and subscriptions at random nodes, partitions that heal, crashes
// with restarts (some with a reset clock), then a heal phase (every node up,
// no partition, no loss or duplication) run until every holder has every
// event or a time bound passes, then a final phase in which a few nodes crash
// for good (final-phase.ts); then the invariants, of replication and of
// failure detection. The trace records each
// scheduled action with its virtual time and ends with a digest of every
// node's committed state, so a replay can be compared byte for byte.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../src/lib/canonical-json.js';
import { membershipInput, planFinalPhase, runFinalPhase } from './final-phase.js';
import { checkInvariants, type InvariantInput, type Violation } from './invariants.js';
import { checkMembership, staleDeathReports, type FinalCrash, type MembershipInput } from './membership-check.js';
import { deriveSeed, pick, prng, randInt } from './sim-clock.js';
import { SimWorld } from './sim-world.js';
import { orSetValues } from '../src/lib/merge.js';
import { describeOp, emptyState, STATE_PREFIX, write, type TopicState, type ToyOp } from './toy-module.js';

export interface SimConfig {
  seed: number;
  nodes?: number;
  broken?: boolean;
  /** Local writes attempted during the fault phase. */
  writes?: number;
  /** Length of the fault phase (virtual ms). */
  faultMs?: number;
  /** How long after healing the network may take to converge (virtual ms). */
  healBoundMs?: number;
}

export interface SimResult {
  seed: number;
  violations: Violation[];
  trace: string[];
  nodeLog: string[];
  summary: string;
  /** What the invariants were checked on (for tests that tamper with it). */
  checked: InvariantInput;
  /** What the failure-detection invariants were checked on. */
  membership: MembershipInput;
  /** The nodes crashed for good in the final phase and how long until their region knew. */
  detections: FinalCrash[];
}

/**
 * Sized so 200 runs of the 51-node network fit in `npm test` (~0.2 s each on
 * a 2-core machine); `--writes` and `--fault-ms` make heavier runs.
 */
export const DEFAULTS = { nodes: 51, writes: 24, faultMs: 8000, healBoundMs: 120_000 } as const;
/** Virtual wall-clock time at the start of every run: 2025-06-15T12:00:00Z. */
const EPOCH = Date.UTC(2025, 5, 15, 12);
const USERS = 8;
const FIELDS = ['name', 'email', 'size', 'sweetness'];
const DRINKS = ['dirty-dr-pepper', 'coconut-coke', 'lime-sprite', 'peach-fanta'];

/** Mostly a few seconds off; now and then a clock past the hlc drift limit (60 s). */
function drawSkew(rng: () => number): number {
  if (rng() < 0.03) return (rng() < 0.5 ? -1 : 1) * randInt(rng, 61_000, 120_000);
  return randInt(rng, -5000, 5000);
}

function drawOp(rng: () => number): ToyOp {
  const r = rng();
  if (r < 0.4) return { kind: 'set', field: pick(rng, FIELDS), value: randInt(rng, 0, 999) };
  if (r < 0.65) return { kind: 'add', element: pick(rng, DRINKS) };
  if (r < 0.8) return { kind: 'remove', element: '' };
  return { kind: 'count', delta: randInt(rng, -5, 5) || 1 };
}

export async function runSimulation(cfg: SimConfig): Promise<SimResult> {
  const { seed } = cfg;
  const nodes = cfg.nodes ?? DEFAULTS.nodes;
  const writes = cfg.writes ?? DEFAULTS.writes;
  const faultMs = cfg.faultMs ?? DEFAULTS.faultMs;
  const healBoundMs = cfg.healBoundMs ?? DEFAULTS.healBoundMs;
  // The plan draws from one stream and choices made while running from
  // another, so what happens at run time never shifts the plan.
  const plan = prng(deriveSeed(seed, 1));
  const live = prng(deriveSeed(seed, 4));
  const faults = { loss: plan() * 0.2, duplication: plan() * 0.15, minDelayMs: 1, maxDelayMs: randInt(plan, 20, 500), timeoutMs: 10_000 };
  const world = new SimWorld({ seed, nodes, broken: cfg.broken ?? false, faults, slowTxChance: 0.3, epoch: EPOCH });
  const { sched, net, layout } = world;
  const ids = layout.nodes.map((n) => n.id);
  const at = (ms: number, fn: () => void): void => void sched.at(EPOCH + ms, fn);
  world.log(
    `seed ${seed}: ${nodes} nodes (${layout.hubs.length} hubs), ${cfg.broken ? 'BROKEN store, ' : ''}` +
      `loss ${(faults.loss * 100).toFixed(1)}%, duplication ${(faults.duplication * 100).toFixed(1)}%, delay ${faults.minDelayMs}-${faults.maxDelayMs} ms`,
  );

  for (const id of ids) {
    const node = world.node(id);
    node.skewMs = drawSkew(plan);
    if (node.skewMs !== 0) world.log(`clock ${id} ${node.skewMs > 0 ? '+' : ''}${node.skewMs} ms`);
    at(randInt(plan, 0, 500), () => void world.boot(id));
  }

  for (let i = 0; i < writes; i++) {
    const id = pick(plan, ids);
    at(randInt(plan, 600, faultMs), () => {
      const replicator = world.node(id).live?.replicator;
      if (!replicator || !world.isUp(id)) return world.log(`write at ${id} skipped: down`);
      const topic = chooseTopic(world, id, live);
      let op = drawOp(live);
      if (op.kind === 'remove') {
        // Removes what this node sees; with nothing there, it adds instead.
        const state = world.node(id).live?.store.read(STATE_PREFIX + topic) as TopicState | undefined;
        const present = orSetValues((state ?? emptyState()).fav);
        op = present.length > 0 ? { kind: 'remove', element: pick(live, present) } : { kind: 'add', element: pick(live, DRINKS) };
      }
      world.log(`write ${id} ${topic} ${describeOp(op)}`);
      write(replicator, topic, op).then(
        (ev) => ev === undefined && world.log(`write ${id} ${topic}: nothing to remove`),
        (err: unknown) => world.log(`write ${id} failed: ${String(err)}`),
      );
    });
  }

  const stores = layout.nodes.filter((n) => n.role === 'store').map((n) => n.id);
  for (let i = 0; i < Math.min(12, stores.length); i++) {
    const id = pick(plan, stores);
    const topic = `user:u${randInt(plan, 1, USERS)}`;
    at(randInt(plan, 600, faultMs), () => {
      const node = world.node(id);
      if (!node.live || !world.isUp(id)) return world.log(`subscribe ${id} ${topic} skipped: down`);
      world.log(`subscribe ${id} ${topic}`);
      node.live.replicator.subscribe(topic).then(
        () => node.subscriptions.add(topic),
        (err: unknown) => world.log(`subscribe ${id} failed: ${String(err)}`),
      );
    });
  }

  const partitions = randInt(plan, 0, 3);
  for (let i = 0; i < partitions; i++) {
    const start = randInt(plan, 600, faultMs);
    const end = start + randInt(plan, 1000, Math.max(1000, faultMs / 2));
    const { side, what } = choosePartition(world, plan);
    at(start, () => {
      const cut = net.partition(side);
      world.log(`partition #${cut}: ${what} cut off`);
      if (end < faultMs) at(end, () => (net.heal(cut), world.log(`partition #${cut} healed`)));
    });
  }

  const crashes = randInt(plan, 0, 6);
  for (let i = 0; i < crashes; i++) {
    const id = pick(plan, ids);
    const time = randInt(plan, 600, faultMs);
    const downMs = randInt(plan, 500, Math.max(500, faultMs / 2));
    const newSkew = plan() < 0.5 ? drawSkew(plan) : undefined;
    // Half the crashes aim inside a transaction, between its writes and its
    // commit (the `kill -9` case of DESIGN §3); if none comes within 2 s, a
    // plain crash then.
    const aimed = plan() < 0.5;
    const crash = (): void => {
      const node = world.node(id);
      node.crashInTransaction = undefined;
      if (!world.isUp(id)) return world.log(`crash ${id} skipped: down`);
      const lost = world.crash(id);
      world.log(`crash ${id}${lost > 0 ? ` (${lost} open transaction${lost > 1 ? 's' : ''} lost)` : ''}`);
      const back = sched.now - EPOCH + downMs;
      if (back < faultMs) at(back, () => restart(world, id, newSkew));
    };
    at(time, () => {
      if (!aimed) return crash();
      world.log(`crash ${id} armed: inside its next transaction`);
      const node = world.node(id);
      node.crashInTransaction = crash;
      at(time + 2000, () => node.crashInTransaction === crash && crash());
    });
  }

  // Drawn last, so the plan of the phases before stays what it was.
  const finalPlan = planFinalPhase(plan, ids);

  let healed = false;
  at(faultMs, () => {
    net.healAll();
    net.faults = { ...net.faults, loss: 0, duplication: 0 };
    for (const id of ids) world.node(id).crashInTransaction = undefined;
    world.log('heal: partitions healed, loss and duplication off, every node restarted');
    for (const id of ids) if (!world.node(id).live) restart(world, id, undefined);
    healed = true;
  });

  const stoppedAt = await sched.run(EPOCH + faultMs + healBoundMs, () => healed && world.isQuiescent(), 500);
  const converged = healed && world.isQuiescent();
  world.stopReplication();
  const detections = await runFinalPhase(world, finalPlan, EPOCH);
  const membership = membershipInput(world, detections);
  world.stopAll();
  // Let messages still on the way land (late duplicates included) before judging.
  await sched.run(sched.now + 10_000);

  const snapshot = world.snapshot();
  const checked: InvariantInput = { nodes: snapshot, ledger: world.ledger, identityClashes: world.identityClashes, causalityBreaks: world.causalityBreaks };
  const violations = [...checkInvariants(checked), ...checkMembership(membership)];
  if (!converged) violations.unshift({ invariant: 'liveness', detail: `holders still lacked events ${healBoundMs / 1000} s after the heal` });

  const digest = createHash('sha256')
    .update(canonicalJson(snapshot.map((n) => [n.spec.id, n.data.vectors, n.data.module])))
    .digest('hex')
    .slice(0, 16);
  const s = net.stats;
  const m = net.membershipStats;
  const t = world.totals;
  const stale = staleDeathReports(membership);
  if (stale.length > 0) world.log(`stale death reports (up nodes a region member holds dead by report): ${stale.join('; ')}`);
  const detected = detections.map((c) => `${c.id} ${c.deadEverywhereAfterMs === undefined ? 'never' : `${(c.deadEverywhereAfterMs / 1000).toFixed(2)} s`}`);
  const settle = converged ? `converged ${((stoppedAt - EPOCH - faultMs) / 1000).toFixed(1)} s after the heal` : 'did NOT converge';
  const summary =
    `seed ${seed}: ${settle}; ${world.ledger.size} events; calls ${s.calls} (lost ${s.lost}, cut ${s.cut}, duplicated ${s.duplicated}, ` +
    `timeouts ${s.timeouts}); applied ${t.applied}, duplicates ignored ${t.duplicates}, rejected ${t.rejected}; ` +
    `membership calls ${m.calls} (lost ${m.lost}, cut ${m.cut}, timeouts ${m.timeouts}); final crashes dead everywhere after: ${detected.join(', ')}; stale death reports ${stale.length}; ` +
    `timers ${sched.fired}; digest ${digest}; ${violations.length === 0 ? 'ok' : `${violations.length} VIOLATIONS`}`;
  world.log(summary);
  return { seed, violations, trace: world.trace, nodeLog: world.nodeLog, summary, checked, membership, detections };
}

function restart(world: SimWorld, id: string, newSkew: number | undefined): void {
  const node = world.node(id);
  if (node.live) return;
  if (newSkew !== undefined) node.skewMs = newSkew;
  world.log(`restart ${id}${newSkew !== undefined ? ` with its clock now ${newSkew > 0 ? '+' : ''}${newSkew} ms` : ''}`);
  void world.boot(id);
}

/** A topic this node holds now, weighted like real traffic. */
function chooseTopic(world: SimWorld, id: string, rng: () => number): string {
  const { spec } = world.node(id);
  const r = rng();
  if (spec.role === 'hub') {
    if (r < 0.2) return 'global';
    if (r < 0.5) return `region:${pick(rng, world.layout.regions)}`;
    const stores = world.layout.storesOf.get(spec.region) ?? [];
    if (r < 0.65 && stores.length > 0) return `node:${pick(rng, stores)}`;
    return `user:u${randInt(rng, 1, USERS)}`;
  }
  const users = [...world.node(id).subscriptions].sort();
  if (r < 0.25) return 'global';
  if (r < 0.35) return `node:${id}`;
  if (r < 0.65 && users.length > 0) return pick(rng, users);
  return `region:${spec.region}`;
}

function choosePartition(world: SimWorld, rng: () => number): { side: string[]; what: string } {
  const { layout } = world;
  const r = rng();
  if (r < 0.35) {
    const region = pick(rng, layout.regions);
    return { side: [`hub-${region}`, ...(layout.storesOf.get(region) ?? [])], what: `region ${region}` };
  }
  if (r < 0.6 && layout.hubs.length > 1) {
    const half = layout.hubs.filter(() => rng() < 0.5);
    const side = half.length > 0 ? half : [layout.hubs[0] as string];
    return { side, what: `hubs ${side.join(',')} (without their stores)` };
  }
  const n = randInt(rng, 1, 6);
  const side = [...new Set(Array.from({ length: n }, () => pick(rng, layout.nodes).id))].sort();
  return { side, what: `nodes ${side.join(',')}` };
}
