// A delivery's route drawn as SVG: the hub (a square), the stops numbered in
// the order the truck takes them, the path out and back. The figures the
// drawing shows are also said in words beneath it.
export interface RoutePoint {
  lat: number;
  lon: number;
}

const W = 520;
const H = 320;
const PAD = 28;

/** Fits the points into the drawing, keeping distances in proportion (longitude shrunk by the cosine of the latitude). */
export function fit(points: readonly RoutePoint[]): (p: RoutePoint) => [number, number] {
  const lat0 = points.reduce((s, p) => s + p.lat, 0) / Math.max(1, points.length);
  const k = Math.cos((lat0 * Math.PI) / 180);
  const xs = points.map((p) => p.lon * k);
  const ys = points.map((p) => p.lat);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const scale = Math.min((W - 2 * PAD) / Math.max(maxX - minX, 1e-6), (H - 2 * PAD) / Math.max(maxY - minY, 1e-6));
  const offX = (W - (maxX - minX) * scale) / 2;
  const offY = (H - (maxY - minY) * scale) / 2;
  return (p) => [Math.round((offX + (p.lon * k - minX) * scale) * 10) / 10, Math.round((H - offY - (p.lat - minY) * scale) * 10) / 10];
}

export function RouteMap({ start, stops, title }: { start: RoutePoint; stops: (RoutePoint & { name: string })[]; title: string }) {
  const at = fit([start, ...stops]);
  const path = [start, ...stops, start].map((p) => at(p).join(',')).join(' ');
  const [hx, hy] = at(start);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="route-title route-desc" className="route-map">
      <title id="route-title">{title}</title>
      <desc id="route-desc">
        From the hub to {stops.map((s, i) => `${i + 1}. ${s.name}`).join(', ')}, and back to the hub.
      </desc>
      <polyline points={path} className="route" fill="none" />
      <rect x={hx - 7} y={hy - 7} width={14} height={14} className="hub-mark" />
      <text x={hx + 10} y={hy - 8}>
        Hub
      </text>
      {stops.map((s, i) => {
        const [x, y] = at(s);
        return (
          <g key={`${s.name}-${i}`}>
            <circle cx={x} cy={y} r={10} className="stop-mark" />
            <text x={x} y={y + 4} textAnchor="middle" className="stop-number">
              {i + 1}
            </text>
            <text x={x + 13} y={y + 4}>
              {s.name}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
