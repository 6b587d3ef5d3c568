/**
 * Generated data of a binned term: Asimov data (expected counts, auxiliary data at their
 * expectation, pyhf's `expected_auxdata`) and random toys (Poisson counts around the
 * expected ones, auxiliary data drawn from the constraints).
 */
import { NonPositiveRateError, type ToyRandom } from '../../likelihood/term.js';
import type { CompiledBinnedModel } from './compile.js';
import type { BinnedData } from './data.js';
import type { BinnedScratch } from './scratch.js';
import { expectedCounts, rateError } from './yields.js';

/** the nominal auxiliary data (observed aux of the published measurement) */
export function nominalAux(model: CompiledBinnedModel): Float64Array {
  return Float64Array.from(model.consAux);
}

/** Asimov data: expected counts at params, aux at their expectation there (p for normal, p τ for poisson constraints). */
export function asimovData(model: CompiledBinnedModel, scratch: BinnedScratch, params: Float64Array, index: Int32Array, luminosityScale: number): BinnedData {
  const { nCons, consParam, consTau } = model;
  const counts = expectedCounts(model, scratch, params, index, luminosityScale);
  const aux = new Float64Array(nCons);
  for (let c = 0; c < nCons; c++) aux[c] = params[index[consParam[c]]] * consTau[c];
  return { counts, aux };
}

/** A random toy: Poisson counts around the expected ones, and aux data drawn from the constraints at params. */
export function toyData(model: CompiledBinnedModel, scratch: BinnedScratch, params: Float64Array, index: Int32Array, rng: ToyRandom, luminosityScale: number): BinnedData {
  const { name, totalBins, nCons, consParam, consPoisson, consTau, consSigma, constraints } = model;
  const mean = expectedCounts(model, scratch, params, index, luminosityScale);
  const counts = new Float64Array(totalBins);
  for (let b = 0; b < totalBins; b++) {
    const nu = mean[b];
    if (!(nu >= 0) || !Number.isFinite(nu)) throw rateError(model, b, nu);
    counts[b] = rng.poisson(nu);
  }
  const aux = new Float64Array(nCons);
  for (let c = 0; c < nCons; c++) {
    const p = params[index[consParam[c]]];
    if (consPoisson[c]) {
      const rate = p * consTau[c];
      if (!(rate >= 0) || !Number.isFinite(rate)) throw new NonPositiveRateError(name, `Poisson constraint rate of '${constraints[c].parameter}'`, rate);
      aux[c] = rng.poisson(rate);
    } else {
      aux[c] = p + consSigma[c] * rng.normal();
    }
  }
  return { counts, aux };
}
