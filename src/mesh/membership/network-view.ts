// The super admin's view of the whole network, gathered through the hubs:
// each hub reports its own region. A region whose hub does not answer shows
// as unknown, never as empty: silence is not evidence of no stores.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { typed } from '../../http/app.js';
import type { Mesh } from '../mesh.js';
import type { Member, MemberView } from './membership.js';

interface RegionView {
  region: string;
  status: 'ok' | 'unknown';
  reason?: string;
  hub: { nodeId: string; name: string; apiBaseUrl: string; state: string; lat: number; lon: number } | null;
  stores: MemberView[] | null;
}

async function regionOf(mesh: Mesh, hub: Member | 'self'): Promise<RegionView> {
  if (hub === 'self') {
    const card = mesh.card();
    return {
      region: card.region,
      status: 'ok',
      hub: { nodeId: card.nodeId, name: card.name, apiBaseUrl: card.apiBaseUrl, state: 'alive', lat: card.lat, lon: card.lon },
      stores: mesh.membership.view().filter((m) => m.role === 'store' && m.region === card.region),
    };
  }
  const state = mesh.membership.state(hub.nodeId) ?? 'unwatched';
  const base = { region: hub.region, hub: { nodeId: hub.nodeId, name: hub.name, apiBaseUrl: hub.apiBaseUrl, state, lat: hub.lat, lon: hub.lon } };
  try {
    const body = await mesh.client.call<{ items: MemberView[] }>(
      hub.apiBaseUrl,
      'GET',
      `/p2p/v1/discover?type=STORE&region=${hub.region}&includeUnreachable=true&limit=1000`,
      undefined,
      2500,
    );
    return { ...base, status: 'ok', stores: body.items };
  } catch (err) {
    return { ...base, status: 'unknown', reason: `hub did not answer: ${(err as Error).message}`, stores: null };
  }
}

const stateSchema = z.enum(['alive', 'suspect', 'dead', 'unwatched']).or(z.string());
const memberSchema = z.object({
  nodeId: z.string(),
  role: z.enum(['hub', 'store']),
  region: z.string(),
  name: z.string(),
  apiBaseUrl: z.string(),
  lat: z.number(),
  lon: z.number(),
  state: stateSchema,
  source: z.enum(['observed', 'reported']).nullable(),
  lastSeenAt: z.string().nullable(),
  latencyMs: z.number().nullable(),
  distanceMiles: z.number(),
});
const networkSchema = z.object({
  asSeenBy: z.string(),
  mode: z.string(),
  regions: z.array(
    z.object({
      region: z.string(),
      status: z.enum(['ok', 'unknown']),
      reason: z.string().optional(),
      hub: z.object({ nodeId: z.string(), name: z.string(), apiBaseUrl: z.string(), state: stateSchema, lat: z.number(), lon: z.number() }).nullable(),
      stores: z.array(memberSchema).nullable().describe('null when the region’s hub did not answer: unknown, not empty'),
    }),
  ),
  totals: z.object({ regions: z.number(), regionsUnknown: z.number(), stores: z.number(), storesAlive: z.number() }),
});

export function registerNetworkRoute(app: FastifyInstance, mesh: Mesh): void {
  typed(app).get(
    '/api/v1/network',
    {
      config: { access: { roles: ['SUPER_ADMIN'] } },
      schema: {
        tags: ['node'],
        summary: 'Super admin: every node known, by region, with health, gathered through the hubs',
        response: { 200: networkSchema },
        security: [{ bearer: [] }],
      },
    },
    async () => {
      const hubs = mesh.membership.list().filter((m) => m.role === 'hub');
      const sources: (Member | 'self')[] = [...(mesh.ctx.config.role === 'hub' ? (['self'] as const) : []), ...hubs];
      const regions = (await Promise.all(sources.map((s) => regionOf(mesh, s)))).sort((a, b) => a.region.localeCompare(b.region));
      return {
        asSeenBy: mesh.ctx.identity.nodeId,
        mode: mesh.mode,
        regions,
        totals: {
          regions: regions.length,
          regionsUnknown: regions.filter((r) => r.status === 'unknown').length,
          stores: regions.reduce((n, r) => n + (r.stores?.length ?? 0), 0),
          storesAlive: regions.reduce((n, r) => n + (r.stores?.filter((s) => s.state === 'alive').length ?? 0), 0),
        },
      };
    },
  );
}
