/**
 * Issue 17 item 4, the reco-level comparison (seed 003 fig. 10-11): the inferences on one test
 * sample at θ0, taken as Asimov data (weights L w), each computed by the engine that serves
 * the artifacts:
 *
 * - truth: the events' exact parton-level coefficients c(z) (the information before the
 *   detector, for the selected events);
 * - mlp, lgatr: a learned ĉ(x) (ensemble mean, and each member for the band);
 * - histogram: m_T^WZ in the seed's bins, plus the underflow below 200 GeV so that it holds
 *   every event the rate does;
 * - rate: the total count.
 *
 * σ(θ) of each is summed over the same sample (seed 003 eq. 34), so that the sample's Monte
 * Carlo fluctuation cancels and the curves differ only by the information each extracts.
 */
import { profileContour, type ProfileContourResult } from '../../models/inference/intervals/contour.js';
import { profileInterval, type ProfileIntervalResult } from '../../models/inference/intervals/profile.js';
import { createLikelihood, othersFixed, type Likelihood, type LikelihoodData } from '../../models/likelihood/likelihood.js';
import { interestParameter, type ParameterSpec } from '../../models/likelihood/term.js';
import { evaluateEnsemble, type AnyFrozenNetwork } from '../../models/network/frozen-network.js';
import { compileBinnedModel } from '../../models/terms/binned/term.js';
import type { BinnedModelSpec } from '../../models/terms/binned/schema.js';
import { createUnbinnedPolynomialTerm, crossSectionFromReference, unbinnedAsimov } from '../../models/terms/unbinned-polynomial.js';
import { BASIS, PARAMETERS } from '../simulators/wz-physics.js';
import { C, LUMINOSITY_FB, PB, recoColumn, type SelectedSample } from './samples.js';

/** The seed's m_T^WZ bin edges (GeV), after an underflow bin from 0 and up to an overflow bin. */
export const MTWZ_EDGES = [0, 200, 400, 600, 800, 1000, 1500, 2500, Infinity];
export const PAIRS = [
  [0, 1],
  [0, 2],
  [1, 2],
] as const;
export const LEVELS = [0.68, 0.95];

export interface InferenceModel {
  likelihood: Likelihood;
  data: LikelihoodData;
  /** 1, or 1 + ensemble members */
  variants: number;
}

/** The Wilson coefficients as parameters of interest over their ranges; with `only`, the others fixed at 0. */
export const wilsonCoefficients = (only?: string): ParameterSpec[] => PARAMETERS.map((p) => interestParameter(p.name, 0, p.range, only !== undefined && p.name !== only));

/**
 * An unbinned polynomial likelihood of the sample with per-variant coefficients (row-major, C per
 * event), Asimov at θ0, as the published artifact computes it: σ(θ0) = `sigma0Fb` (the
 * generator's), the Asimov data carrying the sample's own mean ĉ (unbinnedAsimov).
 */
export function polynomialInference(sample: SelectedSample, variants: readonly Float64Array[], name: string, sigma0Fb: number): InferenceModel {
  const weights = sample.weights.map((w) => w * PB);
  const parameters = wilsonCoefficients();
  const sigma0 = sigma0Fb;
  const crossSection = variants.map((v) => crossSectionFromReference(v, sample.count, C, weights));
  const term = createUnbinnedPolynomialTerm({ name, parameters, degree: 2, basis: BASIS, sigma0, crossSection });
  const data = unbinnedAsimov(term, { count: sample.count, coefficients: [...variants], weights: variants.map(() => weights) }, new Float64Array(PARAMETERS.length), LUMINOSITY_FB);
  return { likelihood: createLikelihood(parameters, [term], LUMINOSITY_FB), data: { luminosity: LUMINOSITY_FB, rate: true, terms: { [name]: data } }, variants: variants.length };
}

/** The learned ĉ(x) of the sample's events: the ensemble mean, then each member. */
export function learnedVariants(network: AnyFrozenNetwork, sample: Pick<SelectedSample, 'count' | 'reco'>): Float64Array[] {
  const { mean, members } = evaluateEnsemble(network, sample.reco, sample.count);
  return [mean, ...members];
}

/**
 * m_T^WZ in `edges` as a binned model: per bin Σ L w c of the events in it (fb⁻¹ × fb), exact
 * quadratic yields; with edges [0, ∞), the rate alone.
 */
export function histogramSpec(sample: SelectedSample, edges: readonly number[] = MTWZ_EDGES): BinnedModelSpec {
  const values = recoColumn(sample, 'mt_WZ');
  const bins = edges.length - 1;
  const yields = Array.from({ length: bins }, () => new Array<number>(C).fill(0));
  for (let i = 0; i < sample.count; i++) {
    let b = 0;
    while (b < bins - 1 && values[i] >= edges[b + 1]) b++;
    const w = sample.weights[i] * PB * LUMINOSITY_FB;
    for (let k = 0; k < C; k++) yields[b][k] += w * sample.coefficients[i * C + k];
  }
  return { parameters: PARAMETERS.map((p) => p.name), degree: 2, reference: [0, 0, 0], channels: [{ name: 'mtwz', samples: [{ name: 'wz', coefficients: yields, modifiers: [] }] }] };
}

/** A binned inference of the sample (the histogram, or the rate with edges [0, ∞)), Asimov at θ0; counts carry the luminosity, so L = 1. */
export function binnedInference(sample: SelectedSample, edges: readonly number[], name: string): InferenceModel {
  const term = compileBinnedModel(name, histogramSpec(sample, edges));
  const likelihood = createLikelihood(wilsonCoefficients(), [term], 1);
  return { likelihood, data: { luminosity: 1, rate: true, terms: { [name]: term.asimov(likelihood.initial(), likelihood.termIndex(term)) } }, variants: 1 };
}

/**
 * The half-range of each coefficient's scans: where q of `model` with the others fixed first
 * exceeds `q` on both sides (a doubling search from `start`), times 1.3, within the parameter's
 * range. From the weakest inference the scans show (the rate has flat directions, so the
 * histogram), every other inference's intervals fit inside.
 */
export function scanHalfWidths(model: InferenceModel, q = 6): number[] {
  return PARAMETERS.map((p, k) => {
    const fixed = othersFixed(model.likelihood, p.name);
    const nll0 = fixed.nll(fixed.initial(), model.data);
    const limit = Math.min(-p.range[0], p.range[1]);
    const crosses = (v: number) =>
      [-v, v].every((x) => {
        const theta = fixed.initial();
        theta[k] = x;
        return 2 * (fixed.nll(theta, model.data) - nll0) > q;
      });
    let v = limit / 256;
    while (v < limit && !crosses(v)) v *= 2;
    // bisect between v/2 and v for the tighter of the two
    let lo = v / 2;
    let hi = Math.min(v, limit);
    for (let i = 0; i < 20 && hi < limit; i++) {
      const mid = (lo + hi) / 2;
      if (crosses(mid)) hi = mid;
      else lo = mid;
    }
    return Math.min(limit, 1.3 * hi);
  });
}

export interface Scans<N extends string> {
  halfWidths: number[];
  /** per inference, per coefficient, per variant (0: the estimate): the others profiled */
  profiled: Record<N, ProfileIntervalResult[][]>;
  /** per inference, per coefficient: the others at zero (estimate only) */
  oneAtATime: Record<N, ProfileIntervalResult[]>;
  /** per inference in `contours`, per pair: the third coefficient profiled (estimate only) */
  contours: Partial<Record<N, ProfileContourResult[]>>;
}

/** Every scan of the comparison, with a tick per finished scan. */
export function runScans<N extends string>(models: Record<N, InferenceModel>, halfWidths: number[], options: { points: number; contourPoints: number; contours: readonly N[]; onScan?: (what: string) => void }): Scans<N> {
  const names = Object.keys(models) as N[];
  const tick = options.onScan ?? (() => undefined);
  const byName = <T>(list: readonly N[], f: (name: N) => T) => Object.fromEntries(list.map((name) => [name, f(name)])) as Record<N, T>;
  const range = (k: number) => [-halfWidths[k], halfWidths[k]] as const;
  const profiled = byName(names, (n) =>
    PARAMETERS.map((p, k) =>
      Array.from({ length: models[n].variants }, (_, variant) => {
        const result = profileInterval(models[n].likelihood, models[n].data, p.name, LEVELS, { points: options.points, range: range(k), variant });
        tick(`${n} ${p.name}${variant ? ` member ${variant}` : ''}`);
        return result;
      }),
    ),
  );
  const oneAtATime = byName(names, (n) =>
    PARAMETERS.map((p, k) => {
      const result = profileInterval(othersFixed(models[n].likelihood, p.name), models[n].data, p.name, LEVELS, { points: options.points, range: range(k) });
      tick(`${n} ${p.name} alone`);
      return result;
    }),
  );
  const contours = byName(options.contours, (n) =>
    PAIRS.map(([a, b]) => {
      const result = profileContour(models[n].likelihood, models[n].data, [PARAMETERS[a].name, PARAMETERS[b].name], LEVELS, { points: options.contourPoints, ranges: [range(a), range(b)] });
      tick(`${n} ${PARAMETERS[a].name}–${PARAMETERS[b].name}`);
      return result;
    }),
  );
  return { halfWidths, profiled, oneAtATime, contours };
}
