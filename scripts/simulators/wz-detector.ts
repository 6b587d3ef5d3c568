/**
 * The W±Z detector and selection (issue 17 item 2; seed 003 eq. 47-48), θ-independent so
 * that the accepted events keep their exact coefficients (seed 003 eq. 2-5).
 *
 * Per event, from the parton-level leptons (ℓ_W, ν, ℓ⁺_Z, ℓ⁻_Z, lab frame):
 *
 * 1. ISR recoil: the whole W Z system gets a transverse momentum p_T ~ Γ(2) of mean
 *    `meanRecoilPt` (a transverse boost, as the Drell–Yan detector's pair p_T), balanced by
 *    a hadronic recoil of −p_T that is measured with `recoilResolution` (relative) and
 *    `recoilNoise` (GeV per component);
 * 2. each charged lepton is found with `efficiency`, its p_T smeared by a ⊕ b·p_T and its η, φ
 *    by `angular` (the Drell–Yan detector's defaults);
 * 3. missing E_T = −(Σ measured leptons + measured recoil): the neutrino, plus what the
 *    lepton and recoil measurements miss;
 * 4. exactly three leptons with p_T > 15 GeV and |η| < 2.5 (eq. 47; the jet veto of eq. 47 is
 *    not modelled: the recoil is no jet). The generator's final state is e ν μ⁺μ⁻
 *    (wz-physics.ts), so the Z candidate is the muon pair and the electron the W's lepton,
 *    without pairing ambiguity; then eq. 48: m_Z^ℓℓ ∈ [81.2, 101.2] GeV, m_T^W > 30 GeV,
 *    missing E_T > 45 GeV, p_T^ℓW > 20 GeV.
 *
 * The reco features are the seed's (sec. 4.2): the three lepton four-momenta (ℓ_W, then the
 * Z's ℓ⁺ and ℓ⁻), the missing E_T vector and its magnitude, the charge sum, m_Z^ℓℓ, p_T^Z, p_T^ℓW, m_T^W and
 * m_T^WZ = √((Σ_ℓ p_T + E_T^miss)² − |Σ_ℓ p⃗_T + p⃗_T^miss|²) (ATLAS's definition).
 */
import type { Random } from '../../models/random.js';
import { boostTransverse, etaOf, fromPtEtaPhi, phiOf, ptOf, type FourVector } from './four-vectors.js';

export const WZ_MZ = 91.1876;

export const WZ_RECO_OBSERVABLES = [
  'lW_E', 'lW_px', 'lW_py', 'lW_pz',
  'lZp_E', 'lZp_px', 'lZp_py', 'lZp_pz',
  'lZm_E', 'lZm_px', 'lZm_py', 'lZm_pz',
  'met_x', 'met_y', 'met', 'charge', 'm_ll', 'pt_Z', 'pt_lW', 'mt_W', 'mt_WZ',
] as const; // prettier-ignore

/** Input columns of each particle's (E, px, py, pz) in WZ_RECO_OBSERVABLES, the missing E_T as (|E_T|, E_x, E_y, 0) not included. */
export const WZ_LEPTON_COLUMNS = [
  [0, 1, 2, 3],
  [4, 5, 6, 7],
  [8, 9, 10, 11],
] as const;

export interface WzDetectorOptions {
  /** σ/p_T = a ⊕ b·p_T/GeV of each lepton (the Drell–Yan detector's 1% ⊕ 0.01%) */
  resolution?: [number, number];
  /** Gaussian smearing of η and φ */
  angular?: number;
  efficiency?: number;
  /** mean p_T of the W Z system from initial-state radiation, GeV (Γ(2) distributed) */
  meanRecoilPt?: number;
  /** relative resolution of the measured hadronic recoil */
  recoilResolution?: number;
  /** Gaussian noise on each component of the measured recoil, GeV */
  recoilNoise?: number;
}

export const WZ_DETECTOR_DEFAULTS: Required<WzDetectorOptions> = { resolution: [0.01, 1e-4], angular: 0.001, efficiency: 0.95, meanRecoilPt: 20, recoilResolution: 0.3, recoilNoise: 8 };

/** The cuts of seed 003 eq. 47-48. */
export const WZ_CUTS = { ptMin: 15, etaMax: 2.5, mllWindow: [81.2, 101.2] as const, mtWMin: 30, metMin: 45, ptLWMin: 20 };

/** The analysis selection as the manifest states it (observables[].selection). */
export const WZ_SELECTION = {
  m_ll: { min: WZ_CUTS.mllWindow[0], max: WZ_CUTS.mllWindow[1] },
  met: { min: WZ_CUTS.metMin },
  mt_W: { min: WZ_CUTS.mtWMin },
  pt_lW: { min: WZ_CUTS.ptLWMin },
} as const;

/** Parton-level leptons of one event: ℓ_W (charge `charge`), ν, ℓ⁺_Z, ℓ⁻_Z. */
export interface WzLeptons {
  charge: number;
  lW: FourVector;
  nu: FourVector;
  lZp: FourVector;
  lZm: FourVector;
}

const invariantMass = (a: FourVector, b: FourVector) => Math.sqrt(Math.max(0, (a[0] + b[0]) ** 2 - (a[1] + b[1]) ** 2 - (a[2] + b[2]) ** 2 - (a[3] + b[3]) ** 2));

/** m_T of a lepton and the missing E_T vector. */
export function transverseMass(lepton: FourVector, metX: number, metY: number): number {
  const met = Math.hypot(metX, metY);
  return Math.sqrt(Math.max(0, 2 * (ptOf(lepton) * met - lepton[1] * metX - lepton[2] * metY)));
}

/** m_T^WZ of three leptons and the missing E_T (ATLAS's definition, module comment). */
export function transverseMassWZ(leptons: readonly FourVector[], metX: number, metY: number): number {
  let sumPt = Math.hypot(metX, metY);
  let px = metX;
  let py = metY;
  for (const l of leptons) {
    sumPt += ptOf(l);
    px += l[1];
    py += l[2];
  }
  return Math.sqrt(Math.max(0, sumPt * sumPt - px * px - py * py));
}

/**
 * One event through the detector: its reco features (WZ_RECO_OBSERVABLES order) written into
 * `out` at `offset`, or false when it fails the selection.
 */
export function detectWZ(event: WzLeptons, random: Random, out: Float64Array, offset: number, options: WzDetectorOptions = {}): boolean {
  const { resolution, angular, efficiency, meanRecoilPt, recoilResolution, recoilNoise } = { ...WZ_DETECTOR_DEFAULTS, ...options };
  const system: FourVector = [0, 0, 0, 0];
  for (const p of [event.lW, event.nu, event.lZp, event.lZm]) for (let k = 0; k < 4; k++) system[k] += p[k];
  const mass = Math.sqrt(Math.max(0, system[0] ** 2 - system[1] ** 2 - system[2] ** 2 - system[3] ** 2));
  // Γ(2, θ) transverse momentum: the sum of two exponentials of mean θ; the system is boosted in
  // its transverse rest frame (at leading order it has none), the recoil balances it.
  const recoilPt = meanRecoilPt > 0 ? -(meanRecoilPt / 2) * Math.log((1 - random.uniform()) * (1 - random.uniform())) : 0;
  const recoilPhi = 2 * Math.PI * random.uniform();
  const kick = (p: FourVector) => boostTransverse(p, mass, recoilPt, recoilPhi);
  const [a, b] = resolution;
  const smear = (p: FourVector): FourVector => {
    const pt = ptOf(p);
    return fromPtEtaPhi(pt * (1 + Math.hypot(a, b * pt) * random.normal()), etaOf(p) + angular * random.normal(), phiOf(p) + angular * random.normal());
  };
  const truth = [kick(event.lW), kick(event.lZp), kick(event.lZm)];
  const nu = kick(event.nu);
  // the hadronic recoil is minus the system's transverse momentum after the kick, then measured
  const hadronX = -(truth[0][1] + truth[1][1] + truth[2][1] + nu[1]) * (1 + recoilResolution * random.normal()) + recoilNoise * random.normal();
  const hadronY = -(truth[0][2] + truth[1][2] + truth[2][2] + nu[2]) * (1 + recoilResolution * random.normal()) + recoilNoise * random.normal();
  const [lW, lZp, lZm] = truth.map(smear);
  // every lepton found (all three drawn, so that each event takes the same draws) and inside the acceptance
  const found = [random.uniform() < efficiency, random.uniform() < efficiency, random.uniform() < efficiency];
  if (![lW, lZp, lZm].every((l, k) => found[k] && ptOf(l) > WZ_CUTS.ptMin && Math.abs(etaOf(l)) < WZ_CUTS.etaMax)) return false;
  const metX = -hadronX - lW[1] - lZp[1] - lZm[1];
  const metY = -hadronY - lW[2] - lZp[2] - lZm[2];
  const mll = invariantMass(lZp, lZm);
  const mtW = transverseMass(lW, metX, metY);
  const met = Math.hypot(metX, metY);
  const ptLW = ptOf(lW);
  if (mll < WZ_CUTS.mllWindow[0] || mll > WZ_CUTS.mllWindow[1] || mtW <= WZ_CUTS.mtWMin || met <= WZ_CUTS.metMin || ptLW <= WZ_CUTS.ptLWMin) return false;
  let o = offset;
  for (const l of [lW, lZp, lZm]) for (let k = 0; k < 4; k++) out[o++] = l[k];
  out[o++] = metX;
  out[o++] = metY;
  out[o++] = met;
  out[o++] = event.charge;
  out[o++] = mll;
  out[o++] = Math.hypot(lZp[1] + lZm[1], lZp[2] + lZm[2]);
  out[o++] = ptLW;
  out[o++] = mtW;
  out[o++] = transverseMassWZ([lW, lZp, lZm], metX, metY);
  return true;
}
