/**
 * A hadronic top jet of e⁺e⁻ → t t̄ at Q = 2 TeV, our stand-in for seed 002's Pythia samples
 * (no external generator; issue 19). What it models, and what it does not:
 *
 *   - the top: a Breit–Wigner mass around m_t (Γ_t = 1.42 GeV), energy Q/2, an isotropic direction;
 *   - t → b W⁺, W⁺ → q q̄' two-body decays, isotropic in each rest frame (spin correlations are
 *     left out), the W a Breit–Wigner around 80.38 GeV; b and light quarks massless;
 *   - a collinear shower: each of the three partons splits into `constituentsPerProng`
 *     massless constituents with energy fractions drawn uniformly on the simplex, each
 *     constituent kicked off the parton's direction by an angle k_T/(zE) with k_T exponential
 *     (mean `showerKt`), so that softer constituents spread wider, as in a shower;
 *   - soft radiation: a Poisson number (mean `softParticles`) of particles of exponential energy
 *     (mean `softEnergy`) spread uniformly in solid angle within R = 1.2 of the top's direction.
 *
 * Energy is conserved by the shower, not by the soft radiation (a few GeV of 1 TeV). With
 * `narrow` the top and the W sit on their poles, and with `unsmeared` each prong is one
 * constituent and there is no soft radiation: the three-prong limit whose EEEC is a point.
 */
import type { Random } from '../../models/random.js';
import { breitWigner, twoBodyDecay, type FourVector } from './four-vectors.js';
import { TOP_WIDTH, W_MASS, W_WIDTH } from './top-pair.js';

export interface TopJetOptions {
  /** the e⁺e⁻ energy (GeV); the top carries half (default 2000) */
  Q?: number;
  constituentsPerProng?: number;
  /** mean k_T of a shower emission, GeV (default 1.5) */
  showerKt?: number;
  softParticles?: number;
  /** mean energy of a soft particle, GeV (default 1) */
  softEnergy?: number;
  narrow?: boolean;
  unsmeared?: boolean;
}

export interface TopJet {
  /** rows (E, p_x, p_y, p_z) */
  constituents: Float64Array;
  count: number;
  /** the top's Breit–Wigner mass */
  mass: number;
  /** the three partons b, q, q̄' */
  partons: [FourVector, FourVector, FourVector];
}

/** The unit vector `axis` turned by `angle` towards a random azimuth around it. */
function kicked(axis: [number, number, number], angle: number, random: Random): [number, number, number] {
  // an orthonormal pair perpendicular to the axis
  const helper: [number, number, number] = Math.abs(axis[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const u = normalised(cross(axis, helper));
  const v = cross(axis, u);
  const phi = 2 * Math.PI * random.uniform();
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  return [0, 1, 2].map((k) => c * axis[k] + s * (Math.cos(phi) * u[k] + Math.sin(phi) * v[k])) as [number, number, number];
}

const cross = (a: readonly number[], b: readonly number[]): [number, number, number] => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
function normalised(a: readonly number[]): [number, number, number] {
  const r = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / r, a[1] / r, a[2] / r];
}

/** Energy fractions uniform on the simplex (sorted uniforms' spacings). */
function simplexFractions(k: number, random: Random): number[] {
  const cuts = Array.from({ length: k - 1 }, () => random.uniform()).sort((a, b) => a - b);
  return [...cuts, 1].map((c, i) => c - (i ? cuts[i - 1] : 0));
}

export function generateTopJet(topMass: number, random: Random, options: TopJetOptions = {}): TopJet {
  const Q = options.Q ?? 2000;
  const mass = options.narrow ? topMass : breitWigner(topMass, TOP_WIDTH, 20, random);
  const energy = Q / 2;
  const momentum = Math.sqrt(energy * energy - mass * mass);
  const axis = normalised(kicked([0, 0, 1], Math.acos(2 * random.uniform() - 1), random));
  const top: FourVector = [energy, momentum * axis[0], momentum * axis[1], momentum * axis[2]];
  const [w, b] = twoBodyDecay(top, options.narrow ? W_MASS : breitWigner(W_MASS, W_WIDTH, 10, random), 0, random);
  const [q1, q2] = twoBodyDecay(w, 0, 0, random);
  const partons: [FourVector, FourVector, FourVector] = [b, q1, q2];
  const rows: number[] = [];
  const perProng = options.unsmeared ? 1 : (options.constituentsPerProng ?? 4);
  for (const p of partons) {
    const direction = normalised([p[1], p[2], p[3]]);
    for (const z of perProng === 1 ? [1] : simplexFractions(perProng, random)) {
      const e = z * p[0];
      const angle = perProng === 1 ? 0 : Math.min(0.5, (-(options.showerKt ?? 1.5) * Math.log(1 - random.uniform())) / e);
      const d = angle === 0 ? direction : kicked(direction, angle, random);
      rows.push(e, e * d[0], e * d[1], e * d[2]);
    }
  }
  if (!options.unsmeared) {
    const soft = random.poisson(options.softParticles ?? 6);
    const cosR = Math.cos(1.2);
    for (let s = 0; s < soft; s++) {
      const e = -(options.softEnergy ?? 1) * Math.log(1 - random.uniform());
      // uniform in solid angle within the cone: cos θ uniform in [cos R, 1]
      const d = kicked(axis, Math.acos(1 - (1 - cosR) * random.uniform()), random);
      rows.push(e, e * d[0], e * d[1], e * d[2]);
    }
  }
  return { constituents: Float64Array.from(rows), count: rows.length / 4, mass, partons };
}
