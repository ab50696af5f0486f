// The simulated network's shape, like the real one (DESIGN §3, and the
// node's wiring.ts over membership.ts): one supply hub per region holding
// every topic, peering with the other hubs and its region's stores; stores
// holding `global`, their region and `node:<self>` (plus the `user:<id>`
// topics they subscribe to), peering with their hub and their region's
// nearest stores (4 by default, as `--watch-neighbours`). Nearness is not
// symmetric, so neither is peering: A may push to B while B only answers A.
// Nearness is great-circle distance, as membership.ts measures it, so these
// peers are exactly the ones each node's Membership watches.
import { haversineMiles } from '../src/lib/geo.js';
import type { Topology } from '../src/mesh/replication/engine.js';

export type Role = 'hub' | 'store';

export interface NodeSpec {
  id: string;
  role: Role;
  region: string;
  /** Position in the layout, for per-node random streams. */
  index: number;
  /** Where it is, in miles on a plane around the equator (x east, y north). */
  x: number;
  y: number;
  /** The same place in degrees, for membership's great-circle "nearest". */
  lat: number;
  lon: number;
}

/** Miles per degree of a great circle (membership's Earth radius); at the equator x and y map onto lon and lat. */
const MILES_PER_DEGREE = (2 * Math.PI * 3958.8) / 360;

function placed(spec: Omit<NodeSpec, 'lat' | 'lon'>): NodeSpec {
  return { ...spec, lat: spec.y / MILES_PER_DEGREE, lon: spec.x / MILES_PER_DEGREE };
}

export interface Layout {
  nodes: readonly NodeSpec[];
  byId: ReadonlyMap<string, NodeSpec>;
  regions: readonly string[];
  hubs: readonly string[];
  storesOf: ReadonlyMap<string, readonly string[]>;
  /** How many nearest region stores a store peers with. */
  neighbours: number;
}

const REGION_CODES = 'ABCDEFG';

/**
 * `total` nodes: up to 7 regions (A–G, as the demo network), one hub each,
 * the rest stores spread evenly, each placed at random within 300 miles of its hub.
 */
export function buildLayout(total: number, rng: () => number, neighbours = 4): Layout {
  if (!Number.isInteger(total) || total < 3) throw new Error(`need at least 3 nodes, got ${total}`);
  const regionCount = Math.min(REGION_CODES.length, Math.max(1, Math.floor(total / 7)));
  const regions = [...REGION_CODES.slice(0, regionCount)];
  const nodes: NodeSpec[] = regions.map((region, index) => placed({ id: `hub-${region}`, role: 'hub', region, index, x: index * 1000, y: 0 }));
  const storesOf = new Map<string, string[]>(regions.map((r) => [r, []]));
  for (let i = 0; nodes.length < total; i++) {
    const region = regions[i % regions.length] as string;
    const list = storesOf.get(region) as string[];
    const id = `store-${region}${String(list.length + 1).padStart(2, '0')}`;
    list.push(id);
    const x = (i % regions.length) * 1000 + (rng() - 0.5) * 600;
    nodes.push(placed({ id, role: 'store', region, index: nodes.length, x, y: (rng() - 0.5) * 600 }));
  }
  return {
    nodes,
    byId: new Map(nodes.map((n) => [n.id, n])),
    regions,
    hubs: nodes.filter((n) => n.role === 'hub').map((n) => n.id),
    storesOf,
    neighbours,
  };
}

export function baseTopics(node: NodeSpec): readonly string[] | 'all' {
  return node.role === 'hub' ? 'all' : ['global', `region:${node.region}`, `node:${node.id}`];
}

/** Whether a node holds `topic` by its role (subscriptions come on top). */
export function holdsByRole(node: NodeSpec, topic: string): boolean {
  const base = baseTopics(node);
  return base === 'all' || base.includes(topic);
}

export function peersOf(layout: Layout, node: NodeSpec): string[] {
  const regionStores = layout.storesOf.get(node.region) ?? [];
  if (node.role === 'hub') return [...layout.hubs.filter((h) => h !== node.id), ...regionStores];
  const distance = (id: string): number => haversineMiles(node, layout.byId.get(id) as NodeSpec);
  // Ties broken by id, as membership.ts does.
  const nearest = regionStores
    .filter((s) => s !== node.id)
    .sort((a, b) => distance(a) - distance(b) || a.localeCompare(b))
    .slice(0, layout.neighbours);
  return [`hub-${node.region}`, ...nearest];
}

export function topologyFor(layout: Layout, node: NodeSpec): Topology {
  const peers = peersOf(layout, node);
  const base = baseTopics(node);
  return {
    baseTopics: () => base,
    peers: () => peers,
    peerHolds: (peer, topic) => {
      const spec = layout.byId.get(peer);
      return spec !== undefined && holdsByRole(spec, topic);
    },
  };
}
