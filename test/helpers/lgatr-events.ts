/** Toy events for the L-GATr tests: P massive particles (E, px, py, pz) in GeV and E event scalars per row. */
import { evaluateEnsemble, type FrozenLgatr } from '../../models/network/frozen-network.js';
import { applyMultivectorMatrix, lorentzMultivectorMatrix, randomLorentz } from '../../models/network/spacetime-algebra.js';
import { createRandom, type Random } from '../../models/random.js';

export function lgatrEvents(random: Random, n: number, P: number, E: number): Float64Array {
  const D = 4 * P + E;
  const x = new Float64Array(n * D);
  for (let e = 0; e < n; e++) {
    for (let p = 0; p < P; p++) {
      const px = 40 * random.normal();
      const py = 40 * random.normal();
      const pz = 80 * random.normal();
      const m = 5 + 20 * random.uniform();
      const o = e * D + 4 * p;
      x[o] = Math.sqrt(m * m + px * px + py * py + pz * pz);
      x[o + 1] = px;
      x[o + 2] = py;
      x[o + 3] = pz;
    }
    for (let s = 0; s < E; s++) x[e * D + 4 * P + s] = 3 + 2 * random.normal();
  }
  return x;
}

/** the token columns of lgatrEvents: particle p at 4p … 4p + 3; the scalars after them */
export function lgatrColumns(P: number, E: number): { tokens: number[][]; scalars: number[] } {
  return { tokens: Array.from({ length: P }, (_, p) => [4 * p, 4 * p + 1, 4 * p + 2, 4 * p + 3]), scalars: Array.from({ length: E }, (_, s) => 4 * P + s) };
}

/** every token's momentum (tokens at columns 4p … 4p + 3 of D, as lgatrEvents) transformed by Λ, the scalars as they are */
export function transformEvents(x: Float64Array, n: number, lambda: number[][], P: number, D: number): Float64Array {
  const M = lorentzMultivectorMatrix(lambda);
  const y = Float64Array.from(x);
  const v = new Float64Array(16);
  for (let e = 0; e < n; e++) {
    for (let p = 0; p < P; p++) {
      const o = e * D + 4 * p;
      v.fill(0);
      for (let mu = 0; mu < 4; mu++) v[1 + mu] = x[o + mu];
      const w = applyMultivectorMatrix(M, v);
      for (let mu = 0; mu < 4; mu++) y[o + mu] = w[1 + mu];
    }
  }
  return y;
}

/** max over outputs of |a − b| / max(|b|, 0.1·rms(b)) */
export function relativeChange(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let rms = 0;
  for (let i = 0; i < b.length; i++) rms += b[i] ** 2;
  const floor = 0.1 * Math.sqrt(rms / b.length);
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return worst;
}

/** the largest relative change of the ensemble's outputs (members and mean) over `trials` random Λ */
export function equivarianceError(net: FrozenLgatr, x: Float64Array, n: number, trials: number, seed: number, perturb: (x: Float64Array) => Float64Array = (v) => v): number {
  const P = net.tokens.length;
  const D = net.inputs;
  const random = createRandom(seed);
  const base = evaluateEnsemble(net, perturb(x), n);
  let worst = 0;
  for (let t = 0; t < trials; t++) {
    const moved = evaluateEnsemble(net, perturb(transformEvents(x, n, randomLorentz(() => random.uniform(), 1), P, D)), n);
    for (let m = 0; m < base.members.length; m++) worst = Math.max(worst, relativeChange(moved.members[m], base.members[m]));
    worst = Math.max(worst, relativeChange(moved.mean, base.mean));
  }
  return worst;
}


/**
 * The training toy of the L-GATr tests: P = 3 particles and one irrelevant event scalar per
 * event; targets of a degree-2 ratio in one parameter, c = (1, f, f²/4 + 0.5) with
 * f = 1.5 tanh(m12/50 GeV − 2), a smooth function of the invariant mass of particles 1 and 2.
 */
export function invariantMassToy(seed: number, n: number): { inputs: Float64Array; targets: Float64Array; count: number } {
  const inputs = lgatrEvents(createRandom(seed), n, 3, 1);
  const D = 13;
  const targets = new Float64Array(n * 3);
  for (let e = 0; e < n; e++) {
    const o = e * D;
    const E = inputs[o] + inputs[o + 4];
    const px = inputs[o + 1] + inputs[o + 5];
    const py = inputs[o + 2] + inputs[o + 6];
    const pz = inputs[o + 3] + inputs[o + 7];
    const m12 = Math.sqrt(Math.max(E * E - px * px - py * py - pz * pz, 0));
    const f = 1.5 * Math.tanh(m12 / 50 - 2);
    targets.set([1, f, (f * f) / 4 + 0.5], e * 3);
  }
  return { inputs, targets, count: n };
}
