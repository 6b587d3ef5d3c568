/**
 * A toy t t̄ → b μ ν b q q̄' generator and detector for seed 004's top-quark-mass example
 * (sec. III C, table IV), with no external generator:
 *
 * - the t t̄ system: mass m_t1 + m_t2 plus an exponential excess (mean 300 GeV), rapidity
 *   N(0, 0.8²), a transverse kick of exponential p_T (mean 25 GeV); the tops isotropic in its
 *   rest frame (no spin correlations), each of Breit–Wigner mass (M_t, Γ_t = 1.42 GeV), decaying
 *   t → W b isotropically, the W of Breit–Wigner mass (80.38, 2.09 GeV), one W → μ ν and the
 *   other W → q q̄' (massless; b mass 4.8 GeV);
 * - generator level: b1 is the b quark closest to the muon in ΔR, b2 the other, j1 j2 the light
 *   quarks, and the four observables m_b1μν, m_b2μν, m_b1j1j2, m_b2j1j2 with the true neutrino;
 * - the detector: jet energies smeared by 100%/√E ⊕ 5%, jet η and φ by 0.02, the muon's p_T by
 *   1%; jets need p_T > 20 GeV and |η| < 2.5, the muon p_T > 20 GeV and |η| < 2.4; b quarks
 *   are tagged with probability 0.7, light jets mistagged with 0.01; events need two b-tagged and
 *   two other jets (the seed's selection). The missing transverse momentum is the neutrino's
 *   plus N(0, 15²) GeV per component. b1 is the tagged jet closest to the muon, b2 the
 *   highest-p_T other tagged jet, j1 j2 the two highest-p_T untagged jets; the neutrino's p_z
 *   solves the W-mass constraint (the smaller |p_z| of two solutions; where there is none the
 *   masses with the neutrino are set to 0, as the seed's footnote 5 does).
 */
import type { Random } from '../../models/random.js';
import { add, breitWigner, deltaR, etaOf, fromPtEtaPhi, massOf, phiOf, ptOf, twoBodyDecay, type FourVector } from './four-vectors.js';

export const TOP_WIDTH = 1.42;
export const W_MASS = 80.38;
export const W_WIDTH = 2.09;
const B_MASS = 4.8;

export const TOP_OBSERVABLES = ['m_b1μν', 'm_b2μν', 'm_b1j1j2', 'm_b2j1j2'] as const;

export interface TopPairSample {
  count: number;
  /** count × 4 generator-level observables (TOP_OBSERVABLES) */
  generator: Float64Array;
  /** accepted × 4 simulation-level observables */
  simulation: Float64Array;
  /** indices of the accepted events, ascending */
  accepted: Int32Array;
}


/**
 * The neutrino's p_z from the W-mass constraint (p_μ + p_ν)² = m_W² with p_ν,T the missing
 * transverse momentum, a massless muon and neutrino: p_z = [A p_z,μ ± E_μ √(A² − p_T,μ² p_T,ν²)] / p_T,μ²,
 * A = m_W²/2 + p_T,μ · p_T,ν. Returns the real solutions, the one of smaller |p_z| first.
 */
export function neutrinoPz(muon: FourVector, metX: number, metY: number, wMass = W_MASS): number[] {
  const ptMu2 = muon[1] ** 2 + muon[2] ** 2;
  const a = (wMass * wMass) / 2 + muon[1] * metX + muon[2] * metY;
  const discriminant = a * a - ptMu2 * (metX * metX + metY * metY);
  if (discriminant < 0) return [];
  const root = muon[0] * Math.sqrt(discriminant);
  const solutions = [(a * muon[3] + root) / ptMu2, (a * muon[3] - root) / ptMu2];
  return solutions.sort((x, y) => Math.abs(x) - Math.abs(y));
}

/** The four observables from b1, b2, the muon, the neutrino (null: no solution, masses with it 0) and the two light jets. */
function observables(b1: FourVector, b2: FourVector, muon: FourVector, neutrino: FourVector | null, j1: FourVector, j2: FourVector, out: Float64Array, offset: number): void {
  out[offset] = neutrino ? massOf(add(b1, muon, neutrino)) : 0;
  out[offset + 1] = neutrino ? massOf(add(b2, muon, neutrino)) : 0;
  out[offset + 2] = massOf(add(b1, j1, j2));
  out[offset + 3] = massOf(add(b2, j1, j2));
}

function smearJet(p: FourVector, random: Random): FourVector {
  const e = p[0];
  const resolution = Math.hypot(1 / Math.sqrt(e), 0.05);
  const energy = Math.max(0, e * (1 + resolution * random.normal()));
  const eta = etaOf(p) + 0.02 * random.normal();
  return fromPtEtaPhi(energy / Math.cosh(eta), eta, phiOf(p) + 0.02 * random.normal());
}

/** n events at top mass `topMass`; the simulation level keeps the events the selection accepts. */
export function generateTopPairs(topMass: number, n: number, random: Random): TopPairSample {
  const generator = new Float64Array(4 * n);
  const simulation: number[] = [];
  const accepted: number[] = [];
  for (let i = 0; i < n; i++) {
    const m1 = breitWigner(topMass, TOP_WIDTH, 20, random);
    const m2 = breitWigner(topMass, TOP_WIDTH, 20, random);
    const mass = m1 + m2 - 300 * Math.log(1 - random.uniform());
    const pt = -25 * Math.log(1 - random.uniform());
    const phi = 2 * Math.PI * random.uniform();
    const mt = Math.hypot(mass, pt);
    const y = 0.8 * random.normal();
    const system: FourVector = [mt * Math.cosh(y), pt * Math.cos(phi), pt * Math.sin(phi), mt * Math.sinh(y)];
    const [leptonicTop, hadronicTop] = twoBodyDecay(system, m1, m2, random);
    const [wLeptonic, bLeptonic] = twoBodyDecay(leptonicTop, breitWigner(W_MASS, W_WIDTH, 10, random), B_MASS, random);
    const [wHadronic, bHadronic] = twoBodyDecay(hadronicTop, breitWigner(W_MASS, W_WIDTH, 10, random), B_MASS, random);
    const [muon, neutrino] = twoBodyDecay(wLeptonic, 0, 0, random);
    const [q1, q2] = twoBodyDecay(wHadronic, 0, 0, random);
    const [b1, b2] = deltaR(bLeptonic, muon) <= deltaR(bHadronic, muon) ? [bLeptonic, bHadronic] : [bHadronic, bLeptonic];
    observables(b1, b2, muon, neutrino, q1, q2, generator, 4 * i);
    const reco = detect(muon, neutrino, [bLeptonic, bHadronic], [q1, q2], random);
    if (reco) {
      accepted.push(i);
      simulation.push(...reco);
    }
  }
  return { count: n, generator, simulation: Float64Array.from(simulation), accepted: Int32Array.from(accepted) };
}

/** The detector and selection (module comment): the four observables of an accepted event, or null. */
function detect(muon: FourVector, neutrino: FourVector, bQuarks: FourVector[], lightQuarks: FourVector[], random: Random): number[] | null {
  const muonPt = ptOf(muon) * (1 + 0.01 * random.normal());
  const recoMuon = fromPtEtaPhi(muonPt, etaOf(muon), phiOf(muon));
  if (muonPt < 20 || Math.abs(etaOf(muon)) > 2.4) return null;
  const jets = [...bQuarks.map((p) => ({ p, b: true })), ...lightQuarks.map((p) => ({ p, b: false }))]
    .map(({ p, b }) => ({ p: smearJet(p, random), tagged: random.uniform() < (b ? 0.7 : 0.01) }))
    .filter(({ p }) => ptOf(p) > 20 && Math.abs(etaOf(p)) < 2.5);
  const tagged = jets.filter((j) => j.tagged).map((j) => j.p);
  const untagged = jets.filter((j) => !j.tagged).map((j) => j.p).sort((a, b) => ptOf(b) - ptOf(a));
  if (tagged.length < 2 || untagged.length < 2) return null;
  const b1 = tagged.reduce((best, p) => (deltaR(p, recoMuon) < deltaR(best, recoMuon) ? p : best));
  const b2 = tagged.filter((p) => p !== b1).sort((a, b) => ptOf(b) - ptOf(a))[0];
  const metX = neutrino[1] + 15 * random.normal();
  const metY = neutrino[2] + 15 * random.normal();
  const [pz] = neutrinoPz(recoMuon, metX, metY);
  const recoNeutrino: FourVector | null = pz === undefined ? null : [Math.hypot(metX, metY, pz), metX, metY, pz];
  const out = new Float64Array(4);
  observables(b1, b2, recoMuon, recoNeutrino, untagged[0], untagged[1], out, 0);
  return Array.from(out);
}

