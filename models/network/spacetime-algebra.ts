/**
 * The spacetime algebra Cl(1,3) (seed 003 sec. 2.4, eq. 36-37) for the L-GATr (lgatr.ts):
 * multivectors of 16 real components, metric g = diag(+1, −1, −1, −1), {γ^μ, γ^ν} = 2g^{μν}.
 *
 * Component order (`BLADES`, each blade a bit mask over γ0…γ3, indices increasing):
 *
 *     0        scalar 1
 *     1 … 4    vector γ0, γ1, γ2, γ3
 *     5 … 10   bivector γ01, γ02, γ03, γ12, γ13, γ23
 *     11 … 14  trivector (axial vector) γ012, γ013, γ023, γ123
 *     15       pseudoscalar γ0123 (= γ5 up to sign convention; here the blade γ0γ1γ2γ3)
 *
 * Everything is computed once from the blade rules: the product of two blades is ± the blade
 * of their symmetric difference, the sign from reordering (one − per transposition) times
 * g_μμ for every shared γ_μ. Pure functions over plain arrays, no allocation in the loops.
 */

/** bit masks of the 16 basis blades, in component order */
export const BLADES: readonly number[] = [0b0000, 0b0001, 0b0010, 0b0100, 0b1000, 0b0011, 0b0101, 0b1001, 0b0110, 0b1010, 0b1100, 0b0111, 0b1011, 0b1101, 0b1110, 0b1111];
const METRIC = [1, -1, -1, -1];

function popcount(m: number): number {
  let c = 0;
  for (; m; m &= m - 1) c++;
  return c;
}

const componentOf = new Int8Array(16);
BLADES.forEach((b, i) => (componentOf[b] = i));

/** grade of each component (0 … 4) */
export const GRADE: Int8Array = Int8Array.from(BLADES, popcount);

/** sign of the product of blades a and b (bit masks) from reordering and the metric */
function bladeProductSign(a: number, b: number): number {
  let swaps = 0;
  for (let s = a >> 1; s; s >>= 1) swaps += popcount(s & b);
  let sign = swaps & 1 ? -1 : 1;
  for (let mu = 0; mu < 4; mu++) if (a & b & (1 << mu)) sign *= METRIC[mu];
  return sign;
}

/** the geometric-product table: e_i e_j = GP_SIGN[16i + j] · e_{GP_INDEX[16i + j]} */
export const GP_SIGN = new Int8Array(256);
export const GP_INDEX = new Int8Array(256);
for (let i = 0; i < 16; i++) {
  for (let j = 0; j < 16; j++) {
    GP_SIGN[16 * i + j] = bladeProductSign(BLADES[i], BLADES[j]);
    GP_INDEX[16 * i + j] = componentOf[BLADES[i] ^ BLADES[j]];
  }
}

/** reversal signs (−1)^{k(k−1)/2} per component */
export const REVERSE_SIGN: Int8Array = Int8Array.from(GRADE, (k) => ((k * (k - 1)) / 2) % 2 ? -1 : 1);

/** ⟨x, y⟩ = ⟨x̃ y⟩₀ = Σ_i INNER_SIGN[i] x_i y_i (the scalar part of ẽ_i e_i) */
export const INNER_SIGN: Int8Array = Int8Array.from(GRADE, (_, i) => REVERSE_SIGN[i] * GP_SIGN[17 * i]);

/** left multiplication by the pseudoscalar e_0123: (I x)_{PSEUDO_INDEX[i]} += PSEUDO_SIGN[i] x_i */
export const PSEUDO_INDEX = Int8Array.from({ length: 16 }, (_, i) => GP_INDEX[16 * 15 + i]);
export const PSEUDO_SIGN = Int8Array.from({ length: 16 }, (_, i) => GP_SIGN[16 * 15 + i]);

/** mask (1 or 0 per component) of grade k */
export function gradeMask(k: number): Float64Array {
  return Float64Array.from(GRADE, (g) => (g === k ? 1 : 0));
}

/** z = x y (16 components each, at offsets xo, yo, zo); z must not alias x or y */
export function geometricProduct(x: ArrayLike<number>, y: ArrayLike<number>, z: Float64Array | Float32Array = new Float64Array(16), xo = 0, yo = 0, zo = 0): Float64Array | Float32Array {
  for (let k = 0; k < 16; k++) z[zo + k] = 0;
  for (let i = 0; i < 16; i++) {
    const xi = x[xo + i];
    if (xi === 0) continue;
    for (let j = 0; j < 16; j++) z[zo + GP_INDEX[16 * i + j]] += GP_SIGN[16 * i + j] * xi * y[yo + j];
  }
  return z;
}

/** the invariant inner product ⟨x, y⟩ = ⟨x̃ y⟩₀ */
export function innerProduct(x: ArrayLike<number>, y: ArrayLike<number>, xo = 0, yo = 0): number {
  let s = 0;
  for (let i = 0; i < 16; i++) s += INNER_SIGN[i] * x[xo + i] * y[yo + i];
  return s;
}

/** x̃, the reverse */
export function reverse(x: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: 16 }, (_, i) => REVERSE_SIGN[i] * x[i]);
}

/** the indices of blade b, increasing */
function indicesOf(b: number): number[] {
  const out: number[] = [];
  for (let mu = 0; mu < 4; mu++) if (b & (1 << mu)) out.push(mu);
  return out;
}

function determinant(m: number[][]): number {
  const n = m.length;
  if (n === 0) return 1;
  if (n === 1) return m[0][0];
  let d = 0;
  for (let c = 0; c < n; c++) {
    const minor = m.slice(1).map((row) => row.filter((_, j) => j !== c));
    d += (c % 2 ? -1 : 1) * m[0][c] * determinant(minor);
  }
  return d;
}

/**
 * The 16 × 16 matrix (row-major, [out, in]) of the outermorphism of the 4 × 4 Λ (row-major,
 * Λ[μ][ν] = the μ component of Λγ_ν): e_{i1}∧…∧e_{ik} ↦ Λe_{i1}∧…∧Λe_{ik}, whose
 * coefficient on blade T is the minor det Λ[T, S]. For proper orthochronous Λ this is the
 * rotor action x ↦ R x R̃.
 */
export function lorentzMultivectorMatrix(lambda: readonly (readonly number[])[]): Float64Array {
  const M = new Float64Array(256);
  for (let t = 0; t < 16; t++) {
    for (let s = 0; s < 16; s++) {
      if (GRADE[t] !== GRADE[s]) continue;
      const rows = indicesOf(BLADES[t]);
      const cols = indicesOf(BLADES[s]);
      M[16 * t + s] = determinant(rows.map((r) => cols.map((c) => lambda[r][c])));
    }
  }
  return M;
}

/** y = M x for a 16 × 16 matrix of lorentzMultivectorMatrix */
export function applyMultivectorMatrix(M: ArrayLike<number>, x: ArrayLike<number>, xo = 0): Float64Array {
  const y = new Float64Array(16);
  for (let t = 0; t < 16; t++) {
    let s = 0;
    for (let k = 0; k < 16; k++) s += M[16 * t + k] * x[xo + k];
    y[t] = s;
  }
  return y;
}

/** 4 × 4 product a b */
export function matMul4(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[][] {
  return a.map((row) => [0, 1, 2, 3].map((j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

/** the boost of rapidity η along the unit 3-vector n */
export function boostMatrix(eta: number, n: readonly number[]): number[][] {
  const ch = Math.cosh(eta);
  const sh = Math.sinh(eta);
  const L = [[ch, sh * n[0], sh * n[1], sh * n[2]]];
  for (let i = 0; i < 3; i++) L.push([sh * n[i], ...[0, 1, 2].map((j) => (i === j ? 1 : 0) + (ch - 1) * n[i] * n[j])]);
  return L;
}

/** the rotation of the unit quaternion (w, x, y, z), as a 4 × 4 Lorentz matrix */
export function rotationMatrix(q: readonly number[]): number[][] {
  const [w, x, y, z] = q;
  return [
    [1, 0, 0, 0],
    [0, 1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [0, 2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [0, 2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
}

/** a random proper orthochronous Λ: a boost of rapidity uniform in [0, maxRapidity] along a random direction, times a random rotation; `uniform` gives numbers in [0, 1) */
export function randomLorentz(uniform: () => number, maxRapidity = 1): number[][] {
  const gauss = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const n = [gauss(), gauss(), gauss()];
  const nn = Math.hypot(...n) || 1;
  const q = [gauss(), gauss(), gauss(), gauss()];
  const qn = Math.hypot(...q) || 1;
  return matMul4(
    boostMatrix(maxRapidity * uniform(), n.map((v) => v / nn)),
    rotationMatrix(q.map((v) => v / qn)),
  );
}
