/**
 * A synthetic four-top benchmark (issue 7, seed 000): same-sign dilepton / multilepton events
 * of three processes — tt̄tt̄ (signal), tt̄H and "tt̄" (every background that does not depend on
 * the top Yukawa coupling at tree level: tt̄ with fake or charge-flipped leptons, tt̄W, tt̄Z) —
 * with exact event weights as polynomials in the Yukawa modifiers. No generator runs here, so
 * the kinematics are stand-ins; the *structure* is the real one:
 *
 * tt̄tt̄. The amplitude is a Higgs-free part plus a Higgs-mediated part, M = M_g + y_t² M_H.
 * Per event, u = M_H/(M_g + M_H) at the SM (a latent variable of the event), so that with the
 * CP-mixed coupling y_t → y_t^SM (a_t + i b_t γ5)
 *
 *     M(a, b)/M(SM) = (1 − u) + u a² + u_o b² + u_m a b,     w(a, b)/w(SM) = [M(a, b)/M(SM)]²,
 *
 * a degree-4 polynomial in (a, b); Y_t = |y_t/y_t^SM| is the line b = 0, w = [(1 − u) + u Y²]².
 * u_o (pseudoscalar exchange) and u_m (the CP-odd a·b interference) are further latents: u_m's
 * sign shows in a CP-odd triple-product angle φ_CP. The distribution of u is chosen so that
 * σ_tttt(Y_t) = σ_SM (c0 + c2 Y_t² + c4 Y_t⁴) has the coefficients of the leading-order
 * calculation (Cao, Chen, Liu, PRD 95 (2017) 053004: σ_g = 9.997 fb, σ_int = −1.547 fb,
 * σ_H = 1.243 fb at 13 TeV, normalised here to σ_SM = 12 fb): E[(1−u)²] = c0, 2E[u(1−u)] = c2,
 * E[u²] = c4. The interference is destructive (u(1 − u) < 0) where u < 0 or u > 1; those
 * events and the Higgs-dominated ones (large |u|) are harder, with a heavier b-jet pair.
 *
 * tt̄H. w/w_SM = a² + b²(1 + δ) (Y_t² in 1-D) with E[δ] = 0: σ ∝ a² + b², the CP-odd
 * component differing from the CP-even one in the b-jet pair's decay angle (δ, a latent).
 *
 * tt̄. w/w_SM = 1 + ε (a² + b² − 1): a weak dependence (ε = 0.01, electroweak corrections).
 *
 * Selection efficiencies are folded into the cross sections after selection (fb): tt̄tt̄ 1.2,
 * tt̄H 3.0, tt̄ 15 — a signal fraction of 6%, as in the real analyses. Every event carries its
 * joint coefficients on the monomial basis around θ0 = SM (models/basis/monomial-basis.ts).
 */
import { monomialBasis, type MonomialBasis } from '../../models/basis/monomial-basis.js';
import { createRandom, type Random } from '../../models/random.js';
import { deriveSeed } from './types.js';

export const PROCESSES = ['tttt', 'ttH', 'tt'] as const;
export type Process = (typeof PROCESSES)[number];

/** Cross sections after the selection, fb, at the SM. */
export const SELECTED_CROSS_SECTION: Readonly<Record<Process, number>> = { tttt: 1.2, ttH: 3.0, tt: 15 };
/** σ_tttt before selection at the SM, fb (the benchmark's normalisation). */
export const TTTT_INCLUSIVE_FB = 12;
/** σ_tttt(Y)/σ_SM = C0 + C2 Y² + C4 Y⁴ (Cao, Chen, Liu 2017, normalised to their sum). */
export const TTTT_YT_COEFFICIENTS = (() => {
  const [g, int, h] = [9.997, -1.547, 1.243];
  const sum = g + int + h;
  return { c0: g / sum, c2: int / sum, c4: h / sum };
})();
/** E[u] and sd(u) that give those coefficients: E[u²] = c4, 2(E[u] − E[u²]) = c2. */
const U_MEAN = TTTT_YT_COEFFICIENTS.c4 + TTTT_YT_COEFFICIENTS.c2 / 2;
const U_SD = Math.sqrt(TTTT_YT_COEFFICIENTS.c4 - U_MEAN * U_MEAN);
/** tt̄'s weak Yukawa dependence. */
export const TT_EPSILON = 0.01;

export const FEATURES = [
  { name: 'n_jets', description: 'jet multiplicity (pT > 25 GeV)' },
  { name: 'n_bjets', description: 'b-tagged jet multiplicity' },
  { name: 'n_leptons', description: 'lepton multiplicity (2 same-sign or 3)' },
  { name: 'charge_sum', description: 'sum of the lepton charges' },
  { name: 'ht', description: 'scalar sum of jet pT', unit: 'GeV' },
  { name: 'met', description: 'missing transverse momentum', unit: 'GeV' },
  { name: 'lep1_pt', description: 'leading lepton pT', unit: 'GeV' },
  { name: 'lep2_pt', description: 'subleading lepton pT', unit: 'GeV' },
  { name: 'lep1_eta', description: 'leading lepton |η|' },
  { name: 'jet1_pt', description: 'leading jet pT', unit: 'GeV' },
  { name: 'bjet1_pt', description: 'leading b-jet pT', unit: 'GeV' },
  { name: 'm_bb', description: 'invariant mass of the two leading b-jets', unit: 'GeV' },
  { name: 'dr_bb', description: 'ΔR of the two leading b-jets' },
  { name: 'min_dr_lb', description: 'smallest ΔR between a lepton and a b-jet' },
  { name: 'm_ll', description: 'dilepton invariant mass', unit: 'GeV' },
  { name: 'm_jjj', description: 'mass of the best hadronic top candidate', unit: 'GeV' },
  { name: 'b_fraction', description: 'b-jet share of ht' },
  { name: 'cos_bb', description: 'decay angle of the b-jet pair in its rest frame' },
  { name: 'phi_cp', description: 'CP-odd triple-product angle' },
] as const;
export const FEATURE_COUNT = FEATURES.length;

export type Study = 'yukawa' | 'cp';

export interface FourTopSample {
  process: Process;
  count: number;
  /** count × FEATURE_COUNT */
  features: Float64Array;
  /** count × C: joint coefficients of w(θ)/w(θ0) on the basis (column 0 is 1) */
  coefficients: Float64Array;
  /** the SM weight of each event, fb (sum = the selected cross section) */
  weights: Float64Array;
  basis: MonomialBasis;
}

/** The basis of a study: Y_t (degree 4) or (a_t, b_t) (degree 4). */
export function studyBasis(study: Study): MonomialBasis {
  return monomialBasis(study === 'yukawa' ? 1 : 2, 4);
}

/** The product of two polynomials on `basis` (exponents summed; terms beyond its degree must vanish). */
export function polynomialProduct(basis: MonomialBasis, a: ArrayLike<number>, b: ArrayLike<number>, out = new Float64Array(basis.size)): Float64Array {
  const P = basis.parameters;
  const index = basisIndex(basis);
  out.fill(0);
  for (let i = 0; i < basis.size; i++) {
    if (a[i] === 0) continue;
    for (let j = 0; j < basis.size; j++) {
      if (b[j] === 0) continue;
      let key = 0;
      let degree = 0;
      for (let p = 0; p < P; p++) {
        const e = basis.exponents[i * P + p] + basis.exponents[j * P + p];
        degree += e;
        key = key * 16 + e;
      }
      const k = degree <= basis.degree ? index.get(key) : undefined;
      if (k === undefined) throw new RangeError('the product exceeds the basis degree');
      out[k] += a[i] * b[j];
    }
  }
  return out;
}

const indexCache = new WeakMap<MonomialBasis, Map<number, number>>();
function basisIndex(basis: MonomialBasis): Map<number, number> {
  let index = indexCache.get(basis);
  if (!index) {
    index = new Map();
    const P = basis.parameters;
    for (let k = 0; k < basis.size; k++) {
      let key = 0;
      for (let p = 0; p < P; p++) key = key * 16 + basis.exponents[k * P + p];
      index.set(key, k);
    }
    indexCache.set(basis, index);
  }
  return index;
}

/** The coefficient of a monomial given by its exponents. */
function at(basis: MonomialBasis, exponents: readonly number[]): number {
  let key = 0;
  for (const e of exponents) key = key * 16 + e;
  return basisIndex(basis).get(key)!;
}

/**
 * The amplitude ratio M(θ)/M(SM) of a tt̄tt̄ event as a polynomial in Δθ (degree 2):
 * 1 + 2u Δa + u Δa² + u_m Δb + u_m Δa Δb + u_o Δb² (Δa = a − 1, Δb = b; 1-D: b = 0).
 */
function ttttAmplitude(basis: MonomialBasis, u: number, uo: number, um: number): Float64Array {
  const p = new Float64Array(basis.size);
  const cp = basis.parameters === 2;
  const e = (a: number, b: number) => (cp ? [a, b] : [a]);
  p[at(basis, e(0, 0))] = 1;
  p[at(basis, e(1, 0))] = 2 * u;
  p[at(basis, e(2, 0))] = u;
  if (cp) {
    p[at(basis, [0, 1])] = um;
    p[at(basis, [1, 1])] = um;
    p[at(basis, [0, 2])] = uo;
  }
  return p;
}

/** even·a² + odd·b² + constant in Δθ (tt̄H: a² + b²(1 + δ); tt̄: 1 + ε(a² + b² − 1)). */
function quadraticWeight(basis: MonomialBasis, even: number, odd: number, constant: number): Float64Array {
  const p = new Float64Array(basis.size);
  const cp = basis.parameters === 2;
  const e = (a: number, b: number) => (cp ? [a, b] : [a]);
  p[at(basis, e(0, 0))] = constant + even;
  p[at(basis, e(1, 0))] = 2 * even;
  p[at(basis, e(2, 0))] = even;
  if (cp) p[at(basis, [0, 2])] = odd;
  return p;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const countAtLeast = (rng: Random, mean: number, minimum: number) => minimum + rng.poisson(Math.max(0, mean - minimum));

/** φ from p(φ) ∝ 1 + A sin φ on (−π, π] (|A| < 1), by rejection. */
function tripleProductAngle(rng: Random, asymmetry: number): number {
  for (;;) {
    const phi = Math.PI * (2 * rng.uniform() - 1);
    if (rng.uniform() * (1 + Math.abs(asymmetry)) < 1 + asymmetry * Math.sin(phi)) return phi;
  }
}

/**
 * `count` events of one process at the SM, with their joint coefficients for the study.
 * Seeded: (seed, process) gives the same events for both studies.
 */
export function simulateFourTop(process: Process, count: number, seed: number, study: Study): FourTopSample {
  const basis = studyBasis(study);
  const C = basis.size;
  const rng = createRandom(deriveSeed(seed, `four-top-${process}`));
  const features = new Float64Array(count * FEATURE_COUNT);
  const coefficients = new Float64Array(count * C);
  const weights = new Float64Array(count).fill(SELECTED_CROSS_SECTION[process] / count);

  for (let i = 0; i < count; i++) {
    const scale = Math.exp(0.22 * rng.normal());
    let coefficient: Float64Array;
    let hardness = 0; // shifts the event's energy scale
    let mbbShift = 0;
    let cosBB = 2 * rng.uniform() - 1;
    let phi = Math.PI * (2 * rng.uniform() - 1);
    let nJets: number;
    let nB: number;
    let ht: number;
    if (process === 'tttt') {
      const t = rng.normal();
      const u = U_MEAN + U_SD * t;
      const uo = -0.6 * u + 0.05 * rng.normal();
      const m = 0.8 * rng.normal();
      const um = u * m;
      const amplitude = ttttAmplitude(basis, u, uo, um);
      coefficient = polynomialProduct(basis, amplitude, amplitude);
      hardness = 0.28 * Math.abs(t) + 0.1 * t;
      mbbShift = 45 * Math.tanh(t);
      phi = tripleProductAngle(rng, 0.7 * Math.tanh(2 * m) * Math.sign(u || 1));
      nJets = countAtLeast(rng, 7.6 + 0.6 * Math.abs(t), 5);
      nB = clamp(countAtLeast(rng, 3.3, 2), 2, nJets);
      ht = 820 * scale * Math.exp(hardness);
    } else if (process === 'ttH') {
      const delta = 0.5 * Math.tanh(rng.normal());
      coefficient = quadraticWeight(basis, 1, 1 + delta, 0);
      cosBB = clamp(0.9 * delta + 0.35 * rng.normal(), -1, 1);
      mbbShift = -10;
      nJets = countAtLeast(rng, 5.8, 4);
      nB = clamp(countAtLeast(rng, 2.6, 2), 2, nJets);
      ht = 560 * scale;
    } else {
      coefficient = quadraticWeight(basis, TT_EPSILON, TT_EPSILON, 1 - TT_EPSILON);
      nJets = countAtLeast(rng, 4.6, 2);
      nB = clamp(countAtLeast(rng, 1.7, 1), 1, nJets);
      ht = 390 * scale;
    }
    coefficients.set(coefficient, i * C);

    const threeLeptons = rng.uniform() < (process === 'tt' ? 0.2 : process === 'ttH' ? 0.3 : 0.35);
    const charge = (rng.uniform() < 0.5 ? -1 : 1) * (threeLeptons ? 1 : 2);
    const lep1 = (process === 'tttt' ? 95 : process === 'ttH' ? 75 : 60) * scale * Math.exp(0.5 * hardness + 0.3 * rng.normal());
    const lep2 = Math.max(20, lep1 * (0.3 + 0.5 * rng.uniform()));
    const jet1 = ht * (0.22 + 0.12 * rng.uniform()) * (6 / Math.max(nJets, 3)) ** 0.3;
    const bjet1 = Math.min(jet1, jet1 * (0.55 + 0.4 * rng.uniform()));
    const mbb = Math.max(20, (process === 'ttH' ? 125 : 150) * scale * Math.exp(0.25 * rng.normal()) + mbbShift);
    const drBB = clamp(mbb / Math.max(bjet1, 30) * 0.9 + 0.3 * rng.normal(), 0.4, 5);
    const row = i * FEATURE_COUNT;
    features[row + 0] = nJets;
    features[row + 1] = nB;
    features[row + 2] = threeLeptons ? 3 : 2;
    features[row + 3] = charge;
    features[row + 4] = ht;
    features[row + 5] = (process === 'tt' ? 55 : 75) * scale * Math.exp(0.45 * rng.normal());
    features[row + 6] = lep1;
    features[row + 7] = lep2;
    features[row + 8] = Math.abs(2.4 * (2 * rng.uniform() - 1) * (process === 'tt' ? 1 : 0.8));
    features[row + 9] = jet1;
    features[row + 10] = bjet1;
    features[row + 11] = mbb;
    features[row + 12] = drBB;
    features[row + 13] = clamp((process === 'tttt' ? 1.1 : 1.5) * Math.exp(0.35 * rng.normal()), 0.4, 4);
    features[row + 14] = Math.max(12, (lep1 + lep2) * (0.6 + 0.25 * rng.normal()));
    features[row + 15] = Math.max(60, 172.5 + (process === 'tt' ? 35 : 22) * rng.normal());
    features[row + 16] = clamp((nB / nJets) * (0.8 + 0.3 * rng.uniform()), 0, 1);
    features[row + 17] = cosBB;
    features[row + 18] = phi;
  }
  return { process, count, features, coefficients, weights, basis };
}

/** w(θ)/w(θ0) of event i at the point θ (Y_t, or (a_t, b_t)). */
export function eventRatio(sample: FourTopSample, i: number, theta: readonly number[]): number {
  const { basis } = sample;
  const P = basis.parameters;
  const C = basis.size;
  let total = 0;
  for (let k = 0; k < C; k++) {
    let m = 1;
    for (let p = 0; p < P; p++) m *= (theta[p] - (p === 0 ? 1 : 0)) ** basis.exponents[k * P + p];
    total += sample.coefficients[i * C + k] * m;
  }
  return total;
}
