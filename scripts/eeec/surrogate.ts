/**
 * A continuous surrogate of the EEEC (seed 002, "Machine learning energy correlators"; issue 19
 * item 2): a network f(u1, u2, u3, m_t) of u = ln ζ whose e^f is the energy-weighted density of
 * triplets in u over the three-prong region D = {a ≤ ζ1 ≤ ζ2 ≤ ζ3 ≤ b}, normalised to 1 over
 * D at every m_t; in ζ the density is e^f/(ζ1ζ2ζ3). Logarithms because the correlator falls
 * by orders of magnitude across D, which a density in ζ itself resolves poorly at the edges.
 *
 * The seed's energy-weighted loss: each triplet i of the training jets counts with its weight
 * w_i = 6 E_iE_jE_k/Q³, L = −Σ w_i f(x_i)/Σ w_i, plus a term that normalises the surrogate.
 * Here that term is V · E_{ζ ~ U(D)}[e^{f(ζ, m)}] (V the volume of D), estimated by rows drawn
 * uniformly in D with the mass of a training triplet: L = −E_w[f] + ∫_D e^f dζ is minimised,
 * at each m_t, by e^f = the normalised energy-weighted density, with no hyperparameter. Both
 * kinds of rows go through one weighted row loss (weighted-mlp.ts `rowLoss`).
 *
 * With `weighting: 'unweighted'` every triplet counts once: the plain maximum-likelihood loss,
 * which learns the density of triplets, not of energy; turning it into the EEEC would need the
 * energies' distribution at every ζ as well (the seed's "cumbersome").
 */
import * as tf from '@tensorflow/tfjs';
import type { FrozenNetwork } from '../../models/network/frozen-network.js';
import { eeecTriplets, fillEquilateralShape, fillTriangleShape, type EeecTriplets } from '../../models/observables/energy-correlators.js';
import { createRandom, type Random } from '../../models/random.js';
import { densityAt } from '../../models/service/density.js';
import { generateTopJet } from '../simulators/top-jet.js';
import { deriveSeed } from '../simulators/types.js';
import { freezeLogit, meanLogitReference, parityCheck, type ParityResult } from '../training/freeze.js';
import { trainMlp, type EnsembleOptions } from '../training/weighted-mlp.js';
import type { EeecShape } from './observations.js';

export interface SurrogateConfig extends EnsembleOptions {
  /** the masses the training jets are simulated at */
  masses: number[];
  jetsPerMass: number;
  /** the three-prong region's ζ range [a, b] */
  domain: [number, number];
  /** uniform rows in D per training triplet */
  uniformPerTriplet?: number;
  weighting: 'energy' | 'unweighted';
  seed: number;
}

export interface Surrogate {
  /** inputs (ln ζ1, ln ζ2, ln ζ3, m_t), identity head on f = ln p(u | m_t) over D */
  network: FrozenNetwork;
  domain: [number, number];
  triplets: number;
  seconds: number;
  /** the frozen runtime against tfjs on up to 2 000 training rows (triplets and uniform points) */
  parity?: ParityResult;
}

/** The volume of D in u = ln ζ: (ln b − ln a)³/6. */
export const domainVolume = ([a, b]: [number, number]) => Math.log(b / a) ** 3 / 6;

/** A point of D uniform in u = ln ζ: three uniforms on [ln a, ln b], sorted. */
function uniformInDomain([a, b]: [number, number], random: Random, out: Float64Array, offset: number): void {
  const [la, lb] = [Math.log(a), Math.log(b)];
  const u = [la + (lb - la) * random.uniform(), la + (lb - la) * random.uniform(), la + (lb - la) * random.uniform()].sort((x, y) => x - y);
  out[offset] = u[0];
  out[offset + 1] = u[1];
  out[offset + 2] = u[2];
}

/** The triplets of `jets` jets at mass m that lie in D, as rows (ln ζ1, ln ζ2, ln ζ3, m) with their weights. */
export function tripletsInDomain(m: number, jets: number, domain: [number, number], random: Random, Q = 2000): { rows: number[]; weights: number[]; perJet: EeecTriplets[] } {
  const rows: number[] = [];
  const weights: number[] = [];
  const perJet: EeecTriplets[] = [];
  for (let j = 0; j < jets; j++) {
    const jet = generateTopJet(m, random, { Q });
    const t = eeecTriplets(jet.constituents, jet.count, Q);
    perJet.push(t);
    for (let k = 0; k < t.count; k++) {
      if (t.zeta[3 * k] < domain[0] || t.zeta[3 * k + 2] > domain[1]) continue;
      rows.push(Math.log(t.zeta[3 * k]), Math.log(t.zeta[3 * k + 1]), Math.log(t.zeta[3 * k + 2]), m);
      weights.push(t.weight[k]);
    }
  }
  return { rows, weights, perJet };
}

export function trainSurrogate(config: SurrogateConfig): Surrogate {
  const random = createRandom(deriveSeed(config.seed, 'jets'));
  const data = config.masses.map((m) => tripletsInDomain(m, config.jetsPerMass, config.domain, random));
  const n = data.reduce((sum, d) => sum + d.weights.length, 0);
  const perTriplet = config.uniformPerTriplet ?? 1;
  const u = n * perTriplet;
  const rows = n + u;
  const x = new Float64Array(rows * 4);
  const weights = new Float64Array(rows);
  const auxiliary = new Float32Array(rows); // 1: a triplet, 0: a uniform point in D
  let r = 0;
  for (const d of data) {
    x.set(d.rows, 4 * r);
    for (let k = 0; k < d.weights.length; k++) {
      weights[r + k] = config.weighting === 'energy' ? d.weights[k] : 1;
      auxiliary[r + k] = 1;
    }
    r += d.weights.length;
  }
  // the triplets' weights to mean 1, so that the data term is −E_w[f] times n/rows
  let total = 0;
  for (let k = 0; k < n; k++) total += weights[k];
  for (let k = 0; k < n; k++) weights[k] *= n / total;
  // uniform rows: each with the mass of a random triplet, its loss V e^f n/u (their mean: V E[e^f] = ∫_D e^f, times n/rows)
  const uniform = createRandom(deriveSeed(config.seed, 'uniform'));
  for (let k = 0; k < u; k++, r++) {
    uniformInDomain(config.domain, uniform, x, 4 * r);
    x[4 * r + 3] = x[4 * Math.floor(uniform.uniform() * n) + 3];
    weights[r] = 1;
  }
  const scale = (domainVolume(config.domain) * n) / u;
  const trained = trainMlp(x, rows, 4, new Float32Array(rows), weights, 'sigmoid', 1, {
    hidden: config.hidden ?? [64, 64, 64],
    activation: config.activation ?? 'swish',
    epochs: config.epochs ?? 20,
    batchSize: config.batchSize ?? 1024,
    learningRate: config.learningRate ?? 2e-3,
    finalLearningRate: config.finalLearningRate ?? 2e-4,
    members: config.members ?? 1,
    rowLoss: {
      outputs: 1,
      width: 1,
      auxiliary,
      // a triplet: −f; a uniform point: V e^f n/u
      apply: (raw, _targets, kind) => tf.sum(tf.add(tf.mul(kind, tf.neg(raw)), tf.mul(tf.sub(1, kind), tf.mul(scale, tf.exp(raw)))), 1) as tf.Tensor1D,
    },
    seed: deriveSeed(config.seed, 'network'),
  });
  const network = freezeLogit(trained, 4);
  const held = Math.min(rows, 2000);
  // rows from both kinds: every (rows/held)-th row
  const sampled = Float64Array.from({ length: held * 4 }, (_, k) => x[Math.floor((Math.floor(k / 4) * rows) / held) * 4 + (k % 4)]);
  const parity = parityCheck(meanLogitReference(trained, 4), network, sampled, held);
  const seconds = trained.seconds;
  trained.dispose();
  return { network, domain: config.domain, triplets: n, seconds, parity };
}

/**
 * The surrogate's density in ζ, e^{f(ln ζ, m)}/(ζ1ζ2ζ3), at n rows (ζ1, ζ2, ζ3, m) inside D:
 * the EEEC per unit ζ³ as a fraction of its weight in D.
 */
export function surrogateDensity(surrogate: Surrogate, rows: Float64Array, n: number): Float64Array {
  return densityAt(surrogate.network, 'log', 3, rows, n);
}

/** A projection of the EEEC: onto ζ1 over all of D, or a shape's window (observations.ts). */
export type Projection = { kind: 'zeta1' } | EeecShape;

/**
 * The surrogate integrated over a projection's window at mass m, binned like
 * energy-correlators.ts fills a jet's triplets (onto ζ1; onto the mean side for the equilateral
 * window). Monte Carlo with points drawn uniformly inside the window itself, so that a thin
 * window is sampled as densely as D: for the triangle (n1 ≤ n2, δ), ζ1 ~ U[a, b], ζ2 ~ U[n1ζ1,
 * n1ζ1 + δ], ζ3 ~ U[n2ζ1, n2ζ1 + δ], each point weighted by the window's volume (b − a)δ² times
 * e^f over the points, and dropped where it leaves D or the sides' order.
 */
export function projectSurrogate(surrogate: Surrogate, m: number, projection: Projection, edges: readonly number[], points: number, seed: number): Float64Array {
  const [a, b] = surrogate.domain;
  const random = createRandom(seed);
  const rows = new Float64Array(points * 4);
  let volume: number;
  if (projection.kind === 'zeta1') {
    for (let k = 0; k < points; k++) rows.set([a + (b - a) * random.uniform(), a + (b - a) * random.uniform(), a + (b - a) * random.uniform()].sort((x, y) => x - y), 4 * k);
    volume = (b - a) ** 3 / 6;
  } else if (projection.kind === 'triangle') {
    const [n1, n2] = [Math.min(projection.n1, projection.n2), Math.max(projection.n1, projection.n2)];
    const { delta } = projection;
    for (let k = 0; k < points; k++) {
      const z1 = a + (b - a) * random.uniform();
      rows.set([z1, n1 * z1 + delta * random.uniform(), n2 * z1 + delta * random.uniform()], 4 * k);
    }
    volume = (b - a) * delta * delta;
  } else {
    const { delta } = projection;
    for (let k = 0; k < points; k++) {
      const z1 = a + (b - a) * random.uniform();
      const [u, v] = [z1 + delta * random.uniform(), z1 + delta * random.uniform()].sort((x, y) => x - y);
      rows.set([z1, u, v], 4 * k);
    }
    volume = ((b - a) * delta * delta) / 2;
  }
  for (let k = 0; k < points; k++) rows[4 * k + 3] = m;
  const density = surrogateDensity(surrogate, rows, points);
  const bins = edges.length - 1;
  const width = (edges[bins] - edges[0]) / bins;
  const histogram = new Float64Array(bins);
  for (let k = 0; k < points; k++) {
    const [z1, z2, z3] = [rows[4 * k], rows[4 * k + 1], rows[4 * k + 2]];
    if (z1 < a || z3 > b || z2 < z1 || z3 < z2) continue;
    const at = projection.kind === 'equilateral' ? (z1 + z2 + z3) / 3 : z1;
    const bin = Math.floor((at - edges[0]) / width);
    if (bin >= 0 && bin < bins) histogram[bin] += (volume * density[k]) / points;
  }
  return histogram;
}

export interface ProjectionCheck {
  /** the held-out jets' EEEC in each bin, as a fraction of their weight in D, and its error (the jets' spread) */
  data: number[];
  errors: number[];
  surrogate: number[];
  chi2: number;
  /** bins with data */
  ndf: number;
}

/**
 * The surrogate against weighted histograms of `jets` held-out jets at mass m, for each
 * projection: the jets' triplets in D binned like the surrogate (projectSurrogate) and divided
 * by their total weight in D; the error of a bin from the spread of the jets' contributions
 * (triplets of one jet are not independent). χ² = Σ (data − surrogate)²/error² over bins with data.
 */
export function checkSurrogate(surrogate: Surrogate, m: number, jets: number, projections: Projection[], edges: readonly number[], points: number, seed: number): ProjectionCheck[] {
  const [a, b] = surrogate.domain;
  const held = tripletsInDomain(m, jets, surrogate.domain, createRandom(seed)).perJet;
  const bins = edges.length - 1;
  const inDomain = held.map((t) => {
    const keep: number[] = [];
    for (let k = 0; k < t.count; k++) if (t.zeta[3 * k] >= a && t.zeta[3 * k + 2] <= b) keep.push(k);
    return { count: keep.length, zeta: Float64Array.from(keep.flatMap((k) => [t.zeta[3 * k], t.zeta[3 * k + 1], t.zeta[3 * k + 2]])), weight: Float64Array.from(keep, (k) => t.weight[k]) };
  });
  const total = inDomain.reduce((sum, t) => sum + t.weight.reduce((x, y) => x + y, 0), 0);
  return projections.map((projection, p) => {
    const sums = new Float64Array(bins);
    const squares = new Float64Array(bins);
    const one = new Float64Array(bins);
    for (const t of inDomain) {
      one.fill(0);
      if (projection.kind === 'equilateral') fillEquilateralShape(t, projection.delta, edges, one);
      else if (projection.kind === 'triangle') fillTriangleShape(t, projection, edges, one);
      else fillTriangleShape(t, { n1: 1, n2: 1, delta: b }, edges, one); // every triplet of D: ζ2, ζ3 ∈ [ζ1, ζ1 + b]
      for (let k = 0; k < bins; k++) {
        sums[k] += one[k];
        squares[k] += one[k] * one[k];
      }
    }
    const predicted = projectSurrogate(surrogate, m, projection, edges, points, deriveSeed(seed, `projection-${p}`));
    let chi2 = 0;
    let ndf = 0;
    for (let k = 0; k < bins; k++) {
      if (squares[k] <= 0) continue;
      chi2 += (sums[k] / total - predicted[k]) ** 2 / (squares[k] / total ** 2);
      ndf++;
    }
    return { data: Array.from(sums, (v) => v / total), errors: Array.from(squares, (v) => Math.sqrt(v) / total), surrogate: Array.from(predicted), chi2, ndf };
  });
}
