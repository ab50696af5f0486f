// Replication benchmark, part (b): events applied per second by one node's
// engine, in this process, on in-memory PGlite and on a fresh PostgreSQL
// database. A `Replicator` over `SqlReplicationStore` with the announcements
// applier registered receives pushed batches through `serveEvents` (what
// POST /p2p/v1/events calls, minus HTTP and signature checks): validation,
// the idempotency check, the contiguous vector kept under a row lock, and the
// LWW merge into the announcements table, one transaction per pushed batch.
// Baselines in the same run, each on its own fresh database: the same rows
// (repl_events + announcements) inserted without the engine, one transaction
// per event, and one multi-row transaction per batch.
import { randomUUID } from 'node:crypto';
import { openDatabase, dumpPgliteTemplate, type Database, type Tx } from '../../src/db/database.js';
import { systemClock } from '../../src/lib/clock.js';
import { encodeHlc, HybridClock } from '../../src/lib/hlc.js';
import { lwwMapSet, type LwwMap } from '../../src/lib/merge.js';
import { Replicator, type ReplicationLog } from '../../src/mesh/replication/engine.js';
import type { ReplEvent } from '../../src/mesh/replication/event.js';
import { replEvents } from '../../src/mesh/replication/schema.js';
import { SqlReplicationStore } from '../../src/mesh/replication/sql-store.js';
import { ANNOUNCEMENT_SET, applyAnnouncementSet } from '../../src/modules/announcements/events.js';
import { announcements } from '../../src/modules/announcements/schema.js';
import { adminUrl, createScratchDatabase } from '../../test/harness/databases.js';
import { fmt, progress } from './report.js';

export type ApplyMode = 'engine' | 'raw-event' | 'raw-batch';
export type DbKind = 'PGlite' | 'PostgreSQL';

export interface ApplyRow {
  db: DbKind;
  mode: ApplyMode;
  events: number;
  batch: number;
  ms: number;
  perSecond: number;
}

export interface ApplyResult {
  rows: ApplyRow[];
  /** Why PostgreSQL was not measured, when it was not. */
  postgresSkipped?: string;
}

const quiet: ReplicationLog = { debug: () => undefined, info: () => undefined, warn: () => undefined };

/** Announcement events from `origins` origins on global and region:C, seq 1, 2, 3… per (topic, origin), in push order. */
function makeEvents(count: number, origins: number): ReplEvent[] {
  const ids = Array.from({ length: origins }, () => randomUUID());
  const clocks = ids.map((id) => new HybridClock(id, () => Date.now()));
  const seqs = new Map<string, number>();
  const out: ReplEvent[] = [];
  for (let i = 0; i < count; i++) {
    const o = i % origins;
    const origin = ids[o] as string;
    const topic = Math.floor(i / origins) % 2 === 0 ? 'global' : 'region:C';
    const key = `${topic}|${origin}`;
    const seq = (seqs.get(key) ?? 0) + 1;
    seqs.set(key, seq);
    const fields = { title: `Announcement ${i}`, body: 'A new drink launches on Monday at every store of the chain.', author: 'operator', publishedAt: new Date().toISOString(), retracted: false };
    out.push({ origin, topic, seq, hlc: encodeHlc((clocks[o] as HybridClock).now()), type: ANNOUNCEMENT_SET, payload: { announcementId: randomUUID(), fields } });
  }
  return out;
}

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The rows the applier would write, computed up front (the merge itself is not what the baseline measures). */
function rowsOf(events: ReplEvent[]) {
  return events.map((e) => {
    const p = e.payload as { announcementId: string; fields: Record<string, unknown> };
    let fields: LwwMap = {};
    for (const [k, v] of Object.entries(p.fields)) fields = lwwMapSet(fields, k, v, e.hlc);
    return {
      event: { origin: e.origin, topic: e.topic, seq: e.seq, hlc: e.hlc, type: e.type, payload: e.payload, storedAt: Date.now() },
      announcement: { announcementId: p.announcementId, topic: e.topic, fields, updatedHlc: e.hlc },
    };
  });
}

async function viaEngine(database: Database, warm: ReplEvent[], events: ReplEvent[], batch: number): Promise<number> {
  const replicator = new Replicator<Tx>({
    nodeId: 'bench-receiver',
    store: new SqlReplicationStore(database.db),
    transport: {
      events: () => Promise.reject(new Error('no peers in this benchmark')),
      sync: () => Promise.reject(new Error('no peers in this benchmark')),
    },
    // A hub: holds every topic; no peers, so nothing is relayed.
    topology: { baseTopics: () => 'all', peers: () => [], peerHolds: () => false },
    clock: systemClock,
    log: quiet,
  });
  replicator.on(ANNOUNCEMENT_SET, applyAnnouncementSet);
  await replicator.start();
  try {
    for (const b of batches(warm, batch)) await replicator.serveEvents(b);
    const before = replicator.counters.applied;
    const t0 = performance.now();
    for (const b of batches(events, batch)) await replicator.serveEvents(b);
    const ms = performance.now() - t0;
    const applied = replicator.counters.applied - before;
    if (applied !== events.length) throw new Error(`the engine applied ${applied} of ${events.length} events`);
    return ms;
  } finally {
    replicator.stop();
  }
}

async function rawPerEvent(database: Database, warm: ReplEvent[], events: ReplEvent[]): Promise<number> {
  const write = async (list: ReplEvent[]) => {
    for (const r of rowsOf(list)) {
      await database.db.transaction(async (tx) => {
        await tx.insert(replEvents).values(r.event);
        await tx.insert(announcements).values(r.announcement);
      });
    }
  };
  await write(warm);
  const t0 = performance.now();
  await write(events);
  return performance.now() - t0;
}

async function rawPerBatch(database: Database, warm: ReplEvent[], events: ReplEvent[], batch: number): Promise<number> {
  const write = async (list: ReplEvent[]) => {
    for (const b of batches(rowsOf(list), batch)) {
      await database.db.transaction(async (tx) => {
        await tx.insert(replEvents).values(b.map((r) => r.event));
        await tx.insert(announcements).values(b.map((r) => r.announcement));
      });
    }
  };
  await write(warm);
  const t0 = performance.now();
  await write(events);
  return performance.now() - t0;
}

async function measure(db: DbKind, mode: ApplyMode, open: () => Promise<{ database: Database; dispose(): Promise<void> }>, o: { events: number; batch: number; origins: number }): Promise<ApplyRow> {
  const { database, dispose } = await open();
  try {
    const warm = makeEvents(Math.min(o.batch, o.events), o.origins);
    const events = makeEvents(o.events, o.origins);
    const ms =
      mode === 'engine'
        ? await viaEngine(database, warm, events, o.batch)
        : mode === 'raw-event'
          ? await rawPerEvent(database, warm, events)
          : await rawPerBatch(database, warm, events, o.batch);
    const row = { db, mode, events: o.events, batch: o.batch, ms, perSecond: (o.events / ms) * 1000 };
    progress(`${db} ${mode}: ${fmt(o.events)} events in ${fmt(ms / 1000, 2)} s = ${fmt(row.perSecond)}/s`);
    return row;
  } finally {
    await dispose();
  }
}

const MODES: ApplyMode[] = ['engine', 'raw-event', 'raw-batch'];

export async function runApply(o: { events: number; batch: number; origins: number }): Promise<ApplyResult> {
  const rows: ApplyRow[] = [];
  progress('PGlite: an initialised, migrated in-memory database per measurement (from one dump)…');
  const template = await dumpPgliteTemplate();
  for (const mode of MODES) {
    rows.push(
      await measure('PGlite', mode, async () => {
        const database = await openDatabase({ kind: 'pglite', template });
        await database.migrate();
        return { database, dispose: () => database.close() };
      }, o),
    );
  }

  let postgresSkipped: string | undefined;
  try {
    const probe = await createScratchDatabase();
    await probe.drop();
  } catch (err) {
    postgresSkipped = `PostgreSQL at ${adminUrl().replace(/\/\/[^@]*@/, '//')} not reachable (${(err as Error).message})`;
    progress(`${postgresSkipped}: skipping it`);
  }
  if (!postgresSkipped) {
    progress('PostgreSQL: a fresh database per measurement (createScratchDatabase), migrated…');
    for (const mode of MODES) {
      rows.push(
        await measure('PostgreSQL', mode, async () => {
          const scratch = await createScratchDatabase();
          const database = await openDatabase({ kind: 'postgres', url: scratch.url });
          await database.migrate();
          return {
            database,
            dispose: async () => {
              await database.close();
              await scratch.drop();
            },
          };
        }, o),
      );
    }
  }
  return { rows, ...(postgresSkipped ? { postgresSkipped } : {}) };
}
