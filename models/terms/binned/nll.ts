/**
 * The binned term's negative log-likelihood: pyhf's −logpdf with every constant (DESIGN.md
 * "The likelihood", binned Poisson term and constraints),
 *
 *     −ln L = Σ_b [ν_b − n_b ln ν_b + ln Γ(n_b + 1)]
 *           + Σ_normal [½((a − p)/σ)² + ln σ + ½ ln 2π]
 *           + Σ_poisson [p τ − a ln(p τ) + ln Γ(a + 1)],
 *
 * with the constraints' analytic derivatives here and the Poisson term's in `derivatives.ts`.
 * Every Poisson term is evaluated in Loader's saddle-point form (`poissonNll`): half the
 * deviance bd0(k, λ) plus the saturated NLL of k, which depends on the data alone and is cached
 * by content. Summed as written above, a shapesys constraint with τ = 2·10¹¹ would lose eleven
 * digits to cancellation (issue 14); this form keeps them.
 */
import { exactProduct, halfPoissonDeviance, saturatedPoissonNll } from '../../numeric/distributions.js';
import { NonPositiveRateError, type Derivatives } from '../../likelihood/term.js';
import type { CompiledBinnedModel } from './compile.js';
import type { BinnedData } from './data.js';
import { addPoissonDerivatives } from './derivatives.js';
import type { BinnedScratch } from './scratch.js';
import { checkScale, evaluateYields, rateError } from './yields.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Refreshes the cached saturated NLLs Σ_b −ln Pois(n_b | n_b) and Σ_poisson −ln Pois(a | a) when the counts or aux data differ from the last seen, checking them. */
function dataConstants(model: CompiledBinnedModel, scratch: BinnedScratch, counts: Float64Array, aux: Float64Array): void {
  const { name, totalBins, nCons, consPoisson, constraints } = model;
  const cache = scratch.constants;
  let same = counts.length === cache.counts.length;
  for (let b = 0; same && b < counts.length; b++) if (counts[b] !== cache.counts[b]) same = false;
  if (!same) {
    let s = 0;
    for (let b = 0; b < totalBins; b++) {
      const n = counts[b];
      if (!(n >= 0) || !Number.isFinite(n)) throw new RangeError(`term '${name}': count ${b} is ${n}; counts must be finite and non-negative`);
      s += saturatedPoissonNll(n);
    }
    cache.counts = Float64Array.from(counts);
    cache.countsConstant = s;
  }
  same = aux.length === cache.aux.length;
  for (let c = 0; same && c < aux.length; c++) if (aux[c] !== cache.aux[c]) same = false;
  if (!same) {
    let s = 0;
    for (let c = 0; c < nCons; c++) {
      const a = aux[c];
      if (!Number.isFinite(a)) throw new RangeError(`term '${name}': auxiliary datum ${c} (${constraints[c].parameter}) is ${a}`);
      if (consPoisson[c]) {
        if (a < 0) throw new RangeError(`term '${name}': Poisson auxiliary datum ${c} (${constraints[c].parameter}) is negative (${a})`);
        s += saturatedPoissonNll(a);
      }
    }
    cache.aux = Float64Array.from(aux);
    cache.auxConstant = s;
  }
}

/** main Poisson term: adds Σ_b bd0(n_b, ν_b) to `total` (the saturated part comes from the cache) */
function addPoissonTerm(model: CompiledBinnedModel, scratch: BinnedScratch, counts: Float64Array, total: number): number {
  const { totalBins } = model;
  const { binNu } = scratch;
  for (let b = 0; b < totalBins; b++) {
    const nu = binNu[b];
    const k = counts[b];
    if (!(nu > 0) || !Number.isFinite(nu)) {
      if (nu === 0 && k === 0) continue;
      throw rateError(model, b, nu);
    }
    total += halfPoissonDeviance(k, nu);
  }
  return total;
}

/**
 * constraints: adds normal ½((a − p)/σ)² + ln σ + ½ ln 2π and poisson bd0(a, p τ) (the saturated
 * part comes from the cache) to `total`, and their derivatives (diagonal) into gradient and Hessian when given
 */
function addConstraintTerms(model: CompiledBinnedModel, scratch: BinnedScratch, index: Int32Array, aux: Float64Array, total: number, n: number, gradient: Float64Array | undefined, hessian: Float64Array | undefined): number {
  const { name, nCons, consParam, consPoisson, consTau, consSigma, consLogSigma, constraints } = model;
  const { local } = scratch;
  for (let c = 0; c < nCons; c++) {
    const j = consParam[c];
    const p = local[j];
    const a = aux[c];
    let d1: number;
    let d2: number;
    if (consPoisson[c]) {
      const tau = consTau[c];
      const rate = p * tau;
      if (!(rate > 0) || !Number.isFinite(rate)) {
        if (!(rate === 0 && a === 0)) throw new NonPositiveRateError(name, `Poisson constraint rate of '${constraints[c].parameter}'`, rate);
        d1 = tau;
        d2 = 0;
      } else {
        const [product, roundingError] = exactProduct(p, tau);
        total += halfPoissonDeviance(a, product, roundingError);
        d1 = tau - a / p;
        d2 = a / (p * p);
      }
    } else {
      const sigma = consSigma[c];
      const z = (a - p) / sigma;
      total += 0.5 * z * z + consLogSigma[c] + HALF_LOG_2PI;
      d1 = (p - a) / (sigma * sigma);
      d2 = 1 / (sigma * sigma);
    }
    const gj = index[j];
    if (gradient) gradient[gj] += d1;
    if (hessian) hessian[gj * n + gj] += d2;
  }
  return total;
}

/** −ln L at global parameters; adds the analytic gradient and Hessian (global n, n × n row-major) into `derivatives` when given. */
export function binnedNll(model: CompiledBinnedModel, scratch: BinnedScratch, params: Float64Array, index: Int32Array, data: BinnedData, luminosityScale: number, derivatives?: Derivatives): number {
  const { name, totalBins, nCons } = model;
  checkScale(model, luminosityScale);
  const { counts, aux } = data;
  if (counts.length !== totalBins) throw new RangeError(`term '${name}': data has ${counts.length} counts, expected ${totalBins}`);
  if (aux.length !== nCons) throw new RangeError(`term '${name}': data has ${aux.length} auxiliary values, expected ${nCons}`);
  const gradient = derivatives?.gradient;
  const hessian = derivatives?.hessian;
  const n = params.length;
  if (gradient && gradient.length !== n) throw new RangeError(`term '${name}': gradient has length ${gradient.length}, expected ${n}`);
  if (hessian && hessian.length !== n * n) throw new RangeError(`term '${name}': hessian has length ${hessian.length}, expected ${n * n}`);
  const wantDerivatives = !!(gradient || hessian);
  evaluateYields(model, scratch, params, index, luminosityScale, wantDerivatives, !!hessian);
  dataConstants(model, scratch, counts, aux);

  let total = scratch.constants.countsConstant + scratch.constants.auxConstant;
  total = addPoissonTerm(model, scratch, counts, total);
  total = addConstraintTerms(model, scratch, index, aux, total, n, gradient, hessian);
  if (wantDerivatives) addPoissonDerivatives(model, scratch, { index, counts, L: luminosityScale, n, gradient, hessian });
  return total;
}
