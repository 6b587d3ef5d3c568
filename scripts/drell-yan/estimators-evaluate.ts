/**
 * Issue 16 item 5, the comparison: every Drell–Yan inference on the test sample of
 * docs/drell-yan.md (evaluate.ts), as Asimov data at the SM, computed by the engine that
 * serves the artifacts:
 *
 * - truth: the events' exact coefficients;
 * - derivative: `dy-smeft-run3` (derivative learning);
 * - morphing: the morphing-aware artifact (estimators.ts);
 * - carl: the CARL network in a parametrised term, its Z(θ) over its test events themselves
 *   and σ(θ) from the generator (signal) plus the test sample's background. It runs the
 *   network for every event at every step of every fit, with forward-mode θ-derivatives:
 *   on two cores its profile scans over the whole sample would take hours, so it sees every
 *   k-th test event (weights × k), and the truth on the same events is shown beside it
 *   ('carl-events-truth') so that the subsample's own fluctuation can be told apart;
 * - histogram: m_ℓℓ in the bins of `dy-smeft-run3-mll`.
 */
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { evaluateMonomials, polynomialValue } from '../../models/basis/monomial-basis.js';
import { evaluateEnsemble, parseFrozenNetwork, type FrozenNetwork } from '../../models/network/frozen-network.js';
import { createLikelihood } from '../../models/likelihood/likelihood.js';
import { createUnbinnedParametrisedTerm, parametrisedAsimov } from '../../models/terms/unbinned-parametrised.js';
import { crossSectionFromReference } from '../../models/terms/unbinned-polynomial.js';
import { polynomialTerms } from '../../models/terms/unbinned-polynomial.js';
import { BASIS, PARAMETERS, RECO_OBSERVABLES } from '../simulators/drell-yan-physics.js';
import { MLL_EDGES, wilsonCoefficients } from './baselines.js';
import type { TrainedCarl } from './estimators.js';
import {
  binnedInference,
  fisherDiagnostics,
  polynomialInference,
  runInferences,
  testFigures,
  testSample,
  truthInference,
  type Evaluation,
  type EvaluationConfig,
  type FisherDiagnostics,
  type InferenceModel,
  type InferenceScans,
  type TestSample,
} from './evaluate.js';
import { concatenatedSamples, PB, withBackground, type GeneratorCrossSection } from './learned.js';

export const ESTIMATOR_INFERENCES = ['truth', 'derivative', 'morphing', 'carl', 'carl-events-truth', 'histogram'] as const;
export type EstimatorInference = (typeof ESTIMATOR_INFERENCES)[number];

/** σ(θ)/σ(θ0) of signal plus background on the degree-2 basis, per source. */
export interface CrossSectionRow {
  label: string;
  coefficients: number[];
  errors?: number[];
}

export interface EstimatorComparison extends InferenceScans<EstimatorInference> {
  config: EvaluationConfig & { carlThinning: number };
  test: Evaluation['test'];
  /** the events CARL sees: every `config.carlThinning`-th test event */
  carlTest: Evaluation['test'];
  /** the learned polynomial likelihoods in the linear regime against the truth (evaluate.ts) */
  fisher: Record<'derivative' | 'morphing', FisherDiagnostics>;
  crossSections: CrossSectionRow[];
  /** the morphing-aware classifiers' errors per benchmark */
  benchmarks: BenchmarkPrecision[];
  /** the test events the analysis selection drops above the generator's 6 TeV, and their share of eq. 34's quadratic coefficients before it, per likelihood */
  tails: Record<'truth' | 'derivative' | 'morphing', TailShares>;
  /** seconds per inference (its scans and contours) */
  seconds: Record<EstimatorInference, number>;
}

/**
 * CARL's likelihood on the test sample: the parametrised term with the test events as its
 * reference sample, Asimov data at θ0, σ(θ) of the generator's signal plus the sample's
 * background. One variant (the ensemble mean): its members' scans would cost four times as much.
 */
export function carlInference(carl: Pick<TrainedCarl, 'network'>, generator: Pick<GeneratorCrossSection, 'sigma' | 'coefficients'>, test: TestSample, luminosity: number): InferenceModel {
  const { mixed, weightsFb } = test;
  const parameters = wilsonCoefficients();
  const signalFb = generator.sigma * PB;
  let backgroundFb = 0;
  for (let i = test.signal.count; i < mixed.count; i++) backgroundFb += weightsFb[i];
  const crossSection = withBackground(signalFb, generator.coefficients, backgroundFb);
  const term = createUnbinnedParametrisedTerm({
    name: 'carl',
    parameters,
    basis: BASIS,
    sigma0: signalFb + backgroundFb,
    crossSection,
    events: { network: carl.network, observables: [...RECO_OBSERVABLES], reference: { count: mixed.count, values: mixed.reco, weights: weightsFb }, observed: null },
  });
  const data = parametrisedAsimov(term, new Float64Array(PARAMETERS.length), luminosity);
  return { likelihood: createLikelihood(parameters, [term], luminosity), data: { luminosity, rate: true, terms: { carl: data } }, variants: 1 };
}

/** Every k-th event of the test sample's signal and of its background, weights × k. */
export function thinnedTestSample(test: TestSample, k: number): TestSample {
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`thinning needs a positive integer, got ${k}`);
  const D = RECO_OBSERVABLES.length;
  const C = BASIS.size;
  const thin = (part: TestSample['signal']) => {
    const count = Math.ceil(part.count / k);
    const out = { count, reco: new Float64Array(count * D), coefficients: new Float64Array(count * C), weights: new Float64Array(count) };
    for (let i = 0, r = 0; i < part.count; i += k, r++) {
      out.reco.set(part.reco.subarray(i * D, (i + 1) * D), r * D);
      out.coefficients.set(part.coefficients.subarray(i * C, (i + 1) * C), r * C);
      out.weights[r] = part.weights[i] * k;
    }
    return out;
  };
  const signal = thin(test.signal);
  const background = thin(test.background);
  const mixed = concatenatedSamples(signal, background);
  return { signal, background, mixed, weightsFb: mixed.weights.map((w) => w * PB) };
}

/** How well the morphing-aware classifiers learned each benchmark's ratio, over the test sample's signal events. */
export interface BenchmarkPrecision {
  benchmark: number[];
  /** the weighted mean of |ln r(z|θ_i)|: the size of what is learned */
  meanAbsLogRatio: number;
  /** the weighted mean and rms of ln r̂_i(x) − ln r(z|θ_i) (the detector's own smearing included) */
  meanError: number;
  rmsError: number;
}

/**
 * The morphing head's raw outputs ln r̂_i(x) (its ensemble mean) against the events' exact
 * ln r(z|θ_i) = ln[c(z)·m(θ_i) σ0/σ(θ_i)], weighted by the events' cross sections.
 */
export function benchmarkPrecision(network: FrozenNetwork, test: Pick<TestSample, 'signal'>): BenchmarkPrecision[] {
  if (network.head.kind !== 'morphing') throw new RangeError('benchmark precision needs a network with a morphing head');
  const { benchmarks, crossSectionRatios } = network.head;
  const R = benchmarks.length - 1;
  const raw = parseFrozenNetwork({ ...network, head: { kind: 'identity' }, outputs: R });
  const { signal } = test;
  const logits = evaluateEnsemble(raw, signal.reco, signal.count).mean;
  const C = BASIS.size;
  let W = 0;
  for (let e = 0; e < signal.count; e++) W += signal.weights[e];
  return benchmarks.slice(1).map((benchmark, b) => {
    const m = evaluateMonomials(BASIS, benchmark);
    let size = 0;
    let mean = 0;
    let squares = 0;
    for (let e = 0; e < signal.count; e++) {
      const w = signal.weights[e] / W;
      const exact = Math.log(polynomialValue(signal.coefficients, m, e * C) / crossSectionRatios[b + 1]);
      const error = logits[e * R + b] - exact;
      size += w * Math.abs(exact);
      mean += w * error;
      squares += w * error * error;
    }
    return { benchmark, meanAbsLogRatio: size, meanError: mean, rmsError: Math.sqrt(squares) };
  });
}

/** The events reconstructed above the generator's m_ℓℓ cut (6 TeV, drell-yan-physics.ts) and their share of Σ w c_k for each quadratic monomial k. */
export interface TailShares {
  events: number;
  /** the events of the sample */
  total: number;
  /** per quadratic monomial in basis order (C_lq1², C_lq1·C_lq3, …): Σ_tail w c_k / Σ w c_k */
  shares: number[];
}

/** `TailShares` of coefficients (n × C, the test sample's order) on the test sample. */
export function tailShares(coefficients: Float64Array, test: TestSample, mllCut = 6000): TailShares {
  const { mixed, weightsFb } = test;
  const D = RECO_OBSERVABLES.length;
  const mll = RECO_OBSERVABLES.indexOf('m_ll');
  const C = BASIS.size;
  const first = 1 + PARAMETERS.length;
  const tail = new Float64Array(C - first);
  const all = new Float64Array(C - first);
  let events = 0;
  for (let e = 0; e < mixed.count; e++) {
    const above = mixed.reco[e * D + mll] > mllCut;
    if (above) events++;
    for (let k = first; k < C; k++) {
      const v = weightsFb[e] * coefficients[e * C + k];
      all[k - first] += v;
      if (above) tail[k - first] += v;
    }
  }
  return { events, total: mixed.count, shares: Array.from(tail, (t, k) => (all[k] === 0 ? 0 : t / all[k])) };
}

/** The published σ(θ) of a learned artifact and its eq. 34 estimate over its own reference sample. */
function artifactCrossSections(artifact: LoadedArtifact, label: string): CrossSectionRow[] {
  const [term] = polynomialTerms(artifact.likelihood);
  const reference = term.events!.reference;
  const C = BASIS.size;
  const weights = reference.weights[0] ?? new Float64Array(reference.count).fill(1);
  const eq34 = crossSectionFromReference(reference.coefficients[0], reference.count, C, weights);
  const published = artifact.manifest.terms[0] as { crossSection: { coefficients: number[] } };
  const errors = (artifact.manifest.provenance.configuration as { crossSectionErrors?: number[] }).crossSectionErrors;
  return [
    { label: `${label}, eq. 34`, coefficients: Array.from(eq34) },
    { label: `${label}, published (control variate)`, coefficients: published.crossSection.coefficients, errors },
  ];
}

/**
 * Seconds of one NLL with its gradient on the events each learned likelihood sees in the
 * comparison (CARL: the thinned sample), the median of three at distinct points near the SM
 * (distinct, so that no evaluation is served from the parametrised term's memo).
 */
export function nllSeconds(inputs: Pick<ComparisonInputs, 'derivative' | 'morphing' | 'carl' | 'generator'>, config: EvaluationConfig & { carlThinning: number }): Record<'derivative' | 'morphing' | 'carl', number> {
  const test = testSample(config, inputs.generator);
  const L = inputs.derivative.manifest.luminosity.value;
  const models = {
    derivative: polynomialInference(inputs.derivative, test),
    morphing: polynomialInference(inputs.morphing, test),
    carl: carlInference(inputs.carl, inputs.generator, thinnedTestSample(test, config.carlThinning), L),
  };
  const time = (model: InferenceModel) => {
    const times = [1, 2, 3].map((k) => {
      const point = Float64Array.from(PARAMETERS, (_, j) => (j === 0 ? 0.001 * k : 0));
      const started = performance.now();
      model.likelihood.nll(point, model.data, 0, { gradient: new Float64Array(point.length) });
      return (performance.now() - started) / 1000;
    });
    return times.sort((a, b) => a - b)[1];
  };
  return { derivative: time(models.derivative), morphing: time(models.morphing), carl: time(models.carl) };
}

export interface ComparisonInputs {
  derivative: LoadedArtifact;
  morphing: LoadedArtifact;
  morphingNetwork: FrozenNetwork;
  carl: Pick<TrainedCarl, 'network'>;
  generator: GeneratorCrossSection;
}

/** The five inferences' scans (and contours for `contours`) on the test sample, with σ(θ) and the Fisher diagnostics. */
export function compareEstimators(
  inputs: ComparisonInputs,
  config: EvaluationConfig & { carlThinning: number },
  contours: readonly EstimatorInference[],
  onProgress?: (done: number, total: number, what: string) => void,
): EstimatorComparison {
  const test = testSample(config, inputs.generator);
  const carlEvents = thinnedTestSample(test, config.carlThinning);
  const L = inputs.derivative.manifest.luminosity.value;
  const derivative = polynomialInference(inputs.derivative, test);
  const morphing = polynomialInference(inputs.morphing, test);
  const models: Record<EstimatorInference, InferenceModel> = {
    truth: truthInference(test, L),
    derivative,
    morphing,
    carl: carlInference(inputs.carl, inputs.generator, carlEvents, L),
    'carl-events-truth': truthInference(carlEvents, L),
    histogram: binnedInference(test, MLL_EDGES, 'mll'),
  };
  // one inference at a time, so that each one's cost is measured
  const seconds = {} as Record<EstimatorInference, number>;
  const parts: InferenceScans<EstimatorInference>[] = [];
  const total = ESTIMATOR_INFERENCES.reduce((n, i) => n + PARAMETERS.length * (models[i].variants + 1) + (contours.includes(i) ? 3 : 0), 0);
  let before = 0;
  for (const inference of ESTIMATOR_INFERENCES) {
    const started = performance.now();
    let done = 0;
    // contours of the ensemble mean only: the members' are in drell-yan.md for derivative learning, and cost four times as much
    parts.push(runInferences({ [inference]: models[inference] } as Record<EstimatorInference, InferenceModel>, config, contours.filter((c) => c === inference), (d, _, what) => onProgress?.(before + (done = d), total, what), { memberContours: false }));
    before += done;
    seconds[inference] = (performance.now() - started) / 1000;
  }
  const merged = <K extends keyof InferenceScans<EstimatorInference>>(key: K) => Object.assign({}, ...parts.map((p) => p[key])) as InferenceScans<EstimatorInference>[K];

  const { mixed, weightsFb } = test;
  const w = weightsFb.map((x) => x * L);
  const fisher = { derivative: fisherDiagnostics(mixed.coefficients, derivative.coefficients[0], w, mixed.count), morphing: fisherDiagnostics(mixed.coefficients, morphing.coefficients[0], w, mixed.count) };

  const generator = inputs.generator;
  let backgroundPb = 0;
  for (let i = test.signal.count; i < mixed.count; i++) backgroundPb += mixed.weights[i];
  const total0 = generator.sigma + backgroundPb;
  const crossSections: CrossSectionRow[] = [
    { label: 'generator, signal + background', coefficients: Array.from(withBackground(generator.sigma, generator.coefficients, backgroundPb, total0)), errors: Array.from(generator.errors, (e) => (e * generator.sigma) / total0) },
    ...artifactCrossSections(inputs.derivative, 'derivative learning'),
    ...artifactCrossSections(inputs.morphing, 'morphing-aware'),
  ];
  const benchmarks = benchmarkPrecision(inputs.morphingNetwork, test);
  // what the selection keeps out: the same test sample without it
  const unselected = testSample(config, inputs.generator, { selection: false });
  const learnedUnselected = (artifact: LoadedArtifact) => polynomialTerms(artifact.likelihood)[0].events!.ratio.coefficientsFor(unselected.mixed.reco, unselected.mixed.count)[0];
  const tails = { truth: tailShares(unselected.mixed.coefficients, unselected), derivative: tailShares(learnedUnselected(inputs.derivative), unselected), morphing: tailShares(learnedUnselected(inputs.morphing), unselected) };
  return { config, test: testFigures(test), carlTest: testFigures(carlEvents), benchmarks, tails, scans: merged('scans'), oneAtATime: merged('oneAtATime'), contours: merged('contours'), fisher, crossSections, seconds };
}
