// The spatial index behind "nearest stores": a static k-d tree (kdbush) of
// every store with a position, searched nearest-first on the sphere
// (geokdbush), so a query visits a few tree nodes instead of every store.
// The tree holds positions only; records sit in slots beside it, so a change
// that keeps a store where it is (flags, hours, wait) replaces its slot
// without a rebuild. Adding a store or moving one rebuilds the tree (about
// 10 ms per 100,000 stores), which happens rarely.
import KDBush from 'kdbush';
import { around } from 'geokdbush';
import { haversineMiles } from '../../lib/geo.js';
import type { StoreRecord } from './model.js';

const KM_PER_MILE = 1.609344;

export interface NearbyHit {
  record: StoreRecord;
  distanceMiles: number;
}

type Positioned = StoreRecord & { lat: number; lon: number };

function hasPosition(r: StoreRecord): r is Positioned {
  return r.lat !== null && r.lon !== null;
}

export class StoreIndex {
  /** 1 where the slot's store is operational: the search's filter reads this, not the scattered record objects. */
  private readonly operational: Uint8Array;

  private constructor(
    private readonly tree: KDBush | undefined,
    private readonly slots: Positioned[],
    private readonly slotOf: Map<string, number>,
  ) {
    this.operational = Uint8Array.from(slots, (r) => (r.isOperational ? 1 : 0));
  }

  static build(records: Iterable<StoreRecord>): StoreIndex {
    const slots = [...records].filter(hasPosition);
    const slotOf = new Map(slots.map((r, i) => [r.storeId, i]));
    if (slots.length === 0) return new StoreIndex(undefined, slots, slotOf);
    // Leaves of 16 points: the nearest-first search scores every point of a leaf it opens, and stores cluster in towns.
    const tree = new KDBush(slots.length, 16);
    for (const r of slots) tree.add(r.lon, r.lat);
    tree.finish();
    return new StoreIndex(tree, slots, slotOf);
  }

  get size(): number {
    return this.slots.length;
  }

  /**
   * Puts a changed record in its slot when the tree still fits it (same
   * position, already indexed). False means the caller must rebuild.
   */
  replace(record: StoreRecord): boolean {
    const slot = this.slotOf.get(record.storeId);
    if (slot === undefined) return !hasPosition(record);
    const old = this.slots[slot]!;
    if (!hasPosition(record) || record.lat !== old.lat || record.lon !== old.lon) return false;
    this.slots[slot] = record;
    this.operational[slot] = record.isOperational ? 1 : 0;
    return true;
  }

  /** Operational stores within `radiusMiles`, nearest first, at most `limit`. */
  nearest(lat: number, lon: number, radiusMiles: number, limit: number): NearbyHit[] {
    if (!this.tree || limit <= 0) return [];
    const operational = this.operational;
    const ids = around(this.tree, lon, lat, limit, radiusMiles * KM_PER_MILE, (i) => operational[i] === 1);
    return ids.map((i) => {
      const record = this.slots[i]!;
      return { record, distanceMiles: haversineMiles({ lat, lon }, record) };
    });
  }
}
