// The travelling-salesman part of the route optimiser. A tour is a cyclic
// array of node indices. Small cases are solved exactly; larger ones start
// from nearest neighbour, are improved by 2-opt and Or-opt moves over
// neighbour lists with a work queue (a node whose edges did not change is not
// looked at again), then by iterated local search: a double-bridge kick of
// the best tour, local search again, keep it when shorter, until the time
// limit. Pure: time and randomness come from the caller.
import { neighbourLists, type Matrix } from './distance.js';

const EPS = 1e-9;
const NEIGHBOURS = 12;
const EXACT_UP_TO = 9;

export function tourCost(m: Matrix, tour: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < tour.length; i++) sum += m.d[tour[i]! * m.n + tour[(i + 1) % tour.length]!]!;
  return sum;
}

export function nearestNeighbourTour(m: Matrix, start = 0): number[] {
  const { n, d } = m;
  const seen = new Uint8Array(n);
  const tour = [start];
  seen[start] = 1;
  let at = start;
  for (let k = 1; k < n; k++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < n; j++) {
      if (!seen[j] && d[at * n + j]! < bestD) {
        bestD = d[at * n + j]!;
        best = j;
      }
    }
    seen[best] = 1;
    tour.push(best);
    at = best;
  }
  return tour;
}

/** The shortest tour by trying every order (n ≤ 9: at most 40,320 orders). */
export function exactTour(m: Matrix): number[] {
  const rest = Array.from({ length: m.n - 1 }, (_, i) => i + 1);
  let best = [0, ...rest];
  let bestCost = tourCost(m, best);
  const permute = (k: number) => {
    if (k === rest.length) {
      const cost = tourCost(m, [0, ...rest]);
      if (cost < bestCost - EPS) {
        bestCost = cost;
        best = [0, ...rest];
      }
      return;
    }
    for (let i = k; i < rest.length; i++) {
      [rest[k], rest[i]] = [rest[i]!, rest[k]!];
      permute(k + 1);
      [rest[k], rest[i]] = [rest[i]!, rest[k]!];
    }
  };
  permute(0);
  return best;
}

/** 2-opt and Or-opt on one tour, in place, until no move shortens it. */
class LocalSearch {
  private readonly pos: Int32Array;
  private readonly queued: Uint8Array;
  private readonly queue: number[] = [];

  constructor(
    private readonly m: Matrix,
    private readonly nbrs: Int32Array[],
    private readonly tour: number[],
  ) {
    this.pos = new Int32Array(m.n);
    this.queued = new Uint8Array(m.n);
    this.reindex();
  }

  private reindex(): void {
    for (let i = 0; i < this.tour.length; i++) this.pos[this.tour[i]!] = i;
  }

  private dist(a: number, b: number): number {
    return this.m.d[a * this.m.n + b]!;
  }

  private next(c: number): number {
    const p = this.pos[c]! + 1;
    return this.tour[p === this.tour.length ? 0 : p]!;
  }

  private prev(c: number): number {
    const p = this.pos[c]! - 1;
    return this.tour[p < 0 ? this.tour.length - 1 : p]!;
  }

  push(...cities: number[]): void {
    for (const c of cities) {
      if (!this.queued[c]) {
        this.queued[c] = 1;
        this.queue.push(c);
      }
    }
  }

  /** Reverses the cyclic stretch from position i forward to position j (or, equivalently, the rest). */
  private reverse(i: number, j: number): void {
    const n = this.tour.length;
    let len = ((j - i + n) % n) + 1;
    if (len * 2 > n) {
      const ni = (j + 1) % n;
      j = (i - 1 + n) % n;
      i = ni;
      len = n - len;
    }
    for (let k = 0; k < len >> 1; k++) {
      const a = (i + k) % n;
      const b = (j - k + n) % n;
      const ca = this.tour[a]!;
      const cb = this.tour[b]!;
      this.tour[a] = cb;
      this.tour[b] = ca;
      this.pos[cb] = a;
      this.pos[ca] = b;
    }
  }

  private twoOpt(a: number): boolean {
    for (const forward of [true, false]) {
      const b = forward ? this.next(a) : this.prev(a);
      const dab = this.dist(a, b);
      for (const c of this.nbrs[a]!) {
        const g1 = dab - this.dist(a, c);
        if (g1 <= EPS) break;
        const e = forward ? this.next(c) : this.prev(c);
        if (c === b || e === a) continue;
        if (g1 + this.dist(c, e) - this.dist(b, e) > EPS) {
          // forward: edges a-b, c-e become a-c, b-e by reversing b..c; backward: reverse a..e.
          if (forward) this.reverse(this.pos[b]!, this.pos[c]!);
          else this.reverse(this.pos[a]!, this.pos[e]!);
          this.push(a, b, c, e);
          return true;
        }
      }
    }
    return false;
  }

  /** Moves a stretch of 1–3 cities starting at `s` to between a neighbour and its successor, either way round. */
  private orOpt(s: number): boolean {
    const n = this.tour.length;
    if (n < 8) return false;
    for (let len = 1; len <= 3; len++) {
      const i = this.pos[s]!;
      const seg: number[] = [];
      for (let k = 0; k < len; k++) seg.push(this.tour[(i + k) % n]!);
      const first = seg[0]!;
      const last = seg[len - 1]!;
      const p = this.prev(first);
      const q = this.next(last);
      const removeGain = this.dist(p, first) + this.dist(last, q) - this.dist(p, q);
      if (removeGain <= EPS) continue;
      for (const end of [first, last]) {
        for (const c of this.nbrs[end]!) {
          if (seg.includes(c)) continue;
          for (const e of [this.next(c), this.prev(c)]) {
            if (seg.includes(e)) continue;
            // Insert between c and e: `end` goes next to c.
            const other = end === first ? last : first;
            const add = this.dist(c, end) + this.dist(other, e) - this.dist(c, e);
            if (removeGain - add > EPS) {
              this.moveSegment(seg, c, e, end);
              this.push(p, q, c, e, first, last);
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  private moveSegment(seg: number[], c: number, e: number, end: number): void {
    const rest = this.tour.filter((x) => !seg.includes(x));
    const ci = rest.indexOf(c);
    const ei = rest.indexOf(e);
    // Orient the segment so `end` touches c, then place it between c and e in the order they sit.
    const oriented = end === seg[0] ? seg : [...seg].reverse();
    const between = (ci + 1) % rest.length === ei ? ci + 1 : ci;
    const inserted = (ci + 1) % rest.length === ei ? oriented : [...oriented].reverse();
    rest.splice(between, 0, ...inserted);
    for (let k = 0; k < rest.length; k++) this.tour[k] = rest[k]!;
    this.reindex();
  }

  run(): void {
    while (this.queue.length > 0) {
      const a = this.queue.pop()!;
      this.queued[a] = 0;
      if (this.twoOpt(a) || this.orOpt(a)) this.push(a);
    }
  }
}

/** Improves `tour` in place until no 2-opt or Or-opt move shortens it; `touched` limits where to look first (default everywhere). */
export function improveTour(m: Matrix, tour: number[], nbrs = neighbourLists(m, NEIGHBOURS), touched?: number[]): void {
  const ls = new LocalSearch(m, nbrs, tour);
  ls.push(...(touched ?? tour));
  ls.run();
}

/** The double-bridge kick: A B C D → A C B D, with cut points drawn by `random`. */
export function doubleBridge(tour: readonly number[], random: () => number): { tour: number[]; touched: number[] } {
  const n = tour.length;
  const cuts = [1 + Math.floor(random() * (n - 3)), 1 + Math.floor(random() * (n - 3)), 1 + Math.floor(random() * (n - 3))].sort((a, b) => a - b);
  const [i, j, k] = [cuts[0]!, Math.max(cuts[1]!, cuts[0]! + 1), Math.max(cuts[2]!, Math.max(cuts[1]!, cuts[0]! + 1) + 1)];
  if (k >= n) return { tour: [...tour], touched: [] };
  const out = [...tour.slice(0, i), ...tour.slice(j, k), ...tour.slice(i, j), ...tour.slice(k)];
  const touched = [i - 1, i, j - 1, j, k - 1, k].filter((x) => x >= 0 && x < n).map((x) => tour[x]!);
  return { tour: out, touched };
}

export interface TourResult {
  tour: number[];
  cost: number;
  nearestNeighbourCost: number;
  iterations: number;
}

export interface SearchControl {
  random: () => number;
  /** True once the time limit is reached. */
  timeUp: () => boolean;
  /** Lets the caller's event loop run now and then (a node keeps answering heartbeats while it searches). */
  pause?: () => Promise<void> | undefined;
}

/** How many kicks without a shorter tour end the search before the time limit. */
const idleLimit = (n: number) => Math.max(2000, 60 * n);

/** The best tour found before `timeUp()`, starting and ending at node 0. */
export async function solveTour(m: Matrix, o: SearchControl): Promise<TourResult> {
  const nn = m.n > 0 ? nearestNeighbourTour(m, 0) : [];
  const nearestNeighbourCost = tourCost(m, nn);
  if (m.n <= 3) return { tour: nn, cost: nearestNeighbourCost, nearestNeighbourCost, iterations: 0 };
  if (m.n <= EXACT_UP_TO) {
    const tour = exactTour(m);
    return { tour, cost: tourCost(m, tour), nearestNeighbourCost, iterations: 0 };
  }
  const nbrs = neighbourLists(m, NEIGHBOURS);
  let best = [...nn];
  improveTour(m, best, nbrs);
  let bestCost = tourCost(m, best);
  let iterations = 0;
  let idle = 0;
  while (!o.timeUp() && idle < idleLimit(m.n)) {
    iterations += 1;
    idle += 1;
    if ((iterations & 63) === 0) await o.pause?.();
    const kicked = doubleBridge(best, o.random);
    improveTour(m, kicked.tour, nbrs, kicked.touched);
    const cost = tourCost(m, kicked.tour);
    if (cost < bestCost - EPS) {
      best = kicked.tour;
      bestCost = cost;
      idle = 0;
    }
  }
  return { tour: rotateTo(best, 0), cost: bestCost, nearestNeighbourCost, iterations };
}

export function rotateTo(tour: readonly number[], start: number): number[] {
  const i = tour.indexOf(start);
  return i <= 0 ? [...tour] : [...tour.slice(i), ...tour.slice(0, i)];
}
