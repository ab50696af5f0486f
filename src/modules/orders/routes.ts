// HTTP for customers: place an order (an account, or a guest with no token
// at all), read it, pay, cancel, the golden window, and what the store can
// make. Staff routes, dashboards and the payment webhook are in
// staff-routes.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { typed } from '../../http/app.js';
import { bearerOf, type RoleType } from '../../http/auth.js';
import { Forbidden, HttpError, Unauthorized } from '../../http/errors.js';
import {
  arrivalBody,
  cancelBody,
  checkInventoryBody,
  checkInventoryView,
  estimateBody,
  idempotencyHeaders,
  listQuery,
  orderIdParams,
  orderPage,
  orderView,
  payBody,
  payView,
  placedView,
  placeOrderBody,
  storeIdParams,
  windowView,
} from './api-schemas.js';
import { checkInventory, complexityOfDrinks, drinksOrInvalid } from './availability.js';
import { goldenWindowFrom, type GoldenWindow } from './golden-window.js';
import type { OrdersAtThisNode } from './at-this-node.js';
import type { Caller, Placed } from './service.js';
import type { OrderableDrink } from './needs.js';
import { viewOf, type OrderView } from './views.js';

const security = [{ bearer: [] }];
/** Everyone an order may belong to, and the staff who may look at it; the service narrows to owner or staff. */
const orderReaders: RoleType[] = ['ACCOUNT_USER', 'GENERAL_USER', 'MANAGER', 'ADMIN'];
const owners: RoleType[] = ['ACCOUNT_USER', 'GENERAL_USER'];

export function callerOf(request: FastifyRequest, storeId: string | undefined): Caller {
  const p = request.principal;
  if (!p) {
    // A token that was sent but not understood is an error, not an anonymous guest.
    if (bearerOf(request)) throw new Unauthorized('The token is not valid here; send none to order as a guest.');
    return { subject: 'anonymous', kind: 'anonymous', isStaff: false };
  }
  const isStaff = p.roles.some((g) => g.role === 'SUPER_ADMIN' || ((g.role === 'MANAGER' || g.role === 'ADMIN') && g.storeId !== undefined && g.storeId === storeId));
  return { subject: p.subject, kind: p.kind, isStaff };
}

/**
 * Pays for a just-placed order in the same request. The order stands
 * whatever the provider says: a decline or a provider failure leaves it
 * pending with the payment's state on it (the client pays again with
 * /orders/{id}/pay), so the reply is 201 either way. A retried request
 * (same Idempotency-Key) pays only an order still waiting for its money.
 */
async function payAtOnce(rt: OrdersAtThisNode, caller: Caller, placed: Placed, method: string): Promise<OrderView> {
  const order = placed.order;
  try {
    if (placed.openedPaymentId) {
      const { order: row } = await rt.payments.charge(order.orderId, placed.openedPaymentId, order.totalCents, method);
      if (row) return viewOf(row, caller.isStaff);
    } else {
      if (order.status !== 'pending' || !['unpaid', 'declined'].includes(order.payment.status)) return order;
      const { order: row } = await rt.payments.pay(order.orderId, placed.ownerId, method);
      if (row) return viewOf(row, caller.isStaff);
    }
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
  }
  return viewOf(await rt.orders.row(order.orderId), caller.isStaff);
}

export function registerOrderRoutes(app: FastifyInstance, rt: OrdersAtThisNode): void {
  const r = typed(app);
  const { ctx, orders: service } = rt;
  const storeId = rt.storeId;

  r.post(
    '/api/v1/orders',
    {
      config: { access: 'public' },
      schema: {
        tags: ['orders'],
        summary: 'Place an order at this store: prices from the catalog, ingredients reserved at once',
        description:
          'With an account token the order is yours; with no token it is a guest order, and the reply carries a guestToken that reads, pays and ' +
          'cancels this one order. The Idempotency-Key header makes retries safe: the same key and body answer the same order; the same key with ' +
          'another body is refused (422). Not enough stock → 409 naming each drink and what it is short of; a store not accepting orders or closed → 409.',
        headers: idempotencyHeaders,
        body: placeOrderBody,
        response: { 201: placedView },
        security: [{ bearer: [] }, {}],
      },
    },
    async (request, reply) => {
      const caller = callerOf(request, storeId);
      const { paymentMethod, ...order } = request.body;
      // Paying at once: the attempt is written with the order, in the same database call.
      const openPayment = paymentMethod ? rt.payments.newAttempt() : undefined;
      const placed = await service.place(caller, { idempotencyKey: request.headers['idempotency-key'], ...order, openPayment });
      if (placed.replayed) void reply.header('idempotent-replayed', 'true');
      const view = paymentMethod ? await payAtOnce(rt, caller, placed, paymentMethod) : placed.order;
      return reply.status(201).send({ ...view, ...(placed.guestToken ? { guestToken: placed.guestToken } : {}) });
    },
  );

  r.get(
    '/api/v1/orders/:orderId',
    {
      config: { access: { roles: orderReaders } },
      schema: { tags: ['orders'], summary: 'One order, for its owner (account or guest token) or the store’s staff', params: orderIdParams, response: { 200: orderView }, security },
    },
    async (request) => service.get(callerOf(request, storeId), request.params.orderId),
  );

  r.get(
    '/api/v1/me/orders',
    {
      config: { access: { roles: ['ACCOUNT_USER'] } },
      schema: { tags: ['orders'], summary: 'My orders at this store, newest first', querystring: listQuery, response: { 200: orderPage }, security },
    },
    async (request) => {
      const p = request.principal;
      if (p?.kind !== 'user') throw new Forbidden('Only a logged-in account has "my orders"; a guest follows their order by its id.');
      return service.listOwned(p.subject, request.query);
    },
  );

  r.post(
    '/api/v1/orders/:orderId/pay',
    {
      config: { access: { roles: owners } },
      schema: {
        tags: ['orders'],
        summary: 'Pay for my pending order through the payment provider',
        description: '200 when approved (the order is paid); 202 when the provider confirms later (the order stays pending until then); 402 when declined.',
        params: orderIdParams,
        body: payBody,
        response: { 200: payView, 202: payView },
        security,
      },
    },
    async (request, reply) => {
      service.requireStore();
      const caller = callerOf(request, storeId);
      const { status, order: row } = await rt.payments.pay(request.params.orderId, caller.subject, request.body.paymentMethod);
      const order = row ? viewOf(row, caller.isStaff) : await service.get(caller, request.params.orderId);
      return reply.status(status === 'pending' ? 202 : 200).send({ order, payment: { status } });
    },
  );

  r.post(
    '/api/v1/orders/:orderId/cancel',
    {
      config: { access: { roles: orderReaders } },
      schema: {
        tags: ['orders'],
        summary: 'Cancel: the owner before the pour starts, staff until it is ready; reserved stock is released and a payment refunded',
        params: orderIdParams,
        body: cancelBody,
        response: { 200: orderView },
        security,
      },
    },
    async (request) => service.cancel(callerOf(request, storeId), request.params.orderId, request.body?.reason),
  );

  const windowFor = async (drinks: { drink: OrderableDrink; quantity: number }[] | undefined, body: { lat: number; lon: number; speedMph?: number | undefined }) => {
    const store = await rt.storeInfo();
    const complexity = drinks ? await complexityOfDrinks(rt.deps.catalog, drinks) : 'medium';
    const w: GoldenWindow = goldenWindowFrom({ lat: body.lat, lon: body.lon }, store, complexity, body.speedMph);
    return { storeId: store.storeId, ...w, estimatedArrival: new Date(ctx.clock.now() + w.arrivalMinutes * 60_000).toISOString() };
  };

  r.post(
    '/api/v1/orders/estimate-arrival',
    {
      config: { access: 'public' },
      schema: {
        tags: ['orders'],
        summary: 'Golden window: when to start the pour so the drink is fresh as you arrive (nothing is stored)',
        body: estimateBody,
        response: { 200: windowView },
        security: [{ bearer: [] }, {}],
      },
    },
    async (request) => {
      const ids = request.body.drinkIds;
      const drinks = ids ? await drinksOrInvalid(rt.deps.catalog, ids, (i) => `body.drinkIds.${i}`, request.principal?.subject) : undefined;
      return windowFor(drinks && ids ? ids.map((id) => ({ drink: drinks.get(id)!, quantity: 1 })) : undefined, request.body);
    },
  );

  r.post(
    '/api/v1/orders/:orderId/arrival',
    {
      config: { access: { roles: owners } },
      schema: {
        tags: ['orders'],
        summary: 'Golden window for my paid order: inside the window, preparation starts now',
        description: 'The position is used for this answer and not kept.',
        params: orderIdParams,
        body: arrivalBody,
        response: { 200: windowView },
        security,
      },
    },
    async (request) => {
      const caller = callerOf(request, storeId);
      const order = await service.get({ ...caller, isStaff: false }, request.params.orderId);
      const w = await windowFor(await service.recipesOf(order.orderId), request.body);
      const preparationStarted = w.startNow && order.status === 'paid' ? await service.startPreparing(order.orderId, 'golden-window') : false;
      return { ...w, preparationStarted };
    },
  );

  r.post(
    '/api/v1/stores/:storeId/check-inventory',
    {
      config: { access: 'public' },
      schema: {
        tags: ['orders'],
        summary: 'Which drinks this store can make now, and what each is short of',
        params: storeIdParams,
        body: checkInventoryBody,
        response: { 200: checkInventoryView },
        security: [{ bearer: [] }, {}],
      },
    },
    async (request) => {
      const id = rt.thisStore(request.params.storeId);
      return { storeId: id, items: await checkInventory(rt.deps.catalog, rt.deps.inventory, id, request.body.drinkIds, request.principal?.subject) };
    },
  );
}
