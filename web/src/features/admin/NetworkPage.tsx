// The super admin's network: the map of hubs and stores with their health
// as the mesh sees it, and the regions grid (stores online of total).
import { Table } from '../../ui/Table';
import { useQuery } from '@tanstack/react-query';
import { apiAt, ok } from '../../api/client';
import { NetworkMap, type MapNode } from '../../ui/NetworkMap';
import { Async } from '../../ui/states';

export default function NetworkPage() {
  const network = useQuery({ queryKey: ['network'], refetchInterval: 10_000, queryFn: () => ok(apiAt().GET('/api/v1/network'), 'This node') });
  return (
    <section>
      <h1>The network</h1>
      <Async query={network} what="the network">
        {(n) => {
          const nodes: MapNode[] = n.regions.flatMap((r) => [
            ...(r.hub ? [{ id: r.hub.nodeId, name: r.hub.name, role: 'hub' as const, region: r.region, lat: r.hub.lat, lon: r.hub.lon, state: r.hub.state }] : []),
            ...(r.stores ?? []).map((s) => ({ id: s.nodeId, name: s.name, role: 'store' as const, region: r.region, lat: s.lat, lon: s.lon, state: s.state })),
          ]);
          return (
            <>
              <p>
                {n.totals.storesAlive} of {n.totals.stores} stores online in {n.totals.regions} regions
                {n.totals.regionsUnknown > 0 && <strong> · {n.totals.regionsUnknown} region(s) unknown: their hub did not answer</strong>}
              </p>
              <NetworkMap nodes={nodes} title="Map of hubs and stores" />
              <h2>Regions</h2>
              <Table caption="Regions with their hub and stores online" columns={['Region', 'Hub', 'Stores online', 'Alerts']}>
                  {n.regions.map((r) => {
                    const alive = r.stores?.filter((s) => s.state === 'alive').length ?? 0;
                    const down = r.stores?.filter((s) => s.state !== 'alive') ?? [];
                    return (
                      <tr key={r.region}>
                        <th scope="row">{r.region}</th>
                        <td>
                          {r.hub?.name ?? '—'} ({r.hub?.state ?? 'unknown'})
                        </td>
                        <td>{r.stores ? `${alive} / ${r.stores.length}` : 'unknown'}</td>
                        <td>{r.status === 'unknown' ? `Unknown: ${r.reason ?? 'hub did not answer'}` : down.length > 0 ? `Not answering: ${down.map((s) => s.name).join(', ')}` : 'None'}</td>
                      </tr>
                    );
                  })}
              </Table>
            </>
          );
        }}
      </Async>
    </section>
  );
}
