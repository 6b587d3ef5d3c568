/**
 * The extended unbinned term with a θ-parametrised ratio (seed 003 eq. 6-11, CARL and ALICE;
 * DESIGN.md "The likelihood"): a frozen network takes (x, θ) and returns
 * ln r̂(x|θ, θ0) ≈ ln[p(x|θ)/p(x|θ0)], a ratio of normalised densities, as a classifier of
 * samples at θ against θ0 learns it (eq. 7, 9). With σ(θ) = σ0 s·m(Δθ) on the monomial basis
 * (exact, or morphed from benchmark cross sections: a classifier cannot learn a rate),
 * R̂(x|θ) = σ(θ)/σ(θ0) r̂(x|θ)/Z(θ) and
 *
 *     −ln L(θ) = L σ(θ) − W ln(σ(θ)/σ(θ0)) − Σ_i w_i ln r̂(x_i|θ) + W ln Z(θ)   (rate: true)
 *     −ln L(θ) = −Σ_i w_i ln r̂(x_i|θ) + W ln Z(θ)                                (rate: false)
 *
 * the same likelihood as the polynomial term's (W = Σ w_i). Z(θ) = Σ_j w_j r̂(x_j|θ) / Σ_j w_j
 * over the published reference sample drawn at θ0 is the analogue of eq. 34: it normalises the
 * learned density p̂(x|θ) = p(x|θ0) r̂(x|θ)/Z(θ) on that sample. A classifier's r̂ is
 * normalised only as well as it was trained, and an error of its normalisation that varies
 * with θ would move every fit; with Z it costs only the reference sample's Monte Carlo error,
 * and the Asimov likelihood is minimal exactly at θ_A (Gibbs' inequality). The price: every
 * evaluation also runs the network over the reference sample (shared with Asimov data, which
 * are that sample), and that sample's Monte Carlo error enters W ln Z multiplied by the data's
 * size, so it must be far larger than the data. Where that costs too much, `normalisation:
 * 'none'` takes Z ≡ 1 and trusts the classifier's own normalisation (MadMiner's choice): the
 * producer should then publish how far from 1 Z is. The θ-derivatives are exact: those of σ from the polynomial, those of
 * ln r̂ through the network (input-derivatives.ts), those of ln Z as weighted means of them.
 * Positivity holds by construction: R̂ > 0 wherever σ(θ) > 0.
 *
 * Ensembles: variant 0 is the mean of the members' ln r̂, variants 1..K the members; the
 * spread of the NLL over members is the ensemble's band, as for the polynomial term; each
 * variant has its own Z. Unlike that term, data cannot hold the ratio ahead of θ: every
 * evaluation runs the network on every event, so it costs a network pass per event (data and
 * reference sample) and member.
 */
import { evaluateMonomials, monomialGradient, monomialHessian, polynomialValue, type MonomialBasis } from '../basis/monomial-basis.js';
import { DatasetError, NonPositiveRateError, type Derivatives, type EvaluationContext, type ParameterSpec, type SubmittedData } from '../likelihood/term.js';
import { evaluateNetwork, networkOutputs, type FrozenNetwork } from '../network/frozen-network.js';
import { evaluateWithInputDerivatives } from '../network/input-derivatives.js';
import { networkUnits } from '../ratio/ratio-model.js';
import { submittedEvents, toySampler, totalWeight, type UnbinnedTerm } from './unbinned.js';
import type { ObservedEvents } from './unbinned-polynomial.js';

/** Events as the parametrised term sees them: network inputs with room for θ, and weights per variant. */
export interface ParametrisedData {
  readonly count: number;
  /** n × (D + P) network inputs: each event's observables, then θ (written at each evaluation) */
  readonly inputs: Float64Array;
  /** per variant event weights (null: unit weights); Asimov weights differ between variants */
  readonly weights: readonly (Float64Array | null)[];
}

/** A sample of events n × D with optional weights (the reference sample at θ0, observed events). */
export interface EventSampleData {
  readonly count: number;
  readonly values: ArrayLike<number>;
  readonly weights?: ArrayLike<number> | null;
}

/** The network and published samples a parametrised term is built from. */
export interface ParametrisedEventModel {
  /** inputs: the observables, then the term's parameters θ (absolute values, not offsets); one identity output ln r̂(x|θ, θ0) */
  readonly network: FrozenNetwork;
  readonly observables: readonly string[];
  /** events drawn at θ0, for Asimov data */
  readonly reference: EventSampleData;
  readonly observed: ObservedEvents | null;
}

export interface UnbinnedParametrisedTerm extends UnbinnedTerm<ParametrisedData> {
  readonly kind: 'unbinned-parametrised';
  readonly parameters: readonly ParameterSpec[];
  /** the monomial basis of σ(θ) */
  readonly basis: MonomialBasis;
  /** σ(θ) = σ0 s·m(Δθ) */
  readonly crossSection: Float64Array;
  /** Z(θ) over the reference sample, or Z ≡ 1 (the module comment) */
  readonly normalisation: ParametrisedNormalisation;
  readonly events: ParametrisedEventModel;
  /** ln r̂(x_i|θ) per event for a variant, unnormalised, with its θ-derivatives (term parameter order) up to `order` */
  logRatios(data: ParametrisedData, theta: Float64Array, variant: number, order: 0 | 1 | 2): LogRatios;
  /** ln Z(θ) of a variant over the reference sample, with its θ-derivatives up to `order` (the module comment; 0 without normalisation) */
  logNormalisation(theta: Float64Array, variant: number, order: 0 | 1 | 2): { value: number; gradient: Float64Array | null; hessian: Float64Array | null };
  /** the reference sample as data (unit weights where it has none): the events of Asimov data */
  referenceData(): ParametrisedData;
}

/** ln r̂ per event (n), its gradient (n × P) and Hessian (n × P × P) where asked. */
export interface LogRatios {
  value: Float64Array;
  gradient: Float64Array | null;
  hessian: Float64Array | null;
}

export type ParametrisedNormalisation = 'reference-sample' | 'none';

export interface ParametrisedTermOptions {
  name: string;
  /** default 'reference-sample' */
  normalisation?: ParametrisedNormalisation;
  parameters: readonly ParameterSpec[];
  basis: MonomialBasis;
  sigma0: number;
  crossSection: Float64Array;
  events: ParametrisedEventModel;
}

export function createUnbinnedParametrisedTerm(options: ParametrisedTermOptions): UnbinnedParametrisedTerm {
  const { name, parameters, basis, sigma0, crossSection, events } = options;
  const normalisation = options.normalisation ?? 'reference-sample';
  const normalised = normalisation === 'reference-sample';
  const { network } = events;
  const P = parameters.length;
  const D = events.observables.length;
  const C = basis.size;
  if (basis.parameters !== P) throw new Error(`term '${name}': ${P} parameters for a basis in ${basis.parameters}`);
  if (crossSection.length !== C) throw new Error(`term '${name}': cross-section coefficients need ${C} entries, got ${crossSection.length}`);
  if (network.inputs !== D + P || networkOutputs(network) !== 1 || network.head.kind !== 'identity') {
    throw new Error(`term '${name}': the ratio network must map ${D} observables and ${P} parameters to one identity output; it maps ${network.inputs} inputs to ${networkOutputs(network)} (${network.head.kind} head)`);
  }
  const reference = Float64Array.from(parameters, (p) => p.init);
  const K = network.members.length;
  const variants = K > 1 ? K + 1 : 1;
  const units = networkUnits(network);
  const Q = (P * (P + 1)) / 2;
  const estimatePass = passUnits(units, P);
  const memberPass = passUnits(units / K, P);

  const dtheta = new Float64Array(P);
  const m = new Float64Array(C);
  const dm = new Float64Array(C * P);
  const d2m = new Float64Array(C * P * P);
  const thetaOf = (params: Float64Array, index: Int32Array) => Float64Array.from(index, (g) => params[g]);
  const sigmaRatioAt = (theta: Float64Array) => {
    for (let j = 0; j < P; j++) dtheta[j] = theta[j] - reference[j];
    evaluateMonomials(basis, dtheta, m);
    const ratio = polynomialValue(crossSection, m) / crossSection[0];
    if (!(ratio > 0) || !Number.isFinite(ratio)) throw new NonPositiveRateError(name, 'total cross section σ(θ)', sigma0 * ratio);
    return ratio;
  };

  const dataOf = (values: ArrayLike<number>, count: number, weights: readonly (Float64Array | null)[]): ParametrisedData => {
    const inputs = new Float64Array(count * (D + P));
    for (let i = 0; i < count; i++) for (let k = 0; k < D; k++) inputs[i * (D + P) + k] = values[i * D + k];
    return { count, inputs, weights };
  };
  const sampleData = (sample: EventSampleData) => dataOf(sample.values, sample.count, [sample.weights ? Float64Array.from(sample.weights) : null]);
  let observed: ParametrisedData | null = null;
  let referenceData: ParametrisedData | null = null;
  // the last normalisation computed: fits, scans and the variants of one point ask for it again
  const sampleToy = toySampler(name);
  let lastNormalisation: { key: string; order: number; lr: LogRatios; result: ReturnType<UnbinnedParametrisedTerm['logNormalisation']> } | null = null;

  const term: UnbinnedParametrisedTerm = {
    kind: 'unbinned-parametrised',
    name,
    parameters,
    basis,
    reference,
    sigma0,
    crossSection,
    normalisation,
    events,
    variants,
    submits: 'events',
    constraints: [],
    withoutConstraints: () => term,
    hasObserved: events.observed !== null,
    observables: events.observables,
    referenceCount: events.reference.count,
    observedCount: events.observed?.count ?? 0,
    // every member's network pass per event (variant 0 averages them all), or one member's (see passUnits)
    evaluationUnits: (order, count, variant = 0) => (count + (normalised ? events.reference.count : 0)) * (variant === 0 ? estimatePass : memberPass)[order] + C * P * P,
    eventCount: (data) => data.count,
    dataCost: (count) => ({ units: count * (D + P), memoryBytes: 8 * count * (D + P + variants) }),
    ratioCost(count, points) {
      const all = count + (normalised ? events.reference.count : 0);
      return { units: all * points * 4 * units, memoryBytes: 8 * all * (D + P + 8 * variants * points) };
    },
    referenceData: () => (referenceData ??= sampleData(events.reference)),

    logRatios(data, theta, variant, order) {
      if (!(variant >= 0 && variant < variants)) throw new RangeError(`term '${name}': no ensemble variant ${variant}`);
      return networkLogRatios(network, data, theta, variant === 0 ? Array.from({ length: K }, (_, k) => k) : [variant - 1], D, order);
    },

    logNormalisation(theta, variant, order) {
      if (!normalised) return { value: 0, gradient: order > 0 ? new Float64Array(P) : null, hessian: order === 2 ? new Float64Array(P * P) : null };
      const key = `${variant}:${Array.from(theta).join(',')}`;
      if (lastNormalisation && lastNormalisation.key === key && lastNormalisation.order >= order) return lastNormalisation.result;
      const reference = term.referenceData();
      const lr = term.logRatios(reference, theta, variant, order);
      const result = logMeanExp(lr, reference.weights[0], P, order);
      lastNormalisation = { key, order, lr, result };
      return result;
    },

    nll(params, index, data, context: Pick<EvaluationContext, 'luminosity' | 'rate' | 'variant'>, derivatives?: Derivatives) {
      const { variant, luminosity, rate } = context;
      const weights = data.weights[variant] ?? data.weights[0] ?? null;
      const theta = thetaOf(params, index);
      const sm = sigmaRatioAt(theta);
      const order = derivatives?.hessian ? 2 : derivatives?.gradient ? 1 : 0;
      const lnZ = term.logNormalisation(theta, variant, order);
      // Asimov data are the reference sample: its ln r̂ is the normalisation's own
      const lr = normalised && data.inputs === term.referenceData().inputs ? lastNormalisation!.lr : term.logRatios(data, theta, variant, order);
      let logSum = 0;
      for (let i = 0; i < data.count; i++) logSum += (weights ? weights[i] : 1) * lr.value[i];
      if (!Number.isFinite(logSum) || !Number.isFinite(lnZ.value)) throw new NonPositiveRateError(name, 'sum of ln r̂(x|θ) over the events', logSum);
      const W = totalWeight(data.count, weights);
      const value = (rate ? luminosity * sigma0 * crossSection[0] * sm - W * Math.log(sm) : 0) - logSum + W * lnZ.value;
      if (order === 0) return value;

      monomialGradient(basis, m, dm);
      if (order === 2) monomialHessian(basis, m, d2m);
      addDerivatives(derivatives!, index, { crossSection, dm, d2m, sm, lr, lnZ, weights, count: data.count, W, rate, rateFactor: luminosity * sigma0 * crossSection[0] });
      return value;
    },

    asimov(params, index, context) {
      return parametrisedAsimov(term, thetaOf(params, index), context.luminosity);
    },
    toy(params, index, context, rng) {
      // the reference sample reweighted to θ by the estimate's r̂/Z (variant 0): the model the toys are drawn from
      const theta = thetaOf(params, index);
      const sample = events.reference;
      const weightsAt = () => Float64Array.from(term.logRatios(term.referenceData(), theta, 0, 0).value, (lr, i) => (sample.weights ? sample.weights[i] : 1) * Math.exp(lr));
      const drawn = sampleToy(theta, weightsAt, context.luminosity * term.totalCrossSection(params, index), rng);
      const values = new Float64Array(drawn.length * D);
      drawn.forEach((i, k) => {
        for (let j = 0; j < D; j++) values[k * D + j] = sample.values[i * D + j];
      });
      return dataOf(values, drawn.length, [null]);
    },
    observed() {
      if (!events.observed) throw new DatasetError([], `this likelihood publishes no observed events for term '${name}'`);
      observed ??= sampleData(events.observed);
      return observed;
    },
    submitted(data: SubmittedData) {
      const { values, count, weights } = submittedEvents(name, data, events.observables);
      return dataOf(values, count, [weights]);
    },
    eventData: (values, count, weights = null) => dataOf(values, count, [weights]),
    eventLogRatios(data, params, index, variant = 0) {
      const theta = thetaOf(params, index);
      const lnZ = term.logNormalisation(theta, variant, 0).value;
      return term.logRatios(data, theta, variant, 0).value.map((v) => v - lnZ);
    },
    totalCrossSection: (params, index) => sigma0 * crossSection[0] * sigmaRatioAt(thetaOf(params, index)),
  };
  return term;
}

/**
 * Units of one event's pass through a network of `networkUnits` multiply-adds (every member's for
 * the estimate, one member's for a member's variant) at orders 0, 1 and 2, priced from what the
 * passes take (`npx tsx scripts/bench/parametrised-passes.ts`, one −ln L evaluation at each order
 * on the θ-parametrised likelihoods, this project's 2-core machine, in units of
 * CALIBRATION.nsPerUnit): the value in the SIMD kernel takes 0.26-0.38 units a multiply-add, priced
 * 0.5; with derivatives the forward-mode loops carry C = 1 + P (+ P(P+1)/2 for the Hessian)
 * channels per unit and read each weight once for all of them: 0.8-1.0 units a multiply-add and
 * channel where C <= 3 (the unrolled products: 1.6-2.0 at C = 2, 2.0-2.4 at C = 3), priced 1; 1.3
 * in the generic loop (7.9 at C = 6, srgn-gaussian-2d's Hessian), priced 1.4. The former prices
 * (0.8, and 2 a channel) were 2-3× these and refused fits that run in seconds.
 */
function passUnits(networkUnits: number, P: number): [number, number, number] {
  const channels = [1, 1 + P, 1 + P + (P * (P + 1)) / 2];
  return [0.5 * networkUnits + 10, ...[1, 2].map((order) => (channels[order] <= 3 ? 1 : 1.4) * channels[order] * networkUnits + 10 * channels[order])] as [number, number, number];
}

/** Each listed member's ln r̂(x_i|θ) on the data and their mean, with θ-derivatives up to `order`: θ is written into the inputs' last P columns. */
function networkLogRatios(network: FrozenNetwork, data: ParametrisedData, theta: Float64Array, members: readonly number[], D: number, order: 0 | 1 | 2): LogRatios {
  const n = data.count;
  const P = theta.length;
  const width = D + P;
  const thetaColumns = Array.from({ length: P }, (_, j) => D + j);
  for (let i = 0; i < n; i++) for (let j = 0; j < P; j++) data.inputs[i * width + D + j] = theta[j];
  const value = new Float64Array(n);
  const gradient = order > 0 ? new Float64Array(n * P) : null;
  const hessian = order === 2 ? new Float64Array(n * P * P) : null;
  for (const k of members) {
    if (order === 0) {
      const y = evaluateNetwork(network, k, data.inputs, n);
      for (let i = 0; i < n; i++) value[i] += y[i];
    } else {
      const y = evaluateWithInputDerivatives(network, k, data.inputs, n, thetaColumns, order);
      for (let i = 0; i < n; i++) value[i] += y.value[i];
      for (let i = 0; i < n * P; i++) gradient![i] += y.gradient![i];
      if (hessian) for (let i = 0; i < n * P * P; i++) hessian[i] += y.hessian![i];
    }
  }
  if (members.length > 1) {
    const inv = 1 / members.length;
    for (let i = 0; i < n; i++) value[i] *= inv;
    if (gradient) for (let i = 0; i < n * P; i++) gradient[i] *= inv;
    if (hessian) for (let i = 0; i < n * P * P; i++) hessian[i] *= inv;
  }
  return { value, gradient, hessian };
}

/**
 * Adds the term's gradient and Hessian in θ at global positions `index`: the rate part
 * d[L σ(θ) − W ln(σ/σ(θ0))] with σ/σ(θ0) = s·m/s_0 = `sm` (`rateFactor` = L σ0 s_0; none shape
 * only), minus Σ w ∇ln r̂, plus W ∇ln Z.
 */
function addDerivatives(
  derivatives: Derivatives,
  index: Int32Array,
  a: { crossSection: Float64Array; dm: Float64Array; d2m: Float64Array; sm: number; lr: LogRatios; lnZ: { gradient: Float64Array | null; hessian: Float64Array | null }; weights: Float64Array | null; count: number; W: number; rate: boolean; rateFactor: number },
): void {
  const { crossSection, dm, d2m, sm, lr, lnZ, weights, count, W, rate, rateFactor } = a;
  const P = index.length;
  const C = crossSection.length;
  const n = derivatives.gradient ? derivatives.gradient.length : Math.round(Math.sqrt(derivatives.hessian!.length));
  const smGrad = new Float64Array(P);
  for (let j = 0; j < P; j++) for (let c = 0; c < C; c++) smGrad[j] += (crossSection[c] * dm[c * P + j]) / crossSection[0];
  if (derivatives.gradient) {
    for (let j = 0; j < P; j++) {
      let g = 0;
      for (let i = 0; i < count; i++) g += (weights ? weights[i] : 1) * lr.gradient![i * P + j];
      const rateGrad = rate ? rateFactor * smGrad[j] - (W * smGrad[j]) / sm : 0;
      derivatives.gradient[index[j]] += rateGrad - g + W * lnZ.gradient![j];
    }
  }
  if (!derivatives.hessian) return;
  for (let j = 0; j < P; j++) {
    for (let k = 0; k < P; k++) {
      let h = 0;
      for (let i = 0; i < count; i++) h += (weights ? weights[i] : 1) * lr.hessian![(i * P + j) * P + k];
      let smH = 0;
      for (let c = 0; c < C; c++) smH += (crossSection[c] * d2m[(c * P + j) * P + k]) / crossSection[0];
      const rateHess = rate ? rateFactor * smH - W * (smH / sm - (smGrad[j] * smGrad[k]) / (sm * sm)) : 0;
      derivatives.hessian[index[j] * n + index[k]] += rateHess - h + W * lnZ.hessian![j * P + k];
    }
  }
}

/**
 * Asimov data at θ_A (DESIGN.md "Expected results"): the reference sample drawn at θ0,
 * reweighted with each variant's own ratio and normalised on the sample itself,
 * w_i = L σ(θ_A) w_ref,i r̂(x_i|θ_A) / Σ_j w_ref,j r̂(x_j|θ_A) = L σ(θ_A) w_ref,i r̂(x_i|θ_A) / (Z(θ_A) Σ_j w_ref,j),
 * so that Σ w_i f(x_i) estimates L ∫ dσ(x|θ_A) f(x) and the expected event count is exactly
 * L σ(θ_A). The events are the reference sample's own (the term then reuses its ln r̂ for Z).
 */
export function parametrisedAsimov(term: UnbinnedParametrisedTerm, thetaA: Float64Array, luminosity: number): ParametrisedData {
  const P = term.parameters.length;
  const expected = luminosity * term.totalCrossSection(thetaA, Int32Array.from({ length: P }, (_, j) => j));
  const reference = term.referenceData();
  const wRef = reference.weights[0];
  const weights = Array.from({ length: term.variants }, (_, v) => {
    const lr = term.logRatios(reference, thetaA, v, 0).value;
    const out = new Float64Array(reference.count);
    let norm = 0;
    for (let i = 0; i < reference.count; i++) {
      out[i] = (wRef ? wRef[i] : 1) * Math.exp(lr[i]);
      norm += out[i];
    }
    if (!(norm > 0) || !Number.isFinite(norm)) throw new NonPositiveRateError(term.name, 'Σ r̂(x|θ_A) over the reference sample', norm);
    for (let i = 0; i < reference.count; i++) out[i] *= expected / norm;
    return out;
  });
  return { count: reference.count, inputs: reference.inputs, weights };
}

/**
 * ln of the weighted mean of e^{ln r̂_i}, with its gradient and Hessian from those of ln r̂_i:
 * with q_i ∝ w_i r̂_i normalised, ∇ln Z = Σ q_i ∇ln r̂_i and
 * ∇²ln Z = Σ q_i (∇²ln r̂_i + ∇ln r̂_i ∇ln r̂_iᵀ) − ∇ln Z ∇ln Zᵀ. Shifted by the largest ln r̂, so
 * that no exponential overflows.
 */
export function logMeanExp(lr: LogRatios, weights: ArrayLike<number> | null, P: number, order: 0 | 1 | 2): { value: number; gradient: Float64Array | null; hessian: Float64Array | null } {
  const n = lr.value.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (lr.value[i] > max) max = lr.value[i];
  let sum = 0;
  let sumW = 0;
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    q[i] = w * Math.exp(lr.value[i] - max);
    sum += q[i];
    sumW += w;
  }
  const value = Math.log(sum / sumW) + max;
  if (order === 0) return { value, gradient: null, hessian: null };
  const gradient = new Float64Array(P);
  for (let i = 0; i < n; i++) for (let j = 0; j < P; j++) gradient[j] += (q[i] / sum) * lr.gradient![i * P + j];
  if (order === 1) return { value, gradient, hessian: null };
  const hessian = new Float64Array(P * P);
  for (let i = 0; i < n; i++) {
    const qi = q[i] / sum;
    for (let j = 0; j < P; j++) {
      const gj = lr.gradient![i * P + j];
      for (let k = 0; k < P; k++) hessian[j * P + k] += qi * (lr.hessian![(i * P + j) * P + k] + gj * lr.gradient![i * P + k]);
    }
  }
  for (let j = 0; j < P; j++) for (let k = 0; k < P; k++) hessian[j * P + k] -= gradient[j] * gradient[k];
  return { value, gradient, hessian };
}

/** The parametrised terms of a likelihood, in order. */
export function parametrisedTerms(likelihood: { readonly terms: readonly { readonly term: { readonly kind: string } }[] }): UnbinnedParametrisedTerm[] {
  return likelihood.terms.flatMap(({ term }) => (term.kind === 'unbinned-parametrised' ? [term as UnbinnedParametrisedTerm] : []));
}
