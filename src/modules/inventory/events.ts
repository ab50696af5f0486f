// The only inventory facts that leave a store (DESIGN §2): an item falling
// below its threshold, and its coming back, on the region's topic so the hub
// (supply) can act. They are edge signals: one per crossing, however many
// sales follow below the line. Stores define no applier; hubs' supply does.

export const INVENTORY_LOW_STOCK = 'inventory.low-stock';
export const INVENTORY_STOCK_RESTORED = 'inventory.stock-restored';

export interface StockSignalPayload {
  storeId: string;
  itemId: string;
  available: number;
  threshold: number;
  /** ISO-8601 UTC time of the change that crossed the line. */
  at: string;
}

/** Writes a replication event in the caller's transaction (the `emit` of ReplicationApi.transaction). */
export type Emit = (e: { topic: string; type: string; payload: unknown }) => Promise<unknown>;

export const regionTopic = (region: string): string => `region:${region}`;
