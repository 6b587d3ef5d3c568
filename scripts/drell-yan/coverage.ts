/**
 * Issue 6, coverage of the learned likelihood (seed 003 fig. 12, app. A eq. 53): toys drawn
 * from the *generator* at the SM, 300 fb⁻¹, each an exact Poisson process of selected
 * events, evaluated with the published `dy-smeft-run3`; the fraction whose joint 3-D region
 * at level γ (q(θ_true) < χ²_3 quantile(γ)) contains θ_true, with binomial errors.
 *
 * A toy without weighted events: in each m_ℓℓ slice of the selectable region, the proposal
 * of `sampleDrellYan` is a Poisson process with N_p ~ Poisson(L W_max) points; keeping point
 * i with probability W_i / W_max (W_i its weight, the SM density over the proposal density)
 * thins it to a Poisson process of intensity L dσ(z|θ0), exactly, wherever W_i ≤ W_max; the
 * detector thins it again to the selected events. W_max is a pilot run's largest weight in
 * the slice times a safety factor; points above it are counted (and kept with probability
 * 1), never hidden.
 * The background is drawn the same way: Poisson(L σ_b / a_b) raw events, a_b its
 * acceptance, through the detector.
 *
 * Toys are independent of how they are split across processes: toy k uses the stream
 * deriveSeed(seed, `toy-k`).
 */
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { coverageEstimates, empiricalCoverage, type CoverageRun } from '../../models/inference/coverage.js';
import type { LikelihoodData } from '../../models/likelihood/likelihood.js';
import { createRandom } from '../../models/random.js';
import { BASIS, detector, hadronicCoefficients, M_MAX, ratioCoefficients, RECO_OBSERVABLES, sampleDrellYan, SELECTABLE_REGION } from '../simulators/drell-yan-physics.js';
import { deriveSeed } from '../simulators/types.js';
import { simulateBackground } from './baselines.js';
import { PB } from './learned.js';
import { polynomialTerms } from '../../models/terms/unbinned-polynomial.js';

const D = RECO_OBSERVABLES.length;
const C = BASIS.size;

export interface CoverageConfig {
  seed: number;
  toys: number;
  /** proposals of the pilot run that sets W_max, and the safety factor on its maximum */
  pilotEvents: number;
  safety: number;
  /** nominal levels of the coverage curve */
  levels: number[];
}

export const DEFAULT_COVERAGE_CONFIG: CoverageConfig = { seed: 20261127, toys: 300, pilotEvents: 1_000_000, safety: 1.2, levels: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.6827, 0.8, 0.9, 0.9545, 0.99] };

/** What a toy needs besides the artifact: the envelope of the weights per m_ℓℓ slice, the background's raw cross section. */
export interface ToyModel {
  /** slices of the selectable region in m (GeV): edges, and per slice the weight bound W_max (pb) */
  edges: number[];
  weightBounds: number[];
  /** the pilot's largest weight per slice, before the safety factor */
  pilotMaxima: number[];
  /** pb: the background before the detector, σ_b / a_b */
  backgroundRawPb: number;
  backgroundAcceptance: number;
  /** pb⁻¹ */
  luminosityPb: number;
}

const sliceRegion = (edges: readonly number[], b: number) => ({ ...SELECTABLE_REGION, mMin: edges[b], mMax: edges[b + 1] });

/**
 * The envelope: m from SELECTABLE_REGION.mMin to M_MAX in `slices` log-spaced slices, each
 * with the largest weight of `pilotEvents / slices` proposals times the safety factor (one
 * bound for the whole region would make the thinning ~4× less efficient).
 */
export function toyModel(artifact: LoadedArtifact, config: CoverageConfig, backgroundFb: number, slices = 40): ToyModel {
  const rng = createRandom(deriveSeed(config.seed, 'pilot'));
  const lo = Math.log(SELECTABLE_REGION.mMin);
  const hi = Math.log(M_MAX);
  const edges = Array.from({ length: slices + 1 }, (_, k) => Math.exp(lo + ((hi - lo) * k) / slices));
  edges[slices] = M_MAX;
  const perSlice = Math.ceil(config.pilotEvents / slices);
  const pilotMaxima = edges.slice(0, -1).map((_, b) => {
    const pilot = sampleDrellYan(perSlice, () => rng.uniform(), sliceRegion(edges, b), { coefficients: false });
    let max = 0;
    for (let i = 0; i < pilot.count; i++) max = Math.max(max, pilot.weights[i] * pilot.count);
    return max;
  });
  const raw = 200_000;
  const acceptance = simulateBackground(raw, deriveSeed(config.seed, 'background-pilot')).count / raw;
  return {
    edges,
    weightBounds: pilotMaxima.map((m) => m * config.safety),
    pilotMaxima,
    backgroundRawPb: backgroundFb / PB / acceptance,
    backgroundAcceptance: acceptance,
    luminosityPb: artifact.manifest.luminosity.value * PB,
  };
}

/**
 * One toy's selected events (reco-level, signal then background) and the proposals that
 * overshot their bound; with `exact`, also every event's exact coefficients (c(z) for
 * signal, e_0 for background: the parton-level truth), from the same random stream.
 */
export function drawToy(model: ToyModel, seed: number, toy: number, exact = false): { reco: Float64Array; count: number; overshoots: number; proposals: number; coefficients: Float64Array | null } {
  const rng = createRandom(deriveSeed(seed, `toy-${toy}`));
  const parts: Float64Array[] = [];
  const exactParts: Float64Array[] = [];
  const h = new Float64Array(C);
  let count = 0;
  let overshoots = 0;
  let proposals = 0;
  model.weightBounds.forEach((bound, b) => {
    // slice b: proposals ~ Poisson(L W_max), each kept with probability W_i / W_max
    const n = rng.poisson(model.luminosityPb * bound);
    proposals += n;
    const events = sampleDrellYan(n, () => rng.uniform(), sliceRegion(model.edges, b), { coefficients: false });
    const kept: number[] = [];
    for (let i = 0; i < n; i++) {
      const W = events.weights[i] * n;
      if (W > bound) overshoots++;
      if (rng.uniform() * bound < W) kept.push(i);
    }
    const m = Float64Array.from(kept, (i) => events.m[i]);
    const y = Float64Array.from(kept, (i) => events.y[i]);
    const cosTheta = Float64Array.from(kept, (i) => events.cosTheta[i]);
    const { reco, accepted } = detector({ count: kept.length, m, y, cosTheta }, rng);
    parts.push(reco);
    count += accepted.length;
    if (exact) {
      const c = new Float64Array(accepted.length * C);
      accepted.forEach((i, r) => {
        ratioCoefficients(hadronicCoefficients(m[i], y[i], cosTheta[i], h), c, r * C);
      });
      exactParts.push(c);
    }
  });
  const background = simulateBackground(rng.poisson(model.luminosityPb * model.backgroundRawPb), deriveSeed(seed, `toy-${toy}-background`));
  parts.push(background.reco);
  count += background.count;
  const reco = new Float64Array(count * D);
  let offset = 0;
  for (const p of parts) {
    reco.set(p, offset);
    offset += p.length;
  }
  let coefficients: Float64Array | null = null;
  if (exact) {
    coefficients = new Float64Array(count * C);
    let o = 0;
    for (const c of exactParts) {
      coefficients.set(c, o);
      o += c.length;
    }
    for (let r = o / C; r < count; r++) coefficients[r * C] = 1;
  }
  return { reco, count, overshoots, proposals, coefficients };
}

export interface CoverageShard {
  from: number;
  to: number;
  q: number[];
  /** θ̂ of each toy of `q` */
  best: number[][];
  failed: number;
  overshoots: number;
  proposals: number;
  events: number[];
  seconds: { generate: number; network: number; fit: number };
}

/** Toys [from, to) evaluated with the learned likelihood (ensemble mean) at the SM. */
export function coverageShard(artifact: LoadedArtifact, model: ToyModel, config: CoverageConfig, from: number, to: number, onToy?: (done: number) => void): CoverageShard {
  const [term] = polynomialTerms(artifact.likelihood);
  const { ratio } = term.events!;
  const L = artifact.manifest.luminosity.value;
  const seconds = { generate: 0, network: 0, fit: 0 };
  let overshoots = 0;
  let proposals = 0;
  const events: number[] = [];
  const truth = artifact.likelihood.initial(); // the SM: every Wilson coefficient at θ0 = 0
  const draw = (t: number): LikelihoodData => {
    let t0 = performance.now();
    const toy = drawToy(model, config.seed, from + t);
    seconds.generate += (performance.now() - t0) / 1000;
    overshoots += toy.overshoots;
    proposals += toy.proposals;
    events.push(toy.count);
    t0 = performance.now();
    const [mean] = ratio.coefficientsFor(toy.reco, toy.count);
    seconds.network += (performance.now() - t0) / 1000;
    return { luminosity: L, rate: true, terms: { [term.name]: { count: toy.count, coefficients: [mean], weights: [null] } } };
  };
  const t0 = performance.now();
  const run = empiricalCoverage(artifact.likelihood, truth, config.levels, to - from, draw, onToy);
  seconds.fit = (performance.now() - t0) / 1000 - seconds.generate - seconds.network;
  return { from, to, q: run.q, best: run.best, failed: run.failed, overshoots, proposals, events, seconds };
}

/** The coverage estimates of all shards' toys together. */
export function mergeCoverage(shards: readonly CoverageShard[], levels: readonly number[], interest: number): CoverageRun {
  const q = shards.flatMap((s) => s.q);
  return { estimates: coverageEstimates(q, levels, interest), q, best: shards.flatMap((s) => s.best ?? []), failed: shards.reduce((n, s) => n + s.failed, 0) };
}
