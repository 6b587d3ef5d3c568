/**
 * Fractional smearing (seed 003 sec. 2.3 and app. B): events with a large regression target
 * pass through the detector several times, each copy with a fractional weight, so that the
 * sparsely populated, most θ-sensitive regions are described by many weighted reco-level
 * events instead of a few unit-weight ones. The steps, as the paper writes them, on the
 * parton-level events BEFORE the smearing:
 *
 *   1. the mean μ and standard deviation σ of the target y(z) over the sample;
 *   2. a fractional-smearing weight w = 1 for every event;
 *   3. smearing an event means copying it n times with w = 1/n for each copy;
 *   4. the threshold: an event is smeared while |w·y(z) − μ| > tσ;
 *   5. smear until the threshold is reached.
 *
 * Step 5 is implemented as: n = 1, 2, 3, … until |y/n − μ| ≤ tσ, stopping early where one
 * more copy would not bring w·y closer to μ (an event below μ, or one that would jump across
 * the band [μ − tσ, μ + tσ] when that band is narrow) and at `maxCopies`. The copies are
 * then passed through the simulator's detector (`smear`), each independently, and the weights
 * enter the loss (eq. 35). The weighted sample still follows p(x|z)p(z|θ): an event's copies
 * carry its weight in total and each is an independent draw of the detector.
 *
 * Weighted input events: the criterion uses w·ω·y with ω = the event's weight over the mean
 * weight (1 for the unit-weight events of the paper); each copy's final weight is its input
 * weight over n. μ and σ are the weighted mean and standard deviation of y.
 *
 * Several targets (the WZ study smears on every R_i, R_ij, t = 0.5): n is the largest of the
 * copies each target column asks for. The default target is the coefficient column of
 * largest variance (for the toy the θ² coefficient; column 0 is constant).
 */
import { acceptedSample, deriveSeed, type PartonSample, type SimulatedSample, type Simulator } from '../simulators/types.js';

export interface FractionalSmearingOptions {
  /** t: the threshold in standard deviations (default 0.5, as in seed 003 sec. 4) */
  threshold?: number;
  /** coefficient columns whose values are the targets (default: the one of largest variance) */
  columns?: readonly number[];
  /** the most copies of one event (default 10 000); events that would need more are counted in `capped` */
  maxCopies?: number;
  /** seed of the detector stream the copies are smeared with */
  seed: number;
}

export interface FractionalSmearingColumnStats {
  column: number;
  /** weighted mean μ and standard deviation σ of the target (step 1) */
  mean: number;
  std: number;
  /** the band edge: events with |w·y − μ| > tσ are smeared */
  band: number;
  /** largest w·ω·y before and after */
  maxWeightedTargetBefore: number;
  maxWeightedTargetAfter: number;
  /** largest |w·ω·y − μ| before and after */
  maxDeviationBefore: number;
  maxDeviationAfter: number;
  /** events (original) and copies (after) still beyond the threshold */
  beyondBefore: number;
  beyondAfter: number;
}

export interface FractionalSmearingResult {
  /** the weighted sample: every copy the detector accepts, with its own reco-level observables */
  sample: SimulatedSample;
  /** copies n of each original event */
  copies: Int32Array;
  /** for each event of `sample`, the index of its original parton-level event */
  source: Int32Array;
  threshold: number;
  columns: FractionalSmearingColumnStats[];
  /** original events and copies made (before the detector's selection) */
  events: number;
  expanded: number;
  /** events whose copies stopped at maxCopies while still beyond the threshold */
  capped: number;
}

/** Weighted mean and standard deviation of coefficient column k. */
function columnMoments(sample: PartonSample, C: number, k: number): { mean: number; std: number } {
  let sw = 0;
  let s1 = 0;
  for (let i = 0; i < sample.count; i++) {
    sw += sample.weights[i];
    s1 += sample.weights[i] * sample.coefficients[i * C + k];
  }
  const mean = s1 / sw;
  let s2 = 0;
  for (let i = 0; i < sample.count; i++) {
    const d = sample.coefficients[i * C + k] - mean;
    s2 += sample.weights[i] * d * d;
  }
  return { mean, std: Math.sqrt(s2 / sw) };
}

/** The coefficient column of largest (weighted) variance. */
export function largestVarianceColumn(sample: PartonSample, C: number): number {
  let best = 0;
  let bestVar = -1;
  for (let k = 0; k < C; k++) {
    const { std } = columnMoments(sample, C, k);
    if (std * std > bestVar) {
      bestVar = std * std;
      best = k;
    }
  }
  return best;
}

/**
 * Copies n of an event with (relative-weight × target) a, for one target of mean μ and band
 * tσ: the smallest n with |a/n − μ| ≤ tσ, or the n where one more copy stops helping.
 */
export function copiesFor(a: number, mean: number, band: number, maxCopies: number): { n: number; capped: boolean } {
  let n = 1;
  let dev = Math.abs(a - mean);
  while (dev > band && n < maxCopies) {
    const next = Math.abs(a / (n + 1) - mean);
    if (!(next < dev)) break;
    n++;
    dev = next;
  }
  return { n, capped: dev > band && n >= maxCopies };
}

/**
 * Fractional smearing of parton-level events (see the module comment), then the detector:
 * every copy smeared independently by `simulator.smear` with the stream of `options.seed`.
 */
export function fractionalSmearing(simulator: Pick<Simulator, 'smear' | 'basis' | 'partonVariables'>, parton: PartonSample, options: FractionalSmearingOptions): FractionalSmearingResult {
  const C = simulator.basis.size;
  const dz = simulator.partonVariables.length;
  const N = parton.count;
  if (parton.coefficients.length !== N * C) throw new RangeError(`expected ${N} × ${C} coefficients, got ${parton.coefficients.length}`);
  if (parton.parton.length !== N * dz) throw new RangeError(`expected ${N} × ${dz} parton-level values, got ${parton.parton.length}`);
  const t = options.threshold ?? 0.5;
  if (!(t >= 0) || !Number.isFinite(t)) throw new RangeError(`threshold must be finite and ≥ 0, got ${t}`);
  const maxCopies = options.maxCopies ?? 10_000;
  if (!Number.isInteger(maxCopies) || maxCopies < 1) throw new RangeError(`maxCopies must be a positive integer, got ${maxCopies}`);
  const columns = options.columns ? [...options.columns] : [largestVarianceColumn(parton, C)];
  for (const k of columns) if (!Number.isInteger(k) || k < 0 || k >= C) throw new RangeError(`target column ${k} out of range [0, ${C})`);

  let wsum = 0;
  for (let i = 0; i < N; i++) wsum += parton.weights[i];
  const meanWeight = wsum / N;

  const moments = columns.map((k) => columnMoments(parton, C, k));
  const copies = new Int32Array(N);
  let capped = 0;
  let expanded = 0;
  for (let i = 0; i < N; i++) {
    const omega = parton.weights[i] / meanWeight;
    let n = 1;
    let wasCapped = false;
    columns.forEach((k, j) => {
      const { mean, std } = moments[j];
      const r = copiesFor(omega * parton.coefficients[i * C + k], mean, t * std, maxCopies);
      if (r.n > n) n = r.n;
      wasCapped ||= r.capped;
    });
    if (wasCapped) capped++;
    copies[i] = n;
    expanded += n;
  }

  const source = new Int32Array(expanded);
  const partonOut = new Float64Array(expanded * dz);
  const coefficients = new Float64Array(expanded * C);
  const weights = new Float64Array(expanded);
  for (let i = 0, o = 0; i < N; i++) {
    const n = copies[i];
    const w = parton.weights[i] / n;
    for (let r = 0; r < n; r++, o++) {
      source[o] = i;
      for (let d = 0; d < dz; d++) partonOut[o * dz + d] = parton.parton[i * dz + d];
      for (let k = 0; k < C; k++) coefficients[o * C + k] = parton.coefficients[i * C + k];
      weights[o] = w;
    }
  }
  const copiesSample = { count: expanded, parton: partonOut, coefficients, weights };
  const detected = simulator.smear(partonOut, expanded, options.seed);
  const sample = acceptedSample(copiesSample, detected, dz);

  const stats = columns.map((k, j): FractionalSmearingColumnStats => {
    const { mean, std } = moments[j];
    const band = t * std;
    let maxBefore = -Infinity;
    let maxAfter = -Infinity;
    let devBefore = 0;
    let devAfter = 0;
    let beyondBefore = 0;
    let beyondAfter = 0;
    for (let i = 0; i < N; i++) {
      const a = (parton.weights[i] / meanWeight) * parton.coefficients[i * C + k];
      const b = a / copies[i];
      maxBefore = Math.max(maxBefore, a);
      maxAfter = Math.max(maxAfter, b);
      devBefore = Math.max(devBefore, Math.abs(a - mean));
      devAfter = Math.max(devAfter, Math.abs(b - mean));
      if (Math.abs(a - mean) > band) beyondBefore++;
      if (Math.abs(b - mean) > band) beyondAfter += copies[i];
    }
    return { column: k, mean, std, band, maxWeightedTargetBefore: maxBefore, maxWeightedTargetAfter: maxAfter, maxDeviationBefore: devBefore, maxDeviationAfter: devAfter, beyondBefore, beyondAfter };
  });

  return {
    sample,
    copies,
    source: detected.accepted ? Int32Array.from(detected.accepted, (r) => source[r]) : source,
    threshold: t,
    columns: stats,
    events: N,
    expanded,
    capped,
  };
}

/**
 * Draws `events` parton-level events at θ and applies fractional smearing: the training
 * sample of seed 003 sec. 3.2 (the parton stream and the detector stream are derived from
 * `seed`).
 */
export function simulateWithFractionalSmearing(
  simulator: Simulator,
  options: { events: number; theta?: number | ArrayLike<number>; seed: number } & Omit<FractionalSmearingOptions, 'seed'>,
): FractionalSmearingResult {
  const parton = simulator.sampleParton({ events: options.events, theta: options.theta, seed: options.seed });
  return fractionalSmearing(simulator, parton, { ...options, seed: deriveSeed(options.seed, 'fractional-smearing') });
}
