/**
 * W±Z production in the SMEFT at leading order (seed 003 sec. 4, eq. 45-46): pp → W±Z →
 * ℓν ℓ'⁺ℓ'⁻ at √s = 13.6 TeV with θ = (c_ΦWB, c_WWW, c_Φq^(3)) at Λ = 1 TeV, θ0 = 0. The amplitudes,
 * the SMEFT dictionary and its linearisation are documented in wz-amplitudes.ts.
 *
 * Hadronic cross section: u d̄ → W⁺Z and d ū → W⁻Z with the Drell–Yan module's stand-in parton
 * densities (valence u, d plus the common sea antiquark), both orientations of the incoming
 * quark summed per event (the orientation is not observable), narrow-width W and Z:
 *
 *   dσ = Σ_orient f_q(x1) f_q̄'(x2) dx1 dx2 · (1/2ŝ) (1/4)(1/3) Σ_hel,col |A|² · dΦ2(WZ)
 *        · dΦ2(W → ℓν)/(2 m_W Γ_W) · dΦ2(Z → ℓℓ)/(2 m_Z Γ_Z),   dΦ2(decay) = dΩ/(32π²),
 *
 * which integrates over the decay angles to σ(WZ) × BR(W → ℓν) × BR(Z → ℓ'ℓ'), with the LO
 * partial widths of our couplings and the fixed total widths Γ_W, Γ_Z.
 *
 * Leptonic branching: ONE flavour combination, W → eν_e and Z → μ⁺μ⁻ (different flavours, so
 * there is no identical-lepton interference); BR(W → eν) = 0.1086, BR(Z → μμ) = 0.0337 at θ0
 * (the SMEFT shifts of the decay couplings enter the amplitude, linearised; the total widths stay fixed).
 * Multiply by 4 for the sum over ℓ, ℓ' ∈ {e, μ} ignoring the eee/μμμ interference.
 */
import { monomialBasis, type MonomialBasis } from '../../models/basis/monomial-basis.js';
import { GEV2_TO_PB, LAMBDA, pdf, SQRT_S } from './drell-yan-physics.js';
import { boost, type FourVector } from './four-vectors.js';
import { COUPLINGS, GAMMA_W, GAMMA_Z, M_W, M_Z, squaredAmplitudeCoefficients } from './wz-amplitudes.js';

export { ALPHA, C_W, COUPLINGS, G_F, G_WEAK, GAMMA_W, GAMMA_Z, M_W, M_Z, R_V, S_W, SIN2_W, squaredAmplitudeCoefficients, V_EV } from './wz-amplitudes.js';
export { GEV2_TO_PB, LAMBDA, SQRT_S };

export const PARAMETERS = [
  { name: 'c_phiWB', wcxf: 'phiWB', description: 'c_ΦWB at Λ = 1 TeV', range: [-3, 3] as [number, number] },
  { name: 'c_WWW', wcxf: 'W', description: 'c_WWW at Λ = 1 TeV', range: [-1.5, 1.5] as [number, number] },
  { name: 'c_phiq3', wcxf: 'phiq3_11', description: 'c_Φq^(3) (first generation) at Λ = 1 TeV', range: [-0.5, 0.5] as [number, number] },
] as const;

/**
 * The coefficients as a manifest declares them (C/Λ² in TeV⁻², Warsaw-basis WCxf names). Ranges:
 * c_ΦWB [−3, 3], c_WWW [−1.5, 1.5], c_Φq3 [−0.5, 0.5], around the Run-3 300 fb⁻¹ sensitivity.
 */
export const manifestParameters = () =>
  PARAMETERS.map((p) => ({ name: p.name, description: p.description, reference: 0, range: [...p.range] as [number, number], unit: 'TeV^-2', wcxf: { eft: 'SMEFT', basis: 'Warsaw', name: p.wcxf } }));

/** The basis of the coefficients: degree 2 in the three Wilson coefficients (1, θ1, θ2, θ3, θ1², θ1θ2, θ1θ3, θ2², θ2θ3, θ3²). */
export const BASIS: MonomialBasis = monomialBasis(3, 2);

/** LO partial widths at θ0 from the couplings (massless leptons): Γ = m (g_L² + g_R²)/(24π) per vector coupling. */
const W_TO_LNU = (M_W * COUPLINGS.wLepton[0] ** 2) / (24 * Math.PI);
const Z_TO_LL = (M_Z * (COUPLINGS.zLeptonLeft[0] ** 2 + COUPLINGS.zLeptonRight[0] ** 2)) / (24 * Math.PI);

/** The leptonic final state: one flavour combination (W → eν, Z → μμ), branching ratios at θ0. */
export const leptonicBranching = {
  note: 'one flavour combination: W → e ν_e, Z → μ⁺μ⁻ (multiply by 4 for ℓ, ℓ′ ∈ {e, μ}, ignoring identical-lepton interference); total widths fixed, partial widths LO from the couplings',
  wToLeptonNeutrino: W_TO_LNU / GAMMA_W,
  zToLeptons: Z_TO_LL / GAMMA_Z,
} as const;

/** Threshold and upper end of the sampled √ŝ (GeV). */
export const M_THRESHOLD = M_W + M_Z;
export const M_MAX = SQRT_S;
/** Scale of the proposal p(√ŝ) ∝ (√ŝ − threshold + M_SCALE)^−3 (GeV): per-event relative spread of the SM weights ≈ 1.9 (with sampleCos). */
const M_SCALE = 250;

/** Two-body momentum of a → b c (GeV). */
export function twoBodyMomentum(m: number, mb: number, mc: number): number {
  return Math.sqrt(Math.max(0, (m * m - (mb + mc) ** 2) * (m * m - (mb - mc) ** 2))) / (2 * m);
}

/**
 * The fully differential partonic factor that multiplies the parton luminosity:
 * (1/2ŝ)·(1/36)·3·Σ|A|²(no colour; spin and colour average, colour sum 3) · β̄/(8π) · 1/(4π) · [1/(32π² 2 m_W Γ_W)] · [1/(32π² 2 m_Z Γ_Z)],
 * per unit dcos θ dφ of the W in the partonic frame and dΩ of each decay (GeV⁻², coefficients on BASIS).
 */
export function partonicFactor(s: number): number {
  const m = Math.sqrt(s);
  const betaBar = (2 * twoBodyMomentum(m, M_W, M_Z)) / m;
  return (1 / (2 * s)) * (3 / 36) * (betaBar / (8 * Math.PI)) * (1 / (4 * Math.PI)) * (1 / (32 * Math.PI ** 2 * 2 * M_W * GAMMA_W)) * (1 / (32 * Math.PI ** 2 * 2 * M_Z * GAMMA_Z));
}

export interface WZEvents {
  count: number;
  /** +1 for W⁺Z, −1 for W⁻Z */
  charge: Float64Array;
  /** ŝ (GeV²) */
  s: Float64Array;
  /** t̂ = (p_a − p_W)² (GeV²), p_a the incoming parton moving along +z (the quark of the first orientation; both orientations are summed in the weights) */
  t: Float64Array;
  /** count × 16: lab (E, px, py, pz) of the W's charged lepton, the neutrino, ℓ'⁺, ℓ'⁻ */
  momenta: Float64Array;
  /** count × 10: dσ(θ)/dσ(θ0) on BASIS, column 0 is 1 */
  coefficients: Float64Array;
  /** SM weight per event (pb): Σ weights estimates σ(pp → W±Z → eν μμ) */
  weights: Float64Array;
}

/** Lab-frame kinematics of one point: quarks in the partonic frame and leptons in the lab. */
export interface WZPoint {
  m: number;
  y: number;
  /** partonic frame: the parton along +z then along −z */
  partons: Float64Array;
  /** partonic frame leptons (16) */
  leptons: Float64Array;
}

/** The partonic-frame momenta of W (along (θ, φ)), Z and their decay products (directions in the rest frames). */
export function buildPoint(m: number, y: number, cos: number, phi: number, decay: readonly [number, number, number, number]): WZPoint {
  const q = twoBodyMomentum(m, M_W, M_Z);
  const sin = Math.sqrt(Math.max(0, 1 - cos * cos));
  const n = [sin * Math.cos(phi), sin * Math.sin(phi), cos];
  const kw: FourVector = [Math.hypot(q, M_W), q * n[0], q * n[1], q * n[2]];
  const kz: FourVector = [Math.hypot(q, M_Z), -q * n[0], -q * n[1], -q * n[2]];
  const leptons = new Float64Array(16);
  const put = (parent: FourVector, mass: number, c: number, f: number, offset: number) => {
    const sn = Math.sqrt(Math.max(0, 1 - c * c));
    const h = mass / 2;
    const a = boost([h, h * sn * Math.cos(f), h * sn * Math.sin(f), h * c], parent);
    const b = boost([h, -h * sn * Math.cos(f), -h * sn * Math.sin(f), -h * c], parent);
    leptons.set(a, offset);
    leptons.set(b, offset + 4);
  };
  put(kw, M_W, decay[0], decay[1], 0);
  put(kz, M_Z, decay[2], decay[3], 8);
  const half = m / 2;
  const partons = Float64Array.of(half, 0, 0, half, half, 0, 0, -half);
  return { m, y, partons, leptons };
}

const swapped = new Float64Array(8);

/**
 * The hadronic d⁸σ/(d√ŝ dy dcos dφ dΩ_W dΩ_Z) (pb/GeV per unit of the angles) of one charge as
 * coefficients on BASIS, both orientations summed; `out` is overwritten.
 */
export function hadronicCoefficients(charge: 1 | -1, point: WZPoint, out = new Float64Array(BASIS.size)): Float64Array {
  out.fill(0);
  const { m, y } = point;
  const tau = (m * m) / (SQRT_S * SQRT_S);
  const x1 = Math.sqrt(tau) * Math.exp(y);
  const x2 = Math.sqrt(tau) * Math.exp(-y);
  if (!(x1 < 1 && x2 < 1)) return out;
  const quark = charge > 0 ? 'u' : 'd';
  const anti = charge > 0 ? 'dbar' : 'ubar';
  const jacobian = ((2 * m) / (SQRT_S * SQRT_S)) * GEV2_TO_PB * partonicFactor(m * m);
  const l1 = pdf(quark, x1) * pdf(anti, x2);
  const l2 = pdf(anti, x1) * pdf(quark, x2);
  scratch.fill(0);
  if (l1 > 0) squaredAmplitudeCoefficients(charge, point.partons, point.leptons, scratch);
  for (let k = 0; k < BASIS.size; k++) out[k] += jacobian * l1 * scratch[k];
  scratch.fill(0);
  swapped.set(point.partons.subarray(4, 8), 0);
  swapped.set(point.partons.subarray(0, 4), 4);
  if (l2 > 0) squaredAmplitudeCoefficients(charge, swapped, point.leptons, scratch);
  for (let k = 0; k < BASIS.size; k++) out[k] += jacobian * l2 * scratch[k];
  return out;
}

const scratch = new Float64Array(BASIS.size);

function boostZ(p: ArrayLike<number>, offset: number, rapidity: number, out: Float64Array, o: number): void {
  const ch = Math.cosh(rapidity);
  const sh = Math.sinh(rapidity);
  out[o] = p[offset] * ch + p[offset + 3] * sh;
  out[o + 1] = p[offset + 1];
  out[o + 2] = p[offset + 2];
  out[o + 3] = p[offset + 3] * ch + p[offset] * sh;
}

/**
 * cos θ of the W in the partonic frame from the mixture ½ uniform + ½ g, g ∝ 1/(1 + δ − |cos|)
 * with δ = (m_W² + m_Z²)/ŝ (the t- and u-channel peaks of high ŝ), from two uniforms: the first
 * picks the component (and for g the sign), the second draws within it. Returns cos and its density.
 */
export function sampleCos(s: number, u0: number, u1: number): { cos: number; density: number } {
  const delta = (M_W * M_W + M_Z * M_Z) / s;
  const log = Math.log((1 + delta) / delta);
  let cos: number;
  if (u0 < 0.5) cos = 2 * u1 - 1;
  else {
    const abs = 1 + delta - (1 + delta) * (delta / (1 + delta)) ** u1;
    cos = u0 < 0.75 ? abs : -abs;
  }
  const density = 0.25 + 0.5 / (2 * log * (1 + delta - Math.abs(cos)));
  return { cos, density };
}

/**
 * Weighted parton-level W±Z events by importance sampling: √ŝ from p ∝ (√ŝ − m_W − m_Z + 250 GeV)⁻³
 * on [m_W + m_Z, √s], y uniform within the kinematic limit, the W's cos θ in the partonic frame
 * from `sampleCos` (uniform mixed with the forward/backward peaks), its azimuth and both decay
 * directions (in the W and Z rest frames) uniform. At each point both
 * charges are evaluated and the charge is drawn with probability proportional to its SM dσ; the
 * weight is the sum of both over the proposal density (unbiased), the coefficients those of the
 * drawn charge (both quark orientations summed). Points where the SM dσ vanishes (only at the
 * kinematic edges) are kept with weight 0 and coefficients e_0. Ten uniforms per event.
 */
export function sampleWZ(count: number, uniform: () => number): WZEvents {
  const C = BASIS.size;
  const charge = new Float64Array(count);
  const sArr = new Float64Array(count);
  const tArr = new Float64Array(count);
  const momenta = new Float64Array(count * 16);
  const coefficients = new Float64Array(count * C);
  const weights = new Float64Array(count);
  const a = M_SCALE ** -2;
  const b = (M_MAX - M_THRESHOLD + M_SCALE) ** -2;
  const plus = new Float64Array(C);
  const minus = new Float64Array(C);
  for (let i = 0; i < count; i++) {
    const w = (a - uniform() * (a - b)) ** -0.5; // inverse CDF of 2 w⁻³/(a − b)
    const m = M_THRESHOLD + w - M_SCALE;
    const yMax = Math.log(SQRT_S / m);
    const y = yMax * (2 * uniform() - 1);
    const { cos, density: cosDensity } = sampleCos(m * m, uniform(), uniform());
    const phi = 2 * Math.PI * uniform();
    const decay = [2 * uniform() - 1, 2 * Math.PI * uniform(), 2 * uniform() - 1, 2 * Math.PI * uniform()] as const;
    const pick = uniform();
    const density = ((2 * w ** -3) / (a - b)) * (1 / (2 * yMax)) * (cosDensity / (2 * Math.PI)) * (1 / (4 * Math.PI)) ** 2;
    const point = buildPoint(m, y, cos, phi, decay);
    hadronicCoefficients(1, point, plus);
    hadronicCoefficients(-1, point, minus);
    const total = plus[0] + minus[0];
    const chosen = total > 0 && pick * total >= plus[0] ? -1 : 1;
    const h = chosen > 0 ? plus : minus;
    charge[i] = chosen;
    weights[i] = total / density / count;
    for (let k = 0; k < C; k++) coefficients[i * C + k] = h[0] > 0 ? h[k] / h[0] : k === 0 ? 1 : 0;
    sArr[i] = m * m;
    const kw = [point.leptons[0] + point.leptons[4], point.leptons[1] + point.leptons[5], point.leptons[2] + point.leptons[6], point.leptons[3] + point.leptons[7]];
    const d = [point.partons[0] - kw[0], point.partons[1] - kw[1], point.partons[2] - kw[2], point.partons[3] - kw[3]];
    tArr[i] = d[0] ** 2 - d[1] ** 2 - d[2] ** 2 - d[3] ** 2;
    for (let l = 0; l < 4; l++) boostZ(point.leptons, 4 * l, y, momenta, i * 16 + 4 * l);
  }
  return { count, charge, s: sArr, t: tArr, momenta, coefficients, weights };
}

/** σ(θ) = Σ_k s_k m_k(θ) in pb from weighted events with the Monte Carlo error of each s_k: the Drell–Yan module's (the same basis size). */
export { crossSectionCoefficients } from './drell-yan-physics.js';
