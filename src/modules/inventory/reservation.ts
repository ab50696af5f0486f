// Reserving stock for an order in one call of the database function
// inventory_reserve (src/modules/inventory/sql/): lock the items'
// positions in item order, find what is short, and only when nothing is
// raise `reserved` and write the ledger's reserve rows. Another module's
// function can call it in the same statement (orders_place writes the order
// row with it), so an order and its stock commit together in one round trip:
// the checkout's hot path. The rule is PositionBook's (available = on hand −
// reserved, never promised twice); the positions' CHECK constraint stays the
// last guard.
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.js';
import { Invalid } from '../../http/errors.js';
import { isLow, quantityProblem, type Position } from './ledger.js';

export interface ReservationLine {
  itemId: string;
  quantity: number;
}

export interface ReservationInput {
  storeId: string;
  /** What holds the stock: the order id. */
  reference: string;
  items: ReservationLine[];
  actor: string;
}

export interface MissingItem {
  itemId: string;
  needed: number;
  available: number;
}

/** A position the reservation changed, with what the region was last told of it. */
export interface HeldPosition {
  itemId: string;
  position: Position;
  threshold: number;
  signalled: boolean;
}

export interface ReservationOutcome {
  /** Every item short, needed against available; when any is, nothing was written. */
  missing: MissingItem[];
  held: HeldPosition[];
}

/** The needs summed per item, in item order; a bad line is a 400 naming it. */
export function reservationNeeds(input: ReservationInput): [string, number][] {
  const needs = new Map<string, number>();
  for (const [i, line] of input.items.entries()) {
    const problem = quantityProblem('reserve', line.quantity);
    if (problem) throw new Invalid(`Invalid reservation of ${line.itemId}.`, [{ field: `items.${i}.quantity`, message: problem }]);
    needs.set(line.itemId, (needs.get(line.itemId) ?? 0) + line.quantity);
  }
  if (needs.size === 0) throw new Invalid('A reservation needs at least one item.', [{ field: 'items', message: 'empty' }]);
  if (!input.reference) throw new Invalid('A reservation needs a reference.', [{ field: 'reference', message: 'required' }]);
  return [...needs].sort(([a], [b]) => (a < b ? -1 : 1));
}

/** What inventory_reserve answers (src/modules/inventory/sql/). */
interface Answer {
  missing: MissingItem[];
  held: { itemId: string; onHand: number; reserved: number; inTransit: number; onOrder: number; damaged: number; threshold: number; signalled: boolean }[];
}

/** The needs as the JSON lines inventory_reserve takes: [{item_id, qty}], validated, summed, in item order. */
export function reservationLines(input: ReservationInput): string {
  return JSON.stringify(reservationNeeds(input).map(([item_id, qty]) => ({ item_id, qty })));
}

/** Reads inventory_reserve's answer (the drivers hand jsonb over parsed). */
export function outcomeOf(raw: unknown): ReservationOutcome {
  const answer = raw as Answer;
  return {
    missing: answer.missing.map((m) => ({ itemId: m.itemId, needed: Number(m.needed), available: Number(m.available) })),
    held: answer.held.map((h) => ({
      itemId: h.itemId,
      position: { onHand: h.onHand, reserved: h.reserved, inTransit: h.inTransit, onOrder: h.onOrder, damaged: h.damaged },
      threshold: h.threshold,
      signalled: h.signalled,
    })),
  };
}

/** Runs inventory_reserve in `exec` (a transaction of the caller's, or the database). */
export async function runReservation(exec: Db | Tx, input: ReservationInput, at: Date): Promise<ReservationOutcome> {
  const lines = reservationLines(input);
  const result = await exec.execute(sql`select inventory_reserve(${input.storeId}, ${input.reference}, ${input.actor}, ${at.toISOString()}::timestamptz, ${lines}::jsonb) as r`);
  return outcomeOf((result as unknown as { rows: { r: unknown }[] }).rows[0]?.r);
}

/** Positions whose low state now differs from what the region was last told. */
export const crossings = (held: HeldPosition[]): HeldPosition[] => held.filter((h) => isLow(h.position, h.threshold) !== h.signalled);
