// Home: the nearest open stores, from the browser's location when granted,
// else a typed place, else this node's own position; each with distance,
// open now, wait and stock, checked with the store itself.
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { apiAt, ok, type Schemas } from '../../api/client';
import { miles } from '../../ui/format';
import { Async, ProblemAlert } from '../../ui/states';
import { useChosenStore } from './chosen-store';
import { findPlace, placeNames, type Place } from './places';
import type { StoreChoice } from './failover';

type NearbyStore = Schemas['nearby']['items'][number];

export function HomePage() {
  const node = useQuery({ queryKey: ['node'], queryFn: () => ok(apiAt().GET('/api/v1/node'), 'This node'), staleTime: 60_000 });
  const [place, setPlace] = useState<Place | null>(null);
  const [typed, setTyped] = useState('');
  const [placeError, setPlaceError] = useState<string | null>(null);
  const where: Place | null = place ?? (node.data ? { label: `near ${node.data.displayName}`, ...node.data.location } : null);
  const nearby = useQuery({
    queryKey: ['nearby', where?.lat, where?.lon],
    enabled: where !== null,
    queryFn: () => ok(apiAt().GET('/api/v1/stores/nearby', { params: { query: { lat: String(where!.lat), lon: String(where!.lon), radius: '500', limit: 10 } } }), 'This node'),
  });
  const locate = () => {
    setPlaceError(null);
    if (!navigator.geolocation) return setPlaceError('This browser cannot share its location; type a place instead.');
    navigator.geolocation.getCurrentPosition(
      (p) => setPlace({ label: 'your location', lat: p.coords.latitude, lon: p.coords.longitude }),
      () => setPlaceError('Your location was not shared; type a place instead.'),
      { timeout: 10_000 },
    );
  };
  const search = (e: FormEvent) => {
    e.preventDefault();
    const found = findPlace(typed);
    if (found) {
      setPlace(found);
      setPlaceError(null);
    } else setPlaceError(`No place called “${typed}”. Try a city such as Logan, UT, or “41.7, -111.8”.`);
  };
  return (
    <section>
      <h1>Order a drink</h1>
      <form className="row" onSubmit={search} role="search" aria-label="Find stores">
        <label htmlFor="place">Find stores near</label>
        <input id="place" list="places" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="City, or lat, lon" autoComplete="off" />
        <datalist id="places">
          {placeNames().map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
        <button type="submit">Search</button>
        <button type="button" onClick={locate}>
          Use my location
        </button>
      </form>
      {placeError && <p role="alert" className="problem">{placeError}</p>}
      {node.error && <ProblemAlert error={node.error} />}
      {where && <h2>Stores {where.label.startsWith('near') ? where.label : `near ${where.label}`}</h2>}
      <Async query={nearby} what="stores nearby" empty={(d) => d.items.length === 0}>
        {(d) => (
          <ul className="cards" aria-label="Nearby stores">
            {d.items.map((s) => (
              <StoreCard key={s.storeId} store={s} all={d.items} />
            ))}
          </ul>
        )}
      </Async>
    </section>
  );
}

const choiceOf = (s: NearbyStore): StoreChoice => ({
  storeId: s.storeId,
  name: s.name,
  apiBaseUrl: s.apiBaseUrl ?? '',
  distanceMiles: s.distanceMiles,
  healthy: s.healthy,
  isOpen: s.isOpen,
  acceptingOrders: s.acceptingOrders ?? true,
});

function StoreCard({ store, all }: { store: NearbyStore; all: NearbyStore[] }) {
  const { choose, chosen } = useChosenStore();
  const navigate = useNavigate();
  // Asked of the store itself: its stock, and whether it answers at all right now.
  const details = useQuery({
    queryKey: ['store', store.storeId, 'details'],
    queryFn: () => ok(apiAt(store.apiBaseUrl ?? '').GET('/api/v1/stores/{storeId}', { params: { path: { storeId: store.storeId } } }), store.name),
    retry: 0,
    staleTime: 30_000,
  });
  const low = (details.data?.stockStatus as { lowStockCount?: number } | null | undefined)?.lowStockCount;
  const answering = details.error ? false : details.data ? true : null;
  const orderable = store.isOpen && store.acceptingOrders !== false && store.healthy !== false && answering !== false;
  const address = store.address ? `${store.address.street}, ${store.address.city}` : '';
  return (
    <li className="card">
      <h3>{store.name}</h3>
      <p className="small">{address}</p>
      <ul className="facts">
        <li>{miles(store.distanceMiles)} away</li>
        <li>{store.isOpen ? 'Open now' : 'Closed now'}</li>
        <li>Wait about {store.waitMinutes} min</li>
        <li>{answering === false ? 'Not answering' : store.healthy === false ? 'Unreachable' : 'Online'}</li>
        <li>{low === undefined ? 'Stock: checking…' : low === 0 ? 'Stock: all in' : `Stock: ${low} item${low === 1 ? '' : 's'} low`}</li>
        {store.acceptingOrders === false && <li>Not taking orders</li>}
      </ul>
      <button
        type="button"
        disabled={!orderable}
        aria-pressed={chosen?.storeId === store.storeId}
        onClick={() => {
          choose(choiceOf(store), all.map(choiceOf));
          navigate('/menu');
        }}
      >
        Order from {store.name}
      </button>
    </li>
  );
}
