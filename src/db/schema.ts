// Every table of the node, gathered for drizzle and drizzle-kit. Each module
// owns its tables in its own schema file; this file only re-exports them.
export * from '../core/schema.js';
export * from '../mesh/schema.js';
export * from '../mesh/replication/schema.js';
export * from '../modules/announcements/schema.js';
export * from '../modules/accounts/schema.js';
export * from '../modules/inventory/schema.js';
export * from '../modules/stores/schema.js';
export * from '../modules/catalog/schema.js';
export * from '../modules/orders/schema.js';
export * from '../modules/supply/schema.js';
