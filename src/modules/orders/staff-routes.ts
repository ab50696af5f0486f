// HTTP for the store's staff and the chain's admins (status flow, the
// store's orders, dashboards), the peer routes the admin dashboard gathers
// through, and the payment provider's webhook.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { typed } from '../../http/app.js';
import { Forbidden, HttpError, NotFound, Unauthorized } from '../../http/errors.js';
import {
  adminDashboardView,
  listQuery,
  orderIdParams,
  orderPage,
  orderView,
  regionEntryView,
  statusBody,
  storeDashboardView,
  storeIdParams,
  storeSummaryView,
  webhookBody,
} from './api-schemas.js';
import { addTotals, REGION_SUMMARY_PATH, STORE_SUMMARY_PATH, totalsOf, type RegionEntry, type StoreEntry } from './network.js';
import { verifyWebhook, WEBHOOK_SIGNATURE_HEADER, type PaymentWebhookEvent } from './payment-provider.js';
import { callerOf } from './routes.js';
import type { OrdersAtThisNode } from './at-this-node.js';

const security = [{ bearer: [] }];
const staff = { roles: ['MANAGER' as const, 'ADMIN' as const] };
const staffOfStore = { ...staff, scope: { store: 'storeId' } };

export function registerStaffRoutes(app: FastifyInstance, rt: OrdersAtThisNode): void {
  const r = typed(app);
  const { ctx, orders: service } = rt;

  r.post(
    '/api/v1/orders/:orderId/status',
    {
      config: { access: staff },
      schema: {
        tags: ['orders'],
        summary: 'Staff move an order along: paid → preparing → ready → picked_up, or cancelled',
        description: 'An order is marked paid only by its payment. A step the flow does not allow is a 409 naming the allowed ones. Moving to preparing consumes the reserved ingredients (the pour).',
        params: orderIdParams,
        body: statusBody,
        response: { 200: orderView },
        security,
      },
    },
    async (request) => service.setStatus(callerOf(request, rt.storeId), request.params.orderId, request.body.status, request.body.note),
  );

  r.post(
    '/api/v1/orders/:orderId/refund',
    {
      config: { access: staff },
      schema: {
        tags: ['orders'],
        summary: 'Staff: ask the provider again for a refund it refused',
        description:
          'For a cancelled order whose refund failed (payment refund_failed, counted on the dashboard): the provider is asked again. The reply is the order, ' +
          'with payment refunded (and the refund booked) or refund_failed again with the reason. No failed refund → 409.',
        params: orderIdParams,
        response: { 200: orderView },
        security,
      },
    },
    async (request) => {
      const caller = callerOf(request, rt.storeId);
      service.requireStore();
      await rt.payments.retryRefund(request.params.orderId);
      return service.get(caller, request.params.orderId);
    },
  );

  r.get(
    '/api/v1/stores/:storeId/orders',
    {
      config: { access: staffOfStore },
      schema: { tags: ['orders'], summary: 'Staff: the store’s orders, newest first, optionally one status', params: storeIdParams, querystring: listQuery, response: { 200: orderPage }, security },
    },
    async (request) => service.listStore(rt.thisStore(request.params.storeId), request.query),
  );

  r.get(
    '/api/v1/stores/:storeId/dashboard',
    {
      config: { access: staffOfStore },
      schema: {
        tags: ['dashboards'],
        summary: 'Manager dashboard: the queue, today’s revenue (store’s local day), low stock, recent orders',
        params: storeIdParams,
        response: { 200: storeDashboardView },
        security,
      },
    },
    async (request) => {
      rt.thisStore(request.params.storeId);
      return rt.dashboards.dashboard(await rt.storeInfo());
    },
  );

  r.get(
    '/api/v1/admin/dashboard',
    {
      // A store's ADMIN passes at that store's node; a super admin anywhere.
      config: { access: { roles: ['ADMIN'] } },
      schema: {
        tags: ['dashboards'],
        summary: 'Admin dashboard: an ADMIN’s stores; for a super admin the whole network gathered through the hubs',
        description: 'Stores or regions that do not answer in time are listed as unknown with the reason, and `partial` is true; they are never counted as zero.',
        response: { 200: adminDashboardView },
        security,
      },
    },
    async (request) => {
      const p = request.principal!;
      const generatedAt = new Date(ctx.clock.now()).toISOString();
      if (p.roles.some((g) => g.role === 'SUPER_ADMIN')) {
        const regions = await rt.network.network();
        return {
          scope: 'network' as const,
          asSeenBy: ctx.identity.nodeId,
          generatedAt,
          partial: regions.some((x) => x.status !== 'ok'),
          regions,
          totals: addTotals(regions.map((x) => x.totals)),
        };
      }
      const adminOf = [...new Set(p.roles.flatMap((g) => (g.role === 'ADMIN' && g.storeId ? [g.storeId] : [])))].sort();
      const stores: StoreEntry[] = await Promise.all(adminOf.map((id) => rt.network.store(id, ctx.mesh.peer(id)?.name ?? id)));
      return { scope: 'stores' as const, asSeenBy: ctx.identity.nodeId, generatedAt, partial: stores.some((s) => s.status !== 'ok'), stores, totals: totalsOf(stores) };
    },
  );

  r.get(
    STORE_SUMMARY_PATH,
    { config: { access: 'peer' }, schema: { tags: ['peer'], summary: 'A store’s order and revenue figures for the admin dashboard', response: { 200: storeSummaryView }, security: [{ peer: [] }] } },
    async () => rt.dashboards.summary(await rt.storeInfo()),
  );

  r.get(
    REGION_SUMMARY_PATH,
    { config: { access: 'peer' }, schema: { tags: ['peer'], summary: 'A hub gathers its region’s store figures for the admin dashboard', response: { 200: regionEntryView }, security: [{ peer: [] }] } },
    async (): Promise<RegionEntry> => {
      if (ctx.config.role !== 'hub') throw new NotFound('Only a supply hub gathers its region.');
      return rt.network.region();
    },
  );

  r.post(
    '/api/v1/payments/webhook',
    {
      // Public to the network, but every body must carry the provider's signature over its exact bytes.
      config: { access: 'public' },
      schema: {
        tags: ['payments'],
        summary: 'The payment provider confirms or declines a pending payment (signed; repeats are harmless)',
        description: `Signed in the ${WEBHOOK_SIGNATURE_HEADER} header: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.<raw body>"> with the shared secret; refused when older than 5 minutes.`,
        body: webhookBody,
        response: { 200: z.object({ received: z.literal(true), paymentId: z.string(), orderId: z.string(), status: z.string(), changed: z.boolean() }) },
      },
      // Before the body is validated: an unsigned request learns nothing about what a valid body looks like.
      preValidation: async (request) => {
        const header = request.headers[WEBHOOK_SIGNATURE_HEADER];
        const verdict = verifyWebhook(rt.webhookSecret, request.rawBody ?? '', typeof header === 'string' ? header : undefined, ctx.clock.now());
        if (verdict === 'missing') throw new Unauthorized(`The ${WEBHOOK_SIGNATURE_HEADER} header is required.`);
        if (verdict === 'bad') throw new Forbidden('The webhook signature does not match.');
        if (verdict === 'stale') {
          throw new HttpError('invalid_request', 'The webhook is too old to accept.', [{ field: `headers.${WEBHOOK_SIGNATURE_HEADER}`, message: 'timestamp older than 5 minutes' }]);
        }
      },
    },
    async (request) => {
      const event: PaymentWebhookEvent = { ...request.body, ...(request.body.reason ? { reason: request.body.reason } : {}) };
      return { received: true as const, ...(await rt.payments.confirm(event)) };
    },
  );
}
