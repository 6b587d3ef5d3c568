/**
 * Helicity amplitudes of q q̄' → W±Z → ℓν ℓ'⁺ℓ'⁻ at leading order in the SMEFT (seed 003 sec. 4,
 * eq. 45-46), linear in θ = (c_ΦWB, c_WWW, c_Φq^(3)) at Λ = 1 TeV, so that Σ|A|² is exactly a
 * degree-2 polynomial whose coefficients are computed here per phase-space point.
 *
 * Process and diagrams (first generation, CKM = 1, massless fermions, metric (+,−,−,−)):
 *   u(p1) d̄(p2) → W⁺(k_W) Z(k_Z),  d(p1) ū(p2) → W⁻(k_W) Z(k_Z);
 *   (s) q q̄' → W*± → W±Z through the WWZ vertex,
 *   (t) the quark emits the W first (Z from the antiquark line), t = (p1 − k_W)²,
 *   (u) the quark emits the Z first, u = (p1 − k_Z)².
 * Narrow-width decays W⁺ → ℓ⁺ν (W⁻ → ℓ⁻ν̄), Z → ℓ'⁺ℓ'⁻ with full spin correlations: the on-shell
 * propagator numerators −g + kk/m² = Σ_λ ε*ε contract the production tensor directly with the
 * massless (conserved) decay currents, A = M_prod^{αβ} J_{W,α} J_{Z,β}, which is the coherent sum
 * over the W and Z helicities Σ_λ M_prod(λ_W, λ_Z) M_dec,W(λ_W) M_dec,Z(λ_Z).
 *
 * Implementation: two-component Weyl spinors (chiral representation), |p]-type spinors
 * √(2E) χ_∓(p̂); currents ψ†σ̄^μχ, and the quark chains of the t/u diagrams as products of 2×2
 * matrices (a·σ̄)(b·σ)(c·σ̄). The WWZ vertex is the Hagiwara–Peccei–Zeppenfeld–Hikasa (HPZH)
 * Lagrangian
 *   L/g_WWZ = i g1Z (W†_μν W^μ Z^ν − W†_μ Z_ν W^μν) + i κZ W†_μ W_ν Z^μν + i λZ/m_W² W†_λμ W^μ_ν Z^νλ,
 * with all three bosons off-shell (the s-channel W* is off-shell), g_WWZ = g c_W. The W*
 * propagator's k^μk^ν/m_W² term drops against the conserved massless quark current (the SMEFT
 * W-quark coupling stays a left-handed vector current). The relative sign of the s-channel is
 * the one the SM gauge cancellation requires (the tests check it against a Feynman-rule
 * evaluation with every factor of i written out).
 *
 * SMEFT dictionary (the project's stated linearised dictionary), C̄_X = c_X v²/Λ², s = s_W, c = c_W:
 *   c_WWW:   λZ = (3/2) g v² c_WWW/Λ²   (λγ likewise; no photon enters W±Z)
 *   c_Φq^(3): W–quark coupling (g/√2)(1 + C̄_Φq3); Z left-handed couplings (units g/c_W)
 *            δg_L^{Zu} = +C̄_Φq3/2, δg_L^{Zd} = −C̄_Φq3/2
 *   c_ΦWB (input scheme α, m_Z, G_F; C_HD = C_ll = C_Hl3 = 0; the W³–B kinetic mixing
 *          −(ε/2) W³_μν B^μν, ε = C̄_ΦWB, resolved to first order — the oblique S-parameter
 *          pattern, as in the Higgs-basis relations of LHCHXSWG-INT-2015-001 (Falkowski) and
 *          δκγ = (c/s) C̄_ΦWB of the Warsaw-basis literature; derived here, not looked up):
 *            δg_{L,R}^{Zf} = −Q_f · s c/(c² − s²) · C̄_ΦWB   (units g/c_W, all fermions, both chiralities)
 *            δg^{Wf}/g^{Wf} = −s c/(c² − s²) · C̄_ΦWB        (W couplings to quarks and leptons; = δm_W/m_W)
 *            δg1Z = −(s/c)/(c² − s²) · C̄_ΦWB,  δκZ = δg1Z − (s/c) C̄_ΦWB
 *          The W-mass shift δm_W/m_W = −s c/(c² − s²) C̄_ΦWB is NOT applied: m_W and m_Z stay at their
 *          measured values (on-shell narrow-width poles), so kinematics are θ-independent.
 *   Linearisation: every amplitude is a product of couplings κ_i = κ_i⁰ + θ·κ_i'; products are
 *   truncated at first order in θ (κ_1κ_2 → κ_1⁰κ_2⁰ + θ·(κ_1'κ_2⁰ + κ_1⁰κ_2')), so the amplitude is
 *   exactly A = A_0 + Σ_p θ_p A_p and |A|² exactly quadratic. The widths Γ_W, Γ_Z in the narrow-width
 *   normalisation are fixed (measured), not θ-dependent.
 * Couplings: e² = 4πα with α = 1/127.9, s_W² = 0.2312 (the Drell–Yan module's), g = e/s_W; masses
 * measured (a hybrid scheme, as common at LO); v = 246.22 GeV only in C̄ = c v²/Λ².
 */
import { ALPHA, GAMMA_Z, LAMBDA, M_Z, SIN2_W } from './drell-yan-physics.js';

export { ALPHA, GAMMA_Z, LAMBDA, M_Z, SIN2_W };
export const M_W = 80.379;
export const GAMMA_W = 2.085;
export const G_F = 1.1663787e-5; // GeV⁻², recorded; the couplings use α and s_W² (see above)
export const V_EV = 246.22;

export const E_CHARGE = Math.sqrt(4 * Math.PI * ALPHA);
export const S_W = Math.sqrt(SIN2_W);
export const C_W = Math.sqrt(1 - SIN2_W);
export const G_WEAK = E_CHARGE / S_W;
/** v²/Λ² */
export const R_V = (V_EV * V_EV) / (LAMBDA * LAMBDA);

/** A coupling as [value at θ0, ∂/∂c_ΦWB, ∂/∂c_WWW, ∂/∂c_Φq3]. */
export type Coupling = readonly [number, number, number, number];

const SC = (S_W * C_W) / (C_W * C_W - S_W * S_W);
const G1Z_SHIFT = -(S_W / C_W) / (C_W * C_W - S_W * S_W);
const GZ = G_WEAK / C_W;
const GW = G_WEAK / Math.SQRT2;

/** The dictionary of the header, as couplings. */
export const COUPLINGS = {
  wQuark: [GW, -GW * SC * R_V, 0, GW * R_V] as Coupling,
  wLepton: [GW, -GW * SC * R_V, 0, 0] as Coupling,
  zUpLeft: [GZ * (0.5 - (2 / 3) * SIN2_W), -GZ * (2 / 3) * SC * R_V, 0, (GZ * R_V) / 2] as Coupling,
  zDownLeft: [GZ * (-0.5 + (1 / 3) * SIN2_W), GZ * (1 / 3) * SC * R_V, 0, (-GZ * R_V) / 2] as Coupling,
  zLeptonLeft: [GZ * (-0.5 + SIN2_W), GZ * SC * R_V, 0, 0] as Coupling,
  zLeptonRight: [GZ * SIN2_W, GZ * SC * R_V, 0, 0] as Coupling,
  /** g_WWZ g1Z, g_WWZ κZ, g_WWZ λZ */
  wwzG1: [G_WEAK * C_W, G_WEAK * C_W * G1Z_SHIFT * R_V, 0, 0] as Coupling,
  wwzKappa: [G_WEAK * C_W, G_WEAK * C_W * (G1Z_SHIFT - S_W / C_W) * R_V, 0, 0] as Coupling,
  wwzLambda: [0, 0, G_WEAK * C_W * 1.5 * G_WEAK * R_V, 0] as Coupling,
};

/** The product of couplings truncated at first order in θ. */
export function linearProduct(...factors: Coupling[]): Coupling {
  let out: [number, number, number, number] = [1, 0, 0, 0];
  for (const f of factors) out = [out[0] * f[0], out[1] * f[0] + out[0] * f[1], out[2] * f[0] + out[0] * f[2], out[3] * f[0] + out[0] * f[3]];
  return out;
}

/** Relative sign of the s-channel diagram with these vertex conventions, fixed by the SM gauge cancellation (tested). */
const S_CHANNEL_SIGN = 1;

/**
 * Per charge (index 0: W⁺, 1: W⁻) and Z-lepton chirality (0: L, 1: R), the coupling vectors of the
 * five kinematic structures [s-channel g1, s-channel κ, s-channel λ, t-channel, u-channel], each
 * including the decay couplings.
 */
const STRUCTURE_COUPLINGS: Coupling[][][] = [1, -1].map((charge) =>
  [COUPLINGS.zLeptonLeft, COUPLINGS.zLeptonRight].map((zl) => {
    const decay = linearProduct(COUPLINGS.wLepton, zl);
    const zt = charge > 0 ? COUPLINGS.zDownLeft : COUPLINGS.zUpLeft; // Z on the line after the W emission
    const zu = charge > 0 ? COUPLINGS.zUpLeft : COUPLINGS.zDownLeft; // Z on the incoming quark
    return [
      linearProduct(COUPLINGS.wQuark, COUPLINGS.wwzG1, decay),
      linearProduct(COUPLINGS.wQuark, COUPLINGS.wwzKappa, decay),
      linearProduct(COUPLINGS.wQuark, COUPLINGS.wwzLambda, decay),
      linearProduct(COUPLINGS.wQuark, zt, decay),
      linearProduct(COUPLINGS.wQuark, zu, decay),
    ];
  }),
);

// ---------------------------------------------------------------------------------------
// Complex Weyl algebra. A complex 4-vector is a Float64Array(8): re^μ at 0..3, im^μ at 4..7.

type CVec = Float64Array;
type Spinor = Float64Array; // (re0, im0, re1, im1)

/** √(2E) χ_−(p̂) (chirality L) or √(2E) χ_+(p̂) (chirality R) of a massless momentum (E, px, py, pz). */
export function weylSpinor(p: ArrayLike<number>, offset: number, right: boolean, out: Spinor = new Float64Array(4)): Spinor {
  const e = p[offset];
  const px = p[offset + 1];
  const py = p[offset + 2];
  const pz = p[offset + 3];
  const plus = Math.sqrt(Math.max(0, e + pz));
  const minus = Math.sqrt(Math.max(0, e - pz));
  const pt = Math.hypot(px, py);
  const cr = pt > 0 ? px / pt : 1;
  const ci = pt > 0 ? py / pt : 0;
  if (right) {
    out[0] = plus;
    out[1] = 0;
    out[2] = minus * cr;
    out[3] = minus * ci;
  } else {
    out[0] = -minus * cr;
    out[1] = minus * ci;
    out[2] = plus;
    out[3] = 0;
  }
  return out;
}

/** The current a† σ̄^μ b (sign −1 on the spatial part) or a† σ^μ b (sign +1), contravariant components. */
export function current(a: Spinor, b: Spinor, sigmaSign: number, out: CVec = new Float64Array(8)): CVec {
  // a_i* b_j as (re, im)
  const m = (i: number, j: number, k: 0 | 1) => (k === 0 ? a[2 * i] * b[2 * j] + a[2 * i + 1] * b[2 * j + 1] : a[2 * i] * b[2 * j + 1] - a[2 * i + 1] * b[2 * j]);
  const s = -sigmaSign; // σ̄^i = −σ^i
  for (const k of [0, 1] as const) {
    const o = 4 * k;
    const a00 = m(0, 0, k);
    const a11 = m(1, 1, k);
    const a01 = m(0, 1, k);
    const a10 = m(1, 0, k);
    out[o] = a00 + a11;
    out[o + 1] = -s * (a01 + a10);
    out[o + 3] = -s * (a00 - a11);
  }
  // a†σ2 b = −i a0* b1 + i a1* b0
  const re01 = m(0, 1, 0), im01 = m(0, 1, 1), re10 = m(1, 0, 0), im10 = m(1, 0, 1);
  out[2] = -s * (im01 - im10);
  out[6] = -s * (-re01 + re10);
  return out;
}

/** Minkowski product of two complex 4-vectors (no conjugation), as [re, im] into out at o. */
function dot(a: CVec, b: CVec): [number, number] {
  let re = a[0] * b[0] - a[4] * b[4];
  let im = a[0] * b[4] + a[4] * b[0];
  for (let m = 1; m < 4; m++) {
    re -= a[m] * b[m] - a[4 + m] * b[4 + m];
    im -= a[m] * b[4 + m] + a[4 + m] * b[m];
  }
  return [re, im];
}

const cmul = (a: [number, number], b: [number, number]): [number, number] => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const cmul3 = (a: [number, number], b: [number, number], c: [number, number]) => cmul(cmul(a, b), c);

/**
 * The HPZH vertex with all momenta incoming, (p+, e+) the W⁺ (W† field), (p−, e−) the W⁻, (pV, eV)
 * the Z, without the coupling and an overall factor: the three structures [G, K, T/m_W²] with
 * L-vertex = −i g_WWZ (g1 G + κ K + λ T/m_W²).
 */
export function vertexStructures(pp: CVec, ep: CVec, pm: CVec, em: CVec, pv: CVec, ev: CVec): [number, number][] {
  const d = dot;
  const sub = (x: [number, number], y: [number, number]): [number, number] => [x[0] - y[0], x[1] - y[1]];
  const epem = d(ep, em);
  const epev = d(ep, ev);
  const emev = d(em, ev);
  let g = cmul(d(pp, ev), epem);
  g = sub(g, cmul(d(pp, em), epev));
  g = [g[0] + cmul(d(ep, pm), emev)[0], g[1] + cmul(d(ep, pm), emev)[1]];
  g = sub(g, cmul(epem, d(ev, pm)));
  const k = sub(cmul(d(em, pv), epev), cmul(d(ep, pv), emev));
  // T = F+_{λμ} F−^μ_ν FV^{νλ}, F = p⊗e − e⊗p: Σ ± (y1·x2)(y2·x3)(y3·x1)
  const pairs = [
    [pp, ep],
    [pm, em],
    [pv, ev],
  ];
  let t: [number, number] = [0, 0];
  for (let mask = 0; mask < 8; mask++) {
    const [x1, y1] = mask & 1 ? [pairs[0][1], pairs[0][0]] : pairs[0];
    const [x2, y2] = mask & 2 ? [pairs[1][1], pairs[1][0]] : pairs[1];
    const [x3, y3] = mask & 4 ? [pairs[2][1], pairs[2][0]] : pairs[2];
    const sign = ((mask & 1) ^ ((mask >> 1) & 1) ^ ((mask >> 2) & 1)) === 1 ? -1 : 1;
    const v = cmul3(d(y1, x2), d(y2, x3), d(y3, x1));
    t = [t[0] + sign * v[0], t[1] + sign * v[1]];
  }
  const inv = 1 / (M_W * M_W);
  return [g, k, [t[0] * inv, t[1] * inv]];
}

/** (A·σ̄) x if bar (A^0 + A⃗·σ⃗), (A·σ) x otherwise (A^0 − A⃗·σ⃗), for complex A and spinor x. */
function slash(A: CVec, x: Spinor, bar: boolean): Spinor {
  const s = bar ? 1 : -1;
  // matrix [[A0 + sA3, s(A1 − iA2)], [s(A1 + iA2), A0 − sA3]]
  const m00 = [A[0] + s * A[3], A[4] + s * A[7]];
  const m11 = [A[0] - s * A[3], A[4] - s * A[7]];
  const m01 = [s * (A[1] + A[6]), s * (A[5] - A[2])];
  const m10 = [s * (A[1] - A[6]), s * (A[5] + A[2])];
  const x0 = [x[0], x[1]];
  const x1 = [x[2], x[3]];
  const mul = (a: number[], b: number[]) => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
  const r0 = [mul(m00, x0)[0] + mul(m01, x1)[0], mul(m00, x0)[1] + mul(m01, x1)[1]];
  const r1 = [mul(m10, x0)[0] + mul(m11, x1)[0], mul(m10, x0)[1] + mul(m11, x1)[1]];
  return Float64Array.of(r0[0], r0[1], r1[0], r1[1]);
}

/** a† (A·σ̄)(B·σ)(C·σ̄) b: the left-handed chain v̄(p2) A̸ B̸ C̸ P_L u(p1) with a, b the Weyl spinors of p2, p1. */
function chain(a: Spinor, A: CVec, B: CVec, C: CVec, b: Spinor): [number, number] {
  const w = slash(A, slash(B, slash(C, b, true), false), true);
  return [a[0] * w[0] + a[1] * w[1] + a[2] * w[2] + a[3] * w[3], a[0] * w[1] - a[1] * w[0] + a[2] * w[3] - a[3] * w[2]];
}

const real = (p: ArrayLike<number>): CVec => Float64Array.of(p[0], p[1], p[2], p[3], 0, 0, 0, 0);

/**
 * The amplitude components [A_0, A_1, A_2, A_3] (each [re, im]) of one charge, one quark
 * orientation and one Z-lepton chirality: A = A_0 + Σ θ_p A_p. p1 is the quark, p2 the
 * antiquark, jw and jz the W and Z decay currents, kw and kz the W and Z momenta.
 */
function components(charge: 1 | -1, p1: CVec, p2: CVec, jw: CVec, jz: CVec, kw: CVec, kz: CVec, right: 0 | 1): [number, number][] {
  const a = weylSpinor(p2, 0, false);
  const b = weylSpinor(p1, 0, false);
  const q = current(a, b, -1);
  const P = real([p1[0] + p2[0], p1[1] + p2[1], p1[2] + p2[2], p1[3] + p2[3]]);
  const mkw = real([-kw[0], -kw[1], -kw[2], -kw[3]]);
  const mkz = real([-kz[0], -kz[1], -kz[2], -kz[3]]);
  const s = P[0] * P[0] - P[1] * P[1] - P[2] * P[2] - P[3] * P[3];
  const vs = charge > 0 ? vertexStructures(P, q, mkw, jw, mkz, jz) : vertexStructures(mkw, jw, P, q, mkz, jz);
  const ps = S_CHANNEL_SIGN / (s - M_W * M_W);
  const qt = real([p1[0] - kw[0], p1[1] - kw[1], p1[2] - kw[2], p1[3] - kw[3]]);
  const qu = real([p1[0] - kz[0], p1[1] - kz[1], p1[2] - kz[2], p1[3] - kz[3]]);
  const t = qt[0] ** 2 - qt[1] ** 2 - qt[2] ** 2 - qt[3] ** 2;
  const u = qu[0] ** 2 - qu[1] ** 2 - qu[2] ** 2 - qu[3] ** 2;
  const ct = chain(a, jz, qt, jw, b);
  const cu = chain(a, jw, qu, jz, b);
  const structures: [number, number][] = [
    [vs[0][0] * ps, vs[0][1] * ps],
    [vs[1][0] * ps, vs[1][1] * ps],
    [vs[2][0] * ps, vs[2][1] * ps],
    [ct[0] / t, ct[1] / t],
    [cu[0] / u, cu[1] / u],
  ];
  const couplings = STRUCTURE_COUPLINGS[charge > 0 ? 0 : 1][right];
  const out: [number, number][] = [];
  for (let p = 0; p < 4; p++) {
    let re = 0;
    let im = 0;
    for (let k = 0; k < 5; k++) {
      re += couplings[k][p] * structures[k][0];
      im += couplings[k][p] * structures[k][1];
    }
    out.push([re, im]);
  }
  return out;
}

/** Adds the coefficients of |A_0 + Σ θ_p A_p|² on the degree-2 monomial basis (graded-lex) into out. */
export function addSquare(amps: [number, number][], out: Float64Array, factor = 1): void {
  const re = (x: [number, number], y: [number, number]) => x[0] * y[0] + x[1] * y[1]; // Re(x* y)
  out[0] += factor * re(amps[0], amps[0]);
  for (let p = 0; p < 3; p++) out[1 + p] += factor * 2 * re(amps[0], amps[1 + p]);
  let k = 4;
  for (let p = 0; p < 3; p++) for (let r = p; r < 3; r++) out[k++] += factor * (p === r ? 1 : 2) * re(amps[1 + p], amps[1 + r]);
}

/**
 * Σ|A|² over the external helicities (colour not included: multiply by 3 for the colour sum) of
 * q(p1) q̄'(p2) → ℓν ℓ'⁺ℓ'⁻ for one charge, as 10 coefficients on the degree-2 basis (added into
 * `out`). `quarks`: p1 (quark) then p2 (antiquark), 8 numbers; `leptons`: 16 numbers, the charged
 * lepton of the W, the neutrino, ℓ'⁺, ℓ'⁻. Lorentz invariant: any frame.
 */
export function squaredAmplitudeCoefficients(charge: 1 | -1, quarks: ArrayLike<number>, leptons: ArrayLike<number>, out = new Float64Array(10)): Float64Array {
  const lw = weylSpinor(leptons, 0, false);
  const nu = weylSpinor(leptons, 4, false);
  // W⁺ → ℓ⁺ν: ū(ν) γ P_L v(ℓ⁺); W⁻ → ℓ⁻ν̄: ū(ℓ⁻) γ P_L v(ν̄)
  const jw = charge > 0 ? current(nu, lw, -1) : current(lw, nu, -1);
  const jzL = current(weylSpinor(leptons, 12, false), weylSpinor(leptons, 8, false), -1);
  const jzR = current(weylSpinor(leptons, 12, true), weylSpinor(leptons, 8, true), 1);
  const kw = Float64Array.from({ length: 4 }, (_, m) => leptons[m] + leptons[4 + m]);
  const kz = Float64Array.from({ length: 4 }, (_, m) => leptons[8 + m] + leptons[12 + m]);
  const p1 = real([quarks[0], quarks[1], quarks[2], quarks[3]]);
  const p2 = real([quarks[4], quarks[5], quarks[6], quarks[7]]);
  addSquare(components(charge, p1, p2, jw, jzL, kw, kz, 0), out);
  addSquare(components(charge, p1, p2, jw, jzR, kw, kz, 1), out);
  return out;
}
