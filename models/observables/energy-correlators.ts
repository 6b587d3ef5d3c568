/**
 * The three-point energy correlator of a jet (seed 002, "Energy correlators for precision top
 * physics"):
 *
 *   EEEC(ζ1, ζ2, ζ3) = Σ_{i,j,k} E_i E_j E_k / Q³ · δ(ζ1 − ζ_jk) δ(ζ2 − ζ_ki) δ(ζ3 − ζ_ij),
 *   ζ_ij = (1 − cos θ_ij) / 2,
 *
 * over the jet's constituents. A top quark's three-prong decay puts a peak where the three
 * prongs' ζ's are, at ζ ≈ 3 m_t² / (4 E_t²) for an equilateral decay sharing E_t equally
 * (m_t² = 4 Σ_{i<j} E_i E_j ζ_ij for massless prongs). The triplets here are the distinct
 * constituents i < j < k with their three ζ's sorted (ζ1 ≤ ζ2 ≤ ζ3) and the weight
 * 6 E_i E_j E_k / Q³ of the six orderings; terms with coincident constituents sit at ζ = 0
 * and are left out. Constituents are rows (E, p_x, p_y, p_z), massless or not.
 */

export interface EeecTriplets {
  count: number;
  /** ζ1 ≤ ζ2 ≤ ζ3 of each triplet, 3 per triplet */
  zeta: Float64Array;
  /** 6 E_i E_j E_k / Q³ */
  weight: Float64Array;
}

/**
 * ζ_ij = (1 − cos θ_ij)/2 of every pair, n × n: |u_i − u_j|²/4 of the unit momenta, which
 * keeps its precision at small angles where 1 − cos θ cancels.
 */
function pairZetas(constituents: Float64Array, n: number): Float64Array {
  const unit = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const p = Math.hypot(constituents[4 * i + 1], constituents[4 * i + 2], constituents[4 * i + 3]);
    if (!(p > 0) || !Number.isFinite(p)) throw new RangeError(`constituent ${i} has no finite momentum direction`);
    for (let c = 0; c < 3; c++) unit[3 * i + c] = constituents[4 * i + 1 + c] / p;
  }
  const zeta = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = unit[3 * i] - unit[3 * j];
      const dy = unit[3 * i + 1] - unit[3 * j + 1];
      const dz = unit[3 * i + 2] - unit[3 * j + 2];
      zeta[i * n + j] = zeta[j * n + i] = (dx * dx + dy * dy + dz * dz) / 4;
    }
  }
  return zeta;
}

/** The EEEC triplets of one jet of n constituents (rows E, p_x, p_y, p_z) at the hard scale Q. */
export function eeecTriplets(constituents: Float64Array, n: number, Q: number): EeecTriplets {
  if (constituents.length < 4 * n) throw new RangeError(`${n} constituents need ${4 * n} numbers, got ${constituents.length}`);
  const count = n < 3 ? 0 : (n * (n - 1) * (n - 2)) / 6;
  const zeta = new Float64Array(3 * count);
  const weight = new Float64Array(count);
  const pairs = pairZetas(constituents, n);
  const q3 = Q * Q * Q;
  let t = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const eij = constituents[4 * i] * constituents[4 * j];
      for (let k = j + 1; k < n; k++) {
        let a = pairs[j * n + k];
        let b = pairs[i * n + k];
        let c = pairs[i * n + j];
        // sort three numbers
        if (a > b) [a, b] = [b, a];
        if (b > c) [b, c] = [c, b];
        if (a > b) [a, b] = [b, a];
        zeta[3 * t] = a;
        zeta[3 * t + 1] = b;
        zeta[3 * t + 2] = c;
        weight[t] = (6 * eij * constituents[4 * k]) / q3;
        t++;
      }
    }
  }
  return { count, zeta, weight };
}

/**
 * The seed's triangle shape (n1, n2) with asymmetry window δ, projected onto ζ1:
 * EEEC(ζ1; n1, n2)_δ = ∫ dζ2 dζ3 EEEC · θ(ζ2 − n1ζ1) θ(δ + n1ζ1 − ζ2) θ(ζ3 − n2ζ1) θ(δ + n2ζ1 − ζ3),
 * ζ1 the shortest side. The correlator is symmetric in its arguments, so (n1, n2) and
 * (n2, n1) are the same shape; n1 ≤ n2 is taken. Added into `histogram` (equal bins between
 * the first and last of `edges`).
 */
export function fillTriangleShape(triplets: EeecTriplets, shape: { n1: number; n2: number; delta: number }, edges: ArrayLike<number>, histogram: Float64Array): void {
  const n1 = Math.min(shape.n1, shape.n2);
  const n2 = Math.max(shape.n1, shape.n2);
  const { delta } = shape;
  const low = edges[0];
  const bins = edges.length - 1;
  const width = (edges[bins] - low) / bins;
  for (let t = 0; t < triplets.count; t++) {
    const z1 = triplets.zeta[3 * t];
    const z2 = triplets.zeta[3 * t + 1];
    const z3 = triplets.zeta[3 * t + 2];
    if (z2 < n1 * z1 || z2 > n1 * z1 + delta || z3 < n2 * z1 || z3 > n2 * z1 + delta) continue;
    const b = Math.floor((z1 - low) / width);
    if (b >= 0 && b < bins) histogram[b] += triplets.weight[t];
  }
}

/**
 * The equilateral window: triplets whose sides differ by at most δζ (ζ3 − ζ1 ≤ δζ), projected
 * onto their mean side ζ_p = (ζ1 + ζ2 + ζ3)/3. Added into `histogram`.
 */
export function fillEquilateralShape(triplets: EeecTriplets, deltaZeta: number, edges: ArrayLike<number>, histogram: Float64Array): void {
  const low = edges[0];
  const bins = edges.length - 1;
  const width = (edges[bins] - low) / bins;
  for (let t = 0; t < triplets.count; t++) {
    const z1 = triplets.zeta[3 * t];
    const z3 = triplets.zeta[3 * t + 2];
    if (z3 - z1 > deltaZeta) continue;
    const b = Math.floor(((z1 + triplets.zeta[3 * t + 1] + z3) / 3 - low) / width);
    if (b >= 0 && b < bins) histogram[b] += triplets.weight[t];
  }
}

/** A window of the correlator: the seed's triangle (n1, n2) with asymmetry δ, or the equilateral window δζ. */
export type EeecShape = { kind: 'triangle'; n1: number; n2: number; delta: number } | { kind: 'equilateral'; delta: number };

/**
 * What an observation of several jets is summarised by (seed 002's shapes): the jets' EEEC in a
 * shape's window, projected (onto ζ1; the equilateral window onto the mean side) and summed over
 * the jets, normalised to unit sum where asked (an all-empty window stays zero), with the
 * total weight the window held.
 */
export function shapeSummary(triplets: readonly EeecTriplets[], shape: EeecShape, edges: ArrayLike<number>, normalise: boolean): { summary: Float64Array; total: number } {
  const summary = new Float64Array(edges.length - 1);
  for (const t of triplets) {
    if (shape.kind === 'equilateral') fillEquilateralShape(t, shape.delta, edges, summary);
    else fillTriangleShape(t, shape, edges, summary);
  }
  let total = 0;
  for (let b = 0; b < summary.length; b++) total += summary[b];
  if (normalise && total > 0) {
    const scale = 1 / total;
    for (let b = 0; b < summary.length; b++) summary[b] *= scale;
  }
  return { summary, total };
}
