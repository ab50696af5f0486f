// A logistics manager's hub, in tabs: the region overview, the requests
// queue (approve, deny, plan deliveries), deliveries on the map, the hub's
// stock and purchase orders, usage history and forecasts.
import { useState } from 'react';
import { useSession } from '../../api/use-session';
import { Empty, Loading, ProblemAlert } from '../../ui/states';
import { useRegionHub } from '../supply/queries';
import { DeliveriesPanel } from './DeliveriesPanel';
import { HubStockPanel } from './HubStockPanel';
import { OverviewPanel } from './OverviewPanel';
import { RequestsQueue } from './RequestsQueue';
import { UsagePanel } from './UsagePanel';

const TABS = ['Overview', 'Requests', 'Deliveries', 'Hub stock', 'Usage & forecasts'] as const;

export default function LogisticsPage() {
  const session = useSession();
  const region = session?.user.roles.find((r) => r.role === 'LOGISTICS_MANAGER')?.regionCode ?? (session?.user.roles.some((r) => r.role === 'SUPER_ADMIN') ? 'C' : undefined);
  const { regions, hub } = useRegionHub(region);
  const [tab, setTab] = useState<(typeof TABS)[number]>('Overview');
  if (!region) return <Empty>This page is for a region's logistics manager.</Empty>;
  if (regions.isPending) return <Loading what="the regions" />;
  if (!hub) return regions.error ? <ProblemAlert error={regions.error} /> : <Empty>Region {region}'s hub is not known here yet.</Empty>;
  return (
    <section>
      <h1>
        Logistics, region {region}: {hub.name}
      </h1>
      <div role="tablist" aria-label="Logistics" className="tabs">
        {TABS.map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
            {t}
          </button>
        ))}
      </div>
      {tab === 'Overview' && <OverviewPanel region={region} base={hub.base} />}
      {tab === 'Requests' && <RequestsQueue hubId={hub.hubId} base={hub.base} region={region} />}
      {tab === 'Deliveries' && <DeliveriesPanel hubId={hub.hubId} base={hub.base} />}
      {tab === 'Hub stock' && <HubStockPanel hubId={hub.hubId} base={hub.base} />}
      {tab === 'Usage & forecasts' && <UsagePanel hubId={hub.hubId} base={hub.base} />}
    </section>
  );
}
