/** Toy events for the L-GATr tests: P massive particles (E, px, py, pz) in GeV and E event scalars per row. */
import type { Random } from '../../models/random.js';

export function lgatrEvents(random: Random, n: number, P: number, E: number): Float64Array {
  const D = 4 * P + E;
  const x = new Float64Array(n * D);
  for (let e = 0; e < n; e++) {
    for (let p = 0; p < P; p++) {
      const px = 40 * random.normal();
      const py = 40 * random.normal();
      const pz = 80 * random.normal();
      const m = 5 + 20 * random.uniform();
      const o = e * D + 4 * p;
      x[o] = Math.sqrt(m * m + px * px + py * py + pz * pz);
      x[o + 1] = px;
      x[o + 2] = py;
      x[o + 3] = pz;
    }
    for (let s = 0; s < E; s++) x[e * D + 4 * P + s] = 3 + 2 * random.normal();
  }
  return x;
}

/** the token columns of lgatrEvents: particle p at 4p … 4p + 3; the scalars after them */
export function lgatrColumns(P: number, E: number): { tokens: number[][]; scalars: number[] } {
  return { tokens: Array.from({ length: P }, (_, p) => [4 * p, 4 * p + 1, 4 * p + 2, 4 * p + 3]), scalars: Array.from({ length: E }, (_, s) => 4 * P + s) };
}
