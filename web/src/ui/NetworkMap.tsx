// The network drawn as SVG (no tile server is reachable): state outlines from
// a small bundled GeoJSON, each region as a circle around its hub, hubs and
// stores as marks whose shape and label say their state (not colour alone).
import { useMemo } from 'react';
import states from './us-states.json';

export interface MapNode {
  id: string;
  name: string;
  role: 'hub' | 'store';
  region: string;
  lat: number;
  lon: number;
  state: string;
}

const W = 960;
const H = 560;
/** A conic-looking equirectangular fit of the lower 48 states; good enough to tell places apart. */
export function project(lat: number, lon: number): [number, number] {
  const x = ((lon + 126) / 60) * W;
  const y = ((50 - lat) / 26) * H;
  return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
}

type Ring = number[][];
type Geometry = { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] };

function pathOf(geometry: Geometry): string {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polys
    .map((rings) => rings.map((ring) => `M${ring.map(([lon, lat]) => project(lat!, lon!).join(',')).join('L')}Z`).join(''))
    .join('');
}

const RADIUS_MILES = 1000;
const milesToPx = (W / 60) / 53; // about 53 miles a degree of longitude at 40°N

export function NetworkMap({ nodes, title }: { nodes: MapNode[]; title: string }) {
  const outlines = useMemo(() => (states as { features: { properties: { name: string }; geometry: Geometry }[] }).features.map((f) => ({ name: f.properties.name, d: pathOf(f.geometry) })), []);
  const hubs = nodes.filter((n) => n.role === 'hub');
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="map-title map-desc" className="map">
      <title id="map-title">{title}</title>
      <desc id="map-desc">
        {hubs.length} hubs and {nodes.length - hubs.length} stores. Hubs are squares, stores are circles; a hollow mark is a node not answering.
      </desc>
      <g className="states" aria-hidden="true">
        {outlines.map((o) => (
          <path key={o.name} d={o.d} />
        ))}
      </g>
      <g className="regions" aria-hidden="true">
        {hubs.map((h) => {
          const [x, y] = project(h.lat, h.lon);
          return <circle key={h.id} cx={x} cy={y} r={Math.min(RADIUS_MILES * milesToPx, 180)} />;
        })}
      </g>
      {nodes.map((n) => {
        const [x, y] = project(n.lat, n.lon);
        const alive = n.state === 'alive';
        return (
          <g key={n.id} className={`node ${n.role} ${alive ? 'alive' : 'down'}`}>
            <title>
              {n.name} ({n.role}, region {n.region}): {n.state}
            </title>
            {n.role === 'hub' ? <rect x={x - 6} y={y - 6} width={12} height={12} /> : <circle cx={x} cy={y} r={4} />}
            {n.role === 'hub' && (
              <text x={x + 9} y={y + 4}>
                {n.region} {alive ? '' : '(down)'}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
