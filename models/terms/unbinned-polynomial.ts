/**
 * The extended unbinned polynomial term (seed 003 app. A eq. 49; DESIGN.md "The likelihood"):
 *
 *     −ln L(θ) = L σ(θ) − Σ_i w_i ln R̂(x_i|θ)          (rate: true, up to a θ-free constant)
 *     −ln L(θ) = −Σ_i w_i ln R̂(x_i|θ) + W ln(σ(θ)/σ(θ0)) (rate: false, shape only, W = Σ w_i)
 *
 * with R̂(x|θ) = ĉ(x) · m(Δθ) the ratio of differential cross sections dσ(x|θ)/dσ(x|θ0)
 * (seed 003 eq. 29) and σ(θ) = σ0 s · m(Δθ) (eq. 34: s is the learned ĉ summed over the
 * reference sample). The shape-only form is −Σ ln p(x_i|θ) + Σ ln p(x_i|θ0), because
 * p(x|θ)/p(x|θ0) = R̂(x|θ) σ(θ0)/σ(θ).
 *
 * Ensembles: a dataset carries one coefficient matrix per *variant*; variant 0 is the
 * ensemble's estimate (the mean of the members' ĉ), variants 1..K are the members, each
 * with its own cross-section coefficients. The spread of NLL over members is the
 * ensemble's uncertainty band (seed 003 app. A).
 */
import { evaluateMonomials, monomialGradient, monomialHessian, polynomialValue, type MonomialBasis } from '../basis/monomial-basis.js';
import { DatasetError, NonPositiveRateError, type Derivatives, type EvaluationContext, type ParameterSpec, type SubmittedData, type Term, type ToyRandom } from '../likelihood/term.js';
import type { RatioModel } from '../ratio/ratio-model.js';
import { submittedEvents, toySampler, totalWeight, type ToySampler, type UnbinnedTerm } from './unbinned.js';
import { NonPositiveRatioError, sumLogRatios, sumLogRatiosBatch, sumLogRatiosWithDerivatives } from './unbinned-kernels.js';

/** Events of one dataset as seen by the term: learned coefficients per variant and optional weights. */
export interface UnbinnedData {
  readonly count: number;
  /** per variant (0 = estimate, 1..K = ensemble members), N × C row-major */
  readonly coefficients: readonly Float64Array[];
  /** per variant event weights (null: unit weights); Asimov weights differ between variants */
  readonly weights: readonly (Float64Array | null)[];
  /**
   * Per variant cross-section coefficients that replace the term's for these data. Asimov
   * data built from the reference sample carry the sample's own mean ĉ (eq. 34), so that
   * the Monte Carlo error of the finite sample cancels in σ(θ) and Σ w ln R̂ alike and the
   * Asimov NLL is minimal exactly at θ_A.
   */
  readonly crossSections?: readonly Float64Array[];
}

/** What the unbinned term reads of the evaluation context: the luminosity, the rate switch and the variant. */
export type UnbinnedEvaluation = Pick<EvaluationContext, 'luminosity' | 'rate' | 'variant'>;

/** Published events of a term: the observed ones (n × D, the term's observables) and their weights. */
export interface ObservedEvents {
  readonly count: number;
  readonly values: ArrayLike<number>;
  readonly weights?: ArrayLike<number>;
}

/**
 * What turns events into this term's data: the ratio model ĉ(x) over the term's observables,
 * the reference sample drawn at θ0 (its ĉ and weights, for Asimov data and eq. 34), and the
 * published observed events.
 */
export interface UnbinnedEventModel {
  readonly ratio: RatioModel;
  /** the observables the ratio model reads, in its input order */
  readonly observables: readonly string[];
  readonly reference: UnbinnedData;
  readonly observed: ObservedEvents | null;
}

export interface UnbinnedPolynomialTerm extends UnbinnedTerm<UnbinnedData> {
  readonly kind: 'unbinned-polynomial';
  readonly basis: MonomialBasis;
  /** the term's parameters: its θ, in basis order */
  readonly parameters: readonly ParameterSpec[];
  /** cross-section coefficients s per variant (0 = estimate) */
  readonly crossSection: readonly Float64Array[];
  readonly variants: number;
  /** the ratio model, reference sample and observed events; null for a term built from data alone */
  readonly events: UnbinnedEventModel | null;
  nll(params: Float64Array, index: Int32Array, data: UnbinnedData, evaluation: UnbinnedEvaluation, derivatives?: Derivatives): number;
  /** −ln L at K points Δθ given as K × P (θ values, not offsets), variant 0, no derivatives: the throughput path */
  nllBatch(thetas: Float64Array, K: number, data: UnbinnedData, evaluation: UnbinnedEvaluation, out?: Float64Array): Float64Array;
}

export interface UnbinnedTermOptions {
  name: string;
  parameters: readonly ParameterSpec[];
  degree: number;
  basis: MonomialBasis;
  sigma0: number;
  crossSection: readonly Float64Array[];
  events?: UnbinnedEventModel;
}

export function createUnbinnedPolynomialTerm(options: UnbinnedTermOptions): UnbinnedPolynomialTerm {
  const { name, parameters, basis, sigma0, crossSection } = options;
  const events = options.events ?? null;
  const P = basis.parameters;
  const C = basis.size;
  if (parameters.length !== P) throw new Error(`term '${name}': ${parameters.length} parameters for a basis in ${P}`);
  for (const s of crossSection) if (s.length !== C) throw new Error(`term '${name}': cross-section coefficients need ${C} entries, got ${s.length}`);
  const reference = Float64Array.from(parameters, (p) => p.init);

  // Scratch buffers reused across calls: evaluation is single-threaded per isolate.
  const dtheta = new Float64Array(P);
  const m = new Float64Array(C);
  const dm = new Float64Array(C * P);
  const d2m = new Float64Array(C * P * P);
  const g = new Float64Array(P);
  const h = new Float64Array(P * P);

  const setMonomials = (params: Float64Array, index: Int32Array) => {
    for (let j = 0; j < P; j++) dtheta[j] = params[index[j]] - reference[j];
    evaluateMonomials(basis, dtheta, m);
  };
  const coefficientsOf = (variant: number, data?: UnbinnedData) => data?.crossSections?.[variant] ?? data?.crossSections?.[0] ?? crossSection[variant] ?? crossSection[0];
  const sigmaAt = (variant: number, data?: UnbinnedData) => {
    const s = coefficientsOf(variant, data);
    const value = sigma0 * polynomialValue(s, m);
    if (!(value > 0) || !Number.isFinite(value)) throw new NonPositiveRateError(name, 'total cross section σ(θ)', value);
    return value;
  };

  const eventModel = (what: string): UnbinnedEventModel => {
    if (!events) throw new DatasetError([], `term '${name}' has no ratio model and reference sample: ${what} cannot be built`);
    return events;
  };
  let observed: UnbinnedData | null = null;
  const sampleToy = toySampler(name);

  const term: UnbinnedPolynomialTerm = {
    kind: 'unbinned-polynomial',
    name,
    basis,
    parameters,
    reference,
    sigma0,
    crossSection,
    events,
    variants: crossSection.length,
    submits: 'events',
    constraints: [],
    withoutConstraints: () => term,
    hasObserved: events?.observed != null,
    observables: events?.observables ?? [],
    referenceCount: events?.reference.count ?? 0,
    observedCount: events?.observed?.count ?? 0,
    // per event a logarithm and the C-term dot product; the gradient about doubles it, the
    // Hessian adds a P-wide outer product (measured on the published likelihoods, bench:cost)
    evaluationUnits: (order, count) => count * (5 + 0.7 * C) * [1, 2, 1 + P][order] + C * P * P,
    eventCount: (data) => data.count,
    eventData(values, count, weights = null) {
      const coefficients = eventModel('event data').ratio.coefficientsFor(values, count);
      return { count, coefficients, weights: coefficients.map(() => weights) };
    },
    asimov(params, index, context) {
      const thetaA = Float64Array.from(index, (i) => params[i]);
      return unbinnedAsimov(term, eventModel('Asimov data').reference, thetaA, context.luminosity);
    },
    toy: (params, index, context, rng) => unbinnedToy(term, eventModel('toys').reference, params, index, context.luminosity, rng, sampleToy),
    observed() {
      if (!events?.observed) throw new DatasetError([], `this likelihood publishes no observed events for term '${name}'`);
      const sample = events.observed;
      observed ??= term.eventData(sample.values, sample.count, sample.weights ? Float64Array.from(sample.weights) : null);
      return observed;
    },
    submitted(data: SubmittedData) {
      const { values, count, weights } = submittedEvents(name, data, eventModel('event data').observables);
      return term.eventData(values, count, weights);
    },
    eventLogRatios: (data, params, index, variant = 0) => eventLogRatios(term, data, params, index, variant),
    // submitted events go through the ratio model once; the data hold ĉ per variant
    dataCost: (count, submitted) => ({
      units: (submitted ? count * (events?.ratio.unitsPerEvent ?? 0) : 0) + count * C * crossSection.length,
      memoryBytes: 8 * count * ((events?.observables.length ?? 0) + 2 * C * crossSection.length),
    }),
    ratioCost: (count, points) => ({
      units: count * ((events?.ratio.unitsPerEvent ?? 0) + 2 * C * crossSection.length * points),
      memoryBytes: 8 * count * (C * crossSection.length + 6 * crossSection.length * points),
    }),
    totalCrossSection(params, index, variant = 0) {
      setMonomials(params, index);
      return sigmaAt(variant);
    },
    nll(params, index, data, evaluation, derivatives) {
      const { variant, luminosity, rate } = evaluation;
      const coefficients = data.coefficients[variant];
      if (!coefficients) throw new RangeError(`term '${name}': the data have no ensemble variant ${variant}`);
      const weights = data.weights[variant] ?? null;
      setMonomials(params, index);
      const sigma = sigmaAt(variant, data);
      const W = rate ? 0 : totalWeight(data.count, weights);
      const s = coefficientsOf(variant, data);
      const wantGradient = derivatives?.gradient !== undefined;
      const wantHessian = derivatives?.hessian !== undefined;

      let logSum: number;
      try {
        if (!wantGradient && !wantHessian) logSum = sumLogRatios(coefficients, data.count, m, weights);
        else {
          monomialGradient(basis, m, dm);
          if (wantHessian) monomialHessian(basis, m, d2m);
          logSum = sumLogRatiosWithDerivatives(coefficients, data.count, m, dm, wantHessian ? d2m : null, P, weights, g, wantHessian ? h : null);
        }
      } catch (error) {
        if (error instanceof NonPositiveRatioError) throw new NonPositiveRateError(name, `ratio R(x|θ) of event ${error.event}`, error.value);
        throw error;
      }

      // rate: L σ0 s·m;  shape: W ln(s·m / s_0)
      const sm = sigma / sigma0;
      const value = rate ? luminosity * sigma - logSum : W * Math.log(sm / s[0]) - logSum;

      if (wantGradient || wantHessian) addDerivatives(derivatives!, index, { basis, s, dm, d2m, g, h, rate, factor: rate ? luminosity * sigma0 : W, sm });
      return value;
    },
    nllBatch(thetas, K, data, evaluation, out = new Float64Array(K)) {
      const { luminosity, rate } = evaluation;
      const weights = data.weights[0] ?? null;
      const M = new Float64Array(K * C);
      const mk = new Float64Array(C);
      const sigmas = new Float64Array(K);
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < P; j++) dtheta[j] = thetas[k * P + j] - reference[j];
        evaluateMonomials(basis, dtheta, mk);
        M.set(mk, k * C);
        m.set(mk);
        sigmas[k] = sigmaAt(0, data);
      }
      try {
        sumLogRatiosBatch(data.coefficients[0], data.count, C, M, K, weights, out);
      } catch (error) {
        if (error instanceof NonPositiveRatioError) throw new NonPositiveRateError(name, `ratio R(x|θ) of event ${error.event}`, error.value);
        throw error;
      }
      const W = rate ? 0 : totalWeight(data.count, weights);
      for (let k = 0; k < K; k++) {
        out[k] = rate ? luminosity * sigmas[k] - out[k] : W * Math.log(sigmas[k] / sigma0 / coefficientsOf(0, data)[0]) - out[k];
      }
      return out;
    },
  };
  return term;
}

/**
 * Adds the term's gradient and Hessian in θ at global positions `index`: the rate part,
 * d(L σ0 s·m) with the rate or d(W ln(s·m/s_0)) shape only (`factor` is L σ0 or W, `sm` is
 * s·m/s_0), minus the events' Σ w ∇ln R̂ (`g`, `h`, from the kernel).
 */
function addDerivatives(
  derivatives: Derivatives,
  index: Int32Array,
  a: { basis: MonomialBasis; s: Float64Array; dm: Float64Array; d2m: Float64Array; g: Float64Array; h: Float64Array; rate: boolean; factor: number; sm: number },
): void {
  const { s, dm, d2m, g, h, rate, factor, sm } = a;
  const P = a.basis.parameters;
  const C = a.basis.size;
  const n = derivatives.gradient ? derivatives.gradient.length : Math.round(Math.sqrt(derivatives.hessian!.length));
  const sGrad = new Float64Array(P);
  for (let j = 0; j < P; j++) for (let c = 0; c < C; c++) sGrad[j] += s[c] * dm[c * P + j];
  const { gradient, hessian } = derivatives;
  if (gradient) {
    for (let j = 0; j < P; j++) {
      const rateGrad = rate ? factor * sGrad[j] : (factor * sGrad[j]) / sm;
      gradient[index[j]] += rateGrad - g[j];
    }
  }
  if (hessian) {
    for (let j = 0; j < P; j++) {
      for (let k = 0; k < P; k++) {
        let sH = 0;
        for (let c = 0; c < C; c++) sH += s[c] * d2m[(c * P + j) * P + k];
        const rateHess = rate ? factor * sH : factor * (sH / sm - (sGrad[j] * sGrad[k]) / (sm * sm));
        hessian[index[j] * n + index[k]] += rateHess - h[j * P + k];
      }
    }
  }
}

/**
 * Asimov data for the unbinned term (DESIGN.md "Expected results"): the reference sample,
 * drawn at θ0 with normalised weights w_ref (Σ w_ref = 1), reweighted to θ_A with each
 * variant's own ratio, w_i = L σ0 w_ref,i ĉ_i·m(θ_A − θ0). Then Σ_i w_i f(x_i) estimates
 * L ∫ dσ(x|θ_A) f(x), the expectation of Σ f over data at θ_A.
 */
export function unbinnedAsimov(
  term: UnbinnedPolynomialTerm,
  reference: UnbinnedData,
  thetaA: Float64Array,
  luminosity: number,
): UnbinnedData {
  const { basis, sigma0 } = term;
  const C = basis.size;
  const dtheta = Float64Array.from(thetaA, (v, j) => v - term.reference[j]);
  const m = evaluateMonomials(basis, dtheta);
  const weights = reference.coefficients.map((coefficients, variant) => {
    const wRef = reference.weights[variant] ?? null;
    const out = new Float64Array(reference.count);
    let norm = 0;
    for (let i = 0; i < reference.count; i++) norm += wRef ? wRef[i] : 1;
    const scale = (luminosity * sigma0) / norm;
    for (let i = 0; i < reference.count; i++) {
      const r = polynomialValue(coefficients, m, i * C);
      if (!(r >= 0)) throw new NonPositiveRateError(term.name, `ratio R(x|θ_A) of reference event ${i}`, r);
      out[i] = scale * (wRef ? wRef[i] : 1) * r;
    }
    return out;
  });
  const crossSections = reference.coefficients.map((coefficients, variant) => crossSectionFromReference(coefficients, reference.count, C, reference.weights[variant] ?? null));
  return { count: reference.count, coefficients: reference.coefficients, weights, crossSections };
}

/**
 * A pseudo-experiment of the unbinned term at global `params` (`Term.toy`): N ~ Poisson(L σ(θ))
 * events of the reference sample, each with probability ∝ w_ref,i R̂_i(θ) by the estimate's
 * coefficients (the sample reweighted to θ, as for Asimov data), drawn by the term's `sample`;
 * every variant's coefficients of the events drawn, unit weights.
 */
export function unbinnedToy(term: UnbinnedPolynomialTerm, reference: UnbinnedData, params: Float64Array, index: Int32Array, luminosity: number, rng: ToyRandom, sample: ToySampler): UnbinnedData {
  const C = term.basis.size;
  const theta = Float64Array.from(index, (g) => params[g]);
  const weightsAt = () => {
    const m = evaluateMonomials(term.basis, Float64Array.from(theta, (v, j) => v - term.reference[j]));
    const c0 = reference.coefficients[0];
    const w0 = reference.weights[0];
    return Float64Array.from({ length: reference.count }, (_, i) => (w0 ? w0[i] : 1) * polynomialValue(c0, m, i * C));
  };
  const drawn = sample(theta, weightsAt, luminosity * term.totalCrossSection(params, index, 0), rng);
  const coefficients = reference.coefficients.map((c) => {
    const rows = new Float64Array(drawn.length * C);
    drawn.forEach((i, k) => rows.set(c.subarray(i * C, (i + 1) * C), k * C));
    return rows;
  });
  return { count: drawn.length, coefficients, weights: coefficients.map(() => null) };
}

/** Cross-section coefficients by eq. 34: s = Σ_i w_i ĉ_i / Σ_i w_i over the reference sample. */
export function crossSectionFromReference(coefficients: Float64Array, count: number, C: number, weights: Float64Array | null): Float64Array {
  const s = new Float64Array(C);
  let norm = 0;
  for (let i = 0; i < count; i++) {
    const w = weights ? weights[i] : 1;
    norm += w;
    for (let c = 0; c < C; c++) s[c] += w * coefficients[i * C + c];
  }
  for (let c = 0; c < C; c++) s[c] /= norm;
  return s;
}

/**
 * Per-event ln r(x_i|θ, θ0) = ln[p(x_i|θ)/p(x_i|θ0)] = ln R̂(x_i|θ) − ln[σ(θ)/σ(θ0)]
 * (seed 003 eq. 5 with eq. 29 and 34), for one variant.
 */
export function eventLogRatios(term: UnbinnedPolynomialTerm, data: UnbinnedData, params: Float64Array, index: Int32Array, variant = 0): Float64Array {
  const { basis } = term;
  const C = basis.size;
  const dtheta = Float64Array.from(index, (g, j) => params[g] - term.reference[j]);
  const m = evaluateMonomials(basis, dtheta);
  const s = term.crossSection[variant] ?? term.crossSection[0];
  const sigmaRatio = polynomialValue(s, m) / s[0];
  if (!(sigmaRatio > 0) || !Number.isFinite(sigmaRatio)) throw new NonPositiveRateError(term.name, 'total cross section σ(θ)', sigmaRatio);
  const logSigmaRatio = Math.log(sigmaRatio);
  const coefficients = data.coefficients[variant];
  const out = new Float64Array(data.count);
  for (let i = 0; i < data.count; i++) {
    const r = polynomialValue(coefficients, m, i * C);
    if (!(r > 0) || r === Infinity) throw new NonPositiveRateError(term.name, `ratio R(x|θ) of event ${i}`, r);
    out[i] = Math.log(r) - logSigmaRatio;
  }
  return out;
}

/** The unbinned polynomial terms of a likelihood, in order. */
export function polynomialTerms(likelihood: { readonly terms: readonly { readonly term: Term }[] }): UnbinnedPolynomialTerm[] {
  return likelihood.terms.flatMap(({ term }) => (term.kind === 'unbinned-polynomial' ? [term as UnbinnedPolynomialTerm] : []));
}
