// The super admin's dashboard across real `codepop node` processes: two hubs
// (regions B and C) and a store in each. Asked at a store, it gathers each
// region through its hub (signed peer calls), and a store or a hub that
// stops answering shows as unknown with the reason (partial), never as a
// region with no sales.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getJson, TestNetwork, waitFor, type NodeHandle } from '../../../test/harness/network.js';

interface Region {
  region: string;
  status: 'ok' | 'partial' | 'unknown';
  reason?: string;
  stores: { storeId: string; name: string; status: 'ok' | 'unknown'; revenueToday?: { netCents: number } }[] | null;
}
interface AdminDashboard {
  scope: string;
  partial: boolean;
  regions: Region[];
  totals: { stores: number; storesAnswered: number };
}

describe('admin dashboard across the network', () => {
  const network = new TestNetwork({ heartbeatMs: 500, backoffCapMs: 1000, pgliteTemplate: inject('pgliteTemplateDir') });
  let hubB: NodeHandle;
  let storeB: NodeHandle;
  let storeC: NodeHandle;

  const dashboard = () => getJson<AdminDashboard>(`${storeC.url}/api/v1/admin/dashboard`);
  const region = (d: AdminDashboard, code: string) => d.regions.find((r) => r.region === code);

  beforeAll(async () => {
    hubB = await network.defineHub('B', 40.7, -74.0);
    const hubC = await network.defineHub('C', 41.74, -111.83);
    storeB = await network.defineStore('B', 'Store B1', 40.72, -74.01);
    storeC = await network.defineStore('C', 'Store C1', 41.73, -111.84);
    await Promise.all([network.start(hubB), network.start(hubC)]);
    await Promise.all([network.start(storeB), network.start(storeC)]);
  }, 120_000);
  afterAll(async () => {
    await network.stopAll();
  });

  it('gathers every region through its hub, each store answering for itself', async () => {
    const d = await waitFor(
      'both regions to answer with their store',
      async () => {
        const d = await dashboard();
        const ok = ['B', 'C'].every((code) => region(d, code)?.status === 'ok' && (region(d, code)?.stores?.length ?? 0) === 1);
        return ok ? d : undefined;
      },
      60_000,
      500,
    );
    expect(d).toMatchObject({ scope: 'network', partial: false, totals: { stores: 2, storesAnswered: 2 } });
    expect(region(d, 'B')!.stores![0]).toMatchObject({ name: 'Store B1', status: 'ok', revenueToday: { netCents: 0 } });
  }, 90_000);

  it('marks a store that does not answer as unknown, and its region partial', async () => {
    await storeB.proc!.stop(5000);
    const d = await waitFor('region B to be partial', async () => {
      const d = await dashboard();
      return region(d, 'B')?.status === 'partial' ? d : undefined;
    }, 30_000, 500);
    expect(d.partial).toBe(true);
    expect(region(d, 'B')!.stores![0]).toMatchObject({ name: 'Store B1', status: 'unknown', reason: expect.stringMatching(/store/) });
    expect(region(d, 'C')!.status).toBe('ok');
  }, 60_000);

  it('marks a region whose hub does not answer as unknown, not as empty', async () => {
    await hubB.proc!.stop(5000);
    const d = await waitFor('region B to be unknown', async () => {
      const d = await dashboard();
      return region(d, 'B')?.status === 'unknown' ? d : undefined;
    }, 30_000, 500);
    expect(region(d, 'B')).toMatchObject({ status: 'unknown', stores: null, reason: expect.stringMatching(/hub/) });
    expect(d.partial).toBe(true);
  }, 60_000);

  it('refuses anyone but a super admin the network view', async () => {
    const res = await fetch(`${storeC.url}/api/v1/admin/dashboard`);
    expect(res.status).toBe(401);
  });
});
