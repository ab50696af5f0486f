// Orders module: placing orders with their ingredients reserved, payment
// through a provider (a fake one unless a real one is given), the status
// flow, revenue, and the store and admin dashboards. Everything it keeps is
// store-local; it reaches the catalog, inventory and store directory only
// through the narrow interfaces of needs.ts, adapted from the real services by adapters.ts.
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../core/context.js';
import { CheckoutCalls, registerCheckoutMetrics } from './checkout.js';
import { DashboardReader } from './dashboard.js';
import { NetworkGatherer } from './network.js';
import { FakePaymentProvider, fakeWebhookSecret, WEBHOOK_SIGNATURE_HEADER, type PaymentProvider } from './payment-provider.js';
import { PaymentService } from './payments.js';
import type { OrdersDeps } from './needs.js';
import { adaptToOrders, type OrdersServices } from './adapters.js';
import { registerOrderRoutes } from './routes.js';
import { thisStoreHelpers, type OrdersAtThisNode } from './at-this-node.js';
import { OrderService } from './service.js';
import { registerStaffRoutes } from './staff-routes.js';

export type { CatalogPort, InventoryPort, OrderableDrink, OrdersDeps, RecipeLine, StoreInfo, StoresPort } from './needs.js';
export { FakePaymentProvider, type PaymentProvider } from './payment-provider.js';
export { OrderService } from './service.js';
export { goldenWindow, complexityOf } from './golden-window.js';

export interface OrdersOptions {
  /** A real provider and its webhook secret; the fake provider otherwise. */
  payment?: { provider: PaymentProvider; webhookSecret: string };
}

export interface OrdersModule {
  orders: OrderService;
  payments: PaymentService;
  /** Minutes a new order would wait here now, for store listings. */
  waitMinutes(): Promise<number>;
}

export type { OrdersServices } from './adapters.js';

/** An attempt still processing after this long lost its provider's answer. */
const INTERRUPTED_AFTER_MS = 60_000;
const INTERRUPTED_CHECK_MS = 30_000;

export function registerOrders(app: FastifyInstance, ctx: NodeContext, services: OrdersServices, options: OrdersOptions = {}): OrdersModule {
  return registerOrdersWith(app, ctx, adaptToOrders(ctx, services), options);
}

/** The module over any implementation of what it needs (needs.ts). */
export function registerOrdersWith(app: FastifyInstance, ctx: NodeContext, deps: OrdersDeps, options: OrdersOptions = {}): OrdersModule {
  const storeId = ctx.config.role === 'store' ? ctx.identity.nodeId : undefined;
  const now = () => ctx.clock.now();
  const webhookSecret = options.payment?.webhookSecret ?? fakeWebhookSecret(ctx.identity.privateKey);
  const fakeProvider = options.payment ? undefined : new FakePaymentProvider(webhookSecret, ctx.clock);
  const provider = options.payment?.provider ?? fakeProvider!;
  const checkout = new CheckoutCalls(ctx.database.query);
  registerCheckoutMetrics(ctx.metrics, checkout);
  const payments = new PaymentService({ db: ctx.database.db, checkout, provider, now, log: ctx.log });
  const orders = new OrderService({ ...deps, db: ctx.database.db, checkout, replication: ctx.replication, storeId, now, payments });
  const dashboards = new DashboardReader({ db: ctx.database.db, inventory: deps.inventory, region: ctx.config.region, now, waitMinutes: (id) => orders.waitMinutes(id) });
  const helpers = thisStoreHelpers(ctx, deps, storeId);
  const network = new NetworkGatherer(ctx, {
    ownSummary: async () => (storeId ? dashboards.summary(await helpers.storeInfo()) : undefined),
    storesOfRegion: async (region) => (await deps.stores.storesOfRegion?.(region)) ?? [],
  });
  const rt: OrdersAtThisNode = { ctx, deps, storeId, orders, payments, dashboards, network, webhookSecret, ...helpers };

  if (fakeProvider) {
    // The fake provider calls back through the real webhook route, signature and all, as a provider would.
    fakeProvider.deliver = async (rawBody, signature) => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/payments/webhook', headers: { 'content-type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: signature }, payload: rawBody });
      if (res.statusCode >= 300) ctx.log.warn({ status: res.statusCode, body: res.body }, 'fake payment confirmation was refused');
    };
    app.addHook('onClose', async () => fakeProvider.close());
  }
  registerOrderRoutes(app, rt);
  registerStaffRoutes(app, rt);
  if (storeId) deps.stores.setWaitSource?.(() => orders.queueLength(storeId));
  // Payments whose provider answer was lost are settled from the provider's books.
  if (storeId) ctx.jobs.add({ name: 'payments-interrupted', intervalMs: INTERRUPTED_CHECK_MS, run: async () => void (await payments.sweepInterrupted(INTERRUPTED_AFTER_MS)) });
  return { orders, payments, waitMinutes: async () => (storeId ? orders.waitMinutes(storeId) : 0) };
}
