// The store directory and discovery: a store publishes its own record, its
// manager (at the store) or a hub edits the profile, and any node answers
// "which stores are near me, open, healthy and how long is the wait" from
// the spatial index of its replicated copy. Every change is a store.set event
// written with its row in one transaction.
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.js';
import { Forbidden, Invalid, NotFound, type FieldError } from '../../http/errors.js';
import { closingAfter, isOpenAt, nextOpening, standardHours } from '../../lib/hours.js';
import type { LwwMap } from '../../lib/merge.js';
import type { MeshView, ReplicatedEvent, ReplicationApi } from '../../core/context.js';
import type { StoreDirectory } from './directory.js';
import { rowToRecord } from './directory.js';
import { DIRECTORY_TOPIC, STORE_SET } from './events.js';
import { MIN_WAIT_MINUTES, waitMinutesFor, type StoreFields, type StoreRecord } from './model.js';
import { nearbyItems, type NearbyStore } from './nearby.js';
import { regions, regionTimeZone } from './regions.js';
import { storeDirectory } from './schema.js';

/** Orders waiting or being made at this store now (pending + preparing); the orders module provides it. */
export type WaitSource = () => Promise<number> | number;
/** What the inventory module says about a store's stock; null when it cannot tell. */
export type StockStatusProvider = (storeId: string) => Promise<Record<string, unknown> | null>;

export interface StoreDetails extends StoreRecord {
  isOpen: boolean;
  closesAt: string | null;
  nextOpeningAt: string | null;
  healthy: boolean | null;
  stockStatus: Record<string, unknown> | null;
}

export type ProfileChanges = Partial<Omit<StoreFields, 'waitMinutes' | 'updatedAt'>>;

const identityFields = ['name', 'region', 'lat', 'lon', 'apiBaseUrl'] as const;

export interface StoreServiceDeps {
  db: Db;
  replication: ReplicationApi;
  /** The store.set applier, the same one remote events go through. */
  apply: (tx: Tx, event: ReplicatedEvent) => Promise<void>;
  directory: StoreDirectory;
  mesh: MeshView;
  now: () => number;
  nodeId: string;
  role: 'store' | 'hub';
  /** This node's own name, region and position, from its configuration. */
  config: { name: string; region: string; lat: number; lon: number };
  /** The URL clients reach this node at; '' until it listens. */
  publicUrl: () => string;
  warn: (detail: Record<string, unknown>, message: string) => void;
}

/** The directory carries the wait in 5-minute steps: close enough to choose a store, and far fewer events. */
function directoryWait(minutes: number): number {
  return Math.ceil(minutes / MIN_WAIT_MINUTES) * MIN_WAIT_MINUTES;
}

export class StoreService {
  private waitSource: WaitSource | undefined;
  private stockStatus: StockStatusProvider | undefined;

  constructor(private readonly d: StoreServiceDeps) {}

  setWaitSource(source: WaitSource): void {
    this.waitSource = source;
  }

  setStockStatusProvider(provider: StockStatusProvider): void {
    this.stockStatus = provider;
  }

  /** This store's wait now, from its open orders (5 minutes when nothing feeds it). */
  async liveWaitMinutes(): Promise<number> {
    return waitMinutesFor(this.waitSource ? await this.waitSource() : 0);
  }

  private isSelf(storeId: string): boolean {
    return this.d.role === 'store' && storeId === this.d.nodeId;
  }

  healthOf(storeId: string): boolean | null {
    if (storeId === this.d.nodeId) return true;
    return this.d.mesh.peer(storeId)?.reachable ?? null;
  }

  private async publish(storeId: string, fields: Partial<StoreFields>): Promise<void> {
    const stamped = { ...fields, updatedAt: new Date(this.d.now()).toISOString() };
    await this.d.replication.transaction(async (tx, emit) => {
      const event = await emit({ topic: DIRECTORY_TOPIC, type: STORE_SET, payload: { storeId, fields: stamped } });
      await this.d.apply(tx, event);
    });
  }

  private async row(storeId: string) {
    const rows = await this.d.db.select().from(storeDirectory).where(eq(storeDirectory.storeId, storeId));
    return rows[0];
  }

  /** A store's record from the directory held in memory (it follows every committed change; directory.ts). */
  async get(storeId: string): Promise<StoreRecord> {
    const record = (await this.d.directory.current()).records.get(storeId);
    if (!record?.name) throw new NotFound(`No store ${storeId} in the directory here.`);
    return this.isSelf(storeId) ? { ...record, waitMinutes: await this.liveWaitMinutes() } : record;
  }

  /** Every API base URL in the directory, and the hubs': where the web app may be sent to order (its CSP lists them). */
  async apiBaseUrls(): Promise<string[]> {
    const { records } = await this.d.directory.current();
    const stores = [...records.values()].map((r) => r.apiBaseUrl).filter((u): u is string => Boolean(u));
    return [...stores, ...this.d.mesh.hubs().map((h) => h.apiBaseUrl).filter(Boolean)];
  }

  async details(storeId: string): Promise<StoreDetails> {
    const record = await this.get(storeId);
    const now = this.d.now();
    const isOpen = isOpenAt(record.weeklyHours, record.timeZone, now);
    return {
      ...record,
      isOpen,
      closesAt: isOpen ? (closingAfter(record.weeklyHours, record.timeZone, now)?.toISOString() ?? null) : null,
      nextOpeningAt: isOpen ? null : (nextOpening(record.weeklyHours, record.timeZone, now)?.toISOString() ?? null),
      healthy: this.healthOf(storeId),
      stockStatus: await this.stockStatusOf(storeId),
    };
  }

  /** Stock status is a courtesy of the details page: when inventory cannot tell, the page still answers. */
  private async stockStatusOf(storeId: string): Promise<Record<string, unknown> | null> {
    if (!this.stockStatus) return null;
    try {
      return await this.stockStatus(storeId);
    } catch (err) {
      this.d.warn({ err, storeId }, 'stock status unavailable for store details');
      return null;
    }
  }

  async nearby(q: { lat: number; lon: number; radiusMiles: number; limit: number }): Promise<NearbyStore[]> {
    const { index } = await this.d.directory.current();
    const hits = index.nearest(q.lat, q.lon, q.radiusMiles, q.limit);
    const ownWait = hits.some((h) => this.isSelf(h.record.storeId)) ? await this.liveWaitMinutes() : undefined;
    return nearbyItems(hits, this.d.now(), {
      healthOf: (id) => this.healthOf(id),
      waitOf: (r) => (ownWait !== undefined && this.isSelf(r.storeId) ? ownWait : r.waitMinutes),
    });
  }

  /** The directory page by page, in store id order, optionally one region's. */
  async list(q: { region?: string | undefined; limit: number; after?: string | undefined }): Promise<{ items: StoreRecord[]; nextCursor: string | null }> {
    const where: SQL[] = [];
    if (q.region) where.push(eq(storeDirectory.region, q.region));
    if (q.after) where.push(gt(storeDirectory.storeId, q.after));
    const rows = await this.d.db
      .select()
      .from(storeDirectory)
      .where(and(...where))
      .orderBy(asc(storeDirectory.storeId))
      .limit(q.limit + 1);
    const items = rows.slice(0, q.limit).map(rowToRecord).filter((r) => r.name !== '');
    return { items, nextCursor: rows.length > q.limit ? rows[q.limit - 1]!.storeId : null };
  }

  /**
   * Changes a store's profile. Only the store's own node or a hub may publish
   * a store's record; a hub may also set the fields a store otherwise takes
   * from its configuration (name, region, position, URL), which is how a hub
   * registers a store before its node runs. The store's own configuration wins
   * again for those at its next start.
   */
  async updateProfile(storeId: string, changes: ProfileChanges): Promise<StoreRecord> {
    if (!this.isSelf(storeId) && this.d.role !== 'hub') {
      throw new Forbidden(`This node may change only its own record; change store ${storeId} at that store or at a hub.`);
    }
    const errors: FieldError[] = [];
    if (this.d.role !== 'hub') {
      for (const f of identityFields) {
        if (changes[f] !== undefined) errors.push({ field: `body.${f}`, message: "set by the store's own configuration (--name, --region, --lat, --lon, --public-url)" });
      }
    }
    const row = await this.row(storeId);
    const held = (row?.fields as LwwMap | undefined) ?? {};
    if (!held.name) {
      for (const f of ['name', 'region', 'lat', 'lon'] as const) {
        if (changes[f] === undefined && this.d.role === 'hub') errors.push({ field: `body.${f}`, message: 'required to register a store the directory does not hold yet' });
      }
      if (this.d.role !== 'hub') throw new NotFound(`Store ${storeId} has not published its record yet.`);
    }
    if (errors.length > 0) throw new Invalid('Some fields cannot be set here.', errors);
    const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<StoreFields>;
    const fields = held.name ? given : { ...this.defaultsFor(changes.region ?? ''), ...given };
    if (Object.keys(fields).length > 0) await this.publish(storeId, fields);
    return this.get(storeId);
  }

  private defaultsFor(region: string): Partial<StoreFields> {
    return {
      storeNumber: null,
      address: null,
      phone: null,
      email: null,
      timeZone: regionTimeZone(region),
      weeklyHours: standardHours(),
      isOperational: true,
      isAcceptingOrders: true,
      waitMinutes: MIN_WAIT_MINUTES,
      apiBaseUrl: null,
    };
  }

  /**
   * A store publishes its own record: every field when the directory has
   * none, then whatever its configuration or URL changed since. Cheap when
   * nothing changed (one row read), so it runs with the periodic job.
   */
  async publishOwnRecord(): Promise<void> {
    if (this.d.role !== 'store') return;
    const { name, region, lat, lon } = this.d.config;
    const url = this.d.publicUrl() || undefined;
    const held = ((await this.row(this.d.nodeId))?.fields as LwwMap | undefined) ?? {};
    const wanted: Partial<StoreFields> = { ...this.defaultsFor(region), name, region, lat, lon, ...(url ? { apiBaseUrl: url } : {}) };
    const configured = new Set<string>(['name', 'region', 'lat', 'lon', ...(url ? ['apiBaseUrl'] : [])]);
    const changes = Object.fromEntries(
      Object.entries(wanted).filter(([k, v]) => !(k in held) || (configured.has(k) && held[k]!.value !== v)),
    ) as Partial<StoreFields>;
    if (Object.keys(changes).length > 0) await this.publish(this.d.nodeId, changes);
  }

  /** Publishes this store's wait when its 5-minute step changed; the periodic job calls it once a minute. */
  async publishWait(): Promise<void> {
    if (this.d.role !== 'store') return;
    const row = await this.row(this.d.nodeId);
    if (!row) return;
    const wait = directoryWait(await this.liveWaitMinutes());
    if (rowToRecord(row).waitMinutes !== wait) await this.publish(this.d.nodeId, { waitMinutes: wait });
  }

  /** The regions with their hub as this node's membership sees it. */
  regions(selfUrl: string) {
    const hubs = this.d.mesh.hubs();
    return regions.map((r) => {
      const hub = hubs.find((h) => h.region === r.code);
      const self = this.d.role === 'hub' && this.d.config.region === r.code;
      return {
        ...r,
        hub: hub
          ? { nodeId: hub.nodeId, name: hub.name, apiBaseUrl: hub.apiBaseUrl, healthy: hub.reachable }
          : self
            ? { nodeId: this.d.nodeId, name: this.d.config.name, apiBaseUrl: selfUrl || null, healthy: true }
            : null,
      };
    });
  }
}
