// Distance matrices for the route optimiser: great-circle miles between
// stops (what the API uses), and TSPLIB's rounded Euclidean distance (for
// checking the optimiser against published optima). Pure.
import { haversineMiles } from '../../lib/geo.js';

/** A symmetric n×n matrix, row-major. */
export interface Matrix {
  n: number;
  d: Float64Array;
}

export function matrixOf(n: number, dist: (i: number, j: number) => number): Matrix {
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = dist(i, j);
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
  }
  return { n, d };
}

export function greatCircleMatrix(points: readonly { lat: number; lon: number }[]): Matrix {
  return matrixOf(points.length, (i, j) => haversineMiles(points[i]!, points[j]!));
}

/** TSPLIB EUC_2D: Euclidean distance rounded to the nearest integer. */
export function euc2dMatrix(points: readonly { x: number; y: number }[]): Matrix {
  return matrixOf(points.length, (i, j) => Math.round(Math.hypot(points[i]!.x - points[j]!.x, points[i]!.y - points[j]!.y)));
}

/** Each node's `k` nearest other nodes, nearest first: the candidates a move looks at. */
export function neighbourLists(m: Matrix, k: number): Int32Array[] {
  const { n, d } = m;
  const out: Int32Array[] = [];
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    const sorted = idx.filter((j) => j !== i).sort((a, b) => d[row + a]! - d[row + b]!);
    out.push(Int32Array.from(sorted.slice(0, Math.min(k, n - 1))));
  }
  return out;
}
