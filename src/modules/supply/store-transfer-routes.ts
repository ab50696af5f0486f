// Transfers between nearby stores over HTTP, each at the store that acts:
// the asking store asks and counts in; the sending store approves or denies.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NodeContext } from '../../core/context.js';
import { typed } from '../../http/app.js';
import { NotFound } from '../../http/errors.js';
import { lineText, multilineText } from '../../lib/text.js';
import { MAX_STORE_TRANSFER_MILES, storeTransferStatuses, type StoreTransferService } from './store-transfers.js';

const security = [{ bearer: [] }];
const itemId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a catalog item id such as syrup-cherry');
const transferSchema = z.object({
  transferId: z.string(),
  fromStore: z.string(),
  toStore: z.string(),
  fromRegion: z.string(),
  toRegion: z.string(),
  lines: z.array(z.object({ itemId: z.string(), quantity: z.number(), received: z.number().optional() })),
  miles: z.number(),
  status: z.enum(storeTransferStatuses),
  notes: z.string().nullable(),
  reviewNotes: z.string().nullable(),
  requestedBy: z.string(),
  requestedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  receivedBy: z.string().nullable(),
  receivedAt: z.string().nullable(),
});
const idParams = z.strictObject({ transferId: z.uuid() });

export function registerStoreTransferRoutes(app: FastifyInstance, ctx: NodeContext, transfers: StoreTransferService): void {
  const r = typed(app);
  const staff = { roles: ['MANAGER' as const, 'ADMIN' as const] };
  const atStore = (storeId = ctx.identity.nodeId) => {
    if (ctx.config.role !== 'store' || storeId !== ctx.identity.nodeId) throw new NotFound(`Store ${storeId}'s transfers are kept at that store's own node.`);
  };

  r.post(
    '/api/v1/stores/:storeId/transfers',
    {
      config: { access: { ...staff, scope: { store: 'storeId' } } },
      schema: {
        tags: ['supply'],
        summary: `Ask a store within ${MAX_STORE_TRANSFER_MILES} miles for stock; its manager approves (the stock leaves its ledger) or denies`,
        params: z.strictObject({ storeId: z.uuid() }),
        body: z.strictObject({
          fromStoreId: z.uuid(),
          lines: z.array(z.strictObject({ itemId, quantity: z.number().int().min(1).max(100_000) })).min(1).max(50),
          notes: multilineText(2000).optional(),
        }),
        response: { 201: transferSchema },
        security,
      },
    },
    async (request, reply) => {
      atStore(request.params.storeId);
      return reply.status(201).send(await transfers.ask(request.principal!.subject, request.body));
    },
  );

  r.get(
    '/api/v1/stores/:storeId/transfers',
    {
      config: { access: { ...staff, scope: { store: 'storeId' } } },
      schema: {
        tags: ['supply'],
        summary: 'Transfers this store asked for or was asked, newest first',
        params: z.strictObject({ storeId: z.uuid() }),
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(transferSchema), nextCursor: z.null() }) },
        security,
      },
    },
    async (request) => {
      atStore(request.params.storeId);
      return { items: await transfers.list(request.query.limit), nextCursor: null };
    },
  );

  r.post(
    '/api/v1/store-transfers/:transferId/approve',
    { config: { access: staff }, schema: { tags: ['supply'], summary: "The sending store's manager agrees: the stock leaves this store's ledger and is in transit", params: idParams, response: { 200: transferSchema }, security } },
    async (request) => {
      atStore();
      return transfers.approve(request.principal!.subject, request.params.transferId);
    },
  );

  r.post(
    '/api/v1/store-transfers/:transferId/deny',
    {
      config: { access: staff },
      schema: { tags: ['supply'], summary: "The sending store's manager declines, saying why", params: idParams, body: z.strictObject({ reviewNotes: lineText(1000, 1).optional() }).default({}), response: { 200: transferSchema }, security },
    },
    async (request) => {
      atStore();
      return transfers.deny(request.principal!.subject, request.params.transferId, request.body.reviewNotes);
    },
  );

  r.post(
    '/api/v1/store-transfers/:transferId/receive',
    {
      config: { access: staff },
      schema: {
        tags: ['supply'],
        summary: 'The asking store counts in what came, line by line: on hand here; the sending store sees any shortfall',
        params: idParams,
        body: z.strictObject({ lines: z.array(z.strictObject({ itemId, received: z.number().int().min(0).max(100_000) })).min(1).max(50) }),
        response: { 200: transferSchema },
        security,
      },
    },
    async (request) => {
      atStore();
      return transfers.receive(request.principal!.subject, request.params.transferId, request.body.lines);
    },
  );
}
