/**
 * Issue 6 and 13, coverage of the learned likelihood (seed 003 fig. 12, app. A eq. 53): toys
 * drawn from the *generator* at a true θ (the SM by default), 300 fb⁻¹, each an exact Poisson
 * process of selected events, evaluated with the published `dy-smeft-run3` and, on the same
 * events, with the parton-level truth; the fraction whose joint 3-D region at level γ
 * (q(θ_true) < χ²_3 quantile(γ)) contains θ_true, with binomial errors.
 *
 * A toy without weighted events: in each m_ℓℓ slice of the selectable region, the proposal
 * of `sampleDrellYan` is a Poisson process with N_p ~ Poisson(L W_max) points; keeping point
 * i with probability W_i R_i(θ) / W_max (W_i its weight, the SM density over the proposal
 * density, R_i(θ) = dσ(z_i|θ)/dσ(z_i|θ0) its exact ratio, 1 at the SM) thins it to a Poisson
 * process of intensity L dσ(z|θ), exactly, wherever W_i R_i ≤ W_max; the detector thins it
 * again to the selected events. W_max is a pilot run's largest W R(θ) in the slice times a
 * safety factor; points above it are counted (and kept with probability 1), never hidden.
 * The background, which no Wilson coefficient changes, is drawn the same way: Poisson(L σ_b /
 * a_b) raw events, a_b its acceptance, through the detector.
 *
 * Toys are independent of how they are split across processes: toy k uses the stream
 * deriveSeed(seed, `toy-k`).
 */
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { evaluateMonomials, polynomialValue } from '../../models/basis/monomial-basis.js';
import { coverageEstimates, toyTestStatistic, type CoverageRun } from '../../models/inference/coverage.js';
import { maximumLikelihood } from '../../models/inference/mle.js';
import { eventsDataset, resolveDataset } from '../../models/likelihood/datasets.js';
import { chiSquaredThreshold } from '../../models/numeric/distributions.js';
import { createLikelihood, type Likelihood } from '../../models/likelihood/likelihood.js';
import { rowsInsideSelection } from '../../models/likelihood/selection.js';
import { createRandom } from '../../models/random.js';
import { createUnbinnedPolynomialTerm, polynomialTerms } from '../../models/terms/unbinned-polynomial.js';
import { BASIS, detector, hadronicCoefficients, M_MAX, PARAMETERS, ratioCoefficients, RECO_OBSERVABLES, sampleDrellYan, SELECTABLE_REGION } from '../simulators/drell-yan-physics.js';
import { deriveSeed } from '../simulators/types.js';
import { simulateBackground, wilsonCoefficients } from './baselines.js';
import { mixedSample, PB, takeRows, withBackground } from './learned.js';

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

/** What a toy needs besides the artifact: the true θ, the envelope of the weights per m_ℓℓ slice, the background's raw cross section. */
export interface ToyModel {
  /** the true θ the toys are drawn at, in PARAMETERS order (all 0: the SM) */
  at: number[];
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

const isStandardModel = (at: readonly number[]) => at.every((v) => v === 0);

/**
 * Each event's exact R(z|θ) = Σ_k c_k(z) m_k(θ) from sampleDrellYan's coefficients, or null
 * at the SM, where R = 1 and the generator need not compute coefficients.
 */
function exactRatios(at: readonly number[]): ((coefficients: Float64Array, i: number) => number) | null {
  if (isStandardModel(at)) return null;
  const monomials = evaluateMonomials(BASIS, at);
  return (coefficients, i) => polynomialValue(coefficients, monomials, i * C);
}

/**
 * The envelope: m from SELECTABLE_REGION.mMin to M_MAX in `slices` log-spaced slices, each
 * with the largest W R(θ) of `pilotEvents / slices` proposals times the safety factor (one
 * bound for the whole region would make the thinning ~4× less efficient).
 */
export function toyModel(artifact: LoadedArtifact, config: CoverageConfig, backgroundFb: number, options: { at?: readonly number[]; slices?: number } = {}): ToyModel {
  const { slices = 40 } = options;
  const at = Array.from(options.at ?? PARAMETERS.map(() => 0));
  if (at.length !== PARAMETERS.length || !at.every(Number.isFinite)) throw new RangeError(`the true θ needs ${PARAMETERS.length} finite values, got [${at.join(', ')}]`);
  const ratio = exactRatios(at);
  const rng = createRandom(deriveSeed(config.seed, 'pilot'));
  const lo = Math.log(SELECTABLE_REGION.mMin);
  const hi = Math.log(M_MAX);
  const edges = Array.from({ length: slices + 1 }, (_, k) => Math.exp(lo + ((hi - lo) * k) / slices));
  edges[slices] = M_MAX;
  const perSlice = Math.ceil(config.pilotEvents / slices);
  const pilotMaxima = edges.slice(0, -1).map((_, b) => {
    const pilot = sampleDrellYan(perSlice, () => rng.uniform(), sliceRegion(edges, b), { coefficients: ratio !== null });
    let max = 0;
    for (let i = 0; i < pilot.count; i++) max = Math.max(max, pilot.weights[i] * pilot.count * (ratio ? ratio(pilot.coefficients, i) : 1));
    return max;
  });
  const raw = 200_000;
  const acceptance = simulateBackground(raw, deriveSeed(config.seed, 'background-pilot')).count / raw;
  return {
    at,
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
  const ratio = exactRatios(model.at);
  let count = 0;
  let overshoots = 0;
  let proposals = 0;
  model.weightBounds.forEach((bound, b) => {
    // slice b: proposals ~ Poisson(L W_max), each kept with probability W_i R_i(θ) / W_max
    const n = rng.poisson(model.luminosityPb * bound);
    proposals += n;
    const events = sampleDrellYan(n, () => rng.uniform(), sliceRegion(model.edges, b), { coefficients: ratio !== null });
    const kept: number[] = [];
    for (let i = 0; i < n; i++) {
      const W = events.weights[i] * n * (ratio ? ratio(events.coefficients, i) : 1);
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
        if (ratio) c.set(events.coefficients.subarray(kept[i] * C, (kept[i] + 1) * C), r * C);
        else ratioCoefficients(hadronicCoefficients(m[i], y[i], cosTheta[i], h), c, r * C);
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

/** A toy's events inside the likelihood's selection (all of them where it states none), as the likelihood takes data. */
function selectedToy(toy: ReturnType<typeof drawToy>, likelihood: Likelihood): ReturnType<typeof drawToy> {
  const rows = rowsInsideSelection(toy.reco, toy.count, likelihood.observables, likelihood.selection);
  if (rows.length === toy.count) return toy;
  return { ...toy, reco: takeRows(toy.reco, D, rows), count: rows.length, coefficients: toy.coefficients && takeRows(toy.coefficients, C, rows) };
}

/** q(θ_true) and θ̂ of the toys whose fits converged, and how many did not. */
export interface ToyStatistics {
  q: number[];
  /** θ̂ of each toy of `q` */
  best: number[][];
  failed: number;
}

export interface CoverageShard extends ToyStatistics {
  from: number;
  to: number;
  /** the parton-level truth on the same toys (drellYanTruth), where asked for */
  truth?: ToyStatistics;
  overshoots: number;
  proposals: number;
  events: number[];
  seconds: { generate: number; network: number; fit: number; truth?: number };
}

/**
 * The generator's σ(θ)/σ(θ0) coefficients of signal plus background, as a published
 * Drell–Yan artifact's provenance records them: the background is what the published σ0
 * (fb) has beyond the generator's signal.
 */
export function generatorCrossSectionOf(artifact: LoadedArtifact): { coefficients: Float64Array; sigmaFb: number; backgroundFb: number } {
  const term = artifact.manifest.terms[0];
  if (term.kind !== 'unbinned-polynomial') throw new Error('expected the unbinned polynomial term of dy-smeft-run3');
  const g = artifact.manifest.provenance.configuration?.generatorCrossSection as { sigmaPb: number; coefficients: number[] };
  const sigmaFb = term.crossSection.value;
  const backgroundFb = sigmaFb - g.sigmaPb * 1000;
  return { coefficients: withBackground(g.sigmaPb * 1000, g.coefficients, backgroundFb, sigmaFb), sigmaFb, backgroundFb };
}

/**
 * The parton-level truth as a likelihood: every event's exact coefficients (e_0 for the
 * background), σ(θ) from the generator (generatorCrossSectionOf).
 */
export function drellYanTruth(artifact: LoadedArtifact): { likelihood: Likelihood; backgroundFb: number } {
  const { coefficients: s, sigmaFb, backgroundFb } = generatorCrossSectionOf(artifact);
  const parameters = wilsonCoefficients();
  const truth = createUnbinnedPolynomialTerm({ name: TRUTH_TERM, parameters, degree: 2, basis: BASIS, sigma0: sigmaFb, crossSection: [s] });
  return { likelihood: createLikelihood(parameters, [truth], artifact.manifest.luminosity.value), backgroundFb };
}

const TRUTH_TERM = 'truth';

/**
 * Toys [from, to) at the model's true θ, evaluated with the learned likelihood (ensemble
 * mean) and, with `truth`, with the parton-level truth on the same events.
 */
export function coverageShard(artifact: LoadedArtifact, model: ToyModel, config: CoverageConfig, from: number, to: number, onToy?: (done: number) => void, options: { truth?: boolean } = {}): CoverageShard {
  const [term] = polynomialTerms(artifact.likelihood);
  const { ratio } = term.events!;
  const L = artifact.manifest.luminosity.value;
  const truth = options.truth ? drellYanTruth(artifact).likelihood : null;
  const seconds = { generate: 0, network: 0, fit: 0, ...(truth ? { truth: 0 } : {}) };
  const at = Float64Array.from(model.at);
  const learned: ToyStatistics = { q: [], best: [], failed: 0 };
  const exact: ToyStatistics = { q: [], best: [], failed: 0 };
  const record = (statistics: ToyStatistics, toy: ReturnType<typeof toyTestStatistic>) => {
    if (toy) {
      statistics.q.push(toy.q);
      statistics.best.push(toy.best);
    } else statistics.failed++;
  };
  let overshoots = 0;
  let proposals = 0;
  const events: number[] = [];
  const elapsed = (t0: number) => (performance.now() - t0) / 1000;
  for (let t = from; t < to; t++) {
    let t0 = performance.now();
    const toy = selectedToy(drawToy(model, config.seed, t, truth !== null), artifact.likelihood);
    seconds.generate += elapsed(t0);
    overshoots += toy.overshoots;
    proposals += toy.proposals;
    events.push(toy.count);
    t0 = performance.now();
    const [mean] = ratio.coefficientsFor(toy.reco, toy.count);
    seconds.network += elapsed(t0);
    t0 = performance.now();
    record(learned, toyTestStatistic(artifact.likelihood, { luminosity: L, rate: true, terms: { [term.name]: { count: toy.count, coefficients: [mean], weights: [null] } } }, at));
    seconds.fit += elapsed(t0);
    if (truth) {
      t0 = performance.now();
      record(exact, toyTestStatistic(truth, { luminosity: L, rate: true, terms: { [TRUTH_TERM]: { count: toy.count, coefficients: [toy.coefficients!], weights: [null] } } }, at));
      seconds.truth! += elapsed(t0);
    }
    onToy?.(t + 1 - from);
  }
  return { from, to, ...learned, ...(truth ? { truth: exact } : {}), overshoots, proposals, events, seconds };
}

/** The coverage estimates of all shards' toys together: the learned likelihood's, or with `of: 'truth'` the parton-level truth's. */
export function mergeCoverage(shards: readonly CoverageShard[], levels: readonly number[], interest: number, of: 'learned' | 'truth' = 'learned'): CoverageRun {
  const statistics = shards.map((s) => (of === 'truth' ? s.truth : s)).filter((s): s is ToyStatistics => s !== undefined);
  const q = statistics.flatMap((s) => s.q);
  return { estimates: coverageEstimates(q, levels, interest), q, best: statistics.flatMap((s) => s.best ?? []), failed: statistics.reduce((n, s) => n + s.failed, 0) };
}

/** Per parameter, the mean of θ̂ − θ_true over toys with its standard error, and θ̂'s standard deviation. */
export function estimatorBias(best: readonly number[][], at: readonly number[]): { bias: number; error: number; deviation: number }[] {
  const n = best.length;
  return at.map((truth, k) => {
    let mean = 0;
    for (const b of best) mean += b[k] / n;
    let variance = 0;
    for (const b of best) variance += (b[k] - mean) ** 2 / Math.max(1, n - 1);
    const deviation = Math.sqrt(variance);
    return { bias: mean - truth, error: deviation / Math.sqrt(n), deviation };
  });
}

/**
 * The point on `parameter`'s axis, on the side of `sign`, where Asimov data exclude the SM
 * at `level` (joint, χ²_k with k = 3) by the parton-level truth: there the expected
 * q(θ_SM) = 2 L Σ_i w_i [1 − R_i + R_i ln R_i] over the selected signal events (weights w_i
 * at the SM, exact R_i = R(z_i|θ)), the background's events dropping out because no Wilson
 * coefficient changes them. Found by bisection on a weighted sample of `events` proposals.
 */
export function expectedBoundary(parameter: number, level: number, luminosityPb: number, options: { sign?: 1 | -1; events?: number; seed?: number } = {}): number {
  const { sign = 1, events = 200_000, seed = 1 } = options;
  const rng = createRandom(seed);
  const sample = sampleDrellYan(events, () => rng.uniform(), SELECTABLE_REGION);
  const { accepted } = detector(sample, rng);
  const expectedQ = (t: number) => {
    const at = PARAMETERS.map((_, k) => (k === parameter ? t : 0));
    const monomials = evaluateMonomials(BASIS, at);
    let q = 0;
    for (const i of accepted) {
      const R = polynomialValue(sample.coefficients, monomials, i * C);
      q += sample.weights[i] * (1 - R + (R > 0 ? R * Math.log(R) : 0));
    }
    return 2 * luminosityPb * q;
  };
  const threshold = chiSquaredThreshold(level, PARAMETERS.length);
  let lo = 0;
  let hi = sign * 1e-3;
  while (expectedQ(hi) < threshold) hi *= 2;
  for (let iteration = 0; iteration < 60; iteration++) {
    const mid = (lo + hi) / 2;
    if (expectedQ(mid) < threshold) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The fit of a large independent sample at the SM taken as data (weights scaled to L σ): the
 * bias of θ̂ that the likelihood's σ(θ) and ĉ give without the toys' fluctuations, next to
 * the parton-level truth's on the same events, which the sample's own Monte Carlo fluctuation
 * moves as well (along the nearly degenerate direction, by as much as the bias sought).
 */
export function expectedFit(artifact: LoadedArtifact, seed: number, above200: number): { best: number[]; truth: number[]; events: number } {
  const { mixed } = mixedSample(1_200_000, 600_000, seed, above200);
  const term = artifact.manifest.terms[0];
  if (term.kind !== 'unbinned-polynomial') throw new Error('expected the unbinned polynomial term');
  let W = 0;
  for (let i = 0; i < mixed.count; i++) W += mixed.weights[i];
  const scale = (artifact.manifest.luminosity.value * term.crossSection.value) / W;
  const weights = Float64Array.from(mixed.weights, (w) => w * scale);
  const fit = maximumLikelihood(artifact.likelihood, resolveDataset(artifact.likelihood, eventsDataset(artifact.likelihood, mixed.reco, mixed.count, weights)));
  const truth = drellYanTruth(artifact).likelihood;
  const exact = maximumLikelihood(truth, { luminosity: artifact.manifest.luminosity.value, rate: true, terms: { [truth.terms[0].term.name]: { count: mixed.count, coefficients: [mixed.coefficients], weights: [weights] } } });
  if (!fit.converged || !exact.converged) throw new Error(`the fit of the expected sample did not converge: ${fit.message}; truth: ${exact.message}`);
  const interest = (f: typeof fit) => Array.from(f.parameters.subarray(0, PARAMETERS.length));
  return { best: interest(fit), truth: interest(exact), events: mixed.count };
}
