// Recompute: every position rebuilt from the ledger alone (a sum per item of
// each movement's effect, ledger.ts) and compared with the stored positions.
// A check reads one snapshot and blocks nobody; a repair also blocks writers
// for its duration, so nothing moves between the sum and the overwrite.
import { eq, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.js';
import { Conflict } from '../../http/errors.js';
import { effects, emptyPosition, isPossible, movementTypes, positionFields, type Position, type PositionField } from './ledger.js';
import { inventoryPositions, inventoryTransactions } from './schema.js';

export interface PositionDifference {
  itemId: string;
  field: PositionField;
  /** What the positions table says. */
  recorded: number;
  /** What the ledger adds up to. */
  fromLedger: number;
}

export interface VerifyReport {
  storeId: string;
  checkedAt: string;
  items: number;
  transactions: number;
  consistent: boolean;
  differences: PositionDifference[];
  /** Whether the positions were overwritten with the ledger's figures. */
  repaired: boolean;
}

/** sum(case type when 'receipt' then quantity … end) for one field, from the effects table. */
function sumOf(field: PositionField): SQL {
  const t = inventoryTransactions;
  const arms = movementTypes
    .filter((type) => (effects[type][field] ?? 0) !== 0)
    // Type names and factors are constants of ledger.ts, never input.
    .map((type) => sql`${sql.raw(` when '${type}' then ${effects[type][field]!} * `)}${t.quantity}`);
  return sql`coalesce(sum(case ${t.type}${sql.join(arms)} else 0 end), 0)::bigint`;
}

async function ledgerPositions(tx: Tx, storeId: string): Promise<{ positions: Map<string, Position>; transactions: number }> {
  const t = inventoryTransactions;
  const rows = await tx
    .select({
      itemId: t.itemId,
      n: sql<string>`count(*)`,
      onHand: sumOf('onHand'),
      reserved: sumOf('reserved'),
      inTransit: sumOf('inTransit'),
      onOrder: sumOf('onOrder'),
      damaged: sumOf('damaged'),
    })
    .from(t)
    .where(eq(t.storeId, storeId))
    .groupBy(t.itemId);
  const positions = new Map<string, Position>();
  let transactions = 0;
  for (const r of rows) {
    transactions += Number(r.n);
    const p = emptyPosition();
    for (const f of positionFields) p[f] = Number(r[f]);
    positions.set(r.itemId, p);
  }
  return { positions, transactions };
}

async function compare(tx: Tx, storeId: string): Promise<{ differences: PositionDifference[]; items: number; transactions: number; fromLedger: Map<string, Position> }> {
  const { positions: fromLedger, transactions } = await ledgerPositions(tx, storeId);
  const stored = await tx.select().from(inventoryPositions).where(eq(inventoryPositions.storeId, storeId));
  const recorded = new Map(stored.map((r) => [r.itemId, { onHand: r.onHand, reserved: r.reserved, inTransit: r.inTransit, onOrder: r.onOrder, damaged: r.damaged }]));
  const itemIds = [...new Set([...fromLedger.keys(), ...recorded.keys()])].sort();
  const differences: PositionDifference[] = [];
  for (const itemId of itemIds) {
    const a = recorded.get(itemId) ?? emptyPosition();
    const b = fromLedger.get(itemId) ?? emptyPosition();
    for (const field of positionFields) {
      if (a[field] !== b[field]) differences.push({ itemId, field, recorded: a[field], fromLedger: b[field] });
    }
  }
  return { differences, items: itemIds.length, transactions, fromLedger };
}

/** Rebuilds the store's positions from its ledger and reports every difference; with `repair`, the ledger wins. */
export async function recompute(db: Db, storeId: string, options: { repair: boolean; now: Date }): Promise<VerifyReport> {
  const report = (r: Awaited<ReturnType<typeof compare>>, repaired: boolean): VerifyReport => ({
    storeId,
    checkedAt: options.now.toISOString(),
    items: r.items,
    transactions: r.transactions,
    consistent: r.differences.length === 0,
    differences: r.differences,
    repaired,
  });
  if (!options.repair) {
    return db.transaction(async (tx) => report(await compare(tx, storeId), false), { isolationLevel: 'repeatable read', accessMode: 'read only' });
  }
  return db.transaction(async (tx) => {
    // Every writer takes a row lock on positions first, which this mode waits for and then excludes.
    await tx.execute(sql`lock table ${inventoryPositions} in exclusive mode`);
    const r = await compare(tx, storeId);
    const broken = [...new Set(r.differences.map((d) => d.itemId))];
    const impossible = broken.filter((itemId) => !isPossible(r.fromLedger.get(itemId) ?? emptyPosition()));
    if (impossible.length > 0) {
      throw new Conflict(`The ledger adds up to an impossible position for ${impossible.join(', ')}; nothing was repaired.`);
    }
    for (const itemId of broken) {
      const p = r.fromLedger.get(itemId) ?? emptyPosition();
      await tx
        .insert(inventoryPositions)
        .values({ storeId, itemId, ...p, updatedAt: options.now })
        .onConflictDoUpdate({ target: [inventoryPositions.storeId, inventoryPositions.itemId], set: { ...p, updatedAt: options.now } });
    }
    return report(r, broken.length > 0);
  });
}
