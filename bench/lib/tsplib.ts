// Reads the TSPLIB / CVRPLIB instances in bench/data/routes (EUC_2D only).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Instance {
  name: string;
  points: { x: number; y: number }[];
  /** CVRP only: demand per node (node 0 the depot, demand 0) and the vehicle capacity. */
  demands?: number[];
  capacity?: number;
  optimum: number;
}

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data/routes');

export function readInstance(file: string, optimum: number): Instance {
  const text = readFileSync(path.join(dir, file), 'utf8');
  const lines = text.split('\n').map((l) => l.trim());
  const points: { x: number; y: number }[] = [];
  const demands: number[] = [];
  let section = '';
  let capacity: number | undefined;
  for (const line of lines) {
    if (/^CAPACITY/.test(line)) capacity = Number(line.split(':')[1]);
    if (/^[A-Z_]+_SECTION$/.test(line) || line === 'EOF') {
      section = line;
      continue;
    }
    const parts = line.split(/\s+/).filter(Boolean).map(Number);
    if (section === 'NODE_COORD_SECTION' && parts.length === 3) points.push({ x: parts[1]!, y: parts[2]! });
    if (section === 'DEMAND_SECTION' && parts.length === 2) demands.push(parts[1]!);
  }
  return { name: file.replace(/\.(tsp|vrp)$/, ''), points, ...(capacity ? { demands, capacity } : {}), optimum };
}

export const TSP_INSTANCES: [file: string, optimum: number][] = [
  ['eil51.tsp', 426],
  ['berlin52.tsp', 7542],
  ['st70.tsp', 675],
  ['eil76.tsp', 538],
  ['kroA100.tsp', 21282],
];
export const CVRP_INSTANCES: [file: string, optimum: number][] = [['X-n101-k25.vrp', 27591]];
