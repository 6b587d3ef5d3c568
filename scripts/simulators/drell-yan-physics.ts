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
import type { Selection } from '../../models/likelihood/selection.js';
import { boostTransverse, etaOf, fromPtEtaPhi, phiOf, ptOf, type FourVector } from './four-vectors.js';

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

/**
 * The coefficients as a manifest declares them: C at Λ = 1 TeV is C/Λ² in TeV⁻² (the unit the
 * pages show), WCxf names in the Warsaw basis, the range [−2, 2] of every scan.
 */
export const manifestParameters = () =>
  PARAMETERS.map((p) => ({ name: p.name, description: p.description, reference: 0, range: [-2, 2] as [number, number], unit: 'TeV^-2', wcxf: { eft: 'SMEFT', basis: 'Warsaw', name: p.wcxf } }));

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

/** Per quark, the four helicity combinations (LL, LR, RL, RR): the Z coupling product and the contact vector over θ, divided by Λ². */
const HELICITIES: Record<Quark, { coupling: number; contact: [number, number, number] }[]> = (() => {
  const inv = 1 / (LAMBDA * LAMBDA);
  const table = (quark: Quark) => {
    const g = { L: [gL(quark), gL('l')], R: [gR(quark), gR('l')] } as const;
    const out: { coupling: number; contact: [number, number, number] }[] = [];
    for (const i of ['L', 'R'] as const) {
      for (const j of ['L', 'R'] as const) {
        let contact: [number, number, number] = [0, 0, 0];
        if (i === 'L' && j === 'L') contact = quark === 'u' ? [inv, -inv, 0] : [inv, inv, 0];
        if (i === 'R' && j === 'R' && quark === 'u') contact = [0, 0, inv];
        out.push({ coupling: g[i][0] * g[j][1], contact });
      }
    }
    return out;
  };
  return { u: table('u'), d: table('d') };
})();

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
  return HELICITIES[quark].map(({ coupling, contact }) => ({ re: photon + coupling * propRe, im: coupling * propIm, contact })); // LL, LR, RL, RR
}

/**
 * dσ̂/dcos θ* (GeV⁻²) as its 10 coefficients on BASIS (θ0 = 0): |A_SM + c·θ|² = |A_SM|² +
 * 2 Re(A_SM) c·θ + (c·θ)², weighted by the angular factors.
 */
export function partonicCoefficients(quark: Quark, s: number, cosTheta: number, out = new Float64Array(BASIS.size)): Float64Array {
  return coefficientsFromAmplitudes(amplitudes(quark, s), s, cosTheta, out);
}

function coefficientsFromAmplitudes(amps: ReturnType<typeof amplitudes>, s: number, cosTheta: number, out: Float64Array): Float64Array {
  out.fill(0);
  const plus = (1 + cosTheta) ** 2;
  const minus = (1 - cosTheta) ** 2;
  const norm = s / (3 * 128 * Math.PI);
  for (let h = 0; h < 4; h++) {
    const a = amps[h];
    const c = a.contact;
    const f = norm * (h === 0 || h === 3 ? plus : minus); // LL, LR, RL, RR
    out[0] += f * (a.re * a.re + a.im * a.im);
    if (c[0] === 0 && c[1] === 0 && c[2] === 0) continue;
    for (let p = 0; p < 3; p++) out[1 + p] += f * 2 * a.re * c[p];
    // quadratic monomials in graded-lex order: θ1², θ1θ2, θ1θ3, θ2², θ2θ3, θ3²
    let k = 4;
    for (let p = 0; p < 3; p++) {
      for (let q = p; q < 3; q++) {
        out[k++] += f * (p === q ? c[p] * c[p] : 2 * c[p] * c[q]);
      }
    }
  }
  return out;
}

const beta = (a: number, b: number) => Math.exp(gammaln(a) + gammaln(b) - gammaln(a + b));
const NU = 2 / beta(0.6, 4.5);
const ND = 1 / beta(0.6, 5.5);

/** Parton densities f(x) (not x f): valence plus sea for quarks, sea for antiquarks. */
export function pdf(parton: 'u' | 'd' | 'ubar' | 'dbar', x: number): number {
  const f = densities(x);
  return parton === 'ubar' || parton === 'dbar' ? f.sea : f[parton];
}

/** u, d and the (common) antiquark density at x, each computed once. */
function densities(x: number): { u: number; d: number; sea: number } {
  if (!(x > 0 && x < 1)) return { u: 0, d: 0, sea: 0 };
  const sea = (0.15 * x ** -0.15 * (1 - x) ** 7) / x;
  const valence = x ** -0.4;
  return { u: NU * valence * (1 - x) ** 3.5 + sea, d: ND * valence * (1 - x) ** 4.5 + sea, sea };
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
  const f1 = densities(x1);
  const f2 = densities(x2);
  for (const q of ['u', 'd'] as const) {
    // quark from proton 1 (+z): θ* as given; quark from proton 2: the quark moves along −z
    const l1 = f1[q] * f2.sea;
    const l2 = f1.sea * f2[q];
    if (!(l1 > 0 || l2 > 0)) continue;
    const amps = amplitudes(q, s);
    coefficientsFromAmplitudes(amps, s, cosTheta, forward);
    coefficientsFromAmplitudes(amps, s, -cosTheta, backward);
    for (let k = 0; k < BASIS.size; k++) out[k] += jacobian * (l1 * forward[k] + l2 * backward[k]);
  }
  return out;
}

const forward = new Float64Array(BASIS.size);
const backward = new Float64Array(BASIS.size);

/** Generation cut and upper end of the sampled dilepton mass, GeV. */
export const M_MIN = 120;
export const M_MAX = 6000;

export interface PartonEvents {
  count: number;
  /** per event: m (GeV), rapidity y, cos θ* measured from +z */
  m: Float64Array;
  y: Float64Array;
  cosTheta: Float64Array;
  /** count × 10: dσ(θ)/dσ(θ0) on BASIS (column 0 is 1); empty when sampled without coefficients */
  coefficients: Float64Array;
  /** SM weight of each event, pb (their sum estimates σ(m > M_MIN)) */
  weights: Float64Array;
}

/** A phase-space region to generate in: mMin ≤ m_ℓℓ ≤ mMax (default M_MAX) and |y| ≤ yMax. */
export interface GenerationRegion {
  mMin: number;
  mMax?: number;
  yMax: number;
}

/**
 * The region outside which the detector's selection accepts nothing: reconstructed
 * m_ℓℓ > 150 GeV needs m > 140 GeV (the mass resolution, ≈ 0.7% at 150 GeV, puts 140 GeV
 * about ten standard deviations below the cut), and |η| < 2.4 for both leptons bounds the
 * pair's rapidity by 2.4 (e^{2y} = Σ p_T e^η / Σ p_T e^−η for massless leptons; the
 * transverse ISR boost leaves y alone), plus a margin for the η smearing. Generating only
 * here changes no selected distribution and costs a fraction of the events.
 */
export const SELECTABLE_REGION: GenerationRegion = { mMin: 140, yMax: 2.5 };

/**
 * Weighted parton-level events by importance sampling: m from a density ∝ m^−3 on
 * [M_MIN, M_MAX] (the spectrum falls roughly so), y uniform within the kinematic limit,
 * cos θ* uniform; each event's weight is the SM d³σ over the proposal density, so the weights
 * sum to an unbiased estimate of σ, and its coefficients are the exact ratio dσ(θ)/dσ(θ0).
 * With a `region`, m lies in [mMin, mMax] and |y| within its yMax (where tighter than the
 * kinematic limit).
 */
export function sampleDrellYan(count: number, uniform: () => number, region?: GenerationRegion, options: { coefficients?: boolean } = {}): PartonEvents {
  const m = new Float64Array(count);
  const y = new Float64Array(count);
  const cosTheta = new Float64Array(count);
  const C = BASIS.size;
  // without coefficients (a generator that only needs the SM weight): an empty array, no per-event copies
  const withCoefficients = options.coefficients ?? true;
  const coefficients = new Float64Array(withCoefficients ? count * C : 0);
  const weights = new Float64Array(count);
  const a = (region?.mMin ?? M_MIN) ** -2;
  const b = (region?.mMax ?? M_MAX) ** -2;
  const h = new Float64Array(C);
  for (let i = 0; i < count; i++) {
    // inverse CDF of p(m) = 2 m^−3 / (m_min^−2 − m_max^−2)
    const mi = (a - uniform() * (a - b)) ** -0.5;
    const yMax = region ? Math.min(region.yMax, Math.log(SQRT_S / mi)) : Math.log(SQRT_S / mi);
    const yi = yMax * (2 * uniform() - 1);
    const ci = 2 * uniform() - 1;
    const density = ((2 * mi ** -3) / (a - b)) * (1 / (2 * yMax)) * 0.5;
    hadronicCoefficients(mi, yi, ci, h);
    m[i] = mi;
    y[i] = yi;
    cosTheta[i] = ci;
    weights[i] = h[0] / density / count;
    if (withCoefficients) ratioCoefficients(h, coefficients, i * C);
  }
  return { count, m, y, cosTheta, coefficients, weights };
}

/** dσ(θ)/dσ(θ0) on BASIS from d³σ's coefficients h (column 0 is 1; e_0 where the SM vanishes), into out at offset. */
export function ratioCoefficients(h: ArrayLike<number>, out: Float64Array, offset = 0): void {
  for (let k = 0; k < BASIS.size; k++) out[offset + k] = h[0] > 0 ? h[k] / h[0] : k === 0 ? 1 : 0;
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

// ---------------------------------------------------------------------------------------
// The detector (θ-independent, so that seed 003 eq. 2-5 hold)

export const RECO_OBSERVABLES = ['lm_pt', 'lm_eta', 'lm_phi', 'lp_pt', 'lp_eta', 'lp_phi', 'm_ll', 'cos_cs', 'y_ll', 'pt_ll'] as const;

export interface DetectorOptions {
  /** σ/p_T = a ⊕ b·p_T/GeV (default 1% ⊕ 0.01%) */
  resolution?: [number, number];
  /** Gaussian smearing of η and φ (default 0.001) */
  angular?: number;
  /** mean p_T of the dilepton system from initial-state radiation, GeV (default 12; Γ(2) distributed) */
  meanPairPt?: number;
  efficiency?: number;
  ptMin?: number;
  etaMax?: number;
  mllMin?: number;
}

/** The detector. */
export const DETECTOR_DEFAULTS: Required<DetectorOptions> = { resolution: [0.01, 1e-4], angular: 0.001, meanPairPt: 12, efficiency: 0.95, ptMin: 25, etaMax: 2.4, mllMin: 150 };

/**
 * The analysis selection a published likelihood states (manifest `observables[].selection`):
 * the detector's acceptance, and m_ℓℓ ≤ M_MAX, where the signal's generation stops. Above it
 * the selected events are smeared signal (the resolution at p_T ~ 3 TeV is 30%) and the
 * background, which runs (∝ m⁻⁴) to the kinematic limit; a learned f_s ĉ met there only
 * extrapolates: one background event at m_ℓℓ = 11 TeV carried 28% of dy-smeft-run3@1.0.x's
 * σ coefficient of C_lq1² (docs/drell-yan-coverage.md).
 */
export const ANALYSIS_SELECTION: Selection = {
  lm_pt: { min: DETECTOR_DEFAULTS.ptMin },
  lm_eta: { min: -DETECTOR_DEFAULTS.etaMax, max: DETECTOR_DEFAULTS.etaMax },
  lp_pt: { min: DETECTOR_DEFAULTS.ptMin },
  lp_eta: { min: -DETECTOR_DEFAULTS.etaMax, max: DETECTOR_DEFAULTS.etaMax },
  m_ll: { min: DETECTOR_DEFAULTS.mllMin, max: M_MAX },
};

function boostZ(p: FourVector, rapidity: number): FourVector {
  const ch = Math.cosh(rapidity);
  const sh = Math.sinh(rapidity);
  return [p[0] * ch + p[3] * sh, p[1], p[2], p[3] * ch + p[0] * sh];
}

/** cos θ in the Collins–Soper frame, the z axis oriented along the pair's longitudinal motion. */
export function collinsSoper(lm: FourVector, lp: FourVector): number {
  const P: FourVector = [lm[0] + lp[0], lm[1] + lp[1], lm[2] + lp[2], lm[3] + lp[3]];
  const m2 = P[0] ** 2 - P[1] ** 2 - P[2] ** 2 - P[3] ** 2;
  const pt2 = P[1] ** 2 + P[2] ** 2;
  const plus = (p: FourVector) => (p[0] + p[3]) / Math.SQRT2;
  const minus = (p: FourVector) => (p[0] - p[3]) / Math.SQRT2;
  const value = (2 * (plus(lm) * minus(lp) - minus(lm) * plus(lp))) / Math.sqrt(m2 * (m2 + pt2));
  return P[3] < 0 ? -value : value;
}

/**
 * Reco-level observables of parton-level events: leptons built in the pair's rest frame (ℓ⁻ at
 * θ* from +z, azimuth uniform), given an ISR transverse momentum and the pair's rapidity,
 * then smeared and selected. Returns the observables (accepted events only, RECO_OBSERVABLES
 * order) and the indices of the accepted events.
 */
export function detector(events: Pick<PartonEvents, 'count' | 'm' | 'y' | 'cosTheta'>, random: { uniform(): number; normal(): number }, options: DetectorOptions = {}): { reco: Float64Array; accepted: Int32Array } {
  const { resolution, angular, meanPairPt, efficiency, ptMin, etaMax, mllMin } = { ...DETECTOR_DEFAULTS, ...options };
  const [a, b] = resolution;
  const D = RECO_OBSERVABLES.length;
  let reco = new Float64Array(Math.max(16, events.count) * D);
  const accepted = new Int32Array(events.count);
  let n = 0;
  const smear = (p: FourVector): FourVector => {
    const pt = ptOf(p);
    const sigma = Math.hypot(a, b * pt);
    return fromPtEtaPhi(pt * (1 + sigma * random.normal()), etaOf(p) + angular * random.normal(), phiOf(p) + angular * random.normal());
  };
  const inside = (p: FourVector) => ptOf(p) > ptMin && Math.abs(etaOf(p)) < etaMax;
  for (let i = 0; i < events.count; i++) {
    const m = events.m[i];
    const cos = events.cosTheta[i];
    const sin = Math.sqrt(Math.max(0, 1 - cos * cos));
    const phi = 2 * Math.PI * random.uniform();
    const half = m / 2;
    let lm: FourVector = [half, half * sin * Math.cos(phi), half * sin * Math.sin(phi), half * cos];
    let lp: FourVector = [half, -lm[1], -lm[2], -lm[3]];
    // Γ(2, θ) transverse momentum: the sum of two exponentials of mean θ
    const pairPt = meanPairPt > 0 ? -(meanPairPt / 2) * Math.log((1 - random.uniform()) * (1 - random.uniform())) : 0;
    const pairPhi = 2 * Math.PI * random.uniform();
    // the pair's rapidity is y: boost transversely first, then along z by y
    lm = boostZ(boostTransverse(lm, m, pairPt, pairPhi), events.y[i]);
    lp = boostZ(boostTransverse(lp, m, pairPt, pairPhi), events.y[i]);
    const rm = smear(lm);
    const rp = smear(lp);
    const found = random.uniform() < efficiency && random.uniform() < efficiency;
    if (!found || !inside(rm) || !inside(rp)) continue;
    const P: FourVector = [rm[0] + rp[0], rm[1] + rp[1], rm[2] + rp[2], rm[3] + rp[3]];
    const mll = Math.sqrt(Math.max(0, P[0] ** 2 - P[1] ** 2 - P[2] ** 2 - P[3] ** 2));
    if (mll < mllMin) continue;
    const o = n * D;
    reco[o] = ptOf(rm);
    reco[o + 1] = etaOf(rm);
    reco[o + 2] = phiOf(rm);
    reco[o + 3] = ptOf(rp);
    reco[o + 4] = etaOf(rp);
    reco[o + 5] = phiOf(rp);
    reco[o + 6] = mll;
    reco[o + 7] = collinsSoper(rm, rp);
    reco[o + 8] = 0.5 * Math.log((P[0] + P[3]) / (P[0] - P[3]));
    reco[o + 9] = ptOf(P);
    accepted[n++] = i;
  }
  reco = reco.slice(0, n * D);
  return { reco, accepted: accepted.slice(0, n) };
}
