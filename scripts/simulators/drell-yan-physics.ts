/**
 * Drell–Yan in the SMEFT at leading order (issue 6): pp → Z/γ* → ℓ⁺ℓ⁻ with first-generation
 * quarks and the contact operators C_lq^(1), C_lq^(3), C_eu of the Warsaw basis at Λ = 1 TeV.
 *
 * Helicity amplitudes for q_i q̄ → ℓ⁻_j ℓ⁺ (i, j ∈ {L, R}):
 *
 *     A_ij = e² Q_q Q_ℓ / ŝ + g_i^q g_j^ℓ / (ŝ − m_Z² + i m_Z Γ_Z) + C_ij^q / Λ²,
 *     g_L^f = e (T3_f − Q_f s_W²)/(s_W c_W),   g_R^f = −e Q_f s_W²/(s_W c_W),
 *     C_LL^u = C_lq^(1) − C_lq^(3),  C_LL^d = C_lq^(1) + C_lq^(3),  C_RR^u = C_eu,  all others 0;
 *
 *     dσ̂/dcos θ* = (1/3)(ŝ/128π) [(|A_LL|² + |A_RR|²)(1 + cos θ*)² + (|A_LR|² + |A_RL|²)(1 − cos θ*)²],
 *
 * θ* between the incoming quark and ℓ⁻. Every amplitude is linear in θ = (C_lq^(1), C_lq^(3),
 * C_eu), so dσ̂ is exactly quadratic: its coefficients on the degree-2 monomial basis around
 * θ0 = 0 are computed here in closed form, per event, with no fit.
 *
 * Parton densities: the fixed leading-order-like stand-in, x u_v ∝ x^0.6 (1 − x)^3.5
 * normalised to 2 quarks, x d_v ∝ x^0.6 (1 − x)^4.5 normalised to 1, x ū = x d̄ = 0.15 x^−0.15 (1 − x)^7.
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import { monomialBasis, type MonomialBasis } from '../../models/basis/monomial-basis.js';

export const SQRT_S = 13_600; // GeV
export const M_Z = 91.1876;
export const GAMMA_Z = 2.4952;
export const SIN2_W = 0.2312;
export const ALPHA = 1 / 127.9;
export const LAMBDA = 1000; // GeV
/** 1 GeV⁻² in pb */
export const GEV2_TO_PB = 0.3893794e9;

export const PARAMETERS = [
  { name: 'C_lq1', wcxf: 'lq1_1111', description: 'C_lq^(1) at Λ = 1 TeV' },
  { name: 'C_lq3', wcxf: 'lq3_1111', description: 'C_lq^(3) at Λ = 1 TeV' },
  { name: 'C_eu', wcxf: 'eu_1111', description: 'C_eu at Λ = 1 TeV' },
] as const;

export type Quark = 'u' | 'd';

const E2 = 4 * Math.PI * ALPHA;
const E = Math.sqrt(E2);
const SW = Math.sqrt(SIN2_W);
const CW = Math.sqrt(1 - SIN2_W);
const CHARGE: Record<Quark | 'l', number> = { u: 2 / 3, d: -1 / 3, l: -1 };
const T3: Record<Quark | 'l', number> = { u: 0.5, d: -0.5, l: -0.5 };
const gL = (f: Quark | 'l') => (E * (T3[f] - CHARGE[f] * SIN2_W)) / (SW * CW);
const gR = (f: Quark | 'l') => (-E * CHARGE[f] * SIN2_W) / (SW * CW);

/** The basis of the coefficients: degree 2 in the three Wilson coefficients. */
export const BASIS: MonomialBasis = monomialBasis(3, 2);

/**
 * The Standard-Model part of A_ij (real, imaginary) and the θ-linear contact part as a vector
 * over (C_lq1, C_lq3, C_eu), divided by Λ².
 */
function amplitudes(quark: Quark, s: number): { re: number; im: number; contact: [number, number, number] }[] {
  const photon = (E2 * CHARGE[quark] * CHARGE.l) / s;
  const d = s - M_Z * M_Z;
  const width = M_Z * GAMMA_Z;
  const den = d * d + width * width;
  const propRe = d / den;
  const propIm = -width / den;
  const g = { L: [gL(quark), gL('l')], R: [gR(quark), gR('l')] } as const;
  const inv = 1 / (LAMBDA * LAMBDA);
  const out: { re: number; im: number; contact: [number, number, number] }[] = [];
  for (const i of ['L', 'R'] as const) {
    for (const j of ['L', 'R'] as const) {
      const coupling = g[i][0] * g[j][1];
      let contact: [number, number, number] = [0, 0, 0];
      if (i === 'L' && j === 'L') contact = quark === 'u' ? [inv, -inv, 0] : [inv, inv, 0];
      if (i === 'R' && j === 'R' && quark === 'u') contact = [0, 0, inv];
      out.push({ re: photon + coupling * propRe, im: coupling * propIm, contact });
    }
  }
  return out; // order LL, LR, RL, RR
}

/**
 * dσ̂/dcos θ* (GeV⁻²) as its 10 coefficients on BASIS (θ0 = 0): |A_SM + c·θ|² = |A_SM|² +
 * 2 Re(A_SM) c·θ + (c·θ)², weighted by the angular factors.
 */
export function partonicCoefficients(quark: Quark, s: number, cosTheta: number, out = new Float64Array(BASIS.size)): Float64Array {
  out.fill(0);
  const amps = amplitudes(quark, s);
  const plus = (1 + cosTheta) ** 2;
  const minus = (1 - cosTheta) ** 2;
  const angular = [plus, minus, minus, plus]; // LL, LR, RL, RR
  const norm = s / (3 * 128 * Math.PI);
  const P = 3;
  amps.forEach((a, h) => {
    const f = norm * angular[h];
    out[0] += f * (a.re * a.re + a.im * a.im);
    for (let p = 0; p < P; p++) out[1 + p] += f * 2 * a.re * a.contact[p];
    // quadratic monomials in graded-lex order: θ1², θ1θ2, θ1θ3, θ2², θ2θ3, θ3²
    let k = 4;
    for (let p = 0; p < P; p++) {
      for (let q = p; q < P; q++) {
        out[k++] += f * (p === q ? a.contact[p] * a.contact[p] : 2 * a.contact[p] * a.contact[q]);
      }
    }
  });
  return out;
}

const beta = (a: number, b: number) => Math.exp(gammaln(a) + gammaln(b) - gammaln(a + b));
const NU = 2 / beta(0.6, 4.5);
const ND = 1 / beta(0.6, 5.5);

/** Parton densities f(x) (not x f): valence plus sea for quarks, sea for antiquarks. */
export function pdf(parton: 'u' | 'd' | 'ubar' | 'dbar', x: number): number {
  if (!(x > 0 && x < 1)) return 0;
  const sea = (0.15 * x ** -0.15 * (1 - x) ** 7) / x;
  if (parton === 'ubar' || parton === 'dbar') return sea;
  if (parton === 'u') return NU * x ** -0.4 * (1 - x) ** 3.5 + sea;
  return ND * x ** -0.4 * (1 - x) ** 4.5 + sea;
}

/**
 * The hadronic d³σ/(dm dy dcos θ*) in pb/GeV as coefficients on BASIS, summed over u and d and
 * both orientations of the incoming quark; `cosTheta` is measured from the direction of the
 * proton moving along +z (the quark's direction for the first orientation). Zero outside
 * the kinematic limits.
 */
export function hadronicCoefficients(m: number, y: number, cosTheta: number, out = new Float64Array(BASIS.size)): Float64Array {
  out.fill(0);
  const s = m * m;
  const tau = s / (SQRT_S * SQRT_S);
  const x1 = Math.sqrt(tau) * Math.exp(y);
  const x2 = Math.sqrt(tau) * Math.exp(-y);
  if (!(x1 < 1 && x2 < 1)) return out;
  const jacobian = ((2 * m) / (SQRT_S * SQRT_S)) * GEV2_TO_PB; // dτ/dm, dx1 dx2 = dτ dy
  const forward = new Float64Array(BASIS.size);
  const backward = new Float64Array(BASIS.size);
  for (const q of ['u', 'd'] as const) {
    const bar = q === 'u' ? 'ubar' : 'dbar';
    // quark from proton 1 (+z): θ* as given; quark from proton 2: the quark moves along −z
    const l1 = pdf(q, x1) * pdf(bar, x2);
    const l2 = pdf(bar, x1) * pdf(q, x2);
    partonicCoefficients(q, s, cosTheta, forward);
    partonicCoefficients(q, s, -cosTheta, backward);
    for (let k = 0; k < BASIS.size; k++) out[k] += jacobian * (l1 * forward[k] + l2 * backward[k]);
  }
  return out;
}

/** Generation cut and upper end of the sampled dilepton mass, GeV. */
export const M_MIN = 120;
export const M_MAX = 6000;

export interface PartonEvents {
  count: number;
  /** per event: m (GeV), rapidity y, cos θ* measured from +z */
  m: Float64Array;
  y: Float64Array;
  cosTheta: Float64Array;
  /** count × 10: dσ(θ)/dσ(θ0) on BASIS (column 0 is 1) */
  coefficients: Float64Array;
  /** SM weight of each event, pb (their sum estimates σ(m > M_MIN)) */
  weights: Float64Array;
}

/**
 * Weighted parton-level events by importance sampling: m from a density ∝ m^−3 on
 * [M_MIN, M_MAX] (the spectrum falls roughly so), y uniform within the kinematic limit,
 * cos θ* uniform; each event's weight is the SM d³σ over the proposal density, so the weights
 * sum to an unbiased estimate of σ, and its coefficients are the exact ratio dσ(θ)/dσ(θ0).
 */
export function sampleDrellYan(count: number, uniform: () => number): PartonEvents {
  const m = new Float64Array(count);
  const y = new Float64Array(count);
  const cosTheta = new Float64Array(count);
  const coefficients = new Float64Array(count * BASIS.size);
  const weights = new Float64Array(count);
  const C = BASIS.size;
  const a = M_MIN ** -2;
  const b = M_MAX ** -2;
  const h = new Float64Array(C);
  for (let i = 0; i < count; i++) {
    // inverse CDF of p(m) = 2 m^−3 / (M_MIN^−2 − M_MAX^−2)
    const mi = (a - uniform() * (a - b)) ** -0.5;
    const yMax = Math.log(SQRT_S / mi);
    const yi = yMax * (2 * uniform() - 1);
    const ci = 2 * uniform() - 1;
    const density = ((2 * mi ** -3) / (a - b)) * (1 / (2 * yMax)) * 0.5;
    hadronicCoefficients(mi, yi, ci, h);
    m[i] = mi;
    y[i] = yi;
    cosTheta[i] = ci;
    weights[i] = h[0] / density / count;
    for (let k = 0; k < C; k++) coefficients[i * C + k] = h[0] > 0 ? h[k] / h[0] : k === 0 ? 1 : 0;
  }
  return { count, m, y, cosTheta, coefficients, weights };
}

/** σ(θ) = Σ_k s_k m_k(θ) in pb, from weighted events, with the Monte Carlo error of each s_k. */
export function crossSectionCoefficients(events: Pick<PartonEvents, 'count' | 'coefficients' | 'weights'>): { value: Float64Array; error: Float64Array } {
  const C = BASIS.size;
  const value = new Float64Array(C);
  const squares = new Float64Array(C);
  for (let i = 0; i < events.count; i++) {
    for (let k = 0; k < C; k++) {
      const v = events.weights[i] * events.coefficients[i * C + k];
      value[k] += v;
      squares[k] += v * v;
    }
  }
  // the events are independent, each an unbiased estimate divided by N: var(Σ) = Σ v² − (Σ v)²/N
  const error = value.map((s, k) => Math.sqrt(Math.max(0, squares[k] - (s * s) / events.count)));
  return { value, error };
}
