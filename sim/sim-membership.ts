// Each simulated node's failure detection: the node's own `Membership` (its
// watching rules, over a MemoryMemberStore that outlives crashes as a
// database would) and its `Watcher` (heartbeats, detector ticks, indirect
// probes, reports to the region), the very classes a node runs, over the
// simulated network and the node's skewed clock. Where a node's jobs call
// heartbeatRound() and tick(), here timers owned by the node do, and die
// with it. Registration with a hub is not simulated: every node boots
// knowing its region and the hubs, as it would after registering.
import { defaultDetectorConfig, FailureDetector } from '../src/mesh/membership/failure-detector.js';
import { Membership, type Member, type MemoryMemberStore } from '../src/mesh/membership/membership.js';
import { heartbeatTimeoutMs, tickIntervalMs, Watcher, type WatcherLog } from '../src/mesh/membership/watcher.js';
import type { Clock } from '../src/lib/clock.js';
import type { NodeSpec } from './layout.js';
import type { MembershipEndpoint, SimHeartbeatReply, SimNetwork } from './sim-network.js';
import type { Owner } from './sim-clock.js';

/** The heartbeat interval of every simulated node (`--heartbeat-ms`'s default). */
export const HEARTBEAT_MS = 1000;

/** A node's card and (empty) chain: the simulation checks no certificates. */
export function memberOf(spec: NodeSpec): Member {
  return {
    nodeId: spec.id,
    role: spec.role,
    region: spec.region,
    name: spec.id,
    apiBaseUrl: `sim://${spec.id}`,
    lat: spec.lat,
    lon: spec.lon,
    chain: [],
  };
}

export interface NodeMembership {
  membership: Membership;
  watcher: Watcher<SimHeartbeatReply>;
  /** What the network hands this node's membership calls to. */
  endpoint: MembershipEndpoint;
  /** Loads what the node knew before its crash, then learns its region and the hubs (as registration would). */
  load(): Promise<void>;
  /** Starts the detector's clock and the heartbeat and detector timers (a node's startWatching and jobs). */
  start(): void;
  /** Stops the timers (end of run; a crash stops them by killing their owner). */
  stop(): void;
}

export interface MembershipParts {
  spec: NodeSpec;
  /** Every node of the network: a node keeps those its Membership says belong (its region, the hubs). */
  everyone: readonly NodeSpec[];
  neighbours: number;
  incarnation: number;
  store: MemoryMemberStore;
  net: SimNetwork;
  owner: Owner;
  clock: Clock;
  /** The detector's randomness (which helpers probe a suspect), one stream per node. */
  rng: () => number;
  log: WatcherLog;
  /** Called when this node's view of a peer may have changed (a transition, a report taken). */
  changed: () => void;
}

export function nodeMembership(p: MembershipParts): NodeMembership {
  const self = memberOf(p.spec);
  const detector = new FailureDetector(defaultDetectorConfig(HEARTBEAT_MS), p.rng);
  const membership = new Membership(p.store, self, detector, () => p.clock.now(), `${p.spec.id}.${p.incarnation}`, p.neighbours);
  const log: WatcherLog = {
    info: (obj, msg) => (p.log.info(obj, msg), p.changed()),
    warn: (obj, msg) => (p.log.warn(obj, msg), p.changed()),
  };
  const watcher = new Watcher<SimHeartbeatReply>({
    membership,
    transport: p.net.membershipTransportFor(self, p.owner, heartbeatTimeoutMs(HEARTBEAT_MS)),
    clock: p.clock,
    log,
  });
  let running = false;
  const every = (ms: number, fn: () => void): void => {
    const run = (): void => {
      if (!running) return;
      fn();
      p.clock.setTimeout(run, ms);
    };
    run();
  };
  return {
    membership,
    watcher,
    endpoint: {
      takeHeartbeat: (from) => watcher.takeHeartbeat(from),
      serveProbe: (target) => watcher.serveProbe(target),
      takeReport: async (by, body) => {
        const taken = watcher.takeReport(by, body);
        if (taken) p.changed();
        return taken;
      },
    },
    async load() {
      await membership.load();
      for (const other of p.everyone) {
        const m = memberOf(other);
        if (membership.belongs(m)) await membership.upsert(m);
      }
    },
    start() {
      running = true;
      membership.startWatching();
      every(HEARTBEAT_MS, () => watcher.heartbeatRound());
      every(tickIntervalMs(HEARTBEAT_MS), () => watcher.tick());
    },
    stop() {
      running = false;
    },
  };
}
