// Transfers between hubs over HTTP, at the hubs, for their logistics managers.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NodeContext } from '../../core/context.js';
import { typed } from '../../http/app.js';
import { NotFound } from '../../http/errors.js';
import { multilineText } from '../../lib/text.js';
import { MAX_TRANSFER_MILES, type TransferService } from './transfers.js';

const security = [{ bearer: [] }];
const itemId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a catalog item id such as syrup-cherry');
const transferSchema = z.object({
  transferId: z.string(),
  fromHub: z.string(),
  toHub: z.string(),
  fromRegion: z.string(),
  toRegion: z.string(),
  lines: z.array(z.object({ itemId: z.string(), quantity: z.number(), received: z.number().optional() })),
  miles: z.number(),
  status: z.enum(['IN_TRANSIT', 'RECEIVED']),
  notes: z.string().nullable(),
  sentBy: z.string(),
  sentAt: z.string(),
  receivedBy: z.string().nullable(),
  receivedAt: z.string().nullable(),
  shortUnits: z.number().describe('sent and not counted in at the receiving hub'),
});

export function registerTransferRoutes(app: FastifyInstance, ctx: NodeContext, transfers: TransferService): void {
  const r = typed(app);
  const config = { access: { roles: ['LOGISTICS_MANAGER' as const] } };
  const atHub = () => {
    if (ctx.config.role !== 'hub') throw new NotFound('Transfers between hubs are kept at the hubs.');
  };

  r.post(
    '/api/v1/hub-transfers',
    {
      config,
      schema: {
        tags: ['supply'],
        summary: `Send stock to another hub within ${MAX_TRANSFER_MILES} miles: it leaves this hub's ledger now and is in transit until the other hub counts it in`,
        body: z.strictObject({
          toHubId: z.uuid(),
          lines: z.array(z.strictObject({ itemId, quantity: z.number().int().min(1).max(1_000_000) })).min(1).max(100),
          notes: multilineText(2000).optional(),
        }),
        response: { 201: transferSchema },
        security,
      },
    },
    async (request, reply) => {
      atHub();
      return reply.status(201).send(await transfers.send(request.principal!.subject, request.body));
    },
  );

  r.get(
    '/api/v1/hub-transfers',
    {
      config,
      schema: {
        tags: ['supply'],
        summary: 'Transfers this hub sent (out) or is sent (in), newest first',
        querystring: z.strictObject({ direction: z.enum(['in', 'out']).optional(), status: z.enum(['IN_TRANSIT', 'RECEIVED']).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(transferSchema), nextCursor: z.null() }) },
        security,
      },
    },
    async (request) => {
      atHub();
      return { items: await transfers.list(request.query), nextCursor: null };
    },
  );

  r.post(
    '/api/v1/hub-transfers/:transferId/receive',
    {
      config,
      schema: {
        tags: ['supply'],
        summary: "The receiving hub counts what came, line by line: it goes on hand in this hub's ledger; the sender sees any difference",
        params: z.strictObject({ transferId: z.uuid() }),
        body: z.strictObject({ lines: z.array(z.strictObject({ itemId, received: z.number().int().min(0).max(1_000_000) })).min(1).max(100) }),
        response: { 200: transferSchema },
        security,
      },
    },
    async (request) => {
      atHub();
      return transfers.receive(request.principal!.subject, request.params.transferId, request.body.lines);
    },
  );
}
