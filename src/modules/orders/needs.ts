// What orders need of the catalog, the inventory ledger and the store
// directory, as narrow interfaces. src/modules/index.ts adapts the real
// services to them, so this module's logic reads the same whichever way
// those modules grow.
import type { Tx } from '../../db/database.js';
import type { WeeklyHours } from '../../lib/hours.js';

export interface RecipeLine {
  itemId: string;
  /** Units of the item for ONE drink. */
  quantity: number;
}

export interface OrderableDrink {
  drinkId: string;
  name: string;
  priceCents: number;
  ingredients: RecipeLine[];
  /** A person's own drink is theirs to order; a retired one is no longer offered. */
  userCreated?: boolean;
  createdBy?: string | null;
  retired?: boolean;
}

export interface IngredientInfo {
  name: string;
  /** syrup | soda | add-in | juice | physical | ice */
  type: string;
}

export interface CatalogPort {
  /** The drinks that exist among `drinkIds`; unknown ids are simply absent. */
  getDrinks(drinkIds: string[]): Promise<OrderableDrink[]>;
  /** Names and types of items, for messages and the golden window's complexity. */
  ingredientInfo(itemIds: string[]): Promise<Map<string, IngredientInfo>>;
}

export interface StockNeed {
  itemId: string;
  quantity: number;
}

/** Writes a replication event in the caller's transaction (inventory's low-stock signal rides on it). */
export type Emit = (e: { topic: string; type: string; payload: unknown }) => Promise<unknown>;

/** What a refused reservation says is short. */
export interface MissingStock {
  itemId: string;
  needed: number;
  available: number;
}

export interface InventoryPort {
  /**
   * Reserves every need or none through the caller's database function,
   * which calls inventory_reserve with `lines` in the statement that writes
   * its own row (orders_place): both commit or neither, in one round trip.
   * Throws a Conflict, with `missing` naming what is short.
   */
  reserveVia(input: { storeId: string; reference: string; items: StockNeed[]; actor: string }, call: (lines: string) => Promise<unknown>): Promise<void>;
  /** Gives back what `reference` still holds reserved. */
  release(tx: Tx, input: { storeId: string; reference: string; actor: string; reason: string }, emit?: Emit): Promise<unknown>;
  /** Turns what `reference` holds reserved into a sale (it left the shelf). */
  consume(tx: Tx, input: { storeId: string; reference: string; actor: string }, emit?: Emit): Promise<unknown>;
  /** Units available (on hand − reserved) per item; items the store never stocked are 0. */
  available(storeId: string, itemIds: string[]): Promise<Record<string, number>>;
  /** Items below their threshold, for the dashboard. */
  lowStock(storeId: string): Promise<{ itemId: string; name?: string; available: number; threshold: number }[]>;
}

export interface StoreInfo {
  storeId: string;
  name: string;
  lat: number;
  lon: number;
  timeZone: string;
  weeklyHours: WeeklyHours;
  isAcceptingOrders: boolean;
  /** The wait a new order can expect now. */
  waitMinutes: number;
  /** Why not, when the store says (a machine down, closed for a holiday). */
  notAcceptingReason?: string;
}

export interface StoresPort {
  /** This node's store record, or undefined on a hub (or before the store is set up). */
  store(storeId: string): Promise<StoreInfo | undefined>;
  /** The stores of a region as the hub's registry holds them (hub only), for the admin dashboard. */
  storesOfRegion?(region: string): Promise<{ storeId: string; name: string }[]>;
  /** Hands the stores module this store's count of orders not yet made, which its wait estimate is computed from. */
  setWaitSource?(source: () => Promise<number>): void;
}

export interface OrdersDeps {
  catalog: CatalogPort;
  inventory: InventoryPort;
  stores: StoresPort;
  /** Issues the token a guest follows their order with (accounts' TokenKeys). */
  issueGuestToken(subject: string, ttlMs: number): Promise<string>;
}
