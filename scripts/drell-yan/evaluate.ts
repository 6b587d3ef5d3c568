/**
 * Issue 6, the comparison (seed 003 sec. 4, fig. 10 and 11): four inferences on the same
 * test data, an independent sample of signal and background at θ0, all computed by the
 * engine that serves the artifacts:
 *
 * - truth: every event's exact coefficients (c(z) for signal, e_0 for background), no detector;
 * - learned: the published `dy-smeft-run3` (ensemble mean, and each member for the band);
 * - histogram: reconstructed m_ℓℓ in the bins of `dy-smeft-run3-mll`;
 * - rate: the total count.
 *
 * Each likelihood sees the test sample as Asimov data at θ0 (weights L w) with σ(θ) summed
 * over the same sample (eq. 34), so that the sample's Monte Carlo fluctuation cancels and the
 * curves differ only by the information each inference extracts.
 */
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { profileContour, type ProfileContourResult } from '../../models/inference/intervals/contour.js';
import { intervalWidth, profileInterval, type ProfileIntervalResult } from '../../models/inference/intervals/profile.js';
import { createLikelihood, othersFixed, type Likelihood, type LikelihoodData } from '../../models/likelihood/likelihood.js';
import { invert } from '../../models/numeric/linear-algebra.js';
import { compileBinnedModel } from '../../models/terms/binned/term.js';
import { createUnbinnedPolynomialTerm, crossSectionFromReference, unbinnedAsimov, type UnbinnedData, polynomialTerms } from '../../models/terms/unbinned-polynomial.js';
import { BASIS, PARAMETERS } from '../simulators/drell-yan-physics.js';
import { deriveSeed } from '../simulators/types.js';
import { histogramSpec, LUMINOSITY_PB, MLL_EDGES, wilsonCoefficients } from './baselines.js';
import { mixedSample, PB, type GeneratorCrossSection } from './learned.js';

export const INFERENCES = ['truth', 'learned', 'histogram', 'rate'] as const;
export type Inference = (typeof INFERENCES)[number];
export const PAIRS = [
  [0, 1],
  [0, 2],
  [1, 2],
] as const;

export interface EvaluationConfig {
  seed: number;
  testEvents: number;
  testBackgroundEvents: number;
  /** scanned range of each coefficient */
  range: [number, number];
  /** the contours' range of each coefficient: ± this */
  contourHalfWidths: [number, number, number];
  scanPoints: number;
  contourPoints: number;
}

export const DEFAULT_EVALUATION_CONFIG: EvaluationConfig = { seed: 20261126, testEvents: 150_000, testBackgroundEvents: 45_000, range: [-0.02, 0.02], contourHalfWidths: [0.018, 0.012, 0.018], scanPoints: 31, contourPoints: 13 };
export const QUICK_EVALUATION_CONFIG: EvaluationConfig = { ...DEFAULT_EVALUATION_CONFIG, testEvents: 6000, testBackgroundEvents: 3000, scanPoints: 9, contourPoints: 5 };

export interface InferenceModel {
  likelihood: Likelihood;
  data: LikelihoodData;
  /** 1, or 1 + ensemble members */
  variants: number;
}

export interface Evaluation {
  config: EvaluationConfig;
  test: { signal: number; background: number; sigmaPb: number; backgroundPb: number };
  /** per inference, per coefficient, per variant (0: the estimate) */
  scans: Record<Inference, ProfileIntervalResult[][]>;
  /** per inference, per coefficient: the others fixed at the SM (estimate only) */
  oneAtATime: Record<Inference, ProfileIntervalResult[]>;
  /** the learned likelihood in the linear regime against the truth, on the test sample */
  fisher: FisherDiagnostics;
  /** per inference but the rate, per pair, per variant */
  contours: Record<Exclude<Inference, 'rate'>, ProfileContourResult[][]>;
  seconds: number;
}

/** The test sample of the comparison: signal and background at θ0 (`mixed`: both, signal first), weights in fb. */
export function testSample(config: Pick<EvaluationConfig, 'seed' | 'testEvents' | 'testBackgroundEvents'>, generator: Pick<GeneratorCrossSection, 'above200'>, options: { selection?: boolean } = {}) {
  const parts = mixedSample(config.testEvents, config.testBackgroundEvents, deriveSeed(config.seed, 'test'), generator.above200, options);
  return { ...parts, weightsFb: parts.mixed.weights.map((w) => w * PB) };
}
export type TestSample = ReturnType<typeof testSample>;

/** A published learned likelihood (unbinned polynomial term) fed the test events' reco-level observables as Asimov data at θ0. */
export function polynomialInference(artifact: LoadedArtifact, test: TestSample): InferenceModel & { coefficients: Float64Array[] } {
  const L = artifact.manifest.luminosity.value;
  const { mixed, weightsFb } = test;
  const [term] = polynomialTerms(artifact.likelihood);
  const variants = term.events!.ratio.coefficientsFor(mixed.reco, mixed.count);
  const data = unbinnedAsimov(term, { count: mixed.count, coefficients: variants, weights: variants.map(() => weightsFb) }, new Float64Array(PARAMETERS.length), L);
  return { likelihood: artifact.likelihood, data: { luminosity: L, rate: true, terms: { [term.name]: data } }, variants: variants.length, coefficients: variants };
}

/** The truth: the test events' exact coefficients (no detector), σ(θ) from the same events. */
export function truthInference(test: TestSample, luminosity: number): InferenceModel {
  const { mixed, weightsFb } = test;
  const C = BASIS.size;
  const parameters = wilsonCoefficients();
  const term = createUnbinnedPolynomialTerm({ name: 'truth', parameters, degree: 2, basis: BASIS, sigma0: weightsFb.reduce((a, b) => a + b, 0), crossSection: [crossSectionFromReference(mixed.coefficients, mixed.count, C, weightsFb)] });
  const data: UnbinnedData = unbinnedAsimov(term, { count: mixed.count, coefficients: [mixed.coefficients], weights: [weightsFb] }, new Float64Array(PARAMETERS.length), luminosity);
  return { likelihood: createLikelihood(parameters, [term], luminosity), data: { luminosity, rate: true, terms: { truth: data } }, variants: 1 };
}

/** A binned inference (the m_ℓℓ histogram in `edges`, or the rate: one bin) on the test sample, Asimov at θ0. */
export function binnedInference(test: TestSample, edges: readonly number[], name: string): InferenceModel {
  const t = compileBinnedModel(name, histogramSpec(test.signal, test.background, edges));
  const likelihood = createLikelihood(wilsonCoefficients(), [t], LUMINOSITY_PB);
  return { likelihood, data: { luminosity: LUMINOSITY_PB, rate: true, terms: { [name]: t.asimov(likelihood.initial(), likelihood.termIndex(t)) } }, variants: 1 };
}

/** The four inferences' likelihoods with the test sample as their Asimov data. */
export function inferenceModels(artifact: LoadedArtifact, config: EvaluationConfig, generator: Pick<GeneratorCrossSection, 'above200'>): { models: Record<Inference, InferenceModel>; test: Evaluation['test']; fisher: FisherDiagnostics } {
  const sample = testSample(config, generator);
  const { signal, background, mixed, weightsFb } = sample;
  const L = artifact.manifest.luminosity.value;
  const learned = polynomialInference(artifact, sample);
  const models: Record<Inference, InferenceModel> = {
    truth: truthInference(sample, L),
    learned,
    histogram: binnedInference(sample, MLL_EDGES, 'mll'),
    rate: binnedInference(sample, [MLL_EDGES[0], Infinity], 'rate'),
  };
  const fisher = fisherDiagnostics(mixed.coefficients, learned.coefficients[0], weightsFb.map((w) => w * L), mixed.count);
  return { models, fisher, test: testFigures(sample) };
}

/** The test sample's sizes and cross sections, as reported. */
export function testFigures({ signal, background }: TestSample): Evaluation['test'] {
  let sigmaPb = 0;
  for (let i = 0; i < signal.count; i++) sigmaPb += signal.weights[i];
  return { signal: signal.count, background: background.count, sigmaPb, backgroundPb: background.count ? background.count * background.weights[0] : 0 };
}

/** What `runInferences` gives: per inference, per coefficient, per variant (0: the estimate), and contours per pair. */
export interface InferenceScans<N extends string> {
  scans: Record<N, ProfileIntervalResult[][]>;
  oneAtATime: Record<N, ProfileIntervalResult[]>;
  contours: Partial<Record<N, ProfileContourResult[][]>>;
}

/**
 * Profile scans of each coefficient (others profiled; every variant) and with the others fixed
 * (the estimate), and the 2-D contours of each pair for the inferences in `contours` (every
 * variant, or the estimate only with `memberContours: false`).
 */
export function runInferences<N extends string>(
  models: Record<N, InferenceModel>,
  config: EvaluationConfig,
  contours: readonly N[],
  onProgress?: (done: number, total: number, what: string) => void,
  options: { memberContours?: boolean } = {},
): InferenceScans<N> {
  const contourVariants = (inference: N) => (options.memberContours === false ? 1 : models[inference].variants);
  const names = Object.keys(models) as N[];
  const levels = [0.68, 0.95];
  const total = names.reduce((n, i) => n + PARAMETERS.length * (models[i].variants + 1), 0) + contours.reduce((n, i) => n + PAIRS.length * contourVariants(i), 0);
  let done = 0;
  const tick = (what: string) => onProgress?.(++done, total, what);
  const byName = <T>(list: readonly N[], f: (name: N) => T) => Object.fromEntries(list.map((name) => [name, f(name)])) as Record<N, T>;

  const scans = byName(names, (inference) => {
    const { likelihood, data, variants } = models[inference];
    return PARAMETERS.map((p) =>
      Array.from({ length: variants }, (_, variant) => {
        const result = profileInterval(likelihood, data, p.name, levels, { points: config.scanPoints, range: config.range, variant });
        tick(`${inference} ${p.name}`);
        return result;
      }),
    );
  });
  const oneAtATime = byName(names, (inference) => {
    const { likelihood, data } = models[inference];
    return PARAMETERS.map((p) => {
      const result = profileInterval(othersFixed(likelihood, p.name), data, p.name, levels, { points: config.scanPoints, range: config.range });
      tick(`${inference} ${p.name} alone`);
      return result;
    });
  });
  const range = (k: number) => [-config.contourHalfWidths[k], config.contourHalfWidths[k]] as const;
  const contourResults = byName(contours, (inference) => {
    const { likelihood, data } = models[inference];
    return PAIRS.map(([a, b]) =>
      Array.from({ length: contourVariants(inference) }, (_, variant) => {
        const result = profileContour(likelihood, data, [PARAMETERS[a].name, PARAMETERS[b].name], levels, { points: config.contourPoints, ranges: [range(a), range(b)], variant });
        tick(`${inference} ${PARAMETERS[a].name}–${PARAMETERS[b].name}`);
        return result;
      }),
    );
  });
  return { scans, oneAtATime, contours: contourResults };
}

/** Profile scans of each coefficient (others profiled) and 2-D contours of each pair, every variant. */
export function evaluateInferences(
  artifact: LoadedArtifact,
  config: EvaluationConfig,
  generator: Pick<GeneratorCrossSection, 'above200'>,
  onProgress?: (done: number, total: number, what: string) => void,
): Evaluation {
  const started = performance.now();
  const { models, test, fisher } = inferenceModels(artifact, config, generator);
  const { scans, oneAtATime, contours } = runInferences<Inference>(models, config, ['truth', 'learned', 'histogram'], onProgress);
  return { config, test, scans, oneAtATime, fisher, contours: contours as Evaluation['contours'], seconds: (performance.now() - started) / 1000 };
}

/**
 * The validation record's closure figures of a comparison: each inference's profiled 68% width
 * per coefficient, and a learned likelihood's linear-regime figures (`fisherDiagnostics`) under
 * `learned`, its name in the keys.
 */
export function comparisonClosure<N extends string>(scans: Record<N, ProfileIntervalResult[][]>, inferences: readonly N[], fisher: FisherDiagnostics, learned: string): Record<string, number> {
  const closure: Record<string, number> = {};
  PARAMETERS.forEach((p, k) => {
    for (const inference of inferences) {
      const width = intervalWidth(scans[inference][k][0], 0.68);
      if (Number.isFinite(width)) closure[`68% width of ${p.name}, ${inference}`] = width;
    }
  });
  PARAMETERS.forEach((p, k) => {
    closure[`1σ of ${p.name}, linear regime: truth`] = fisher.truth[k];
    closure[`1σ of ${p.name}, linear regime: ${learned} claim`] = fisher.claimed[k];
    closure[`1σ of ${p.name}, linear regime: ${learned} calibrated`] = fisher.calibrated[k];
    closure[`response of ${p.name} to its true value`] = fisher.response[k * (PARAMETERS.length + 1)];
  });
  return closure;
}

export interface FisherDiagnostics {
  /** per coefficient, the others profiled, 1σ half-widths: the truth's T⁻¹, the learned likelihood's claim V⁻¹, and its calibrated spread J'⁻¹ V J'⁻ᵀ */
  truth: number[];
  claimed: number[];
  calibrated: number[];
  /** the response M = V⁻¹ J' (row-major P × P): E[θ̂ − θ0] = M (θ_true − θ0); the identity for a calibrated ĉ */
  response: number[];
}

/**
 * The learned likelihood in the linear regime, on the test sample (the asymptotics of a
 * misspecified likelihood): with c the events' exact linear coefficients (zeros for
 * background), ĉ the served ones (f_s-mixed) and weights L w,
 *
 *     T = Σ w c cᵀ (the truth's information),  V = Σ w ĉ ĉᵀ (the learned likelihood's Hessian
 *     at θ0, and the variance of its score there),  J' = Σ w ĉ cᵀ (how its score responds to
 *     the true θ).
 *
 * At θ_true = θ0 the fitted θ̂ has covariance V⁻¹, exactly what the likelihood claims, for any
 * ĉ: coverage at the SM is nominal to first order whatever the regression's quality (σ(θ)
 * being right). Away from θ0, θ̂ responds as M = V⁻¹ J' instead of 1; undoing that leaves
 * the calibrated spread J'⁻¹ V J'⁻ᵀ, never narrower than the truth's T⁻¹ (Cauchy–Schwarz),
 * while V⁻¹ can be, when regression errors outside the span of the true c break a near
 * degeneracy of the three coefficients.
 */
export function fisherDiagnostics(exact: Float64Array, learned: Float64Array, weights: ArrayLike<number>, count: number): FisherDiagnostics {
  const C = BASIS.size;
  const P = PARAMETERS.length;
  const T = new Float64Array(P * P);
  const V = new Float64Array(P * P);
  const Jp = new Float64Array(P * P);
  for (let i = 0; i < count; i++) {
    const w = weights[i];
    for (let a = 0; a < P; a++) {
      for (let b = 0; b < P; b++) {
        T[a * P + b] += w * exact[i * C + 1 + a] * exact[i * C + 1 + b];
        V[a * P + b] += w * learned[i * C + 1 + a] * learned[i * C + 1 + b];
        Jp[a * P + b] += w * learned[i * C + 1 + a] * exact[i * C + 1 + b];
      }
    }
  }
  const Tinv = invert(T, P);
  const Vinv = invert(V, P);
  const Jinv = invert(Jp, P);
  if (!Tinv || !Vinv || !Jinv) throw new Error('a Fisher matrix of the test sample is singular');
  const product = (A: ArrayLike<number>, B: ArrayLike<number>, transposeB = false) => {
    const out = new Float64Array(P * P);
    for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) for (let k = 0; k < P; k++) out[i * P + j] += A[i * P + k] * (transposeB ? B[j * P + k] : B[k * P + j]);
    return out;
  };
  const calibrated = product(product(Jinv, V), Jinv, true);
  const sigma = (M: Float64Array) => Array.from({ length: P }, (_, k) => Math.sqrt(M[k * P + k]));
  return { truth: sigma(Tinv), claimed: sigma(Vinv), calibrated: sigma(calibrated), response: Array.from(product(Vinv, Jp)) };
}
